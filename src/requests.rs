//! Request bodies as Rust types: a check, a soil sample to grade and a lifecycle step. HTTP reads them from
//! JSON with [`read`]; the CLI and the file readers build them directly, so all three go through the same
//! validation. Every body refuses members it does not know (`deny_unknown_fields`): a member sent in the
//! wrong place would otherwise be dropped silently and the answer given for a question not asked.
//!
//! Reading a body tells every problem in it at once, each at its JSON pointer, as a form does: serde stops
//! at the first, so the member at fault is taken out and the rest read again.

use crate::domain::collection::Description;
use crate::domain::crs::Crs;
use crate::domain::farmland::CropFinding;
use crate::domain::landuse::CodeSystem;
use crate::domain::registry::Problem;
use crate::domain::rules::{ProjectKind, SupplyKind};
use crate::domain::soil::{Pollutant, SoilUse};
use crate::store::features::TransitionRequest;
use chrono::NaiveDate;
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// Which body a problem was found in, to name it in both languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Check,
    SoilSample,
    Transition,
}

impl Request {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Request::Check => ("核查请求", "a check request"),
            Request::SoilSample => ("土壤样品", "a soil sample"),
            Request::Transition => ("生命周期步骤", "a lifecycle step"),
        }
    }

    /// Members people send by another name, with the one they meant.
    fn meant(self, member: &str) -> Option<&'static str> {
        let table: &[(&str, &str)] = match self {
            Request::Check => &[("proposed", "proposed_use"), ("current", "current_use"), ("date", "as_of")],
            Request::SoilSample => &[("pH", "ph"), ("land_use", "land"), ("values", "concentrations")],
            Request::Transition => &[
                ("state", "to"),
                ("to_state", "to"),
                ("valid_from", "date"),
                ("basis_doc", "document"),
                ("properties", "to"),
            ],
        };
        table.iter().find(|(k, _)| *k == member).map(|(_, v)| *v)
    }

    /// The problem for a member that is not one of the body's, saying where the body's members are.
    fn unknown_member(self, member: &str, members: &[&str]) -> Problem {
        let (zh, en) = self.names();
        let list = members.join(", ");
        let (hint_zh, hint_en) = match (self.meant(member), self) {
            (Some(m), Request::Transition) if member == "properties" => (
                format!("；地块属性通过 PATCH 修改，步骤本身写在 {m}、date、document 中"),
                format!("; a parcel's properties change by PATCH, the step itself is {m}, date and document"),
            ),
            (Some(m), _) => (format!("；是否应为 {m}？"), format!("; did you mean {m}?")),
            (None, _) => (String::new(), String::new()),
        };
        Problem::new(
            pointer(&[member]),
            format!(
                "{zh}中没有成员 {member}，其成员写在请求体顶层：{list}{hint_zh} — unknown member {member}: not a member of {en}, whose members are, at the top level of the body: {list}{hint_en}"
            ),
        )
    }
}

/// A JSON pointer (RFC 6901) from its reference tokens.
fn pointer(tokens: &[&str]) -> String {
    tokens.iter().map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1"))).collect()
}

/// What was read of a body: the request without the members that could not be read, when the body was an
/// object, and the problems found.
pub struct Read<T> {
    pub request: Option<T>,
    pub problems: Vec<Problem>,
}

/// Past this many problems a body is not worth reading on: its author has the gist.
const MAX_PROBLEMS: usize = 50;

