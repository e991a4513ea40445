//! A collection described once. A [`Description`] says what a register holds: its id property, its
//! properties with their kinds, allowed values and labels, which are required, defaulted or computed, which
//! go into the map's tiles, the kind of geometry and whether features move through a lifecycle. The store,
//! the OGC items, queryables, CQL2, tiles, import, export and the OpenAPI document are all made from it, so
//! a new register is a description here (or registered at start) plus a migration that creates its table.
//!
//! [`Collection`] is a cheap handle to a description. The catalogue is the built-in descriptions plus any
//! registered with [`register`] before the service starts answering (a test registers a throwaway one).

mod construction_parcels;
mod crop_samples;
mod farmland_units;
mod key_supervised_units;
mod pollution_sources;
mod soil_samples;
mod tailings_ponds;

pub use construction_parcels::CONSTRUCTION_PARCELS;
pub use crop_samples::CROP_SAMPLES;
pub use farmland_units::FARMLAND_UNITS;
pub use key_supervised_units::KEY_SUPERVISED_UNITS;
pub use pollution_sources::POLLUTION_SOURCES;
pub use soil_samples::SOIL_SAMPLES;
pub use tailings_ponds::TAILINGS_PONDS;

use chrono::NaiveDate;
use serde::{Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::RwLock;

/// A name in Chinese and English, for labels in the map, HTML pages and schemas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub zh: &'static str,
    pub en: &'static str,
}

impl Label {
    /// "中文 English", as titles read throughout the service.
    pub fn both(&self) -> String {
        format!("{} {}", self.zh, self.en)
    }
}

/// The kind of a property's values; each maps to one SQL type and one JSON type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Bool,
    Int,
    Number,
    Date,
    /// A list of codes (`pollutants`): a JSON array of strings, stored as `text[]`. Within a write it is one
    /// canonical comma-separated text (the property's check orders it and removes repeats).
    TextList,
    /// A list of whole numbers (`listed_years`): a JSON array of integers, stored as `integer[]`; within a
    /// write, like `TextList`, one canonical comma-separated text.
    IntList,
}

impl Kind {
    /// A list kind: stored as an SQL array, carried within a write as comma-separated text, and joined into
    /// that text where a format has no arrays (tiles, Shapefile, CSV, CQL2's string operators).
    pub fn is_list(self) -> bool {
        matches!(self, Kind::TextList | Kind::IntList)
    }
}

/// The geometry a collection's features have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    /// Polygon or MultiPolygon in a request, stored as MultiPolygon, with an area.
    Polygon,
    /// A Point (a sampling site, an outfall, a tailings pond's dam), stored as Point; its area is 0.
    Point,
}

impl GeometryKind {
    /// The JSON Schema `format` of the geometry (OGC API Features Part 3/5).
    pub fn schema_format(self) -> &'static str {
        match self {
            GeometryKind::Polygon => "geometry-multipolygon",
            GeometryKind::Point => "geometry-point",
        }
    }

    /// The PostGIS geometry type of the version table's `geom`.
    pub fn postgis(self) -> &'static str {
        match self {
            GeometryKind::Polygon => "MultiPolygon",
            GeometryKind::Point => "Point",
        }
    }
}

/// What a property's value is when a write leaves it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultValue {
    False,
    /// The day of the write (China time).
    Today,
}

/// How a write supplies a property.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    Required,
    Optional,
    Defaulted(DefaultValue),
    /// Computed by the database (the SQL expression over the version row `v`); accepted in a body so that a
    /// read can be written back, but ignored.
    Computed(&'static str),
    /// The lifecycle state: left out, a write keeps the current state (a new feature starts in the initial
    /// one); it changes only by lifecycle steps.
    Lifecycle,
    /// Stored, but worked out by the description's `validate` from the other properties (a sample's grade
    /// from its concentrations), so that it is the same however the feature was written; a value in a
    /// request body or a file is ignored like a computed property's.
    Derived,
}

/// Whether a property goes into the map's vector tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tile {
    /// In every tile: the map styles by it.
    Always,
    /// Only in full-detail tiles.
    Full,
    No,
}

