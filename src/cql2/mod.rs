//! OGC API - Features Part 3 filters (CQL2) and the `sortby` and `properties` parameters.
//!
//! Pure: no database or HTTP types. A filter is parsed from `cql2-text` ([`parse_text`]) or
//! `cql2-json` ([`parse_json`]) into an [`Expr`], then [`to_sql`] checks it against the declared
//! [`Queryable`]s and renders a parameterised SQL boolean expression. The only SQL text that ever
//! comes out is fixed by this module or is the `sql` of a matching queryable; every value the user
//! wrote travels as a [`SqlParam`], cast explicitly at its placeholder.
//!
//! Supported: `=`, `<>`, `<`, `>`, `<=`, `>=`; `AND`, `OR`, `NOT`; `[NOT] LIKE` (and `ILIKE` as GDAL
//! sends it); `[NOT] BETWEEN`; `[NOT] IN`; `IS [NOT] NULL`; `CASEI`; `S_INTERSECTS`, `S_WITHIN`,
//! `S_CONTAINS`, `S_DISJOINT`, `S_EQUALS`, `S_TOUCHES`, `S_OVERLAPS`, `S_CROSSES` with WKT (`POINT`,
//! `LINESTRING`, `POLYGON`, `MULTI*`, `GEOMETRYCOLLECTION`, `BBOX`) or GeoJSON literals in CRS84;
//! `DATE(...)`, `TIMESTAMP(...)`, booleans, strings, integers and decimals.
//!
//! Bounds against hostile input: [`MAX_FILTER_BYTES`], [`MAX_DEPTH`], [`MAX_NODES`],
//! [`MAX_COORDINATES`]. No input makes these functions panic.

mod geom;
mod json;
mod params;
mod sql;
mod text;

#[cfg(test)]
mod conformance_examples;
#[cfg(test)]
mod tests;

pub use geom::Geometry;
pub use params::{parse_properties, parse_sortby, MAX_SORT_KEYS};

use std::fmt;

/// Longest `cql2-text` filter accepted, in bytes.
pub const MAX_FILTER_BYTES: usize = 256 * 1024;
/// Deepest nesting accepted: parentheses, `NOT`, function arguments and JSON operator objects each
/// count one level.
pub const MAX_DEPTH: usize = 64;
/// Most AST nodes (operators, properties and literals; a geometry literal counts one) in one filter.
pub const MAX_NODES: usize = 2000;
/// Most coordinates over all geometry literals in one filter.
pub const MAX_COORDINATES: usize = 20_000;
/// Most SQL parameters [`to_sql`] will emit (far below PostgreSQL's 65 535).
pub const MAX_PARAMS: usize = 10_000;

/// Type of a queryable, as published in `/queryables`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QType {
    String,
    Integer,
    Number,
    Boolean,
    Date,
    Geometry,
}

/// A property a filter may name. `sql` must be a self-contained SQL expression (a column or a
/// function call); it is the only text taken from outside this module that reaches the SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Queryable {
    pub name: &'static str,
    pub sql: &'static str,
    pub qtype: QType,
}

/// Where a node came from: a byte offset in `cql2-text`, or a JSON pointer in `cql2-json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Loc {
    Offset(usize),
    Pointer(String),
    /// Built by hand, not parsed.
    None,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
}

impl CmpOp {
    pub fn sql(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Ge => ">=",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpatialOp {
    Intersects,
    Within,
    Contains,
    Disjoint,
    Equals,
    Touches,
    Overlaps,
    Crosses,
}

impl SpatialOp {
    /// The CQL2 name, e.g. `S_INTERSECTS`.
    pub fn cql2_name(self) -> &'static str {
        match self {
            SpatialOp::Intersects => "S_INTERSECTS",
            SpatialOp::Within => "S_WITHIN",
            SpatialOp::Contains => "S_CONTAINS",
            SpatialOp::Disjoint => "S_DISJOINT",
            SpatialOp::Equals => "S_EQUALS",
            SpatialOp::Touches => "S_TOUCHES",
            SpatialOp::Overlaps => "S_OVERLAPS",
            SpatialOp::Crosses => "S_CROSSES",
        }
    }

    /// The PostGIS function.
    pub fn sql(self) -> &'static str {
        match self {
            SpatialOp::Intersects => "ST_Intersects",
            SpatialOp::Within => "ST_Within",
            SpatialOp::Contains => "ST_Contains",
            SpatialOp::Disjoint => "ST_Disjoint",
            SpatialOp::Equals => "ST_Equals",
            SpatialOp::Touches => "ST_Touches",
            SpatialOp::Overlaps => "ST_Overlaps",
            SpatialOp::Crosses => "ST_Crosses",
        }
    }

