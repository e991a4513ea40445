//! A collection described once. A [`Description`] says what a register holds: its id property, its
//! properties with their kinds, allowed values and labels, which are required, defaulted or computed, which
//! go into the map's tiles, the kind of geometry and whether features move through a lifecycle. The store,
//! the OGC items, queryables, CQL2, tiles, import, export and the OpenAPI document are all made from it, so
//! a new register is a description here (or registered at start) plus a migration that creates its table.
//!
//! [`Collection`] is a cheap handle to a description. The catalogue is the built-in descriptions plus any
//! registered with [`register`] before the service starts answering (a test registers a throwaway one).

use super::farmland::FarmlandClass;
use super::landuse::{farmland_type_name, CodeSystem, LandUse};
use super::lifecycle::ParcelState;
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
}

/// The geometry a collection's features have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeometryKind {
    /// Polygon or MultiPolygon in a request, stored as MultiPolygon, with an area.
    Polygon,
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

    /// The SQL expression that reads this property from a version row `v`.
    pub fn sql(&self) -> String {
        match self.input {
            Input::Computed(sql) => sql.to_string(),
            _ => format!("v.{}", self.name),
        }
    }
}

/// A lifecycle: the property that holds the state, where a new feature starts, and the property a step may
/// record along with the new state.
#[derive(Debug)]
pub struct Lifecycle {
    pub property: &'static str,
    pub initial: &'static str,
    pub step_property: Option<&'static str>,
}

