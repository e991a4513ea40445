//! The `cql2-text` tokenizer: identifiers, quoted properties, strings, numbers, parentheses, commas and
//! comparison operators, each with its byte offset for error messages.

use crate::cql2::{quote_user, CmpOp, Cql2Error};

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Tok {
    Ident(String),
    Quoted(String),
    Str(String),
    Int(i64),
    Float(f64),
    LParen,
    RParen,
    Comma,
    Op(CmpOp),
    Eof,
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) pos: usize,
}

pub(super) fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => quote_user(s),
        Tok::Quoted(s) => format!("\"{}\"", quote_user(s).trim_matches('\'')),
        Tok::Str(_) => "a string".into(),
        Tok::Int(_) | Tok::Float(_) => "a number".into(),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::Op(op) => format!("'{}'", op.sql()),
        Tok::Eof => "the end of the filter".into(),
    }
}

fn is_ident_start(c: char) -> bool {
    c == '_' || c == ':' || c.is_alphabetic()
}

fn is_ident_part(c: char) -> bool {
    is_ident_start(c)
        || c.is_alphanumeric()
        || c == '.'
        || ('\u{0300}'..='\u{036F}').contains(&c)
        || c == '\u{203F}'
        || c == '\u{2040}'
}

pub(super) fn lex(s: &str) -> Result<Vec<Token>, Cql2Error> {
    let mut out = Vec::new();
    let mut it = s.char_indices().peekable();
    while let Some(&(pos, c)) = it.peek() {
        if c.is_whitespace() {
            it.next();
            continue;
        }
        let tok = match c {
            '(' => {
                it.next();
                Tok::LParen
            }
            ')' => {
                it.next();
                Tok::RParen
            }
            ',' => {
                it.next();
                Tok::Comma
            }
            '=' => {
                it.next();
                Tok::Op(CmpOp::Eq)
            }
            '<' | '>' | '!' => {
                it.next();
                let next = it.peek().map(|&(_, c)| c);
                match (c, next) {
                    ('<', Some('>')) | ('!', Some('=')) => {
                        it.next();
                        Tok::Op(CmpOp::Ne)
                    }
                    ('<', Some('=')) => {
                        it.next();
                        Tok::Op(CmpOp::Le)
                    }
                    ('>', Some('=')) => {
                        it.next();
                        Tok::Op(CmpOp::Ge)
                    }
                    ('<', _) => Tok::Op(CmpOp::Lt),
                    ('>', _) => Tok::Op(CmpOp::Gt),
                    _ => return Err(Cql2Error::at_offset("unexpected '!' (use <> for 'not equal')", pos)),
                }
            }
            '\'' => {
                it.next();
                let mut v = String::new();
                loop {
                    match it.next() {
                        None => return Err(Cql2Error::at_offset("unterminated string: no closing quote", pos)),
                        Some((_, '\'')) => {
                            if matches!(it.peek(), Some(&(_, '\''))) {
                                it.next();
                                v.push('\'');
                            } else {
                                break;
                            }
                        }
                        Some((_, '\\')) => match it.peek() {
                            Some(&(_, '\'')) => {
                                it.next();
                                v.push('\'');
                            }
                            Some(&(_, other)) => {
                                it.next();
                                v.push('\\');
                                v.push(other);
                            }
                            None => return Err(Cql2Error::at_offset("unterminated string: no closing quote", pos)),
                        },
                        Some((_, ch)) => v.push(ch),
                    }
                }
                Tok::Str(v)
            }
            '"' => {
                it.next();
                let mut v = String::new();
                loop {
                    match it.next() {
                        None => {
                            return Err(Cql2Error::at_offset("unterminated quoted property name: no closing \"", pos))
                        }
                        Some((_, '"')) => break,
                        Some((_, ch)) => v.push(ch),
                    }
                }
                if v.is_empty() {
                    return Err(Cql2Error::at_offset("empty quoted property name", pos));
                }
                Tok::Quoted(v)
            }
            c if c.is_ascii_digit() || c == '.' || c == '-' || c == '+' => lex_number(s, pos, &mut it)?,
            c if is_ident_start(c) => {
                let mut end = pos;
                while let Some(&(p, ch)) = it.peek() {
                    if is_ident_part(ch) {
                        end = p + ch.len_utf8();
                        it.next();
                    } else {
                        break;
                    }
                }
                Tok::Ident(s.get(pos..end).unwrap_or_default().to_string())
            }
            other => {
                return Err(Cql2Error::at_offset(
                    format!("unexpected character {}", quote_user(&other.to_string())),
                    pos,
                ))
            }
        };
        out.push(Token { tok, pos });
    }
    out.push(Token { tok: Tok::Eof, pos: s.len() });
    Ok(out)
}

fn lex_number(s: &str, pos: usize, it: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Result<Tok, Cql2Error> {
    let bytes = s.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut i = pos;
    if at(i) == b'-' || at(i) == b'+' {
        i += 1;
    }
    let int_start = i;
    while at(i).is_ascii_digit() {
        i += 1;
    }
    let mut int_digits = i - int_start;
    let mut is_float = false;
    if at(i) == b'.' {
        is_float = true;
        i += 1;
        let frac_start = i;
        while at(i).is_ascii_digit() {
            i += 1;
        }
        int_digits += i - frac_start;
    }
    if int_digits == 0 {
        let what = if at(pos) == b'-' || at(pos) == b'+' {
            "a sign must be followed by a number (arithmetic is not supported)"
        } else {
            "malformed number"
        };
        return Err(Cql2Error::at_offset(what, pos));
    }
    if at(i) == b'e' || at(i) == b'E' {
        is_float = true;
        i += 1;
        if at(i) == b'-' || at(i) == b'+' {
            i += 1;
        }
        let exp_start = i;
        while at(i).is_ascii_digit() {
            i += 1;
        }
        if i == exp_start {
            return Err(Cql2Error::at_offset("malformed number: exponent has no digits", pos));
        }
    }
    // A number runs into a letter, digit or dot: `5abc`, `1.2.3`.
    if let Some(c) = s.get(i..).and_then(|r| r.chars().next()) {
        if is_ident_part(c) {
            return Err(Cql2Error::at_offset("malformed number", pos));
        }
    }
    let text = s.get(pos..i).unwrap_or_default();
    while matches!(it.peek(), Some(&(p, _)) if p < i) {
        it.next();
    }
    let text = text.strip_prefix('+').unwrap_or(text);
    if !is_float {
        if let Ok(v) = text.parse::<i64>() {
            return Ok(Tok::Int(v));
        }
    }
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Tok::Float(v)),
        _ => Err(Cql2Error::at_offset("number out of range", pos)),
    }
}