/// Reads a request body, finding every problem serde can tell in one answer.
pub fn read<T: DeserializeOwned>(body: &Value, request: Request) -> Read<T> {
    let Some(obj) = body.as_object() else {
        let (zh, en) = request.names();
        return Read {
            request: None,
            problems: vec![Problem::new("", format!("{zh}须为 JSON 对象 — the body of {en} must be a JSON object"))],
        };
    };
    let members = members::<T>();
    let mut problems = Vec::new();
    // copied on the first problem only: a good body is read where it lies
    let mut rest: Option<Value> = None;
    while problems.len() < MAX_PROBLEMS {
        let error = match serde_path_to_error::deserialize::<_, T>(rest.as_ref().unwrap_or(body)) {
            Ok(t) => return Read { request: Some(t), problems },
            Err(e) => e,
        };
        let tokens: Vec<String> = error
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                _ => None,
            })
            .collect();
        let Some(first) = tokens.first() else {
            problems.push(Problem::new("", plain(error.inner().to_string())));
            break;
        };
        let left = rest.get_or_insert_with(|| Value::Object(obj.clone()));
        if !members.contains(&first.as_str()) {
            // every unknown member at once, rather than one a round
            let unknown: Vec<String> = left
                .as_object()
                .map(|m| m.keys().filter(|k| !members.contains(&k.as_str())).cloned().collect())
                .unwrap_or_default();
            if unknown.is_empty() {
                break;
            }
            for k in unknown {
                problems.push(request.unknown_member(&k, members));
                remove(left, &[k]);
            }
            continue;
        }
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        problems.push(Problem::new(pointer(&refs), plain(error.into_inner().to_string())));
        if !remove(left, &tokens) && !remove(left, &tokens[..1]) {
            break;
        }
    }
    Read { request: None, problems }
}

/// Takes out the value at `tokens`; false when there is none.
fn remove(v: &mut Value, tokens: &[String]) -> bool {
    let Some((last, parents)) = tokens.split_last() else { return false };
    let mut at = v;
    for t in parents {
        at = match at {
            Value::Object(m) => match m.get_mut(t) {
                Some(x) => x,
                None => return false,
            },
            Value::Array(a) => match t.parse::<usize>().ok().and_then(|i| a.get_mut(i)) {
                Some(x) => x,
                None => return false,
            },
            _ => return false,
        };
    }
    match at {
        Value::Object(m) => m.remove(last).is_some(),
        Value::Array(a) => match last.parse::<usize>() {
            Ok(i) if i < a.len() => {
                a.remove(i);
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// serde's wording turned to the project's: "must be a string, not integer `5`".
fn plain(message: String) -> String {
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((got, want)) = message.strip_prefix(prefix).and_then(|m| m.split_once(", expected ")) {
            return format!("must be {want}, not {got}");
        }
    }
    message
}

/// Adds problems found after reading, leaving out a member already refused (a member that could not be
/// read is also missing to what comes after).
pub fn merge(problems: &mut Vec<Problem>, more: Vec<Problem>) {
    for p in more {
        if !problems.iter().any(|q| q.pointer == p.pointer) {
            problems.push(p);
        }
    }
}

/// The members a derived struct reads, as serde's derive lists them: the one list there is of them.
fn members<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Introspect<'a>(&'a mut &'static [&'static str]);
    impl<'de> Deserializer<'de> for Introspect<'_> {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, Self::Error> {
            *self.0 = fields;
            Err(de::Error::custom("members read"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
            unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
        }
    }
    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Introspect(&mut fields));
    fields
}

// ----------------------------------------------------------------- member types shared by the bodies

/// A text member: trimmed; null is absent, a blank is refused rather than read as absent (null or leaving
/// the member out says that, and a blank where a code was meant is more often a mistake than a choice).
fn text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(s) if s.trim().is_empty() => Err(de::Error::custom("must not be blank: leave it out or send null")),
        Some(s) => Ok(Some(s.trim().to_string())),
    }
}

/// A text member read with the domain's own parser, whose message names what it accepts.
fn parsed<'de, D: Deserializer<'de>, T, E: fmt::Display>(
    d: D,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, D::Error> {
    text(d)?.map(|s| parse(&s).map_err(de::Error::custom)).transpose()
}

fn from_str<'de, D: Deserializer<'de>, T: FromStr>(d: D) -> Result<Option<T>, D::Error>
where
    T::Err: fmt::Display,
{
    parsed(d, T::from_str)
}

fn crs<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Crs>, D::Error> {
    parsed(d, Crs::parse)
}

fn instant<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    parsed(d, crate::domain::time::parse_instant)
}

fn date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    parsed(d, |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| format!("must be a date YYYY-MM-DD, not '{s}'")))
}

fn number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Option::<f64>::deserialize(d).map_err(|_| de::Error::custom("must be a number"))
}

fn land_type<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SoilUse>, D::Error> {
    parsed(d, SoilUse::from_land_type)
}

// ----------------------------------------------------------------- a check

