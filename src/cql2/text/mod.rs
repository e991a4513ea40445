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
//!
//! The pieces: [`lex`] turns the text into tokens, this module parses them into an [`Expr`], and [`wkt`]
//! parses the geometry literals (WKT and BBOX).

mod lex;
mod wkt;

use super::{quote_user, Cql2Error, Expr, Loc, SpatialOp, MAX_DEPTH, MAX_FILTER_BYTES, MAX_NODES};
use lex::{describe, lex, Tok, Token};

const RESERVED: &[&str] = &["AND", "OR", "NOT", "LIKE", "ILIKE", "BETWEEN", "IN", "IS", "NULL"];
const WKT: &[&str] =
    &["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"];
const SUPPORTED_FUNCTIONS: &str = "S_INTERSECTS, S_WITHIN, S_CONTAINS, S_DISJOINT, S_EQUALS, S_TOUCHES, S_OVERLAPS, S_CROSSES, CASEI, DATE, TIMESTAMP, BBOX and the WKT geometries POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON, GEOMETRYCOLLECTION";

struct Parser {
    toks: Vec<Token>,
    i: usize,
    nodes: usize,
    coords: usize,
}

pub fn parse(s: &str) -> Result<Expr, Cql2Error> {
    if s.len() > MAX_FILTER_BYTES {
        return Err(Cql2Error::at_offset(format!("filter is longer than {MAX_FILTER_BYTES} bytes"), MAX_FILTER_BYTES));
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
            let msg = format!(
                "unexpected {} after a complete expression; expected AND, OR or the end of the filter",
                describe(t)
            );
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
            let msg =
                format!("expected ')' to close the '(' at byte {open_pos}{what}, found {}", describe(self.peek()));
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
                    let msg = format!(
                        "expected NULL after IS{}, found {}",
                        if negated { " NOT" } else { "" },
                        describe(self.peek())
                    );
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
            "INTERVAL" => Err(Cql2Error::at_offset(
                "INTERVAL literals are not supported; compare a date property with DATE('…') instead",
                pos,
            )),
            "ACCENTI" => Err(Cql2Error::at_offset("ACCENTI is not supported", pos)),
            _ if upper.starts_with("T_") => Err(Cql2Error::at_offset(
                format!(
                    "temporal function {} is not supported; compare date properties with =, <, >, BETWEEN",
                    quote_user(name)
                ),
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
}