/// Checks across properties after each has been read on its own; returns (property, problem) pairs and may
/// normalise values.
pub type Validate = fn(&mut Record) -> Vec<(&'static str, String)>;

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

fn no_cross_checks(_: &mut Record) -> Vec<(&'static str, String)> {
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
        match self.0 {
            "farmland_units" => &FARMLAND_UNITS,
            "construction_parcels" => &CONSTRUCTION_PARCELS,
            name => registered()
                .iter()
                .find(|d| d.name == name)
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

    /// Properties the server computes; accepted in a request body (so a read can be written back) but ignored.
    pub fn read_only(self) -> Vec<&'static str> {
        self.description().properties.iter().filter(|p| !p.is_stored()).map(|p| p.name).collect()
    }

    /// Every collection of the catalogue: the built-in ones, then those registered, in order.
    pub fn all() -> Vec<Collection> {
        let mut all = vec![Collection::FarmlandUnits, Collection::ConstructionParcels];
        all.extend(registered().iter().map(|d| Collection(d.name)));
        all
    }
}

static REGISTERED: RwLock<Vec<&'static Description>> = RwLock::new(Vec::new());

fn registered() -> std::sync::RwLockReadGuard<'static, Vec<&'static Description>> {
    REGISTERED.read().unwrap_or_else(|e| e.into_inner())
}

/// Adds a collection to the catalogue. Its table must exist (a migration) before it is served.
pub fn register(d: &'static Description) -> Result<Collection, String> {
    let mut list = REGISTERED.write().unwrap_or_else(|e| e.into_inner());
    if Collection::FarmlandUnits.as_str() == d.name
        || Collection::ConstructionParcels.as_str() == d.name
        || list.iter().any(|x| x.name == d.name)
    {
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

const fn label(zh: &'static str, en: &'static str) -> Label {
    Label { zh, en }
}

const fn prop(name: &'static str, kind: Kind, label: Label, input: Input, tile: Tile) -> Property {
    Property { name, kind, label, input, values: &[], check: None, tile }
}

const AREA_M2: &str = "round(v.area_m2::numeric, 2)";
const AREA_MU: &str = "round((v.area_m2 * 15 / 10000)::numeric, 3)";

// ---- farmland classification units ----

fn check_class(s: &str) -> Result<String, String> {
    FarmlandClass::from_str(s).map(|c| c.as_str().to_string()).map_err(|e| e.to_string())
}

fn check_land_type(s: &str) -> Result<String, String> {
    farmland_type_name(s).map(|_| s.to_string()).ok_or_else(|| {
        format!("unknown farmland type '{s}' (third land survey codes: 0101 水田, 0102 水浇地, 0103 旱地)")
    })
}

const CLASSES: &[(&str, &str)] =
    &[("priority_protection", "优先保护类"), ("safe_use", "安全利用类"), ("strict_control", "严格管控类")];

pub static FARMLAND_UNITS: Description = Description {
    name: "farmland_units",
    table: "farmland_unit_versions",
    id_property: "unit_code",
    label: label("耕地土壤环境质量类别单元", "Farmland classification units"),
    geometry: GeometryKind::Polygon,
    lifecycle: None,
    properties: &[
        Property {
            check: Some(check_code),
            ..prop("unit_code", Kind::Text, label("类别单元编码", "unit code"), Input::Required, Tile::Always)
        },
        Property {
            check: Some(check_county_code),
            ..prop("county_code", Kind::Text, label("县级行政区划代码", "county code"), Input::Required, Tile::Full)
        },
        Property {
            values: CLASSES,
            check: Some(check_class),
            ..prop("class", Kind::Text, label("土壤环境质量类别", "class"), Input::Required, Tile::Always)
        },
        Property {
            values: &[("0101", "水田"), ("0102", "水浇地"), ("0103", "旱地")],
            check: Some(check_land_type),
            ..prop("land_type", Kind::Text, label("三调地类", "land type"), Input::Required, Tile::Full)
        },
        prop(
            "measures_in_place",
            Kind::Bool,
            label("措施落实", "measures in place"),
            Input::Defaulted(DefaultValue::False),
            Tile::Full,
        ),
        prop("crops_compliant", Kind::Bool, label("农产品达标", "crops compliant"), Input::Optional, Tile::Full),
        prop(
            "valid_from",
            Kind::Date,
            label("生效日期", "valid from"),
            Input::Defaulted(DefaultValue::Today),
            Tile::No,
        ),
        prop("basis_doc", Kind::Text, label("依据文件", "basis document"), Input::Optional, Tile::No),
        prop("area_m2", Kind::Number, label("面积（平方米）", "area m²"), Input::Computed(AREA_M2), Tile::Full),
        prop("area_mu", Kind::Number, label("面积（亩）", "area mu"), Input::Computed(AREA_MU), Tile::No),
    ],
    validate: no_cross_checks,
};

// ---- construction-land parcels ----

fn check_state(s: &str) -> Result<String, String> {
    ParcelState::from_str(s).map(|st| st.as_str().to_string()).map_err(|e| e.to_string())
}

fn check_code_system(s: &str) -> Result<String, String> {
    CodeSystem::from_str(s).map(|c| c.as_str().to_string()).map_err(|e| e.to_string())
}

/// A current use is a code of the parcel's own code system.
fn parcel_cross_checks(r: &mut Record) -> Vec<(&'static str, String)> {
    let system = r.text("use_code_system").and_then(|s| s.parse().ok()).unwrap_or_default();
    if r.get("use_code_system") == Some(&Datum::Null) {
        r.set("use_code_system", Datum::Text(CodeSystem::default().as_str().to_string()));
    }
    let Some(current) = r.text("current_use").map(str::to_string) else { return Vec::new() };
    match LandUse::parse(system, &current) {
        Ok(u) => {
            r.set("current_use", Datum::Text(u.code.to_string()));
            Vec::new()
        }
        Err(e) => vec![("current_use", e.to_string())],
    }
}

const STATES: &[(&str, &str)] = &[
    ("suspected", "疑似污染地块"),
    ("surveying", "土壤污染状况调查中"),
    ("cleared", "调查/评估无风险"),
    ("risk_assessment", "风险评估中"),
    ("listed", "列入风险管控和修复名录"),
    ("under_control", "风险管控中"),
    ("under_remediation", "修复中"),
    ("effect_evaluation", "效果评估中"),
    ("delisted", "移出名录"),
    ("post_management", "后期管理"),
];

pub static CONSTRUCTION_PARCELS: Description = Description {
    name: "construction_parcels",
    table: "construction_parcel_versions",
    id_property: "parcel_code",
    label: label("建设用地地块", "Construction-land parcels"),
    geometry: GeometryKind::Polygon,
    lifecycle: Some(Lifecycle { property: "state", initial: "suspected", step_property: Some("remediated_for_class") }),
    properties: &[
        Property {
            check: Some(check_code),
            ..prop("parcel_code", Kind::Text, label("地块编码", "parcel code"), Input::Required, Tile::Always)
        },
        Property {
            check: Some(check_county_code),
            ..prop("county_code", Kind::Text, label("县级行政区划代码", "county code"), Input::Required, Tile::Full)
        },
        prop("name", Kind::Text, label("地块名称", "name"), Input::Required, Tile::Full),
        Property {
            values: STATES,
            check: Some(check_state),
            ..prop("state", Kind::Text, label("所处阶段", "lifecycle state"), Input::Lifecycle, Tile::Always)
        },
        prop(
            "rcr_listed",
            Kind::Bool,
            label("列入风险管控和修复名录", "on the RCR list"),
            Input::Computed("v.rcr_listed"),
            Tile::Always,
        ),
        prop(
            "priority_supervision",
            Kind::Bool,
            label("优先监管地块", "priority supervision"),
            Input::Defaulted(DefaultValue::False),
            Tile::Always,
        ),
        prop(
            "key_unit_land",
            Kind::Bool,
            label("重点监管单位用地", "key supervised unit land"),
            Input::Defaulted(DefaultValue::False),
            Tile::Always,
        ),
        prop("current_use", Kind::Text, label("现状用途", "current use"), Input::Optional, Tile::Full),
        Property {
            values: &[
                ("ydyh2023", "用地用海分类（2023）"),
                ("gbt21010", "GB/T 21010-2017"),
                ("gb50137", "GB 50137-2011"),
            ],
            check: Some(check_code_system),
            ..prop("use_code_system", Kind::Text, label("用途分类体系", "code system"), Input::Optional, Tile::No)
        },
        Property {
            values: &[("1", "第一类用地"), ("2", "第二类用地")],
            ..prop(
                "remediated_for_class",
                Kind::Int,
                label("修复目标用地类别", "remediated for class"),
                Input::Optional,
                Tile::Full,
            )
        },
        prop("former_industry", Kind::Text, label("原行业", "former industry"), Input::Optional, Tile::No),
        prop(
            "valid_from",
            Kind::Date,
            label("生效日期", "valid from"),
            Input::Defaulted(DefaultValue::Today),
            Tile::No,
        ),
        prop("area_m2", Kind::Number, label("面积（平方米）", "area m²"), Input::Computed(AREA_M2), Tile::No),
        prop("area_mu", Kind::Number, label("面积（亩）", "area mu"), Input::Computed(AREA_MU), Tile::No),
    ],
    validate: parcel_cross_checks,
};

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
        };
        assert!(register(&BAD).unwrap_err().contains("id property"));
        assert!(register(&FARMLAND_UNITS).unwrap_err().contains("registered already"));
        assert!("bad_ids".parse::<Collection>().is_err());
    }
}
