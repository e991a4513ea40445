//! The published properties of each collection, as the SQL that reads them and their query types, made from
//! the collection's description. One table serves the GeoJSON output, the queryables, `filter`, `sortby` and
//! `properties`, so they cannot disagree. Only these SQL expressions are ever placed in a query; user text
//! never is.

use crate::cql2::{QType, Queryable};
use crate::domain::collection::Kind;
use crate::domain::registry::Collection;
use std::collections::HashMap;
use std::sync::{LazyLock, RwLock};

#[derive(Debug)]
pub struct Prop {
    pub name: &'static str,
    /// What the output carries (a list as a JSON array).
    pub sql: &'static str,
    /// What `filter` and `sortby` compare: the same, but a list as its comma-separated text.
    pub filter_sql: &'static str,
    pub qtype: QType,
    /// "中文 English"
    pub title: String,
    /// Allowed values of a text property, for the queryables schema.
    pub values: Vec<&'static str>,
}

fn qtype(k: Kind) -> QType {
    match k {
        // filtered and sorted as their comma-separated text (`pollutants LIKE '%Cd%'`)
        Kind::Text | Kind::TextList | Kind::IntList => QType::String,
        Kind::Bool => QType::Boolean,
        Kind::Int => QType::Integer,
        Kind::Number => QType::Number,
        Kind::Date => QType::Date,
    }
}

fn build(c: Collection) -> Vec<Prop> {
    c.description()
        .properties
        .iter()
        .map(|p| Prop {
            name: p.name,
            // Leaked once per property of the catalogue: the expressions live as long as the process.
            sql: Box::leak(p.sql().into_boxed_str()),
            qtype: qtype(p.kind),
            title: p.label.both(),
            values: if p.kind == Kind::Text { p.values.iter().map(|(v, _)| *v).collect() } else { Vec::new() },
            filter_sql: Box::leak(crate::store::statements::joined(p).into_boxed_str()),
        })
        .collect()
}

pub fn props(c: Collection) -> &'static [Prop] {
    static MADE: LazyLock<RwLock<HashMap<&'static str, &'static [Prop]>>> = LazyLock::new(Default::default);
    if let Some(p) = MADE.read().unwrap_or_else(|e| e.into_inner()).get(c.as_str()) {
        return p;
    }
    let mut made = MADE.write().unwrap_or_else(|e| e.into_inner());
    made.entry(c.as_str()).or_insert_with(|| Box::leak(build(c).into_boxed_slice()))
}

/// Properties usable in `filter` and `sortby`, plus the geometry for spatial filters.
pub fn queryables(c: Collection) -> Vec<Queryable> {
    let mut q: Vec<Queryable> =
        props(c).iter().map(|p| Queryable { name: p.name, sql: p.filter_sql, qtype: p.qtype }).collect();
    q.push(Queryable { name: "geometry", sql: "v.geom", qtype: QType::Geometry });
    q
}

pub fn prop_names(c: Collection) -> Vec<&'static str> {
    props(c).iter().map(|p| p.name).collect()
}