/// Normalises a text value or says what is wrong with it.
pub type Check = fn(&str) -> Result<String, String>;

#[derive(Debug)]
pub struct Property {
    pub name: &'static str,
    pub kind: Kind,
    pub label: Label,
    pub input: Input,
    /// Allowed values with their Chinese names (empty: any value of the kind).
    pub values: &'static [(&'static str, &'static str)],
    pub check: Option<Check>,
    pub tile: Tile,
}

impl Property {
    /// Stored in its own column of the collection's table (everything but computed properties).
    pub fn is_stored(&self) -> bool {
        !matches!(self.input, Input::Computed(_))
    }

    /// Not taken from a write: computed by the database or derived by the description's `validate`.
    pub fn is_read_only(&self) -> bool {
        matches!(self.input, Input::Computed(_) | Input::Derived)
    }

    /// The SQL expression that reads this property from a version row `v`.
    pub fn sql(&self) -> String {
        match self.input {
            Input::Computed(sql) => sql.to_string(),
            _ => format!("v.{}", self.name),
        }
    }
}

/// A lifecycle: the property that holds the state, where a new feature starts, the property a step may
/// record along with the new state, and the rules of the steps.
#[derive(Debug)]
pub struct Lifecycle {
    pub property: &'static str,
    pub initial: &'static str,
    pub step_property: Option<&'static str>,
    /// The states a feature in the given state may move to next; None when it is not a state of this
    /// lifecycle. The domain's own rules (domain::lifecycle for parcels, domain::sources for sources).
    pub next_states: fn(&str) -> Option<Vec<&'static str>>,
}

/// A step the lifecycle does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a feature in state '{from}' cannot move to '{to}'; allowed next states: {}", allowed_list(.allowed))]
pub struct StepNotAllowed {
    pub from: String,
    pub to: String,
    pub allowed: Vec<&'static str>,
}

fn allowed_list(allowed: &[&str]) -> String {
    if allowed.is_empty() {
        "none".into()
    } else {
        allowed.join(", ")
    }
}

impl Lifecycle {
    /// Whether a feature in state `from` may move to `to` (both as stored, canonical names).
    pub fn step(&self, from: &str, to: &str) -> Result<(), StepNotAllowed> {
        let allowed = (self.next_states)(from).unwrap_or_default();
        if allowed.contains(&to) {
            Ok(())
        } else {
            Err(StepNotAllowed { from: from.to_string(), to: to.to_string(), allowed })
        }
    }
}

/// Limits on what a single feature may hold, and the settings its derived values are judged by.
#[derive(Debug, Clone)]
pub struct FeatureLimits {
    pub max_vertices: usize,
    /// The GB 2762 limits crop samples are judged against (the settings' `[crop_limits]`).
    pub crops: std::sync::Arc<crate::domain::crops::CropLimits>,
}

impl Default for FeatureLimits {
    fn default() -> Self {
        FeatureLimits { max_vertices: 100_000, crops: Default::default() }
    }
}

/// Checks across properties after each has been read on its own; returns (property, problem) pairs and may
/// normalise values. The limits carry the settings some derived values are judged by (crop samples' GB 2762 limits).
pub type Validate = fn(&mut Record, &FeatureLimits) -> Vec<(&'static str, String)>;

#[derive(Debug)]
pub struct Description {
    /// The collection id in URLs and the `collection_changes` counter.
    pub name: &'static str,
    /// The version table (see migrations/: `landguard_versioned_table` creates one).
    pub table: &'static str,
    pub id_property: &'static str,
    pub label: Label,
    pub geometry: GeometryKind,
    pub lifecycle: Option<Lifecycle>,
    /// In published order (GeoJSON, export fields, queryables).
    pub properties: &'static [Property],
    pub validate: Validate,
    /// The version table has the stored `tile_z12` column (its migration calls `landguard_tile_geometry`):
    /// tiles of zoom 12 and less are cut from it rather than from `geom`, which pays for a layer so dense
    /// that a z12 tile holds thousands of features. Off for small layers: nothing to win there.
    pub tile_z12: bool,
    /// The version table has the stored `feature_json` column (its migration calls `landguard_feature_json`
    /// with `store::items::feature_json_call`): items pages asking for the default rendering (CRS84, the
    /// default precision, every property) read each version's GeoJSON as it was rendered when the version
    /// was written.
    pub feature_json: bool,
}

impl Description {
    pub fn stored(&self) -> impl Iterator<Item = &'static Property> + use<'_> {
        let props: &'static [Property] = self.properties;
        props.iter().filter(|p| p.is_stored())
    }

    pub fn property(&self, name: &str) -> Option<&'static Property> {
        let props: &'static [Property] = self.properties;
        props.iter().find(|p| p.name == name)
    }

    fn stored_index(&self, name: &str) -> Option<usize> {
        self.stored().position(|p| p.name == name)
    }
}

