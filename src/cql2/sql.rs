//! Type checking against the queryables and rendering to parameterised SQL.
//!
//! The output is built only from fixed fragments in this file and the `sql` of matching
//! queryables; every user value becomes a [`SqlParam`] with an explicit cast at its placeholder.

use super::{
    lenient_date, midnight_date, quote_user, CmpOp, Cql2Error, Expr, Loc, QType, Queryable, SqlParam, MAX_DEPTH,
    MAX_PARAMS,
};

/// The AST from the parsers is at most about `3 × MAX_DEPTH` deep; hand-built ones are cut here.
const MAX_AST_DEPTH: usize = 4 * MAX_DEPTH;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    String,
    Integer,
    Number,
    Boolean,
    Date,
    Timestamp,
    Geometry,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::String => "string",
            Ty::Integer => "integer",
            Ty::Number => "number",
            Ty::Boolean => "boolean",
            Ty::Date => "date",
            Ty::Timestamp => "timestamp",
            Ty::Geometry => "geometry",
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Ty::Integer | Ty::Number)
    }
}

fn qty(q: QType) -> Ty {
    match q {
        QType::String => Ty::String,
        QType::Integer => Ty::Integer,
        QType::Number => Ty::Number,
        QType::Boolean => Ty::Boolean,
        QType::Date => Ty::Date,
        QType::Geometry => Ty::Geometry,
    }
}

fn describe(e: &Expr) -> String {
    match e {
        Expr::Property { name, .. } => format!("property {}", quote_user(name)),
        Expr::Text { value, .. } => format!("the string {}", quote_user(value)),
        Expr::Int { value, .. } => format!("the number {value}"),
        Expr::Float { value, .. } => format!("the number {value}"),
        Expr::Bool { value, .. } => if *value { "TRUE" } else { "FALSE" }.to_string(),
        Expr::Date { value, .. } => format!("the date {value}"),
        Expr::Timestamp { value, .. } => format!("the timestamp {}", value.format("%Y-%m-%dT%H:%M:%SZ")),
        Expr::Geometry { .. } => "a geometry literal".to_string(),
        Expr::CaseI { .. } => "CASEI(…)".to_string(),
        Expr::Spatial { op, .. } => format!("{}(…)", op.cql2_name()),
        _ => "a condition".to_string(),
    }
}

struct Ctx<'q> {
    qs: &'q [Queryable],
    params: Vec<SqlParam>,
    next: usize,
}

pub fn render(expr: &Expr, qs: &[Queryable], first_param: usize) -> Result<(String, Vec<SqlParam>), Cql2Error> {
    if first_param == 0 {
        return Err(Cql2Error::new("internal: placeholders start at $1"));
    }
    let mut c = Ctx { qs, params: Vec::new(), next: first_param };
    let sql = c.boolean(expr, 0)?;
    Ok((sql, c.params))
}