    pub fn from_name(name: &str) -> Option<SpatialOp> {
        const ALL: [SpatialOp; 8] = [
            SpatialOp::Intersects,
            SpatialOp::Within,
            SpatialOp::Contains,
            SpatialOp::Disjoint,
            SpatialOp::Equals,
            SpatialOp::Touches,
            SpatialOp::Overlaps,
            SpatialOp::Crosses,
        ];
        ALL.into_iter().find(|op| op.cql2_name().eq_ignore_ascii_case(name))
    }
}

/// A parsed filter. Predicates and scalar operands share one type; [`to_sql`] checks that each is
/// used where it fits.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    And {
        args: Vec<Expr>,
        at: Loc,
    },
    Or {
        args: Vec<Expr>,
        at: Loc,
    },
    Not {
        arg: Box<Expr>,
        at: Loc,
    },
    Compare {
        op: CmpOp,
        left: Box<Expr>,
        right: Box<Expr>,
        at: Loc,
    },
    /// `pattern` is a string literal, possibly wrapped in `CASEI`. `ilike` is GDAL's `ILIKE`.
    Like {
        arg: Box<Expr>,
        pattern: Box<Expr>,
        negated: bool,
        ilike: bool,
        at: Loc,
    },
    Between {
        arg: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
        negated: bool,
        at: Loc,
    },
    In {
        arg: Box<Expr>,
        list: Vec<Expr>,
        negated: bool,
        at: Loc,
    },
    IsNull {
        arg: Box<Expr>,
        negated: bool,
        at: Loc,
    },
    Spatial {
        op: SpatialOp,
        left: Box<Expr>,
        right: Box<Expr>,
        at: Loc,
    },
    /// `CASEI(x)`: case-insensitive comparison, rendered as `lower(x)`.
    CaseI {
        arg: Box<Expr>,
        at: Loc,
    },
    Property {
        name: String,
        at: Loc,
    },
    Text {
        value: String,
        at: Loc,
    },
    Int {
        value: i64,
        at: Loc,
    },
    Float {
        value: f64,
        at: Loc,
    },
    Bool {
        value: bool,
        at: Loc,
    },
    Date {
        value: chrono::NaiveDate,
        at: Loc,
    },
    Timestamp {
        value: chrono::DateTime<chrono::Utc>,
        at: Loc,
    },
    Geometry {
        value: Geometry,
        at: Loc,
    },
}

impl Expr {
    pub fn at(&self) -> &Loc {
        match self {
            Expr::And { at, .. }
            | Expr::Or { at, .. }
            | Expr::Not { at, .. }
            | Expr::Compare { at, .. }
            | Expr::Like { at, .. }
            | Expr::Between { at, .. }
            | Expr::In { at, .. }
            | Expr::IsNull { at, .. }
            | Expr::Spatial { at, .. }
            | Expr::CaseI { at, .. }
            | Expr::Property { at, .. }
            | Expr::Text { at, .. }
            | Expr::Int { at, .. }
            | Expr::Float { at, .. }
            | Expr::Bool { at, .. }
            | Expr::Date { at, .. }
            | Expr::Timestamp { at, .. }
            | Expr::Geometry { at, .. } => at,
        }
    }
}

/// A value bound to a placeholder. [`to_sql`] writes the matching cast at the placeholder:
/// `Text` → `$n::text`, `Int` → `$n::bigint`, `Float` → `$n::float8`, `Bool` → `$n::boolean`,
/// `Date` → `$n::date`, `GeoJson` → `ST_SetSRID(ST_GeomFromGeoJSON($n::text), 4490)`.
#[derive(Debug, Clone, PartialEq)]
pub enum SqlParam {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Date(chrono::NaiveDate),
    /// A GeoJSON geometry in lon/lat (CRS84), coordinates finite and in range.
    GeoJson(String),
}

/// A malformed filter, an unknown property or a type mismatch: the client's fault (HTTP 400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cql2Error {
    pub message: String,
    /// Byte offset into the `cql2-text` filter (or the `sortby` / `properties` value).
    pub position: Option<usize>,
    /// JSON pointer (RFC 6901) into the `cql2-json` filter.
    pub pointer: Option<String>,
}

impl Cql2Error {
    pub fn new(message: impl Into<String>) -> Self {
        Cql2Error { message: message.into(), position: None, pointer: None }
    }

    pub fn at(message: impl Into<String>, loc: &Loc) -> Self {
        let mut e = Cql2Error::new(message);
        match loc {
            Loc::Offset(p) => e.position = Some(*p),
            Loc::Pointer(p) => e.pointer = Some(p.clone()),
            Loc::None => {}
        }
        e
    }