/// For descriptions whose properties need no checks across each other.
pub fn no_cross_checks(_: &mut Record, _: &FeatureLimits) -> Vec<(&'static str, String)> {
    Vec::new()
}

/// A handle to a collection's description: its name, which only the catalogue hands out, so a handle always
/// finds its description. Plain data, so constants of it can be matched on.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Collection(&'static str);

impl Collection {
    // The two built-in registers keep the names they have always had at call sites.
    #[allow(non_upper_case_globals)]
    pub const FarmlandUnits: Collection = Collection(FARMLAND_UNITS.name);
    #[allow(non_upper_case_globals)]
    pub const ConstructionParcels: Collection = Collection(CONSTRUCTION_PARCELS.name);

    pub fn description(self) -> &'static Description {
        match BUILT_IN.iter().find(|d| d.name == self.0) {
            Some(d) => d,
            None => registered()
                .iter()
                .find(|d| d.name == self.0)
                .copied()
                .expect("a Collection is only made from a description in the catalogue"),
        }
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }

    pub fn id_property(self) -> &'static str {
        self.description().id_property
    }

    pub fn title(self) -> String {
        self.description().label.both()
    }

    /// Properties the server computes or derives; accepted in a request body (so a read can be written back)
    /// but ignored.
    pub fn read_only(self) -> Vec<&'static str> {
        self.description().properties.iter().filter(|p| p.is_read_only()).map(|p| p.name).collect()
    }

    /// Every collection of the catalogue: the built-in ones, then those registered, in order.
    pub fn all() -> Vec<Collection> {
        let mut all: Vec<Collection> = BUILT_IN.iter().map(|d| Collection(d.name)).collect();
        all.extend(registered().iter().map(|d| Collection(d.name)));
        all
    }
}

/// The registers the service ships with, in the order the catalogue lists them.
const BUILT_IN: &[&Description] = &[
    &FARMLAND_UNITS,
    &CONSTRUCTION_PARCELS,
    &KEY_SUPERVISED_UNITS,
    &POLLUTION_SOURCES,
    &TAILINGS_PONDS,
    &SOIL_SAMPLES,
    &CROP_SAMPLES,
];

static REGISTERED: RwLock<Vec<&'static Description>> = RwLock::new(Vec::new());

fn registered() -> std::sync::RwLockReadGuard<'static, Vec<&'static Description>> {
    REGISTERED.read().unwrap_or_else(|e| e.into_inner())
}

/// Adds a collection to the catalogue. Its table must exist (a migration) before it is served.
pub fn register(d: &'static Description) -> Result<Collection, String> {
    let mut list = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    if BUILT_IN.iter().chain(list.iter()).any(|x| x.name == d.name) {
        return Err(format!("a collection '{}' is registered already", d.name));
    }
    if d.property(d.id_property).is_none_or(|p| !p.is_stored() || p.kind != Kind::Text) {
        return Err(format!("{}: the id property '{}' must be a stored text property", d.name, d.id_property));
    }
    if d.property("valid_from").is_none_or(|p| p.kind != Kind::Date) {
        return Err(format!("{}: every collection has a valid_from date property", d.name));
    }
    list.push(d);
    Ok(Collection(d.name))
}

