//! `landguard user ...`: people who sign in to the map, managed from the server's shell. Passwords are read
//! from standard input (or asked for, unechoed, at a terminal), never from the command line, where `ps` and
//! the shell's history would show them.

use crate::domain::access::{hash_password, Role};
use crate::domain::scope::Scopes;
use crate::store::Store;
use anyhow::{bail, Context};
use clap::Subcommand;
use std::io::{BufRead, IsTerminal, Write};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a person; the password is read from standard input (asked twice at a terminal).
    Create {
        #[arg(long)]
        name: String,
        /// viewer, editor, approver or admin
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The counties they may write: county codes or city prefixes, e.g. 4502,450321 (default: all).
        #[arg(long, value_parser = parse_counties)]
        counties: Option<Scopes>,
    },
    /// List people: name, role, counties, created, status, open sessions (never a password).
    List,
    /// Set a new password (a reset); read from standard input. Their open sessions end.
    Passwd {
        #[arg(long)]
        name: String,
    },
    /// Change a person's role or counties (`--counties all` for every county); effective at once.
    Update {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: Option<Role>,
        #[arg(long, value_parser = parse_counties)]
        counties: Option<Scopes>,
    },
    /// Disable a person: their sessions stop working at once and they cannot sign in.
    Disable {
        #[arg(long)]
        name: String,
    },
    /// Enable a disabled person again.
    Enable {
        #[arg(long)]
        name: String,
    },
}

pub fn parse_role(s: &str) -> Result<Role, String> {
    s.parse().map_err(|e: crate::domain::access::UnknownRole| e.to_string())
}

/// `all` (or nothing) is every county.
pub fn parse_counties(s: &str) -> Result<Scopes, String> {
    if s.trim().eq_ignore_ascii_case("all") {
        return Ok(Scopes::default());
    }
    Scopes::parse(s).map_err(|e| e.to_string())
}

fn check_name(name: &str) -> anyhow::Result<()> {
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_whitespace) {
        bail!("'{name}' cannot be a name: 1 to 100 characters, no spaces");
    }
    Ok(())
}

/// The password: the first line of standard input, or asked for twice, unechoed, at a terminal.
fn read_password(name: &str) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\n', '\r']).to_string();
        if password.is_empty() {
            bail!("no password on standard input (give it as the first line, e.g. from a file: < password.txt)");
        }
        return Ok(password);
    }
    let first = ask(&format!("password for {name}: "))?;
    let second = ask("again: ")?;
    if first != second {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

fn ask(prompt: &str) -> anyhow::Result<String> {
    let echo = |on: bool| {
        // stty acts on its standard input, the terminal; when it is missing the password echoes, which
        // is no worse than typing it into any other prompt.
        let _ = std::process::Command::new("stty").arg(if on { "echo" } else { "-echo" }).status();
    };
    eprint!("{prompt}");
    std::io::stderr().flush().ok();
    echo(false);
    let mut line = String::new();
    let read = std::io::stdin().lock().read_line(&mut line);
    echo(true);
    eprintln!();
    read.context("cannot read the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_string())
}

pub async fn run(store: &Store, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Create { name, role, counties } => {
            check_name(&name)?;
            let counties = counties.unwrap_or_default();
            let hash = hash_password(&read_password(&name)?)?;
            store.create_user(&name, role, &counties, &hash).await?;
            eprintln!("'{name}' created: role {role}, may write {counties}");
        }
        UserCommand::List => {
            for u in store.list_users().await? {
                let status = match u.disabled_at {
                    Some(at) => format!("disabled {}", at.format("%Y-%m-%d %H:%M")),
                    None => "active".into(),
                };
                let counties = if u.counties.is_all() { "all".to_string() } else { u.counties.to_string() };
                println!(
                    "{}\t{}\t{}\tcreated {}\t{}\t{} open session{}",
                    u.name,
                    u.role,
                    counties,
                    u.created_at.format("%Y-%m-%d %H:%M"),
                    status,
                    u.open_sessions,
                    if u.open_sessions == 1 { "" } else { "s" }
                );
            }
        }
        UserCommand::Passwd { name } => {
            let hash = hash_password(&read_password(&name)?)?;
            store.set_password(&name, &hash).await?;
            eprintln!("password of '{name}' set; their open sessions have ended");
        }
        UserCommand::Update { name, role, counties } => {
            if role.is_none() && counties.is_none() {
                bail!("nothing to change: give --role, --counties or both");
            }
            store.change_user_scope(&name, &crate::store::people::UserChange { role, counties }).await?;
            eprintln!("'{name}' updated");
        }
        UserCommand::Disable { name } => {
            store.disable_user(&name).await?;
            eprintln!("'{name}' disabled; their sessions have ended");
        }
        UserCommand::Enable { name } => {
            store.enable_user(&name).await?;
            eprintln!("'{name}' enabled");
        }
    }
    Ok(())
}