/// `POST /checks/{kind}` and `landguard check`: what is asked. Checked against the kind of check, the
/// geometry and today by `checks`; the query area is a geometry or a registered parcel.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// A GeoJSON Polygon or MultiPolygon in `crs`: its own checks are geometric (checks::query_geometry).
    #[serde(default)]
    pub geometry: Option<Value>,
    #[serde(default, deserialize_with = "text")]
    pub parcel_code: Option<String>,
    #[serde(default, deserialize_with = "crs")]
    pub crs: Option<Crs>,
    /// Land-use codes are read in `use_code_system`, so they are checked once it is known.
    #[serde(default, deserialize_with = "text")]
    pub current_use: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub proposed_use: Option<String>,
    #[serde(default, deserialize_with = "from_str")]
    pub use_code_system: Option<CodeSystem>,
    #[serde(default, deserialize_with = "from_str")]
    pub project_kind: Option<ProjectKind>,
    #[serde(default, deserialize_with = "from_str")]
    pub supply: Option<SupplyKind>,
    #[serde(default, deserialize_with = "instant")]
    pub as_of: Option<NaiveDate>,
}

// ----------------------------------------------------------------- a soil sample

/// `POST /soil-grade`, `landguard soil-grade` and a row of `landguard soil-grade --file`: a sample to
/// grade. Required members are options here so that a missing one is told with the others (checks::grade).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoilSample {
    #[serde(default, deserialize_with = "number")]
    pub ph: Option<f64>,
    #[serde(default, deserialize_with = "from_str")]
    pub land: Option<SoilUse>,
    /// A third-survey farmland type (0101, 0102, 0103) instead of `land`.
    #[serde(default, deserialize_with = "land_type")]
    pub land_type: Option<SoilUse>,
    #[serde(default)]
    pub concentrations: Option<Concentrations>,
    #[serde(default, deserialize_with = "from_str")]
    pub crops: Option<CropFinding>,
}

/// Pollutant → mg/kg, in the order given; a pollutant given twice (`Cd` and `cd`) is kept twice, for the
/// grading to refuse.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Concentrations(pub Vec<(Pollutant, f64)>);

impl<'de> Deserialize<'de> for Concentrations {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PollutantKey(Pollutant);
        impl<'de> Deserialize<'de> for PollutantKey {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                s.parse().map(PollutantKey).map_err(de::Error::custom)
            }
        }
        struct MgKg(f64);
        impl<'de> Deserialize<'de> for MgKg {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                f64::deserialize(d).map(MgKg).map_err(|_| de::Error::custom("must be a number of mg/kg"))
            }
        }
        struct Entries;
        impl<'de> Visitor<'de> for Entries {
            type Value = Concentrations;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of pollutant → mg/kg, such as {\"Cd\": 0.45, \"Pb\": 60}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Concentrations, A::Error> {
                let mut v = Vec::new();
                while let Some((PollutantKey(p), MgKg(x))) = map.next_entry()? {
                    v.push((p, x));
                }
                Ok(Concentrations(v))
            }
        }
        d.deserialize_map(Entries)
    }
}

// ----------------------------------------------------------------- a lifecycle step

/// `POST /collections/{id}/items/{featureId}/transitions`: the step a feature takes through its collection's
/// lifecycle (construction parcels, pollution sources).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    /// Checked against the collection's lifecycle states in [`TransitionBody::check`].
    #[serde(default, deserialize_with = "text")]
    pub to: Option<String>,
    /// Absent, the step is dated today.
    #[serde(default, deserialize_with = "date")]
    pub date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "text")]
    pub document: Option<String>,
    #[serde(default, deserialize_with = "text")]
    pub note: Option<String>,
    #[serde(default, deserialize_with = "remediated_class")]
    pub remediated_for_class: Option<i16>,
}

/// The GB 36600-2018 class of use (1 or 2) a remediation met.
fn remediated_class<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i16>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None => Ok(None),
        Some(Value::Number(n)) if n.as_i64().is_some_and(|n| n == 1 || n == 2) => Ok(n.as_i64().map(|n| n as i16)),
        Some(c) => Err(de::Error::custom(format!(
            "must be 1 or 2, the GB 36600-2018 class of use whose targets the remediation met, not {c} / 须为 1 或 2（修复达到的 GB 36600-2018 第一类或第二类用地目标）"
        ))),
    }
}