impl fmt::Debug for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Collection({})", self.0)
    }
}

impl fmt::Display for Collection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Collection {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl FromStr for Collection {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Collection::all().into_iter().find(|c| c.as_str() == s).ok_or_else(|| format!("unknown collection '{s}'"))
    }
}

/// One property's value in a checked record.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    Null,
    Text(String),
    Bool(bool),
    Int(i64),
    Number(f64),
    Date(NaiveDate),
}

impl Datum {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Datum::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// A checked feature's properties: one value per stored property of its collection, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub collection: Collection,
    pub values: Vec<Datum>,
}

impl Record {
    pub fn get(&self, name: &str) -> Option<&Datum> {
        self.collection.description().stored_index(name).map(|i| &self.values[i])
    }

    pub fn set(&mut self, name: &str, value: Datum) {
        if let Some(i) = self.collection.description().stored_index(name) {
            self.values[i] = value;
        }
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Datum::as_text)
    }

    pub fn code(&self) -> &str {
        self.text(self.collection.id_property()).unwrap_or_default()
    }

    pub fn valid_from(&self) -> NaiveDate {
        match self.get("valid_from") {
            Some(Datum::Date(d)) => *d,
            _ => NaiveDate::MIN,
        }
    }

    /// The lifecycle state as written (None: left out, or no lifecycle).
    pub fn state(&self) -> Option<&str> {
        self.collection.description().lifecycle.as_ref().and_then(|l| self.text(l.property))
    }

    /// The state a write that leaves it out gets: the feature's current one, or for a new feature the
    /// lifecycle's initial state. State itself moves only by lifecycle steps.
    pub fn fill_state(&mut self, current: Option<&str>) {
        if let Some(l) = &self.collection.description().lifecycle {
            if self.state().is_none() {
                self.set(l.property, Datum::Text(current.unwrap_or(l.initial).to_string()));
            }
        }
    }
}

// ---- shared checks ----

/// A feature code: what a URL path segment and a file can carry safely.
pub fn check_code(s: &str) -> Result<String, String> {
    if s.chars().count() <= 64 && !s.contains('/') && !s.chars().any(char::is_control) {
        Ok(s.to_string())
    } else {
        Err("must be at most 64 characters with no '/' or control characters".to_string())
    }
}

pub fn check_county_code(s: &str) -> Result<String, String> {
    if s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit()) {
        Ok(s.to_string())
    } else {
        Err(format!("must be a 6-digit administrative division code (行政区划代码), not '{s}'"))
    }
}

pub(crate) const fn label(zh: &'static str, en: &'static str) -> Label {
    Label { zh, en }
}

pub(crate) const fn prop(name: &'static str, kind: Kind, label: Label, input: Input, tile: Tile) -> Property {
    Property { name, kind, label, input, values: &[], check: None, tile }
}

pub(crate) const AREA_M2: &str = "round(v.area_m2::numeric, 2)";
pub(crate) const AREA_MU: &str = "round((v.area_m2 * 15 / 10000)::numeric, 3)";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_the_catalogue() {
        for c in Collection::all() {
            assert_eq!(c.as_str().parse::<Collection>().unwrap(), c);
        }
        assert!("nope".parse::<Collection>().is_err());
        assert_eq!(Collection::ConstructionParcels.read_only(), vec!["rcr_listed", "area_m2", "area_mu"]);
    }

    #[test]
    fn a_description_must_name_a_stored_text_id_and_valid_from() {
        static BAD: Description = Description {
            name: "bad_ids",
            table: "bad_id_versions",
            id_property: "area",
            label: label("坏", "bad"),
            geometry: GeometryKind::Polygon,
            lifecycle: None,
            properties: &[prop("area", Kind::Number, label("面积", "area"), Input::Computed("1"), Tile::No)],
            validate: no_cross_checks,
            tile_z12: false,
            feature_json: false,
        };
        assert!(register(&BAD).unwrap_err().contains("id property"));
        assert!(register(&FARMLAND_UNITS).unwrap_err().contains("registered already"));
        assert!("bad_ids".parse::<Collection>().is_err());
    }
}