    pub fn at_offset(message: impl Into<String>, offset: usize) -> Self {
        Cql2Error { message: message.into(), position: Some(offset), pointer: None }
    }

    pub fn at_pointer(message: impl Into<String>, pointer: &str) -> Self {
        Cql2Error { message: message.into(), position: None, pointer: Some(pointer.to_string()) }
    }
}

impl fmt::Display for Cql2Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(p) = self.position {
            write!(f, " (at byte {p})")?;
        }
        match self.pointer.as_deref() {
            Some("") => f.write_str(" (at the top level)")?,
            Some(p) => write!(f, " (at {p})")?,
            None => {}
        }
        Ok(())
    }
}

impl std::error::Error for Cql2Error {}

/// Parses a `cql2-text` filter.
pub fn parse_text(s: &str) -> Result<Expr, Cql2Error> {
    text::parse(s)
}

/// Parses a `cql2-json` filter.
pub fn parse_json(v: &serde_json::Value) -> Result<Expr, Cql2Error> {
    json::parse(v)
}

/// Checks every property against `queryables` (an unknown one is an error naming it and listing the
/// known ones; so is a type mismatch such as `'abc' > 5` on an integer) and renders a SQL boolean
/// expression with placeholders `$first_param`, `$first_param+1`, … and the matching params.
///
/// Shapes: `(a AND b)`, `(a OR b)`, `(NOT a)`, `(x = $1::text)`, `(x LIKE $1::text)`,
/// `(x NOT LIKE …)`, `(x ILIKE …)`, `(x BETWEEN $1::bigint AND $2::bigint)`,
/// `(x IN ($1::text, $2::text))`, `(x IS NULL)`, `(x IS NOT NULL)`, `lower(x)` for `CASEI`,
/// `ST_Intersects(v.geom, ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4490))` and the other `ST_*`
/// functions with the arguments in the order written. A lone boolean property or literal in a
/// boolean position is rendered as `(x)`.
pub fn to_sql(expr: &Expr, queryables: &[Queryable], first_param: usize) -> Result<(String, Vec<SqlParam>), Cql2Error> {
    sql::render(expr, queryables, first_param)
}

/// User text quoted for an error message: at most 60 characters, control characters escaped.
pub(crate) fn quote_user(s: &str) -> String {
    let mut out = String::from("'");
    for (i, c) in s.chars().enumerate() {
        if i >= 60 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// `YYYY-MM-DD`, exactly.
pub(crate) fn parse_date(s: &str) -> Result<chrono::NaiveDate, String> {
    let bad = || format!("invalid date {}: expected YYYY-MM-DD", quote_user(s));
    let digits = |b: &[u8]| -> Option<u32> {
        b.iter().try_fold(0u32, |acc, c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let b = s.as_bytes();
    let (Some(y), Some(b'-'), Some(m), Some(b'-'), Some(d), 10) =
        (b.get(0..4), b.get(4), b.get(5..7), b.get(7), b.get(8..10), b.len())
    else {
        return Err(bad());
    };
    let (Some(y), Some(m), Some(d)) = (digits(y), digits(m), digits(d)) else {
        return Err(bad());
    };
    chrono::NaiveDate::from_ymd_opt(y as i32, m, d).ok_or_else(|| format!("{} is not a calendar date", quote_user(s)))
}

/// RFC 3339, e.g. `2024-01-01T08:00:00Z`; offsets are converted to UTC.
pub(crate) fn parse_timestamp(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| format!("invalid timestamp {}: expected RFC 3339 such as 2024-01-01T08:00:00Z", quote_user(s)))
}

/// A string compared with a date property: `YYYY-MM-DD`, optionally followed by a midnight time
/// (`T`, `T00:00:00Z`, … as GDAL writes dates). Anything else is not a date.
pub(crate) fn lenient_date(s: &str) -> Option<chrono::NaiveDate> {
    let date = parse_date(s.get(..10)?).ok()?;
    let rest = s.get(10..)?;
    if rest.is_empty() || rest == "T" {
        return Some(date);
    }
    let t = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' '))?;
    let t = t.strip_suffix('Z').unwrap_or(t);
    t.chars().all(|c| c == '0' || c == ':' || c == '.').then_some(date).filter(|_| !t.is_empty())
}

/// A timestamp at midnight UTC, as a date.
pub(crate) fn midnight_date(t: &chrono::DateTime<chrono::Utc>) -> Option<chrono::NaiveDate> {
    (t.time() == chrono::NaiveTime::MIN).then(|| t.date_naive())
}