impl<'q> Ctx<'q> {
    fn lookup(&self, name: &str, at: &Loc) -> Result<&'q Queryable, Cql2Error> {
        let qs: &'q [Queryable] = self.qs;
        qs.iter().find(|q| q.name == name).ok_or_else(|| {
            let known: Vec<&str> = qs.iter().map(|q| q.name).collect();
            Cql2Error::at(
                format!("unknown property {}; the queryables are: {}", quote_user(name), known.join(", ")),
                at,
            )
        })
    }

    fn param(&mut self, p: SqlParam, at: &Loc) -> Result<String, Cql2Error> {
        if self.params.len() >= MAX_PARAMS {
            return Err(Cql2Error::at(format!("filter has more than {MAX_PARAMS} values"), at));
        }
        let n = self.next;
        self.next = n.checked_add(1).ok_or_else(|| Cql2Error::new("internal: placeholder overflow"))?;
        let s = match &p {
            SqlParam::Text(_) => format!("${n}::text"),
            SqlParam::Int(_) => format!("${n}::bigint"),
            SqlParam::Float(_) => format!("${n}::float8"),
            SqlParam::Bool(_) => format!("${n}::boolean"),
            SqlParam::Date(_) => format!("${n}::date"),
            SqlParam::GeoJson(_) => format!("ST_SetSRID(ST_GeomFromGeoJSON(${n}::text), 4490)"),
        };
        self.params.push(p);
        Ok(s)
    }

    fn depth_ok(depth: usize, at: &Loc) -> Result<(), Cql2Error> {
        if depth > MAX_AST_DEPTH {
            return Err(Cql2Error::at(format!("filter nests deeper than {MAX_DEPTH} levels"), at));
        }
        Ok(())
    }

    /// A predicate: something true or false. Only dispatches, so the recursion has small frames.
    fn boolean(&mut self, e: &Expr, depth: usize) -> Result<String, Cql2Error> {
        Self::depth_ok(depth, e.at())?;
        let d = depth + 1;
        match e {
            Expr::And { args, at } => self.and_or(args, at, " AND ", d),
            Expr::Or { args, at } => self.and_or(args, at, " OR ", d),
            Expr::Not { arg, .. } => self.not(arg, d),
            Expr::Compare { op, left, right, at } => self.compare(*op, left, right, at, d),
            Expr::Like { arg, pattern, negated, ilike, .. } => self.like(arg, pattern, *negated, *ilike, d),
            Expr::Between { arg, low, high, negated, at } => self.between(arg, low, high, *negated, at, d),
            Expr::In { arg, list, negated, at } => self.in_list(arg, list, *negated, at, d),
            Expr::IsNull { arg, negated, .. } => self.is_null(arg, *negated, d),
            Expr::Spatial { op, left, right, .. } => self.spatial(*op, left, right, d),
            other => self.boolean_leaf(other),
        }
    }

    fn and_or(&mut self, args: &[Expr], at: &Loc, sep: &str, depth: usize) -> Result<String, Cql2Error> {
        if args.is_empty() {
            return Err(Cql2Error::at("AND / OR needs at least one argument", at));
        }
        let mut out = String::from("(");
        for (i, a) in args.iter().enumerate() {
            if i > 0 {
                out.push_str(sep);
            }
            let part = self.boolean(a, depth)?;
            out.push_str(&part);
        }
        out.push(')');
        Ok(out)
    }

    fn not(&mut self, arg: &Expr, depth: usize) -> Result<String, Cql2Error> {
        let inner = self.boolean(arg, depth)?;
        Ok(format!("(NOT {inner})"))
    }

    fn between(
        &mut self,
        arg: &Expr,
        low: &Expr,
        high: &Expr,
        negated: bool,
        at: &Loc,
        depth: usize,
    ) -> Result<String, Cql2Error> {
        let t_low = self.unify(arg, low, at)?;
        let t_high = self.unify(arg, high, at)?;
        for (t, side) in [(t_low, low), (t_high, high)] {
            if matches!(t, Ty::Boolean | Ty::Geometry) {
                return Err(Cql2Error::at(
                    format!("BETWEEN needs numbers, strings or dates, not {}", describe(side)),
                    side.at(),
                ));
            }
        }
        let a = self.scalar(arg, t_low, depth)?;
        let lo = self.scalar(low, t_low, depth)?;
        let hi = self.scalar(high, t_high, depth)?;
        let not = if negated { "NOT " } else { "" };
        Ok(format!("({a} {not}BETWEEN {lo} AND {hi})"))
    }

    fn in_list(
        &mut self,
        arg: &Expr,
        list: &[Expr],
        negated: bool,
        at: &Loc,
        depth: usize,
    ) -> Result<String, Cql2Error> {
        if list.is_empty() {
            return Err(Cql2Error::at("an IN list needs at least one value", at));
        }
        let mut types = Vec::with_capacity(list.len());
        for item in list {
            let t = self.unify(arg, item, item.at())?;
            if t == Ty::Geometry {
                return Err(Cql2Error::at("IN cannot compare geometries; use S_EQUALS", item.at()));
            }
            types.push(t);
        }
        let a = self.scalar(arg, types.first().copied().unwrap_or(Ty::String), depth)?;
        let mut items = Vec::with_capacity(list.len());
        for (item, t) in list.iter().zip(types) {
            items.push(self.scalar(item, t, depth)?);
        }
        let not = if negated { "NOT " } else { "" };
        Ok(format!("({a} {not}IN ({}))", items.join(", ")))
    }

    fn is_null(&mut self, arg: &Expr, negated: bool, depth: usize) -> Result<String, Cql2Error> {
        let t = self.ty(arg)?;
        let a = self.scalar(arg, t, depth)?;
        Ok(format!("({a} IS {}NULL)", if negated { "NOT " } else { "" }))
    }

    fn spatial(&mut self, op: super::SpatialOp, left: &Expr, right: &Expr, depth: usize) -> Result<String, Cql2Error> {
        let l = self.geometry(left, op.cql2_name(), depth)?;
        let r = self.geometry(right, op.cql2_name(), depth)?;
        Ok(format!("{}({l}, {r})", op.sql()))
    }

    /// A boolean literal or property standing alone as a condition.
    #[inline(never)]
    fn boolean_leaf(&mut self, e: &Expr) -> Result<String, Cql2Error> {
        match e {
            Expr::Bool { value, at } => self.param(SqlParam::Bool(*value), at),
            Expr::Property { name, at } => {
                let q = self.lookup(name, at)?;
                if q.qtype != QType::Boolean {
                    return Err(Cql2Error::at(
                        format!(
                            "property {} is a {}, not a condition; compare it with a value",
                            quote_user(name),
                            qty(q.qtype).name()
                        ),
                        at,
                    ));
                }
                Ok(format!("({})", q.sql))
            }
            other => Err(Cql2Error::at(format!("{} is not a condition", describe(other)), other.at())),
        }
    }

    /// Static type of a scalar operand.
    fn ty(&self, e: &Expr) -> Result<Ty, Cql2Error> {
        Ok(match e {
            Expr::Property { name, at } => qty(self.lookup(name, at)?.qtype),
            Expr::Text { .. } | Expr::CaseI { .. } => Ty::String,
            Expr::Int { .. } => Ty::Integer,
            Expr::Float { .. } => Ty::Number,
            Expr::Bool { .. } => Ty::Boolean,
            Expr::Date { .. } => Ty::Date,
            Expr::Timestamp { .. } => Ty::Timestamp,
            Expr::Geometry { .. } => Ty::Geometry,
            Expr::And { .. }
            | Expr::Or { .. }
            | Expr::Not { .. }
            | Expr::Compare { .. }
            | Expr::Like { .. }
            | Expr::Between { .. }
            | Expr::In { .. }
            | Expr::IsNull { .. }
            | Expr::Spatial { .. } => Ty::Boolean,
        })
    }

    /// The common type of two operands compared with each other; `at` is where a mismatch is
    /// reported. A string or a midnight timestamp compared with a date is read as a date.
    fn unify(&self, a: &Expr, b: &Expr, at: &Loc) -> Result<Ty, Cql2Error> {
        let ta = self.ty(a)?;
        let tb = self.ty(b)?;
        let mismatch = |extra: &str| {
            let blame =
                if matches!(b, Expr::Property { .. }) && !matches!(a, Expr::Property { .. }) { a.at() } else { b.at() };
            let blame = if matches!(blame, Loc::None) { at } else { blame };
            Cql2Error::at(
                format!(
                    "type mismatch: {} is {} {} but {} is {} {}{extra}",
                    describe(a),
                    article(ta),
                    ta.name(),
                    describe(b),
                    article(tb),
                    tb.name()
                ),
                blame,
            )
        };
        if ta == Ty::Geometry || tb == Ty::Geometry {
            if ta == tb {
                return Err(Cql2Error::at(
                    "geometries cannot be compared with =, <, LIKE, BETWEEN or IN; use S_INTERSECTS, S_EQUALS, S_WITHIN, …",
                    at,
                ));
            }
            return Err(mismatch("; geometries can only be used in spatial functions and IS NULL"));
        }
        for (x, tx, y, ty) in [(a, ta, b, tb), (b, tb, a, ta)] {
            if tx == Ty::Date {
                match y {
                    Expr::Text { value, .. } if ty == Ty::String => {
                        return match lenient_date(value) {
                            Some(_) => Ok(Ty::Date),
                            None => Err(Cql2Error::at(
                                format!("{} is not a date (YYYY-MM-DD) to compare with {}", describe(y), describe(x)),
                                y.at(),
                            )),
                        };
                    }
                    Expr::Timestamp { value, .. } => {
                        return match midnight_date(value) {
                            Some(_) => Ok(Ty::Date),
                            None => Err(Cql2Error::at(
                                format!("{} is a date; compare it with DATE('YYYY-MM-DD'), not a timestamp with a time of day", describe(x)),
                                y.at(),
                            )),
                        };
                    }
                    _ => {}
                }
            }
        }
        if ta == tb {
            return Ok(ta);
        }
        if ta.numeric() && tb.numeric() {
            return Ok(Ty::Number);
        }
        Err(mismatch(""))
    }

    /// Renders a scalar operand; `want` is the unified type of the comparison it is in.
    fn scalar(&mut self, e: &Expr, want: Ty, depth: usize) -> Result<String, Cql2Error> {
        Self::depth_ok(depth, e.at())?;
        match e {
            Expr::Property { name, at } => Ok(self.lookup(name, at)?.sql.to_string()),
            Expr::CaseI { arg, at } => self.casei(arg, at, depth + 1),
            Expr::Text { .. }
            | Expr::Int { .. }
            | Expr::Float { .. }
            | Expr::Bool { .. }
            | Expr::Date { .. }
            | Expr::Timestamp { .. }
            | Expr::Geometry { .. } => self.literal(e, want),
            // A predicate used as a boolean value, e.g. S_INTERSECTS(…) = TRUE.
            other => self.boolean(other, depth + 1),
        }
    }

    fn casei(&mut self, arg: &Expr, at: &Loc, depth: usize) -> Result<String, Cql2Error> {
        let t = self.ty(arg)?;
        if t != Ty::String {
            return Err(Cql2Error::at(
                format!("CASEI needs a string, but {} is {} {}", describe(arg), article(t), t.name()),
                at,
            ));
        }
        let inner = self.scalar(arg, Ty::String, depth)?;
        Ok(format!("lower({inner})"))
    }

    #[inline(never)]
    fn literal(&mut self, e: &Expr, want: Ty) -> Result<String, Cql2Error> {
        match e {
            Expr::Text { value, at } => {
                if want == Ty::Date {
                    let d = lenient_date(value)
                        .ok_or_else(|| Cql2Error::at(format!("{} is not a date (YYYY-MM-DD)", describe(e)), at))?;
                    self.param(SqlParam::Date(d), at)
                } else {
                    self.param(SqlParam::Text(value.clone()), at)
                }
            }
            Expr::Int { value, at } => self.param(SqlParam::Int(*value), at),
            Expr::Float { value, at } => {
                if !value.is_finite() {
                    return Err(Cql2Error::at("numbers must be finite", at));
                }
                self.param(SqlParam::Float(*value), at)
            }
            Expr::Bool { value, at } => self.param(SqlParam::Bool(*value), at),
            Expr::Date { value, at } => self.param(SqlParam::Date(*value), at),
            Expr::Timestamp { value, at } => {
                let d = midnight_date(value).filter(|_| want == Ty::Date).ok_or_else(|| {
                    Cql2Error::at(
                        "timestamps can only be compared with date properties, at midnight UTC; use DATE('YYYY-MM-DD')",
                        at,
                    )
                })?;
                self.param(SqlParam::Date(d), at)
            }
            Expr::Geometry { value, at } => {
                value.validate(0).map_err(|m| Cql2Error::at(m, at))?;
                self.param(SqlParam::GeoJson(value.to_geojson()), at)
            }
            other => Err(Cql2Error::at(format!("{} is not a value", describe(other)), other.at())),
        }
    }

    fn compare(&mut self, op: CmpOp, l: &Expr, r: &Expr, at: &Loc, depth: usize) -> Result<String, Cql2Error> {
        let t = self.unify(l, r, at)?;
        let ls = self.scalar(l, t, depth)?;
        let rs = self.scalar(r, t, depth)?;
        Ok(format!("({ls} {} {rs})", op.sql()))
    }

    fn like(
        &mut self,
        arg: &Expr,
        pattern: &Expr,
        negated: bool,
        ilike: bool,
        depth: usize,
    ) -> Result<String, Cql2Error> {
        let t = self.ty(arg)?;
        if t != Ty::String {
            return Err(Cql2Error::at(
                format!("LIKE needs a string, but {} is {} {}", describe(arg), article(t), t.name()),
                arg.at(),
            ));
        }
        let lit = match pattern {
            Expr::CaseI { arg: inner, .. } => inner.as_ref(),
            p => p,
        };
        let Expr::Text { value, .. } = lit else {
            return Err(Cql2Error::at(
                format!("the LIKE pattern must be a string literal, not {}", describe(lit)),
                pattern.at(),
            ));
        };
        let trailing = value.chars().rev().take_while(|&c| c == '\\').count();
        if trailing % 2 == 1 {
            return Err(Cql2Error::at("the LIKE pattern ends with a lone escape character '\\'", pattern.at()));
        }
        let a = self.scalar(arg, Ty::String, depth)?;
        let p = self.scalar(pattern, Ty::String, depth)?;
        let not = if negated { "NOT " } else { "" };
        let kw = if ilike { "ILIKE" } else { "LIKE" };
        Ok(format!("({a} {not}{kw} {p})"))
    }

    fn geometry(&mut self, e: &Expr, func: &str, depth: usize) -> Result<String, Cql2Error> {
        let t = self.ty(e)?;
        if t != Ty::Geometry {
            return Err(Cql2Error::at(
                format!(
                    "{func} takes geometries (the geometry property or a WKT/GeoJSON literal), but {} is {} {}",
                    describe(e),
                    article(t),
                    t.name()
                ),
                e.at(),
            ));
        }
        self.scalar(e, Ty::Geometry, depth)
    }
}

fn article(t: Ty) -> &'static str {
    match t {
        Ty::Integer => "an",
        _ => "a",
    }
}
