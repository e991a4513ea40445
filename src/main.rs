//! The `landguard` command line: serve, migrate, tokens, people, demo data.

use anyhow::Context;
use clap::{Parser, Subcommand};
use landguard::config::Settings;
use landguard::domain::access::Role;
use landguard::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "landguard",
    version,
    about = "Register of polluted and at-risk land, its access rules and its one map"
)]
struct Cli {
    /// TOML settings file (also LANDGUARD_CONFIG); environment variables override it.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service.
    Serve {
        /// Address to listen on (default from LANDGUARD_BIND or 127.0.0.1:8080).
        #[arg(long)]
        bind: Option<String>,
    },
    /// Apply the database migrations.
    Migrate,
    /// Print a statement the service runs for a collection, as it runs it (its first line says what $1, $2,
    /// ... bind), for EXPLAIN ANALYZE or a bench's bare statement: feature, feature-as-of, tile, tile-z12,
    /// tile-as-of, data-version or history. Needs no database.
    Sql {
        collection: landguard::domain::registry::Collection,
        /// feature, feature-as-of, tile, tile-z12, tile-as-of, data-version or history
        statement: String,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage the people who sign in (passwords from standard input, never the command line).
    User {
        #[command(subcommand)]
        command: landguard::people::UserCommand,
    },
    /// Ask an access-rule question; the answer is printed as JSON, as it is kept (its `id` reads it back at
    /// GET /checks/KIND/ID), and its receipt id on standard error (exit status 0 whatever the decision).
    Check {
        /// rezoning, eia-site or land-supply
        kind: String,
        /// GeoJSON geometry (or Feature) file; `-` reads standard input.
        #[arg(long, conflicts_with = "parcel")]
        geometry: Option<PathBuf>,
        /// A registered construction parcel as the query area.
        #[arg(long)]
        parcel: Option<String>,
        /// CRS of the geometry (OGC URI or EPSG:NNNN; default CRS84).
        #[arg(long, value_parser = landguard::domain::crs::Crs::parse)]
        crs: Option<landguard::domain::crs::Crs>,
        #[arg(long)]
        proposed_use: Option<String>,
        #[arg(long)]
        current_use: Option<String>,
        #[arg(long)]
        use_code_system: Option<landguard::domain::landuse::CodeSystem>,
        /// eia-site (default other) and land-supply (remediation: the land is supplied for it): remediation,
        /// heavy_metal, soil_polluting or other.
        #[arg(long)]
        project_kind: Option<landguard::domain::rules::ProjectKind>,
        /// land-supply only: transfer or allocation.
        #[arg(long)]
        supply: Option<landguard::domain::rules::SupplyKind>,
        /// A day (2025-03-01) or an RFC 3339 instant; default today.
        #[arg(long, value_parser = landguard::domain::time::parse_instant)]
        as_of: Option<chrono::NaiveDate>,
    },
    /// Grade a soil sample against GB 15618-2018 and, with --crops, give the farmland class; JSON on stdout.
    /// Example: landguard soil-grade --ph 6.2 --land paddy --crops compliant Cd=0.45 Pb=60
    /// A laboratory's table: landguard soil-grade --file samples.xlsx > graded.csv
    SoilGrade {
        /// A table of samples (CSV, XLSX, ODS, …) with columns pH, land or land_type, crops and the
        /// pollutants, in English or Chinese (镉 汞 砷 铅 铬 铜 镍 锌); ND or 未检出 counts as zero. All rows
        /// or none; the result is CSV on stdout.
        #[arg(long, conflicts_with_all = ["ph", "land", "land_type", "crops", "concentrations"])]
        file: Option<PathBuf>,
        /// The table's sheet or layer (default: the first).
        #[arg(long, requires = "file")]
        layer: Option<String>,
        /// A CSV's encoding when it is not UTF-8, e.g. GBK (Excel on a Chinese desktop saves CSV so).
        #[arg(long, requires = "file")]
        encoding: Option<String>,
        /// The sample's pH.
        #[arg(long, allow_negative_numbers = true, required_unless_present = "file")]
        ph: Option<f64>,
        /// paddy or other.
        #[arg(long, conflicts_with = "land_type")]
        land: Option<landguard::domain::soil::SoilUse>,
        /// Third-survey farmland type instead of --land: 0101, 0102 or 0103.
        #[arg(long, value_parser = landguard::domain::soil::SoilUse::from_land_type)]
        land_type: Option<landguard::domain::soil::SoilUse>,
        /// compliant, exceeds or severe_exceedance.
        #[arg(long)]
        crops: Option<landguard::domain::farmland::CropFinding>,
        /// Concentrations in mg/kg as POLLUTANT=VALUE (Cd, Hg, As, Pb, Cr; Cu, Ni, Zn are reported only).
        #[arg(value_name = "POLLUTANT=MG_KG", required_unless_present = "file")]
        concentrations: Vec<String>,
    },
    /// Load the demo data in DIR (farmland_units.geojson, construction_parcels.geojson, transitions.json).
    DemoLoad { dir: PathBuf },
    /// Print `loaded` and exit 0 when the demo data is in the database, else print `empty` and exit 1.
    DemoStatus,
    /// Load county outlines (a GeoJSON FeatureCollection in lon/lat with properties county_code, name,
    /// city), replacing those with the same code. Checks are refused until some are loaded.
    CountiesLoad { file: PathBuf },
    /// Load a file GDAL reads (Shapefile, GeoPackage, GeoJSON, CSV with WKT, KML) into a collection, all
    /// or nothing; the report goes to stdout (see docs/import-export.md).
    Import {
        file: PathBuf,
        /// farmland_units or construction_parcels
        #[arg(long)]
        collection: landguard::domain::registry::Collection,
        /// Layer name, for files with several layers.
        #[arg(long)]
        layer: Option<String>,
        /// CRS of the coordinates when the file has none or a wrong one: EPSG:NNNN, or gcj02.
        #[arg(long)]
        source_crs: Option<String>,
        /// TOML mapping file: field renames, constants, value tables.
        #[arg(long)]
        mapping: Option<PathBuf>,
        /// Attribute encoding of a Shapefile (overrides .cpg) or CSV, e.g. GBK.
        #[arg(long)]
        encoding: Option<String>,
        /// reject (default): an invalid geometry refuses the file; repair: fix it with GEOS MakeValid.
        #[arg(long, default_value = "reject")]
        on_invalid: landguard::import::OnInvalid,
        /// Check everything and print the report; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The plan's annual report for a city: OUT.html, OUT.pdf printed by Chromium, or OUT.xlsx (docs/targets.md).
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Write a collection to a GeoPackage, Shapefile or GeoJSON file.
    Export {
        /// farmland_units or construction_parcels
        collection: landguard::domain::registry::Collection,
        /// OUT.gpkg, OUT.shp or OUT.geojson (never overwritten)
        out: PathBuf,
        /// Output CRS (any PROJ knows, e.g. EPSG:4546); default EPSG:4490, CRS84 for GeoJSON.
        #[arg(long)]
        crs: Option<String>,
        /// The registry as it stood on that day (YYYY-MM-DD); default now.
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The annual report: targets, the rate month by month, the map, the RCR list's changes, the basis.
    Annual {
        /// 4-digit city code, e.g. 4502 (Liuzhou) or 4503 (Guilin)
        #[arg(long)]
        city: String,
        #[arg(long)]
        year: i32,
        /// OUT.html, OUT.pdf or OUT.xlsx (never overwritten)
        #[arg(long, value_name = "FILE", required_unless_present = "file", conflicts_with = "file")]
        out: Option<PathBuf>,
        /// The same file, given as the last argument instead of --out
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token; it is printed once, as the last line, and only its hash is kept.
    Create {
        #[arg(long)]
        name: String,
        #[arg(long, value_parser = landguard::people::parse_role)]
        role: Role,
        /// The counties it may write: county codes or city prefixes, e.g. 4502,450321 (default: all).
        #[arg(long, value_parser = landguard::people::parse_counties)]
        counties: Option<landguard::domain::scope::Scopes>,
    },
    /// List tokens (names, roles, dates; never the tokens).
    List,
    /// Revoke a token by name.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

/// mimalloc rather than glibc's malloc: serving a cached tile is mostly small allocations made on one
/// worker thread and freed on another (hyper, axum, tower), and glibc's malloc and free were ~20 % of the
/// service's CPU there (perf, bench/tiles.sh).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "landguard=info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")
        .and_then(|rt| rt.block_on(run(cli)));
    if let Err(e) = result {
        eprintln!("landguard: {}", one_line(&e));
        std::process::exit(1);
    }
}

/// The error and its causes on one line, as docs/contract.md promises of the CLI.
fn one_line(e: &anyhow::Error) -> String {
    e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ").replace('\n', " ")
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut settings = Settings::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve { bind } => {
            if let Some(b) = bind {
                settings.bind = b;
            }
            serve(settings).await
        }
        Command::Sql { collection, statement } => {
            let Some(sql) = landguard::store::tiles::printable(collection, &statement) else {
                let names: Vec<&str> = landguard::store::tiles::PRINTABLE.iter().map(|(n, _)| *n).collect();
                anyhow::bail!("no statement '{statement}': one of {}", names.join(", "));
            };
            println!("{sql}");
            Ok(())
        }
        Command::Migrate => {
            let store = Store::connect(&settings).await?;
            store.migrate().await?;
            eprintln!("migrations applied");
            Ok(())
        }
        Command::Token { command } => {
            let store = Store::open(&settings).await?;
            match command {
                TokenCommand::Create { name, role, counties } => {
                    let token = store.create_scoped_token(&name, role, &counties.unwrap_or_default()).await?;
                    eprintln!("token '{name}' created with role {role}; it is shown once and only its hash is kept:");
                    println!("{token}");
                }
                TokenCommand::List => {
                    for t in store.list_tokens().await? {
                        let status = match t.revoked_at {
                            Some(at) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                            None => "active".into(),
                        };
                        let counties = if t.counties.is_all() { "all".to_string() } else { t.counties.to_string() };
                        println!(
                            "{}\t{}\t{counties}\tcreated {}\t{}",
                            t.name,
                            t.role,
                            t.created_at.format("%Y-%m-%d %H:%M"),
                            status
                        );
                    }
                }
                TokenCommand::Revoke { name } => {
                    store.revoke_token(&name).await.map_err(|e| match e {
                        landguard::store::StoreError::NotFound => anyhow::anyhow!("no active token named '{name}'"),
                        other => other.into(),
                    })?;
                    eprintln!("token '{name}' revoked");
                }
            }
            Ok(())
        }
        Command::User { command } => landguard::people::run(&Store::open(&settings).await?, command).await,
        Command::Check {
            kind,
            geometry,
            parcel,
            crs,
            proposed_use,
            current_use,
            use_code_system,
            project_kind,
            supply,
            as_of,
        } => {
            let kind: landguard::domain::rules::CheckKind = kind.parse()?;
            let geometry = match geometry {
                None => None,
                Some(path) => {
                    let text = if path.as_os_str() == "-" {
                        std::io::read_to_string(std::io::stdin()).context("cannot read standard input")?
                    } else {
                        std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?
                    };
                    let v: serde_json::Value = serde_json::from_str(&text).context("the geometry is not valid JSON")?;
                    // A Feature or a one-feature collection is accepted for convenience: its geometry is the query.
                    Some(match v.get("type").and_then(|t| t.as_str()) {
                        Some("Feature") => v["geometry"].clone(),
                        Some("FeatureCollection") => {
                            v.pointer("/features/0/geometry").cloned().unwrap_or(serde_json::Value::Null)
                        }
                        _ => v,
                    })
                }
            };
            let body = landguard::requests::CheckBody {
                geometry: geometry.filter(|g| !g.is_null()),
                parcel_code: parcel,
                crs,
                current_use,
                proposed_use,
                use_code_system,
                project_kind,
                supply,
                as_of,
            };
            let store = Store::open(&settings).await?;
            let receipt =
                landguard::checks::ask(&store, &settings, kind, &body, landguard::domain::time::today()).await?;
            // Printed exactly as kept, so that the printed answer and GET /checks/KIND/ID are the same bytes.
            let text = serde_json::to_string(&receipt)?;
            let who = std::env::var("USER").map(|u| format!("cli:{u}")).unwrap_or_else(|_| "cli".into());
            store.keep_answer(&receipt.id, kind.as_str(), &text, Some(&who)).await?;
            println!("{text}");
            if let Some(note) = &receipt.location.note_en {
                eprintln!("note: {note}");
            }
            eprintln!("receipt: {} (GET /checks/{kind}/{})", receipt.id, receipt.id);
            Ok(())
        }
        Command::SoilGrade { file: Some(file), layer, encoding, .. } => {
            let graded = landguard::soilfile::grade_file(&file, layer.as_deref(), encoding.as_deref())?;
            print!("{}", landguard::soilfile::to_csv(&graded));
            eprintln!("{} sample{} graded", graded.len(), if graded.len() == 1 { "" } else { "s" });
            Ok(())
        }
        Command::SoilGrade { file: None, ph, land, land_type, crops, concentrations, .. } => {
            let mut values = Vec::new();
            for c in &concentrations {
                let (name, value) =
                    c.split_once('=').with_context(|| format!("'{c}': write POLLUTANT=MG_KG, e.g. Cd=0.45"))?;
                let pollutant: landguard::domain::soil::Pollutant =
                    name.parse().with_context(|| format!("'{c}': '{name}' is not a pollutant"))?;
                let value: f64 =
                    value.trim().parse().with_context(|| format!("'{c}': '{value}' is not a number of mg/kg"))?;
                values.push((pollutant, value));
            }
            let sample = landguard::requests::SoilSample {
                ph,
                land,
                land_type,
                concentrations: Some(landguard::requests::Concentrations(values)),
                crops,
            };
            let answer = landguard::checks::grade(&sample)?;
            println!("{}", serde_json::to_string_pretty(&answer)?);
            Ok(())
        }
        Command::DemoLoad { dir } => {
            let store = Store::open(&settings).await?;
            let summary = landguard::demo::load(&store, &dir, &settings).await?;
            eprintln!("{summary}");
            Ok(())
        }
        Command::Import { file, collection, layer, source_crs, mapping, encoding, on_invalid, dry_run } => {
            use std::io::IsTerminal;
            let store = Store::open(&settings).await?;
            let opts = landguard::import::ImportOptions {
                layer,
                source_crs,
                mapping,
                encoding,
                on_invalid,
                dry_run,
                limits: settings.feature_limits(),
                progress: std::io::stderr().is_terminal(),
                ..landguard::import::ImportOptions::new(file, collection)
            };
            landguard::import::run_cli(&store, &opts).await?;
            Ok(())
        }
        Command::Export { collection, out, crs, as_of } => {
            use std::io::IsTerminal;
            let store = Store::open(&settings).await?;
            let opts = landguard::export::ExportOptions {
                crs,
                as_of,
                progress: std::io::stderr().is_terminal(),
                ..landguard::export::ExportOptions::new(collection, out)
            };
            let summary = landguard::export::run(&store, &opts).await?;
            eprintln!("{summary}");
            Ok(())
        }
        Command::Report { command: ReportCommand::Annual { city, year, out, file } } => {
            let out = out.or(file).unwrap_or_default();
            report_annual(&settings, &city, year, &out).await
        }
        Command::CountiesLoad { file } => {
            let store = Store::open(&settings).await?;
            let text = std::fs::read_to_string(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let fc: serde_json::Value =
                serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", file.display()))?;
            let n = store.load_counties(&fc, &file.display().to_string()).await?;
            eprintln!("{n} county outlines loaded from {}", file.display());
            Ok(())
        }
        Command::DemoStatus => {
            let store = Store::open(&settings).await?;
            if store.meta("demo_loaded").await?.is_some() {
                println!("loaded");
                Ok(())
            } else {
                println!("empty");
                std::process::exit(1);
            }
        }
    }
}

/// Writes the annual report; a PDF is the same HTML printed by headless Chromium (CHROMIUM overrides
/// /usr/bin/chromium), which lays out Chinese text with the system's Noto CJK fonts; an XLSX, its tables.
async fn report_annual(settings: &Settings, city: &str, year: i32, out: &std::path::Path) -> anyhow::Result<()> {
    use landguard::http::report;
    if out.exists() {
        anyhow::bail!("{} exists already; choose another name", out.display());
    }
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    if !matches!(ext.as_str(), "pdf" | "html" | "htm" | "xlsx") {
        anyhow::bail!("{}: the report is written as .html, .pdf or .xlsx", out.display());
    }
    let (city, year) = report::check_params(city, Some(year), landguard::domain::time::today())
        .map_err(|e| anyhow::anyhow!(e.detail))?;
    let store = Store::open(settings).await?;
    let annual = report::Annual::load(&store, &settings.indicator_targets(), &settings.duties, &city, year)
        .await
        .map_err(|e| anyhow::anyhow!(e.detail))?;
    if ext == "xlsx" {
        let bytes = annual.xlsx().map_err(|e| anyhow::anyhow!(e.detail))?;
        std::fs::write(out, bytes).with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!("report written to {}", out.display());
        return Ok(());
    }
    let html = annual.html();
    if ext != "pdf" {
        std::fs::write(out, html).with_context(|| format!("cannot write {}", out.display()))?;
        eprintln!("report written to {}", out.display());
        return Ok(());
    }
    report::pdf::print_to(&html, out).map_err(|e| anyhow::anyhow!(e))?;
    eprintln!("report written to {}", out.display());
    Ok(())
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let store = Store::open(&settings).await?;
    let bind = settings.bind.clone();
    let replicas = landguard::store::replicas::ReadRouter::connect(&settings, &store.pool)?;
    if replicas.is_some() {
        tracing::info!("reads go to {} replica(s); writes to the primary", settings.database_read_urls.len());
    }
    let app =
        landguard::http::router(landguard::http::AppState::new(store, Arc::new(settings)).with_replicas(replicas));
    let listener = landguard::http::listen(&bind).await.with_context(|| format!("cannot listen on {bind}"))?;
    tracing::info!("landguard serving on http://{bind}/");
    // The peer address reaches the handlers: failed sign-ins are limited per client address.
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app).with_graceful_shutdown(shutdown_signal()).await?;
    Ok(())
}

/// Finish requests in flight on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}