impl TransitionBody {
    /// Reads a step of a feature of collection `d` from JSON and checks it: every problem at once.
    pub fn from_json(body: &Value, today: NaiveDate, d: &Description) -> Result<TransitionRequest, Vec<Problem>> {
        let Read { request, mut problems } = read::<TransitionBody>(body, Request::Transition);
        match request.map(|b| b.check(today, d)) {
            Some(Ok(req)) if problems.is_empty() => Ok(req),
            Some(Err(more)) => {
                merge(&mut problems, more);
                Err(problems)
            }
            _ => Err(problems),
        }
    }

    /// The step as the store takes it, or what is wrong with it.
    pub fn check(self, today: NaiveDate, d: &Description) -> Result<TransitionRequest, Vec<Problem>> {
        let mut problems = Vec::new();
        let lifecycle = d.lifecycle.as_ref();
        // The state property's own check names the states and reads them as a write does (e.g. 修复中).
        let to = match (&self.to, lifecycle.and_then(|l| d.property(l.property))) {
            (None, _) => {
                problems.push(Problem::new("/to", "is required: the state to move to"));
                None
            }
            (Some(_), None) => {
                problems.push(Problem::new("/to", format!("{} has no lifecycle", d.name)));
                None
            }
            (Some(to), Some(p)) => match p.check.map_or_else(|| Ok(to.clone()), |check| check(to)) {
                Ok(to) => Some(to),
                Err(e) => {
                    problems.push(Problem::new("/to", e));
                    None
                }
            },
        };
        let date = self.date.unwrap_or(today);
        if date > today {
            problems
                .push(Problem::new("/date", format!("{date} is in the future; record a step once it has happened")));
        }
        if self.document.is_none() {
            problems.push(Problem::new(
                "/document",
                "is required: every step is backed by a report and its review (e.g. 桂环函〔2024〕12号)",
            ));
        }
        // The class a remediation met is known when the parcel leaves the list, from the effect-evaluation
        // report; recording it there keeps the checks from reading an unknown class as first-class land.
        let records_class = lifecycle.is_some_and(|l| l.step_property == Some("remediated_for_class"));
        if self.remediated_for_class.is_some() && (!records_class || to.as_deref().is_some_and(|t| t != "delisted")) {
            problems.push(Problem::new(
                "/remediated_for_class",
                "is recorded only on the step to delisted / 仅在移出名录（delisted）步骤中记录",
            ));
        }
        match (to, self.document) {
            (Some(to), Some(document)) if problems.is_empty() => Ok(TransitionRequest {
                to,
                date,
                document,
                note: self.note,
                remediated_for_class: self.remediated_for_class,
            }),
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::collection::{CONSTRUCTION_PARCELS, FARMLAND_UNITS, POLLUTION_SOURCES};
    use serde_json::json;

    fn pointers(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.pointer.as_str()).collect()
    }

    #[test]
    fn members_are_the_structs_own() {
        assert_eq!(members::<TransitionBody>(), ["to", "date", "document", "note", "remediated_for_class"]);
        assert_eq!(members::<SoilSample>(), ["ph", "land", "land_type", "concentrations", "crops"]);
        assert!(members::<CheckBody>().contains(&"use_code_system"));
    }

    /// Each body: what it reads, and every problem with its pointer and a word of its detail.
    #[test]
    fn check_bodies() {
        let ok = read::<CheckBody>(
            &json!({"parcel_code": " LZ-1 ", "proposed_use": "070101", "crs": "EPSG:4546", "as_of": "2024-01-01T20:00:00Z", "geometry": null}),
            Request::Check,
        );
        assert!(ok.problems.is_empty());
        let b = ok.request.unwrap();
        assert_eq!((b.parcel_code.as_deref(), b.crs, b.geometry), (Some("LZ-1"), Some(Crs::epsg(4546).unwrap()), None));
        assert_eq!(b.as_of, NaiveDate::from_ymd_opt(2024, 1, 2), "an instant is its day in China");

        let cases: &[(Value, &[(&str, &str)])] = &[
            // unknown members, each named, with where the members are; one the author meant is offered
            (json!({"proposed_use": "070101", "colour": 1}), &[("/colour", "unknown member colour")]),
            (
                json!({"proposed": "070101", "a/b": 1}),
                &[("/a~1b", "核查请求中没有成员 a/b"), ("/proposed", "did you mean proposed_use")],
            ),
            // wrong types: told in the project's words, the member taken out and the rest read on
            (
                json!({"proposed_use": 70101, "crs": ["EPSG:4546"], "as_of": "2024/01/01"}),
                &[
                    ("/as_of", "interval"),
                    ("/crs", "must be a string"),
                    ("/proposed_use", "must be a string, not integer `70101`"),
                ],
            ),
            (
                json!({"supply": "gift", "use_code_system": " "}),
                &[("/supply", "unknown"), ("/use_code_system", "must not be blank")],
            ),
            // wrong type and unknown member together: both
            (
                json!({"project_kind": true, "colour": 1}),
                &[("/colour", "unknown member"), ("/project_kind", "must be a string")],
            ),
        ];
        for (body, want) in cases {
            let r = read::<CheckBody>(body, Request::Check);
            let mut got: Vec<(&str, &str)> =
                r.problems.iter().map(|p| (p.pointer.as_str(), p.detail.as_str())).collect();
            got.sort();
            assert_eq!(got.len(), want.len(), "{body}: {got:?}");
            for ((gp, gd), (wp, wd)) in got.iter().zip(want.iter()) {
                assert_eq!(gp, wp, "{body}: {got:?}");
                assert!(gd.contains(wd), "{body}: '{wd}' not in '{gd}'");
            }
            assert!(r.request.is_some(), "what could be read is kept for the checks that follow: {body}");
        }
        // the unknown member's detail says it in both languages, with the members
        let r = read::<CheckBody>(&json!({"colour": 1}), Request::Check);
        let d = &r.problems[0].detail;
        assert!(
            d.contains("核查请求中没有成员 colour")
                && d.contains("not a member of a check request")
                && d.contains("geometry, parcel_code, crs"),
            "{d}"
        );
        // not an object: refused whole, positional arrays included (serde would read a struct from one)
        for body in [json!([{"type": "Polygon"}, "LZ-1"]), json!("x"), json!(null)] {
            let r = read::<CheckBody>(&body, Request::Check);
            assert_eq!((pointers(&r.problems), r.request.is_none()), (vec![""], true), "{body}");
        }
    }

    #[test]
    fn soil_samples() {
        let r = read::<SoilSample>(
            &json!({"ph": 6, "land_type": "0101", "concentrations": {"Cd": 0.45, "cd": 1}}),
            Request::SoilSample,
        );
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let s = r.request.unwrap();
        assert_eq!((s.ph, s.land, s.land_type), (Some(6.0), None, Some(SoilUse::Paddy)));
        assert_eq!(
            s.concentrations,
            Some(Concentrations(vec![(Pollutant::Cd, 0.45), (Pollutant::Cd, 1.0)])),
            "kept twice for the grading to refuse"
        );

        let r = read::<SoilSample>(
            &json!({"ph": "6", "land": "orchard", "concentrations": {"Fe": 1, "Cd": "x", "Pb": 60}, "crops": "bad", "depth": 20}),
            Request::SoilSample,
        );
        let mut got = pointers(&r.problems);
        got.sort();
        assert_eq!(got, ["/concentrations/Cd", "/concentrations/Fe", "/crops", "/depth", "/land", "/ph"]);
        assert!(r.problems.iter().any(|p| p.pointer == "/ph" && p.detail == "must be a number"));
        assert!(r.problems.iter().any(|p| p.pointer == "/concentrations/Cd" && p.detail.contains("mg/kg")));
        assert_eq!(r.request.unwrap().concentrations, Some(Concentrations(vec![(Pollutant::Pb, 60.0)])));
        let r = read::<SoilSample>(&json!({"concentrations": [0.4]}), Request::SoilSample);
        assert_eq!(pointers(&r.problems), ["/concentrations"]);
        assert!(r.problems[0].detail.starts_with("must be an object of pollutant"), "{}", r.problems[0].detail);
    }

    #[test]
    fn transition_bodies() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let step = TransitionBody::from_json(
            &json!({"to": "listed", "document": " 桂环函〔2024〕12号 ", "note": null}),
            today,
            &CONSTRUCTION_PARCELS,
        )
        .unwrap();
        assert_eq!(
            (step.to, step.date, step.document.as_str(), step.note),
            ("listed".to_string(), today, "桂环函〔2024〕12号", None)
        );
        let cases: &[(Value, &[&str])] = &[
            // missing members
            (json!({}), &["/to", "/document"]),
            (json!({"to": "listed"}), &["/document"]),
            // unknown members, the properties of a parcel among them
            (json!({"to": "listed", "document": "x", "state": "listed"}), &["/state"]),
            (json!({"to": "listed", "document": "x", "properties": {"name": "y"}}), &["/properties"]),
            // wrong types and values
            (json!({"to": 3, "document": "x"}), &["/to"]),
            (json!({"to": "sold", "date": "2024-13-01", "document": ["x"]}), &["/to", "/date", "/document"]),
            (json!({"to": "listed", "date": "2024-06-02", "document": "x"}), &["/date"]),
            (json!({"to": "delisted", "document": "x", "remediated_for_class": "1"}), &["/remediated_for_class"]),
            (json!({"to": "listed", "document": "x", "remediated_for_class": 1}), &["/remediated_for_class"]),
        ];
        for (body, want) in cases {
            let problems = TransitionBody::from_json(body, today, &CONSTRUCTION_PARCELS).expect_err(&body.to_string());
            let (mut got, mut want) = (pointers(&problems), want.to_vec());
            got.sort();
            want.sort();
            assert_eq!(got, want, "{body}: {problems:?}");
        }
        let problems = TransitionBody::from_json(
            &json!({"to": "listed", "document": "x", "properties": {}}),
            today,
            &CONSTRUCTION_PARCELS,
        )
        .unwrap_err();
        assert!(
            problems[0].detail.contains("PATCH") && problems[0].detail.contains("地块属性"),
            "{}",
            problems[0].detail
        );
        let problems = TransitionBody::from_json(
            &json!({"to": "listed", "document": "x", "state": "x"}),
            today,
            &CONSTRUCTION_PARCELS,
        )
        .unwrap_err();
        assert!(
            problems[0].detail.contains("did you mean to?")
                && problems[0].detail.contains("生命周期步骤中没有成员 state"),
            "{}",
            problems[0].detail
        );
    }

