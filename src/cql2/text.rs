//! `cql2-text`: a tokenizer and a recursive-descent parser (depth bounded by [`MAX_DEPTH`]).
//!
//! ```text
//! or        = and { OR and }
//! and       = not { AND not }
//! not       = NOT not | primary
//! primary   = "(" or ")" | scalar [ cmp scalar | [NOT] LIKE|ILIKE scalar | [NOT] BETWEEN scalar AND scalar
//!                                  | [NOT] IN "(" scalar {"," scalar} ")" | IS [NOT] NULL ]
//! scalar    = 'string' | number | TRUE | FALSE | property | "quoted property" | function
//! function  = DATE('…') | TIMESTAMP('…') | CASEI(scalar) | S_xxx(scalar, scalar) | WKT | BBOX(…)
//! ```
//! Keywords are case-insensitive. Strings escape a quote as `''` (or `\'`); any other backslash is
//! kept, so LIKE patterns keep their `\` escapes.

use super::geom::{self, Coord, Geometry};
use super::{quote_user, CmpOp, Cql2Error, Expr, Loc, SpatialOp, MAX_COORDINATES, MAX_DEPTH, MAX_FILTER_BYTES, MAX_NODES};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
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
struct Token {
    tok: Tok,
    pos: usize,
}

fn describe(t: &Tok) -> String {
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
    is_ident_start(c) || c.is_alphanumeric() || c == '.' || ('\u{0300}'..='\u{036F}').contains(&c) || c == '\u{203F}' || c == '\u{2040}'
}

