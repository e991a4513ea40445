//! `cql2-json`: `{"op": "and", "args": [...]}`, `{"property": "x"}`, `{"date": "…"}`,
//! `{"timestamp": "…"}`, `{"bbox": [w, s, e, n]}`, GeoJSON geometries, strings, numbers, booleans;
//! an array only as the list of `in`. Errors carry a JSON pointer.

use serde_json::{Map, Value};

use super::geom::{self, Coord, Geometry};
use super::{quote_user, CmpOp, Cql2Error, Expr, Loc, SpatialOp, MAX_COORDINATES, MAX_DEPTH, MAX_NODES};

pub fn parse(v: &Value) -> Result<Expr, Cql2Error> {
    let mut p = JParser { nodes: 0, coords: 0 };
    p.expr(v, "", 0)
}

struct JParser {
    nodes: usize,
    coords: usize,
}

fn escape_key(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn err(msg: impl Into<String>, ptr: &str) -> Cql2Error {
    Cql2Error::at_pointer(msg, ptr)
}

impl JParser {
    fn node(&mut self, ptr: &str) -> Result<(), Cql2Error> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(err(format!("filter has more than {MAX_NODES} terms"), ptr));
        }
        Ok(())
    }

    /// Dispatches; the recursion runs expr → op → (logical | unary | binary | between | in) → expr,
    /// all small stack frames.
    fn expr(&mut self, v: &Value, ptr: &str, depth: usize) -> Result<Expr, Cql2Error> {
        if depth > MAX_DEPTH {
            return Err(err(format!("filter nests deeper than {MAX_DEPTH} levels"), ptr));
        }
        match v {
            Value::Object(o) if o.contains_key("op") => self.op(o, ptr, depth),
            Value::Object(o) => self.object(o, ptr, depth),
            other => self.plain_value(other, ptr),
        }
    }

    #[inline(never)]
    fn plain_value(&mut self, v: &Value, ptr: &str) -> Result<Expr, Cql2Error> {
        let at = Loc::Pointer(ptr.to_string());
        let e = match v {
            Value::Bool(value) => Expr::Bool { value: *value, at },
            Value::String(s) => Expr::Text { value: s.clone(), at },
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(value), _) => Expr::Int { value, at },
                (None, Some(value)) if value.is_finite() => Expr::Float { value, at },
                _ => return Err(err("number out of range", ptr)),
            },
            Value::Null => {
                return Err(err("null is not an expression (test for null with {\"op\": \"isNull\", …})", ptr))
            }
            Value::Array(_) => return Err(err("an array is only allowed as the list of an \"in\" operator", ptr)),
            Value::Object(_) => return Err(err("unexpected object", ptr)),
        };
        self.node(ptr)?;
        Ok(e)
    }

    fn only_keys(o: &Map<String, Value>, allowed: &[&str], ptr: &str) -> Result<(), Cql2Error> {
        match o.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(err(
                format!("unexpected member {} (expected only {})", quote_user(k), allowed.join(", ")),
                &format!("{ptr}/{}", escape_key(k)),
            )),
            None => Ok(()),
        }
    }

    fn string_member<'a>(o: &'a Map<String, Value>, key: &str, ptr: &str) -> Result<&'a str, Cql2Error> {
        match o.get(key) {
            Some(Value::String(s)) => Ok(s),
            Some(other) => {
                Err(err(format!("\"{key}\" must be a string, found {}", kind(other)), &format!("{ptr}/{key}")))
            }
            None => Err(err(format!("missing \"{key}\""), ptr)),
        }
    }

    fn object(&mut self, o: &Map<String, Value>, ptr: &str, depth: usize) -> Result<Expr, Cql2Error> {
        let at = Loc::Pointer(ptr.to_string());
        let e = if o.contains_key("property") {
            Self::only_keys(o, &["property"], ptr)?;
            let name = Self::string_member(o, "property", ptr)?;
            if name.is_empty() {
                return Err(err("empty property name", &format!("{ptr}/property")));
            }
            Expr::Property { name: name.to_string(), at }
        } else if o.contains_key("date") {
            Self::only_keys(o, &["date"], ptr)?;
            let s = Self::string_member(o, "date", ptr)?;
            let value = super::parse_date(s).map_err(|m| err(m, &format!("{ptr}/date")))?;
            Expr::Date { value, at }
        } else if o.contains_key("timestamp") {
            Self::only_keys(o, &["timestamp"], ptr)?;
            let s = Self::string_member(o, "timestamp", ptr)?;
            let value = super::parse_timestamp(s).map_err(|m| err(m, &format!("{ptr}/timestamp")))?;
            Expr::Timestamp { value, at }
        } else if o.contains_key("interval") {
            return Err(err(
                "interval literals are not supported; compare a date property with {\"date\": …} instead",
                ptr,
            ));
        } else if o.contains_key("type") {
            let value = self.geometry(o, ptr, depth)?;
            Expr::Geometry { value, at }
        } else if o.contains_key("bbox") {
            Self::only_keys(o, &["bbox"], ptr)?;
            let bptr = format!("{ptr}/bbox");
            let Some(Value::Array(items)) = o.get("bbox") else {
                return Err(err("\"bbox\" must be an array of 4 or 6 numbers", &bptr));
            };
            let mut v = Vec::with_capacity(items.len().min(6));
            for (i, item) in items.iter().enumerate() {
                match item.as_f64() {
                    Some(x) if v.len() < 6 => v.push(x),
                    Some(_) => break,
                    None => {
                        return Err(err(format!("expected a number, found {}", kind(item)), &format!("{bptr}/{i}")))
                    }
                }
            }
            let b = match (v.as_slice(), items.len()) {
                ([w, s, e, n], 4) => [*w, *s, *e, *n],
                ([w, s, _, e, n, _], 6) => [*w, *s, *e, *n],
                _ => {
                    return Err(err(
                        format!(
                            "\"bbox\" takes 4 numbers (west, south, east, north) or 6 with heights, found {}",
                            items.len()
                        ),
                        &bptr,
                    ))
                }
            };
            geom::check_bbox(b).map_err(|m| err(m, &bptr))?;
            self.count_coords(2, &bptr)?;
            Expr::Geometry { value: Geometry::BBox(b), at }
        } else {
            return Err(err(
                "unrecognised object: expected {\"op\": …, \"args\": […]}, {\"property\": …}, {\"date\": …}, {\"timestamp\": …}, {\"bbox\": […]} or a GeoJSON geometry",
                ptr,
            ));
        };
        self.node(ptr)?;
        Ok(e)
    }

    fn op(&mut self, o: &Map<String, Value>, ptr: &str, depth: usize) -> Result<Expr, Cql2Error> {
        let (name, args) = Self::op_header(o, ptr)?;
        let lower = name.to_ascii_lowercase();
        let d = depth + 1;
        let e = match lower.as_str() {
            "and" => self.logical(name, args, ptr, d, true)?,
            "or" => self.logical(name, args, ptr, d, false)?,
            "not" | "isnull" | "casei" => self.unary(name, &lower, args, ptr, d)?,
            "=" | "<>" | "<" | ">" | "<=" | ">=" | "like" => self.binary(name, &lower, args, ptr, d)?,
            "between" => self.between(name, args, ptr, d)?,
            "in" => self.in_list(name, args, ptr, d)?,
            l if SpatialOp::from_name(l).is_some() => self.binary(name, &lower, args, ptr, d)?,
            _ => return Err(Self::unknown_op(name, &lower, ptr)),
        };
        self.node(ptr)?;
        Ok(e)
    }

    #[inline(never)]
    fn op_header<'v>(o: &'v Map<String, Value>, ptr: &str) -> Result<(&'v str, &'v [Value]), Cql2Error> {
        Self::only_keys(o, &["op", "args"], ptr)?;
        let name = Self::string_member(o, "op", ptr)?;
        match o.get("args") {
            Some(Value::Array(a)) => Ok((name, a)),
            Some(other) => {
                Err(err(format!("\"args\" must be an array, found {}", kind(other)), &format!("{ptr}/args")))
            }
            None => Err(err(format!("operator {} has no \"args\"", quote_user(name)), ptr)),
        }
    }

    #[inline(never)]
    fn unknown_op(name: &str, lower: &str, ptr: &str) -> Cql2Error {
        if lower == "accenti" {
            err("accenti is not supported", ptr)
        } else if lower.starts_with("t_") {
            err(
                format!(
                    "temporal operator {} is not supported; compare date properties with =, <, >, between",
                    quote_user(name)
                ),
                ptr,
            )
        } else if lower.starts_with("a_") {
            err(format!("array operator {} is not supported", quote_user(name)), ptr)
        } else {
            err(
                format!(
                    "unknown operator {}; supported: and, or, not, =, <>, <, >, <=, >=, like, between, in, isNull, casei, s_intersects, s_within, s_contains, s_disjoint, s_equals, s_touches, s_overlaps, s_crosses",
                    quote_user(name)
                ),
                &format!("{ptr}/op"),
            )
        }
    }

    #[inline(never)]
    fn arity(name: &str, args: &[Value], n: usize, ptr: &str) -> Result<(), Cql2Error> {
        if args.len() == n {
            return Ok(());
        }
        Err(err(
            format!(
                "operator {} takes {n} argument{}, found {}",
                quote_user(name),
                if n == 1 { "" } else { "s" },
                args.len()
            ),
            &format!("{ptr}/args"),
        ))
    }

    /// Argument `i` (the caller has checked the arity).
    fn arg(&mut self, args: &[Value], i: usize, ptr: &str, depth: usize) -> Result<Box<Expr>, Cql2Error> {
        let aptr = format!("{ptr}/args/{i}");
        match args.get(i) {
            Some(v) => Ok(Box::new(self.expr(v, &aptr, depth)?)),
            None => Err(err("missing argument", &aptr)),
        }
    }

    fn logical(&mut self, name: &str, args: &[Value], ptr: &str, depth: usize, and: bool) -> Result<Expr, Cql2Error> {
        if args.is_empty() {
            return Err(err(
                format!("operator {} needs at least one argument", quote_user(name)),
                &format!("{ptr}/args"),
            ));
        }
        let mut v = Vec::with_capacity(args.len().min(MAX_NODES));
        for i in 0..args.len() {
            v.push(*self.arg(args, i, ptr, depth)?);
        }
        let at = Loc::Pointer(ptr.to_string());
        Ok(if and { Expr::And { args: v, at } } else { Expr::Or { args: v, at } })
    }

    fn unary(&mut self, name: &str, lower: &str, args: &[Value], ptr: &str, depth: usize) -> Result<Expr, Cql2Error> {
        Self::arity(name, args, 1, ptr)?;
        let arg = self.arg(args, 0, ptr, depth)?;
        let at = Loc::Pointer(ptr.to_string());
        Ok(match lower {
            "not" => Expr::Not { arg, at },
            "isnull" => Expr::IsNull { arg, negated: false, at },
            _ => Expr::CaseI { arg, at },
        })
    }

    fn binary(&mut self, name: &str, lower: &str, args: &[Value], ptr: &str, depth: usize) -> Result<Expr, Cql2Error> {
        Self::arity(name, args, 2, ptr)?;
        let left = self.arg(args, 0, ptr, depth)?;
        let right = self.arg(args, 1, ptr, depth)?;
        let at = Loc::Pointer(ptr.to_string());
        let cmp = match lower {
            "=" => Some(CmpOp::Eq),
            "<>" => Some(CmpOp::Ne),
            "<" => Some(CmpOp::Lt),
            ">" => Some(CmpOp::Gt),
            "<=" => Some(CmpOp::Le),
            ">=" => Some(CmpOp::Ge),
            _ => None,
        };
        if let Some(op) = cmp {
            return Ok(Expr::Compare { op, left, right, at });
        }
        if lower == "like" {
            return Ok(Expr::Like { arg: left, pattern: right, negated: false, ilike: false, at });
        }
        match SpatialOp::from_name(lower) {
            Some(op) => Ok(Expr::Spatial { op, left, right, at }),
            None => Err(Self::unknown_op(name, lower, ptr)),
        }
    }

    fn between(&mut self, name: &str, args: &[Value], ptr: &str, depth: usize) -> Result<Expr, Cql2Error> {
        Self::arity(name, args, 3, ptr)?;
        let arg = self.arg(args, 0, ptr, depth)?;
        let low = self.arg(args, 1, ptr, depth)?;
        let high = self.arg(args, 2, ptr, depth)?;
        Ok(Expr::Between { arg, low, high, negated: false, at: Loc::Pointer(ptr.to_string()) })
    }

    fn in_list(&mut self, name: &str, args: &[Value], ptr: &str, depth: usize) -> Result<Expr, Cql2Error> {
        Self::arity(name, args, 2, ptr)?;
        let arg = self.arg(args, 0, ptr, depth)?;
        let lptr = format!("{ptr}/args/1");
        let Some(Value::Array(items)) = args.get(1) else {
            return Err(err("the second argument of \"in\" must be an array of values", &lptr));
        };
        if items.is_empty() {
            return Err(err("an \"in\" list needs at least one value", &lptr));
        }
        let mut list = Vec::with_capacity(items.len().min(MAX_NODES));
        for (j, item) in items.iter().enumerate() {
            list.push(self.expr(item, &format!("{lptr}/{j}"), depth)?);
        }
        Ok(Expr::In { arg, list, negated: false, at: Loc::Pointer(ptr.to_string()) })
    }

    // ---- GeoJSON ----

    fn count_coords(&mut self, n: usize, ptr: &str) -> Result<(), Cql2Error> {
        self.coords += n;
        if self.coords > MAX_COORDINATES {
            return Err(err(format!("geometry literals have more than {MAX_COORDINATES} positions"), ptr));
        }
        Ok(())
    }

    fn geometry(&mut self, o: &Map<String, Value>, ptr: &str, depth: usize) -> Result<Geometry, Cql2Error> {
        if depth > MAX_DEPTH {
            return Err(err(format!("filter nests deeper than {MAX_DEPTH} levels"), ptr));
        }
        let t = Self::string_member(o, "type", ptr)?;
        if t == "GeometryCollection" {
            let gptr = format!("{ptr}/geometries");
            let Some(Value::Array(items)) = o.get("geometries") else {
                return Err(err("a GeometryCollection needs a \"geometries\" array", ptr));
            };
            if items.is_empty() {
                return Err(err("a geometry collection needs at least one geometry", &gptr));
            }
            let mut gs = Vec::with_capacity(items.len().min(MAX_COORDINATES));
            for (i, item) in items.iter().enumerate() {
                let iptr = format!("{gptr}/{i}");
                let Value::Object(io) = item else {
                    return Err(err(format!("expected a GeoJSON geometry, found {}", kind(item)), &iptr));
                };
                gs.push(self.geometry(io, &iptr, depth + 1)?);
            }
            return Ok(Geometry::GeometryCollection(gs));
        }
        if !["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"].contains(&t) {
            return Err(err(format!("unknown GeoJSON geometry type {}", quote_user(t)), &format!("{ptr}/type")));
        }
        let cptr = format!("{ptr}/coordinates");
        let Some(c) = o.get("coordinates") else {
            return Err(err(format!("a {} needs \"coordinates\"", quote_user(t)), ptr));
        };
        let g = match t {
            "Point" => Geometry::Point(self.position(c, &cptr)?),
            "MultiPoint" => {
                let v = self.positions(c, &cptr)?;
                if v.is_empty() {
                    return Err(err("a multipoint needs at least one position", &cptr));
                }
                Geometry::MultiPoint(v)
            }
            "LineString" => Geometry::LineString(self.line(c, &cptr)?),
            "MultiLineString" => {
                let items = Self::array(c, &cptr)?;
                if items.is_empty() {
                    return Err(err("a multilinestring needs at least one linestring", &cptr));
                }
                let mut v = Vec::with_capacity(items.len().min(MAX_COORDINATES));
                for (i, l) in items.iter().enumerate() {
                    v.push(self.line(l, &format!("{cptr}/{i}"))?);
                }
                Geometry::MultiLineString(v)
            }
            "Polygon" => Geometry::Polygon(self.polygon(c, &cptr)?),
            "MultiPolygon" => {
                let items = Self::array(c, &cptr)?;
                if items.is_empty() {
                    return Err(err("a multipolygon needs at least one polygon", &cptr));
                }
                let mut v = Vec::with_capacity(items.len().min(MAX_COORDINATES));
                for (i, p) in items.iter().enumerate() {
                    v.push(self.polygon(p, &format!("{cptr}/{i}"))?);
                }
                Geometry::MultiPolygon(v)
            }
            other => {
                return Err(err(format!("unknown GeoJSON geometry type {}", quote_user(other)), &format!("{ptr}/type")))
            }
        };
        Ok(g)
    }

    fn array<'a>(v: &'a Value, ptr: &str) -> Result<&'a [Value], Cql2Error> {
        match v {
            Value::Array(a) => Ok(a),
            other => Err(err(format!("expected an array, found {}", kind(other)), ptr)),
        }
    }

    fn position(&mut self, v: &Value, ptr: &str) -> Result<Coord, Cql2Error> {
        let items = Self::array(v, ptr)?;
        let num = |i: usize| -> Result<f64, Cql2Error> {
            match items.get(i).map(|x| (x, x.as_f64())) {
                Some((_, Some(n))) => Ok(n),
                Some((x, None)) => Err(err(format!("expected a number, found {}", kind(x)), &format!("{ptr}/{i}"))),
                None => Err(err("a position needs 2 or 3 numbers", ptr)),
            }
        };
        if !(2..=3).contains(&items.len()) {
            return Err(err(format!("a position needs 2 or 3 numbers, found {}", items.len()), ptr));
        }
        let c = [num(0)?, num(1)?];
        if items.len() == 3 {
            num(2)?;
        }
        geom::check_coord(c).map_err(|m| err(m, ptr))?;
        self.count_coords(1, ptr)?;
        Ok(c)
    }

    fn positions(&mut self, v: &Value, ptr: &str) -> Result<Vec<Coord>, Cql2Error> {
        let items = Self::array(v, ptr)?;
        let mut out = Vec::with_capacity(items.len().min(MAX_COORDINATES));
        for (i, p) in items.iter().enumerate() {
            out.push(self.position(p, &format!("{ptr}/{i}"))?);
        }
        Ok(out)
    }

    fn line(&mut self, v: &Value, ptr: &str) -> Result<Vec<Coord>, Cql2Error> {
        let l = self.positions(v, ptr)?;
        geom::check_line(&l).map_err(|m| err(m, ptr))?;
        Ok(l)
    }

    fn polygon(&mut self, v: &Value, ptr: &str) -> Result<Vec<Vec<Coord>>, Cql2Error> {
        let items = Self::array(v, ptr)?;
        if items.is_empty() {
            return Err(err("a polygon needs at least one ring", ptr));
        }
        let mut rings = Vec::with_capacity(items.len().min(MAX_COORDINATES));
        for (i, r) in items.iter().enumerate() {
            let rptr = format!("{ptr}/{i}");
            let ring = self.positions(r, &rptr)?;
            geom::check_ring(&ring).map_err(|m| err(m, &rptr))?;
            rings.push(ring);
        }
        Ok(rings)
    }
}