    /// `to` is a state of the collection's own lifecycle, read by its state property's check.
    #[test]
    fn transition_states_come_from_the_collection() {
        let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
        let to = |body: Value, d: &Description| TransitionBody::from_json(&body, today, d).map(|r| r.to);
        let cases: &[(Value, &Description, Result<&str, &str>)] = &[
            (json!({"to": "rectifying", "document": "x"}), &POLLUTION_SOURCES, Ok("rectifying")),
            (json!({"to": "已销号", "document": "x"}), &POLLUTION_SOURCES, Ok("closed_out")),
            (json!({"to": "修复中", "document": "x"}), &CONSTRUCTION_PARCELS, Ok("under_remediation")),
            (json!({"to": "listed", "document": "x"}), &POLLUTION_SOURCES, Ok("listed")),
            (json!({"to": "under_remediation", "document": "x"}), &POLLUTION_SOURCES, Err("/to")),
            (json!({"to": "rectifying", "document": "x"}), &CONSTRUCTION_PARCELS, Err("/to")),
            (
                json!({"to": "closed_out", "document": "x", "remediated_for_class": 1}),
                &POLLUTION_SOURCES,
                Err("/remediated_for_class"),
            ),
            (json!({"to": "listed", "document": "x"}), &FARMLAND_UNITS, Err("/to")),
        ];
        for (body, d, want) in cases {
            match (to(body.clone(), d), want) {
                (Ok(got), Ok(w)) => assert_eq!(got, *w, "{body}"),
                (Err(problems), Err(w)) => assert_eq!(pointers(&problems), [*w], "{body}"),
                (got, _) => panic!("{} {body}: {got:?}", d.name),
            }
        }
    }
}