fn lex(s: &str) -> Result<Vec<Token>, Cql2Error> {
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
                        None => return Err(Cql2Error::at_offset("unterminated quoted property name: no closing \"", pos)),
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

fn lex_number(
    s: &str,
    pos: usize,
    it: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
) -> Result<Tok, Cql2Error> {
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

const RESERVED: &[&str] = &["AND", "OR", "NOT", "LIKE", "ILIKE", "BETWEEN", "IN", "IS", "NULL"];
const WKT: &[&str] = &["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"];
const SUPPORTED_FUNCTIONS: &str = "S_INTERSECTS, S_WITHIN, S_CONTAINS, S_DISJOINT, S_EQUALS, S_TOUCHES, S_OVERLAPS, S_CROSSES, CASEI, DATE, TIMESTAMP, BBOX and the WKT geometries POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION";

struct Parser {
    toks: Vec<Token>,
    i: usize,
    nodes: usize,
    coords: usize,
}

pub fn parse(s: &str) -> Result<Expr, Cql2Error> {
    if s.len() > MAX_FILTER_BYTES {
        return Err(Cql2Error::at_offset(
            format!("filter is longer than {MAX_FILTER_BYTES} bytes"),
            MAX_FILTER_BYTES,
        ));
    }
    let toks = lex(s)?;
    let mut p = Parser { toks, i: 0, nodes: 0, coords: 0 };
    if matches!(p.peek(), Tok::Eof) {
        return Err(Cql2Error::at_offset("empty filter", 0));
    }
    let e = p.or(0)?;
    match p.peek() {
        Tok::Eof => Ok(e),
        Tok::RParen => Err(p.err_here("unbalanced ')': there is no '(' for it to close")),
        t => {
            let msg = format!("unexpected {} after a complete expression; expected AND, OR or the end of the filter", describe(t));
            Err(p.err_here(msg))
        }
    }
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.toks.get(self.i).map(|t| &t.tok).unwrap_or(&Tok::Eof)
    }

    fn peek_at(&self, k: usize) -> &Tok {
        self.toks.get(self.i + k).map(|t| &t.tok).unwrap_or(&Tok::Eof)
    }

    fn pos(&self) -> usize {
        self.toks.get(self.i).or(self.toks.last()).map(|t| t.pos).unwrap_or(0)
    }

    fn advance(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn err_here(&self, msg: impl Into<String>) -> Cql2Error {
        Cql2Error::at_offset(msg, self.pos())
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn is_kw_at(&self, k: usize, kw: &str) -> bool {
        matches!(self.peek_at(k), Tok::Ident(s) if s.eq_ignore_ascii_case(kw))
    }

    fn node(&mut self, pos: usize) -> Result<(), Cql2Error> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(Cql2Error::at_offset(format!("filter has more than {MAX_NODES} terms"), pos));
        }
        Ok(())
    }

    fn deeper(&self, depth: usize) -> Result<usize, Cql2Error> {
        if depth + 1 > MAX_DEPTH {
            return Err(self.err_here(format!("filter nests deeper than {MAX_DEPTH} levels")));
        }
        Ok(depth + 1)
    }

    fn expect(&mut self, want: Tok, what: &str) -> Result<(), Cql2Error> {
        if *self.peek() == want {
            self.advance();
            Ok(())
        } else {
            let msg = format!("expected {what}, found {}", describe(self.peek()));
            Err(self.err_here(msg))
        }
    }

    fn close(&mut self, open_pos: usize, what: &str) -> Result<(), Cql2Error> {
        if *self.peek() == Tok::RParen {
            self.advance();
            Ok(())
        } else {
            let msg = format!("expected ')' to close the '(' at byte {open_pos}{what}, found {}", describe(self.peek()));
            Err(self.err_here(msg))
        }
    }

    /// `or = and {OR and}`, `and = factor {AND factor}`, in one loop so that each level of
    /// parentheses costs two small stack frames (this and `factor`).
    fn or(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        let mut ors: Vec<Expr> = Vec::new();
        let mut ands: Vec<Expr> = Vec::new();
        let or_pos = self.pos();
        let mut and_pos = or_pos;
        loop {
            let f = self.factor(depth)?;
            ands.push(f);
            if self.is_kw("AND") {
                self.advance();
                continue;
            }
            let term = self.group(std::mem::take(&mut ands), and_pos, false)?;
            ors.push(term);
            if self.is_kw("OR") {
                self.advance();
                and_pos = self.pos();
                continue;
            }
            return self.group(ors, or_pos, true);
        }
    }

    fn group(&mut self, mut args: Vec<Expr>, pos: usize, or: bool) -> Result<Expr, Cql2Error> {
        if args.len() == 1 {
            if let Some(e) = args.pop() {
                return Ok(e);
            }
        }
        self.node(pos)?;
        let at = Loc::Offset(pos);
        Ok(if or { Expr::Or { args, at } } else { Expr::And { args, at } })
    }

    /// `factor = {NOT} ( "(" or ")" | scalar [predicate tail] )`; NOTs are counted, not recursed.
    fn factor(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        let mut nots: Vec<usize> = Vec::new();
        let mut depth = depth;
        while self.is_kw("NOT") {
            depth = self.deeper(depth)?;
            nots.push(self.pos());
            self.advance();
        }
        let mut e = if *self.peek() == Tok::LParen { self.paren(depth)? } else { self.predicate(depth)? };
        while let Some(pos) = nots.pop() {
            self.node(pos)?;
            e = Expr::Not { arg: Box::new(e), at: Loc::Offset(pos) };
        }
        Ok(e)
    }

    fn paren(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        let open = self.pos();
        let d = self.deeper(depth)?;
        self.advance();
        let e = self.or(d)?;
        self.close(open, "")?;
        Ok(e)
    }

    fn predicate(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        let left = self.scalar(depth)?;
        self.predicate_tail(left, depth)
    }

    /// What follows a first operand: a comparison, LIKE, BETWEEN, IN, IS NULL, or nothing.
    /// (Kept out of `primary` so the recursion through parentheses has small stack frames.)
    #[inline(never)]
    fn predicate_tail(&mut self, left: Expr, depth: usize) -> Result<Expr, Cql2Error> {
        let pos = self.pos();
        let at = Loc::Offset(pos);
        let kw = match self.peek() {
            Tok::Op(op) => {
                let op = *op;
                self.advance();
                let right = self.scalar(depth)?;
                self.node(pos)?;
                return Ok(Expr::Compare { op, left: Box::new(left), right: Box::new(right), at });
            }
            Tok::Ident(w) => w.to_ascii_uppercase(),
            // AND, OR, ')' or something the caller reports.
            _ => return Ok(left),
        };
        let (negated, kw) = if kw == "NOT" {
            let next = match self.peek_at(1) {
                Tok::Ident(s) => s.to_ascii_uppercase(),
                _ => String::new(),
            };
            if !matches!(next.as_str(), "LIKE" | "ILIKE" | "BETWEEN" | "IN") {
                return Err(self.err_here("expected LIKE, BETWEEN or IN after NOT"));
            }
            self.advance();
            (true, next)
        } else {
            (false, kw)
        };
        let left = Box::new(left);
        let e = match kw.as_str() {
            "LIKE" | "ILIKE" => {
                self.advance();
                let pattern = Box::new(self.scalar(depth)?);
                Expr::Like { arg: left, pattern, negated, ilike: kw == "ILIKE", at }
            }
            "BETWEEN" => {
                self.advance();
                let low = Box::new(self.scalar(depth)?);
                if !self.is_kw("AND") {
                    let msg = format!("expected AND in BETWEEN … AND …, found {}", describe(self.peek()));
                    return Err(self.err_here(msg));
                }
                self.advance();
                let high = Box::new(self.scalar(depth)?);
                Expr::Between { arg: left, low, high, negated, at }
            }
            "IN" => {
                self.advance();
                let open = self.pos();
                self.expect(Tok::LParen, "'(' to start the IN list")?;
                if *self.peek() == Tok::RParen {
                    return Err(self.err_here("an IN list needs at least one value"));
                }
                let mut list = Vec::new();
                loop {
                    list.push(self.scalar(depth)?);
                    if *self.peek() == Tok::Comma {
                        self.advance();
                        continue;
                    }
                    self.close(open, " of the IN list")?;
                    break;
                }
                Expr::In { arg: left, list, negated, at }
            }
            "IS" => {
                self.advance();
                let negated = self.is_kw("NOT");
                if negated {
                    self.advance();
                }
                if !self.is_kw("NULL") {
                    let msg = format!("expected NULL after IS{}, found {}", if negated { " NOT" } else { "" }, describe(self.peek()));
                    return Err(self.err_here(msg));
                }
                self.advance();
                Expr::IsNull { arg: left, negated, at }
            }
            _ => return Ok(*left),
        };
        self.node(pos)?;
        Ok(e)
    }

    /// A function call starts here: an identifier (not a keyword) followed by `(`, or a WKT
    /// keyword followed by `Z` or `EMPTY`.
    fn function_ahead(&self) -> Option<(String, usize)> {
        let Tok::Ident(name) = self.peek() else { return None };
        let upper = name.to_ascii_uppercase();
        if matches!(upper.as_str(), "TRUE" | "FALSE" | "NULL") || RESERVED.contains(&upper.as_str()) {
            return None;
        }
        let call = *self.peek_at(1) == Tok::LParen
            || (WKT.contains(&upper.as_str()) && (self.is_kw_at(1, "Z") || self.is_kw_at(1, "EMPTY")));
        call.then(|| (name.clone(), self.pos()))
    }

    fn scalar(&mut self, depth: usize) -> Result<Expr, Cql2Error> {
        if let Some((name, pos)) = self.function_ahead() {
            self.advance();
            return self.function(&name, pos, depth);
        }
        self.simple_scalar()
    }

    /// A literal or a property (no recursion).
    #[inline(never)]
    fn simple_scalar(&mut self) -> Result<Expr, Cql2Error> {
        let pos = self.pos();
        let at = Loc::Offset(pos);
        let e = match self.peek().clone() {
            Tok::Str(value) => Expr::Text { value, at },
            Tok::Int(value) => Expr::Int { value, at },
            Tok::Float(value) => Expr::Float { value, at },
            Tok::Quoted(name) => Expr::Property { name, at },
            Tok::Ident(name) => {
                let upper = name.to_ascii_uppercase();
                if upper == "TRUE" || upper == "FALSE" {
                    Expr::Bool { value: upper == "TRUE", at }
                } else if upper == "NULL" {
                    return Err(self.err_here("NULL is only allowed in IS NULL and IS NOT NULL"));
                } else if RESERVED.contains(&upper.as_str()) {
                    let msg = format!(
                        "unexpected keyword {upper}; expected a property, a literal or a function (a property with this name must be double-quoted)"
                    );
                    return Err(self.err_here(msg));
                } else {
                    Expr::Property { name, at }
                }
            }
            Tok::LParen => {
                return Err(self.err_here("expected a property, a literal or a function, found '(' (arithmetic and nested scalar expressions are not supported)"))
            }
            t => {
                let msg = format!("expected a property, a literal or a function, found {}", describe(&t));
                return Err(self.err_here(msg));
            }
        };
        self.advance();
        self.node(pos)?;
        Ok(e)
    }

    /// `name` has been consumed; the next token is `(` (or `Z`/`EMPTY` after a WKT keyword).
    fn function(&mut self, name: &str, pos: usize, depth: usize) -> Result<Expr, Cql2Error> {
        let upper = name.to_ascii_uppercase();
        let d = self.deeper(depth)?;
        if upper == "CASEI" {
            return self.casei(pos, d);
        }
        if let Some(op) = SpatialOp::from_name(&upper) {
            return self.spatial(op, pos, d);
        }
        if WKT.contains(&upper.as_str()) || upper == "BBOX" {
            return self.geometry_literal(&upper, pos, d);
        }
        self.other_function(name, &upper, pos)
    }

    fn casei(&mut self, pos: usize, depth: usize) -> Result<Expr, Cql2Error> {
        let open = self.pos();
        self.advance();
        let arg = Box::new(self.scalar(depth)?);
        self.close(open, " of CASEI")?;
        self.node(pos)?;
        Ok(Expr::CaseI { arg, at: Loc::Offset(pos) })
    }

    fn spatial(&mut self, op: SpatialOp, pos: usize, depth: usize) -> Result<Expr, Cql2Error> {
        let open = self.pos();
        self.advance();
        let left = Box::new(self.scalar(depth)?);
        self.expect(Tok::Comma, "',' between the two arguments of the spatial function")?;
        let right = Box::new(self.scalar(depth)?);
        self.close(open, " of the spatial function (it takes two arguments)")?;
        self.node(pos)?;
        Ok(Expr::Spatial { op, left, right, at: Loc::Offset(pos) })
    }

    #[inline(never)]
    fn geometry_literal(&mut self, kw: &str, pos: usize, depth: usize) -> Result<Expr, Cql2Error> {
        let value = self.geometry(kw, pos, depth)?;
        self.node(pos)?;
        Ok(Expr::Geometry { value, at: Loc::Offset(pos) })
    }

    /// DATE, TIMESTAMP, and the functions this server does not have.
    #[inline(never)]
    fn other_function(&mut self, name: &str, upper: &str, pos: usize) -> Result<Expr, Cql2Error> {
        let at = Loc::Offset(pos);
        match upper {
            "DATE" | "TIMESTAMP" => {
                let open = self.pos();
                self.advance();
                let spos = self.pos();
                let Tok::Str(s) = self.peek().clone() else {
                    let msg = format!("{upper}(…) takes a quoted string, found {}", describe(self.peek()));
                    return Err(self.err_here(msg));
                };
                self.advance();
                self.close(open, &format!(" of {upper}"))?;
                self.node(pos)?;
                if upper == "DATE" {
                    let value = super::parse_date(&s).map_err(|m| Cql2Error::at_offset(m, spos))?;
                    Ok(Expr::Date { value, at })
                } else {
                    let value = super::parse_timestamp(&s).map_err(|m| Cql2Error::at_offset(m, spos))?;
                    Ok(Expr::Timestamp { value, at })
                }
            }
            "INTERVAL" => Err(Cql2Error::at_offset("INTERVAL literals are not supported; compare a date property with DATE('…') instead", pos)),
            "ACCENTI" => Err(Cql2Error::at_offset("ACCENTI is not supported", pos)),
            _ if upper.starts_with("T_") => Err(Cql2Error::at_offset(
                format!("temporal function {} is not supported; compare date properties with =, <, >, BETWEEN", quote_user(name)),
                pos,
            )),
            _ if upper.starts_with("A_") => {
                Err(Cql2Error::at_offset(format!("array function {} is not supported", quote_user(name)), pos))
            }
            _ => Err(Cql2Error::at_offset(
                format!("unknown function {}; supported: {SUPPORTED_FUNCTIONS}", quote_user(name)),
                pos,
            )),
        }
    }

    // ---- WKT ----

    /// The keyword has been consumed. Accepts an optional `Z` before the parenthesis.
    fn geometry(&mut self, kw: &str, pos: usize, depth: usize) -> Result<Geometry, Cql2Error> {
        if self.is_kw("EMPTY") {
            return Err(self.err_here("EMPTY geometries are not supported"));
        }
        if kw != "BBOX" && self.is_kw("Z") {
            self.advance();
        }
        let open = self.pos();
        self.expect(Tok::LParen, "'(' after the geometry keyword")?;
        let g = match kw {
            "POINT" => Geometry::Point(self.coord()?),
            "LINESTRING" => Geometry::LineString(self.line()?),
            // The '(' just consumed opens the ring list.
            "POLYGON" => Geometry::Polygon(self.rings_after_open()?),
            "MULTIPOINT" => Geometry::MultiPoint(self.multipoint()?),
            "MULTILINESTRING" => Geometry::MultiLineString(self.multilinestring()?),
            "MULTIPOLYGON" => Geometry::MultiPolygon(self.multipolygon()?),
            "GEOMETRYCOLLECTION" => Geometry::GeometryCollection(self.collection(depth)?),
            "BBOX" => Geometry::BBox(self.bbox()?),
            _ => return Err(Cql2Error::at_offset("unknown geometry", pos)),
        };
        self.close(open, " of the geometry")?;
        Ok(g)
    }

    fn collection(&mut self, depth: usize) -> Result<Vec<Geometry>, Cql2Error> {
        let mut gs = Vec::new();
        loop {
            let gpos = self.pos();
            let inner = match self.peek() {
                Tok::Ident(s) if WKT.contains(&s.to_ascii_uppercase().as_str()) => s.to_ascii_uppercase(),
                t => {
                    let msg = format!("expected a WKT geometry inside GEOMETRYCOLLECTION, found {}", describe(t));
                    return Err(self.err_here(msg));
                }
            };
            self.advance();
            let d = self.deeper(depth)?;
            gs.push(self.geometry(&inner, gpos, d)?);
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                return Ok(gs);
            }
        }
    }

    #[inline(never)]
    fn multipoint(&mut self) -> Result<Vec<Coord>, Cql2Error> {
        let mut pts = Vec::new();
        loop {
            if *self.peek() == Tok::LParen {
                let o = self.pos();
                self.advance();
                pts.push(self.coord()?);
                self.close(o, " of a MULTIPOINT position")?;
            } else {
                pts.push(self.coord()?);
            }
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                return Ok(pts);
            }
        }
    }

    #[inline(never)]
    fn multilinestring(&mut self) -> Result<Vec<Vec<Coord>>, Cql2Error> {
        let mut lines = Vec::new();
        loop {
            let o = self.pos();
            self.expect(Tok::LParen, "'(' to start a linestring")?;
            lines.push(self.line()?);
            self.close(o, " of a linestring")?;
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                return Ok(lines);
            }
        }
    }

    #[inline(never)]
    fn multipolygon(&mut self) -> Result<Vec<Vec<Vec<Coord>>>, Cql2Error> {
        let mut polys = Vec::new();
        loop {
            let o = self.pos();
            self.expect(Tok::LParen, "'(' to start a polygon")?;
            polys.push(self.rings_after_open()?);
            self.close(o, " of a polygon")?;
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                return Ok(polys);
            }
        }
    }

    #[inline(never)]
    fn bbox(&mut self) -> Result<[f64; 4], Cql2Error> {
        let mut v = Vec::new();
        let npos = self.pos();
        loop {
            v.push(self.number()?);
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                break;
            }
        }
        let b = match v.as_slice() {
            [w, s, e, n] => [*w, *s, *e, *n],
            [w, s, _, e, n, _] => [*w, *s, *e, *n],
            _ => {
                return Err(Cql2Error::at_offset(
                    format!("BBOX takes 4 numbers (west, south, east, north) or 6 with heights, found {}", v.len()),
                    npos,
                ))
            }
        };
        geom::check_bbox(b).map_err(|m| Cql2Error::at_offset(m, npos))?;
        self.count_coords(2, npos)?;
        Ok(b)
    }

    fn count_coords(&mut self, n: usize, pos: usize) -> Result<(), Cql2Error> {
        self.coords += n;
        if self.coords > MAX_COORDINATES {
            return Err(Cql2Error::at_offset(format!("geometry literals have more than {MAX_COORDINATES} positions"), pos));
        }
        Ok(())
    }

    fn number(&mut self) -> Result<f64, Cql2Error> {
        match *self.peek() {
            Tok::Int(v) => {
                self.advance();
                Ok(v as f64)
            }
            Tok::Float(v) => {
                self.advance();
                Ok(v)
            }
            ref t => {
                let msg = format!("expected a number, found {}", describe(t));
                Err(self.err_here(msg))
            }
        }
    }

    fn coord(&mut self) -> Result<Coord, Cql2Error> {
        let pos = self.pos();
        let x = self.number()?;
        let y = self.number()?;
        if matches!(self.peek(), Tok::Int(_) | Tok::Float(_)) {
            self.advance(); // Z, dropped
        }
        geom::check_coord([x, y]).map_err(|m| Cql2Error::at_offset(m, pos))?;
        self.count_coords(1, pos)?;
        Ok([x, y])
    }

    fn coords(&mut self) -> Result<Vec<Coord>, Cql2Error> {
        let mut v = vec![self.coord()?];
        while *self.peek() == Tok::Comma {
            self.advance();
            v.push(self.coord()?);
        }
        Ok(v)
    }

    fn line(&mut self) -> Result<Vec<Coord>, Cql2Error> {
        let pos = self.pos();
        let v = self.coords()?;
        geom::check_line(&v).map_err(|m| Cql2Error::at_offset(m, pos))?;
        Ok(v)
    }

    /// Rings `(…), (…)` after the polygon's own '(' was consumed; leaves its ')' to the caller.
    fn rings_after_open(&mut self) -> Result<Vec<Vec<Coord>>, Cql2Error> {
        let mut rings = Vec::new();
        loop {
            let o = self.pos();
            self.expect(Tok::LParen, "'(' to start a polygon ring")?;
            let ring = self.coords()?;
            geom::check_ring(&ring).map_err(|m| Cql2Error::at_offset(m, o))?;
            rings.push(ring);
            self.close(o, " of a polygon ring")?;
            if *self.peek() == Tok::Comma {
                self.advance();
            } else {
                break;
            }
        }
        Ok(rings)
    }
}
