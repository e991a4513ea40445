//! The duties of the source-control registers as of a date: the registers and their records read from the
//! store, each duty computed by `domain::duties`, for `GET /duties`, its iCalendar feed and the indicators.

use crate::domain::duties::{
    county_report, county_report_year, key_unit_duties, level3_share, pond_duties, source_duties,
    surrounding_monitored, CityDuty, CountyReportYear, Duty, DutySettings, DutyStatus, COUNTY_DUTIES,
};
use crate::domain::indicators::Scope;
use crate::domain::sources::{DutyRecord, KeySupervisedUnit, PollutionSource, PondLevel, Register, TailingsPond};
use crate::store::{Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use tokio_util::task::AbortOnDropHandle;

/// One duty of one entity.
#[derive(Debug, Clone)]
pub struct EntityDuty {
    pub collection: &'static str,
    /// The entity's id, name and county, shared by its duties: one allocation per entity rather than three
    /// per duty (a city's answer has 26 699 duties of 10^4 entities).
    pub id: Arc<str>,
    /// The entity's name (the duty's own Chinese name is `name_zh`).
    pub name: Arc<str>,
    pub county_code: Arc<str>,
    /// The entity's members as `write_json` writes them (`{"collection":…,"county_code":"…"`), made once per
    /// entity: its strings are checked for what JSON escapes once, not once per duty.
    pub head: Arc<[u8]>,
    pub duty: Duty,
}

/// The members of the entity, then those of its duty, in one object: what `#[serde(flatten)]` gives, written
/// as a struct rather than through serde's map of a flattened struct, which was slower for the tens of
/// thousands of duties of a city.
impl Serialize for EntityDuty {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let d = &self.duty;
        let n = 11 + d.count.is_some() as usize + !d.unknown.is_empty() as usize;
        let mut o = s.serialize_struct("EntityDuty", n)?;
        o.serialize_field("collection", self.collection)?;
        o.serialize_field("id", &*self.id)?;
        o.serialize_field("name", &*self.name)?;
        o.serialize_field("county_code", &*self.county_code)?;
        o.serialize_field("duty", d.duty)?;
        o.serialize_field("name_zh", d.name_zh)?;
        o.serialize_field("period", &d.period)?;
        o.serialize_field("due_by", &d.due_by)?;
        o.serialize_field("status", &d.status)?;
        o.serialize_field("last_done", &d.last_done)?;
        o.serialize_field("basis", &d.basis)?;
        match d.count {
            Some(c) => o.serialize_field("count", &c)?,
            None => o.skip_field("count")?,
        }
        if d.unknown.is_empty() {
            o.skip_field("unknown")?;
        } else {
            o.serialize_field("unknown", &d.unknown)?;
        }
        o.end()
    }
}

impl EntityDuty {
    /// Appends the same JSON as its `Serialize` (a test holds them equal), written by hand: serde_json
    /// escapes a string byte by byte and formats a date through `fmt`, which for the 11 MB answer of a city
    /// took a third of the request. The entity's members are copied from `head`; the strings of the duty
    /// rules' tables (a duty's id, its Chinese name, a borrowed basis, the names of unknown facts) are copied
    /// as they are (a test holds that none needs an escape); the period and a basis with a plan document
    /// added go through `json_str`.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let d = &self.duty;
        out.extend_from_slice(&self.head);
        out.extend_from_slice(b",\"duty\":");
        json_static(out, d.duty);
        out.extend_from_slice(b",\"name_zh\":");
        json_static(out, d.name_zh);
        out.extend_from_slice(b",\"period\":");
        json_str(out, &d.period);
        out.extend_from_slice(b",\"due_by\":");
        json_date(out, d.due_by);
        out.extend_from_slice(b",\"status\":");
        json_static(out, d.status.as_str());
        out.extend_from_slice(b",\"last_done\":");
        json_date(out, d.last_done);
        out.extend_from_slice(b",\"basis\":");
        match &d.basis {
            Cow::Borrowed(b) => json_static(out, b),
            Cow::Owned(b) => json_str(out, b),
        }
        if let Some((done, required)) = d.count {
            out.extend_from_slice(b",\"count\":[");
            json_u32(out, done);
            out.push(b',');
            json_u32(out, required);
            out.push(b']');
        }
        for (i, u) in d.unknown.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b",\"unknown\":[" } else { b"," });
            json_static(out, u);
        }
        if !d.unknown.is_empty() {
            out.push(b']');
        }
        out.push(b'}');
    }
}

/// The start of an entity's duty objects, `{"collection":"…","id":"…","name":"…","county_code":"…"`.
fn entity_head(collection: &'static str, id: &str, name: &str, county_code: &str) -> Arc<[u8]> {
    let mut out = Vec::with_capacity(64 + id.len() + name.len() + county_code.len());
    for (i, (member, value)) in
        [("collection", collection), ("id", id), ("name", name), ("county_code", county_code)].into_iter().enumerate()
    {
        out.extend_from_slice(if i == 0 { b"{\"" } else { b",\"" });
        out.extend_from_slice(member.as_bytes());
        out.extend_from_slice(b"\":");
        json_str(&mut out, value);
    }
    out.into()
}

/// A string of the program's own tables, which holds nothing JSON escapes (tests hold the tables so).
fn json_static(out: &mut Vec<u8>, s: &'static str) {
    debug_assert!(plain(s), "{s:?} needs an escape");
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

fn json_u32(out: &mut Vec<u8>, mut v: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Whether a string holds nothing JSON escapes (a quote, a backslash, a control character).
fn plain(s: &str) -> bool {
    // A fold without an early exit, which the compiler vectorises: `all` stops at the first hit and went a
    // byte at a time (79 M instructions a request of a city under callgrind).
    !s.bytes().fold(false, |hit, b| hit | (b < 0x20) | (b == b'"') | (b == b'\\'))
}

/// A JSON string: copied whole unless it holds what JSON escapes (a quote, a backslash, a control
/// character), which serde_json then writes.
fn json_str(out: &mut Vec<u8>, s: &str) {
    if plain(s) {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, s).is_err() {
        // writing to a Vec does not fail
        out.extend_from_slice(b"null");
    }
}

/// A date as serde writes it (`"2025-03-31"`, or null); years outside 0–9999 through chrono.
fn json_date(out: &mut Vec<u8>, d: Option<NaiveDate>) {
    match d {
        None => out.extend_from_slice(b"null"),
        Some(d) if (0..=9999).contains(&d.year()) => {
            let (y, m, day) = (d.year() as u32, d.month(), d.day());
            let digits = [y / 1000, y / 100 % 10, y / 10 % 10, y % 10, 10, m / 10, m % 10, 10, day / 10, day % 10];
            out.push(b'"');
            out.extend(digits.iter().map(|&v| if v == 10 { b'-' } else { b'0' + v as u8 }));
            out.push(b'"');
        }
        Some(d) => {
            if serde_json::to_writer(&mut *out, &d).is_err() {
                out.extend_from_slice(b"null");
            }
        }
    }
}

/// A city-level duty, with the counts of each of the city's counties in the scope.
#[derive(Debug, Clone, Serialize)]
pub struct CityLevelDuty {
    #[serde(flatten)]
    pub duty: CityDuty,
    pub counties: Vec<CountyCount>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CountyCount {
    pub county_code: String,
    pub inspected: u32,
    pub total: u32,
}

/// A duty of a county (its report to the city bureau).
#[derive(Debug, Clone, Serialize)]
pub struct CountyLevelDuty {
    pub county_code: String,
    /// The county's name (the duty's own Chinese name is `name_zh`).
    pub name: String,
    #[serde(flatten)]
    pub duty: Duty,
}

/// A level-1 or level-2 pond's as-of year: county, level, inspections done (up to those required),
/// required, and whether every duty of the year is done.
pub type PondYear = (String, u8, u32, u32, bool);

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub duties: Vec<EntityDuty>,
    pub city_duties: Vec<CityLevelDuty>,
    /// The duties of the counties in the scope (none when only some registers are asked for), by county.
    pub county_duties: Vec<CountyLevelDuty>,
    /// Each level-1 and level-2 pond's inspections of the as-of year against those required (county,
    /// level, done, required, whether every duty of the year is done), for the indicators: the duty itself
    /// may speak of a missed year before.
    pub pond_year: Vec<PondYear>,
    /// Key units (county, enterprise code) whose surroundings the bureau monitored in the as-of year.
    pub surrounding_monitored: BTreeSet<(String, String)>,
    /// Each county's reports of the as-of year by the rule of its county duty, with that duty's status as of
    /// the date (the one in `county_duties`), for the indicators.
    pub county_year: Vec<(String, DutyStatus, CountyReportYear)>,
}

fn status_rank(s: DutyStatus) -> u8 {
    match s {
        DutyStatus::Overdue => 0,
        DutyStatus::Due => 1,
        DutyStatus::NotYet => 2,
        DutyStatus::Done => 3,
    }
}

/// Every duty of the registers in `registers` within `scope` as of `as_of`: overdue first, then due, each by
/// its deadline. The level-3 share is a duty of a whole city: it counts every level-3 pond of the city, also
/// when the scope is one county.
pub async fn report(
    store: &Store,
    s: &DutySettings,
    scope: &Scope,
    as_of: NaiveDate,
    registers: &[Register],
) -> Result<Report> {
    // Each register is read and its duties computed and sorted as a task of its own: for a city of 10^4
    // entities the computing is most of the answer's time, so one register's duties are computed on one core
    // while another's statement still runs, or beside another's on the other core; the three sorted lists
    // are then merged. The tasks are aborted if the answer is dropped (the client went away), rather than
    // computing a city's duties for nobody. Ponds are read for the whole
    // city (the level-3 share); the other registers for the scope only.
    let prefix = scope.code_prefix().to_string();
    let city_prefix: String = prefix.chars().take(4).collect();
    let wanted = |r: Register| registers.contains(&r);
    let units = AbortOnDropHandle::new(tokio::spawn({
        let (store, s, prefix, read) = (store.clone(), *s, prefix.clone(), wanted(Register::KeySupervisedUnits));
        async move {
            let units = if read { store.duty_key_units(&prefix, as_of).await? } else { Vec::new() };
            let (mut duties, monitored) = key_unit_part(&units, as_of, &s);
            sort_duties(&mut duties);
            Ok::<_, StoreError>((duties, monitored))
        }
    }));
    let ponds = AbortOnDropHandle::new(tokio::spawn({
        let (store, s, scope, read) = (store.clone(), *s, scope.clone(), wanted(Register::TailingsPonds));
        async move {
            let ponds = if read { store.duty_ponds(&city_prefix, as_of).await? } else { Vec::new() };
            let (mut duties, years) = pond_part(&ponds, &scope, as_of, &s);
            sort_duties(&mut duties);
            Ok::<_, StoreError>((duties, years, ponds))
        }
    }));
    let sources = AbortOnDropHandle::new(tokio::spawn({
        let (store, s, prefix, read) = (store.clone(), *s, prefix.clone(), wanted(Register::PollutionSources));
        async move {
            let sources = if read { store.duty_sources(&prefix, as_of).await? } else { Vec::new() };
            let mut duties = source_part(&sources, as_of, &s);
            sort_duties(&mut duties);
            Ok::<_, StoreError>(duties)
        }
    }));
    let (units, ponds, sources) = tokio::join!(units, ponds, sources);
    let mut out = Report::default();
    let (units, monitored) = joined(units)?;
    let (ponds_duties, pond_year, ponds) = joined(ponds)?;
    let sources = joined(sources)?;
    out.surrounding_monitored = monitored;
    out.pond_year = pond_year;
    // in the registers' id order, which ties of status and deadline follow
    out.duties = merge([units, sources, ponds_duties]);
    out.city_duties = city_duties(&ponds, scope, as_of, s);
    // County duties belong to no register: they come with the whole list, and only where a plan of the
    // scope's city asks for one (no query for a Liuzhou scope).
    let prefix = scope.code_prefix();
    let bound = COUNTY_DUTIES.iter().any(|r| r.city_code.starts_with(prefix) || prefix.starts_with(r.city_code));
    if bound && Register::ALL.iter().all(|r| registers.contains(r)) {
        for c in store.county_reports(prefix, as_of).await? {
            if let Some(duty) = county_report(&c.county_code, &c.reports, as_of, s) {
                if let Some(year) = county_report_year(&c.county_code, &c.reports, as_of, s) {
                    out.county_year.push((c.county_code.clone(), duty.status, year));
                }
                out.county_duties.push(CountyLevelDuty { county_code: c.county_code, name: c.name, duty });
            }
        }
    }
    Ok(out)
}

/// The duties of the key units, and those whose surroundings the bureau monitored in the as-of year.
fn key_unit_part(
    units: &[(KeySupervisedUnit, Vec<DutyRecord>)],
    as_of: NaiveDate,
    s: &DutySettings,
) -> (Vec<EntityDuty>, BTreeSet<(String, String)>) {
    let (mut duties, mut monitored) = (Vec::new(), BTreeSet::new());
    for (unit, recs) in units {
        if surrounding_monitored(recs, as_of.year(), as_of) {
            monitored.insert((unit.county_code.clone(), unit.enterprise_code.to_string()));
        }
        let entity =
            Shared::new(Register::KeySupervisedUnits, unit.enterprise_code.as_str(), &unit.name, &unit.county_code);
        for duty in key_unit_duties(unit, recs, as_of, s) {
            duties.push(entity.duty(duty));
        }
    }
    (duties, monitored)
}

/// The duties of the ponds in the scope (the city's ponds are read for the level-3 share), and each level-1
/// and level-2 pond's year for the indicators (`Report::pond_year`).
fn pond_part(
    ponds: &[(TailingsPond, Vec<DutyRecord>)],
    scope: &Scope,
    as_of: NaiveDate,
    s: &DutySettings,
) -> (Vec<EntityDuty>, Vec<PondYear>) {
    let (mut duties, mut years) = (Vec::new(), Vec::new());
    for (pond, recs) in ponds.iter().filter(|(p, _)| scope.contains(&p.county_code)) {
        // The as-of year alone, as if supervision began on 1 January: the same rule, this year's count.
        let jan1 = NaiveDate::from_ymd_opt(as_of.year(), 1, 1);
        let year = pond_duties(pond, jan1, recs, as_of, s);
        if let Some((c, n)) = year.iter().find(|d| d.duty.ends_with("_inspections")).and_then(|d| d.count) {
            // Level 1 also needs its pre-flood inspection: the pond meets its year when all its duties do.
            let met = year.iter().all(|d| d.status == DutyStatus::Done);
            years.push((pond.county_code.clone(), pond.level.number(), c.min(n), n, met));
        }
        let entity = Shared::new(Register::TailingsPonds, &pond.pond_code, &pond.name, &pond.county_code);
        for duty in pond_duties(pond, None, recs, as_of, s) {
            duties.push(entity.duty(duty));
        }
    }
    (duties, years)
}

fn source_part(sources: &[(PollutionSource, Vec<DutyRecord>)], as_of: NaiveDate, s: &DutySettings) -> Vec<EntityDuty> {
    let mut duties = Vec::new();
    for (source, recs) in sources {
        let entity = Shared::new(Register::PollutionSources, &source.source_code, &source.name, &source.county_code);
        for duty in source_duties(source, recs, as_of, s) {
            duties.push(entity.duty(duty));
        }
    }
    duties
}

/// A task's result; its panic goes on in the caller, as it would have without the task. A task is only
/// cancelled when the runtime shuts down.
fn joined<T>(r: std::result::Result<Result<T>, tokio::task::JoinError>) -> Result<T> {
    match r {
        Ok(r) => r,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(StoreError::Unavailable("the service is shutting down".into())),
    }
}

/// An entity's members, shared by its duties.
struct Shared {
    collection: &'static str,
    id: Arc<str>,
    name: Arc<str>,
    county_code: Arc<str>,
    head: Arc<[u8]>,
}

impl Shared {
    fn new(register: Register, id: &str, name: &str, county_code: &str) -> Shared {
        let collection = register.as_str();
        Shared {
            collection,
            id: Arc::from(id),
            name: Arc::from(name),
            county_code: Arc::from(county_code),
            head: entity_head(collection, id, name, county_code),
        }
    }

    fn duty(&self, duty: Duty) -> EntityDuty {
        EntityDuty {
            collection: self.collection,
            id: self.id.clone(),
            name: self.name.clone(),
            county_code: self.county_code.clone(),
            head: self.head.clone(),
            duty,
        }
    }
}

/// The duties of the three registers, each sorted by `sort_duties` and given in the order of the registers'
/// ids (`Register::ALL` is), in the order `sort_duties` would give them all at once: a merge of sorted lists,
/// so that the sorting is done in each register's task.
fn merge(runs: [Vec<EntityDuty>; 3]) -> Vec<EntityDuty> {
    let mut out = Vec::with_capacity(runs.iter().map(Vec::len).sum());
    let mut runs = runs.map(|r| r.into_iter().peekable());
    loop {
        let heads = runs.each_mut().map(|r| r.peek().map(urgency));
        // the first of equal heads: the registers in their ids' order
        let mut best: Option<usize> = None;
        for (i, h) in heads.iter().enumerate() {
            if h.is_some() && best.is_none_or(|b| *h < heads[b]) {
                best = Some(i);
            }
        }
        match best.and_then(|b| runs[b].next()) {
            Some(d) => out.push(d),
            None => return out,
        }
    }
}

/// A duty's place by status (overdue first) and then deadline (none last), as one integer: the first part of
/// the order of `sort_duties` and `merge`.
fn urgency(d: &EntityDuty) -> u64 {
    let due = match d.duty.due_by {
        // after every date
        None => u32::MAX as u64,
        Some(due) => (due.num_days_from_ce() as i64 - i32::MIN as i64) as u64,
    };
    (status_rank(d.duty.status) as u64) << 33 | due
}

/// Overdue first, then due, each by its deadline (none last), then by register and id, an entity's duties
/// in their order. Each duty's place is one pair of integers, compared without touching a string: the
/// entities (a tenth of the duties) are sorted by register and id first and their places stand for the
/// id. Sorting tuples with the id as `&str` took 41 M instructions of a city's answer under callgrind. The
/// index makes every key distinct, so the unstable sort gives what a stable one would.
fn sort_duties(duties: &mut Vec<EntityDuty>) {
    // an entity's duties are next to each other and share its id
    let mut entities: Vec<(&str, &str, usize)> = Vec::new();
    for (i, d) in duties.iter().enumerate() {
        if entities.last().is_none_or(|&(c, id, _)| c != d.collection || !std::ptr::eq(id, &*d.id)) {
            entities.push((d.collection, &*d.id, i));
        }
    }
    let mut by_id: Vec<usize> = (0..entities.len()).collect();
    by_id.sort_unstable_by(|&a, &b| (entities[a].0, entities[a].1).cmp(&(entities[b].0, entities[b].1)));
    // equal (register, id) pairs, which the registers' current versions do not have, get one place
    let mut place = vec![0u32; entities.len()];
    for (n, w) in by_id.iter().enumerate() {
        let same = n > 0 && (entities[by_id[n - 1]].0, entities[by_id[n - 1]].1) == (entities[*w].0, entities[*w].1);
        place[*w] = if same { place[by_id[n - 1]] } else { n as u32 };
    }
    let mut keys: Vec<(u64, u64)> = Vec::with_capacity(duties.len());
    let mut e = 0;
    for (i, d) in duties.iter().enumerate() {
        while e + 1 < entities.len() && entities[e + 1].2 <= i {
            e += 1;
        }
        keys.push((urgency(d), (place[e] as u64) << 32 | i as u64));
    }
    keys.sort_unstable();
    let mut slots: Vec<Option<EntityDuty>> = std::mem::take(duties).into_iter().map(Some).collect();
    duties.extend(keys.into_iter().filter_map(|(_, k)| slots[(k & u32::MAX as u64) as usize].take()));
}

/// The level-3 share of each city in the scope for the as-of year, and for the year before while that one
/// was missed and this year's is not done (as a missed period of an entity's duty stays overdue).
fn city_duties(
    ponds: &[(TailingsPond, Vec<DutyRecord>)],
    scope: &Scope,
    as_of: NaiveDate,
    s: &DutySettings,
) -> Vec<CityLevelDuty> {
    let all: Vec<(&TailingsPond, &[DutyRecord])> = ponds.iter().map(|(p, r)| (p, r.as_slice())).collect();
    let this = level3_share(&all, as_of.year(), as_of, s);
    let last = level3_share(&all, as_of.year() - 1, as_of, s);
    let mut out = Vec::new();
    for duty in this {
        let missed = last.iter().find(|d| {
            d.city_code == duty.city_code && d.status == DutyStatus::Overdue && duty.status != DutyStatus::Done
        });
        for d in missed.into_iter().cloned().chain([duty]) {
            let counties = per_county(&all, scope, d.period.parse().unwrap_or(as_of.year()), as_of, s);
            out.push(CityLevelDuty { duty: d, counties });
        }
    }
    out
}

/// Level-3 ponds inspected in `year` against all level-3 ponds, per county of the scope.
fn per_county(
    ponds: &[(&TailingsPond, &[DutyRecord])],
    scope: &Scope,
    year: i32,
    as_of: NaiveDate,
    s: &DutySettings,
) -> Vec<CountyCount> {
    let mut by_county: BTreeMap<&str, Vec<(&TailingsPond, &[DutyRecord])>> = BTreeMap::new();
    for (p, r) in ponds.iter().filter(|(p, _)| p.level == PondLevel::Level3 && scope.contains(&p.county_code)) {
        by_county.entry(p.county_code.as_str()).or_default().push((p, r));
    }
    by_county
        .into_iter()
        .filter_map(|(county, ponds)| {
            let share = level3_share(&ponds, year, as_of, s).into_iter().next()?;
            Some(CountyCount { county_code: county.to_string(), inspected: share.inspected, total: share.total })
        })
        .collect()
}

/// The source-control indicators of one county or city, from the duties of [`report`].
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceIndicators {
    /// Key units with duties as of the date (on the year's list, or stopped without their survey).
    pub key_units: u32,
    /// ...whose hidden-hazard check is current (`hazard_check` done).
    pub key_units_hazard_check_current: u32,
    /// ...whose self-monitoring of the year is done (every `self_monitoring_*` duty they have is done).
    pub key_units_self_monitoring_done: u32,
    /// ...whose surrounding soil and groundwater the bureau monitored in the as-of year (a
    /// `surrounding_monitoring` record dated in it).
    pub key_units_surrounding_monitored: u32,
    /// Pond inspections of the as-of year: counted (up to the number required) against required, by level.
    /// Level 3 is the city's share, so it appears only in a city's indicators.
    pub tailings_inspections: BTreeMap<String, InspectionCount>,
    /// Sources on the remediation list.
    pub remediation_sources: u32,
    pub remediation_rectified: u32,
    pub remediation_closed_out: u32,
    /// ...whose rectification deadline has passed without it.
    pub remediation_overdue: u32,
    /// The counties' quarterly reports to the city bureau, where the city's plan asks for them (Guilin).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub county_reports: Option<CountyReportIndicators>,
}

/// The counties' reports of the as-of year: counted from each county's duty (`county_duties` of `GET /duties`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CountyReportIndicators {
    /// Counties that owe the report, and those whose report is overdue as of the date.
    pub counties: u32,
    pub counties_overdue: u32,
    /// Quarters of the year that ended by the as-of date, summed over the counties, and those reported.
    pub required: u32,
    pub done: u32,
    /// Each county's quarters of the year without a report (`{"450302": ["2025-Q1"]}`).
    pub missed: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct InspectionCount {
    pub done: u32,
    pub required: u32,
    /// Ponds of the level, and those whose year is met: level 1 inspected the required times with the
    /// required ones before the flood season, level 2 the required times, level 3 inspected at all.
    pub ponds: u32,
    pub ponds_met: u32,
}

/// Per county and per city (the first four digits), as of `as_of`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceIndicatorsBy {
    pub counties: BTreeMap<String, SourceIndicators>,
    pub cities: BTreeMap<String, SourceIndicators>,
}

/// The indicators of issue 15 computed from the duties, never by a second method.
pub fn indicators(report: &Report, as_of: NaiveDate) -> SourceIndicatorsBy {
    let mut out = SourceIndicatorsBy::default();
    let mut units: BTreeMap<(&str, &str), Vec<&Duty>> = BTreeMap::new();
    for d in &report.duties {
        let county = &*d.county_code;
        if d.collection == Register::KeySupervisedUnits.as_str() {
            units.entry((county, &*d.id)).or_default().push(&d.duty);
            continue;
        }
        match d.duty.duty {
            "source_rectification" => {
                for ind in both(&mut out, county) {
                    ind.remediation_sources += 1;
                    ind.remediation_rectified += (d.duty.status == DutyStatus::Done) as u32;
                    ind.remediation_overdue += (d.duty.status == DutyStatus::Overdue) as u32;
                }
            }
            // a source has this duty once it is closed out
            "source_follow_up_check" => {
                for ind in both(&mut out, county) {
                    ind.remediation_closed_out += 1;
                }
            }
            _ => {}
        }
    }
    for (county, level, done, required, met) in &report.pond_year {
        for ind in both(&mut out, county) {
            let e = ind.tailings_inspections.entry(level.to_string()).or_default();
            e.done += done;
            e.required += required;
            e.ponds += 1;
            e.ponds_met += *met as u32;
        }
    }
    for ((county, id), duties) in units {
        let around = report.surrounding_monitored.contains(&(county.to_string(), id.to_string()));
        let hazard = duties.iter().any(|d| d.duty == "hazard_check" && d.status == DutyStatus::Done);
        let monitoring: Vec<_> = duties.iter().filter(|d| d.duty.starts_with("self_monitoring_")).collect();
        let monitored = !monitoring.is_empty() && monitoring.iter().all(|d| d.status == DutyStatus::Done);
        for ind in both(&mut out, county) {
            ind.key_units += 1;
            ind.key_units_hazard_check_current += hazard as u32;
            ind.key_units_self_monitoring_done += monitored as u32;
            ind.key_units_surrounding_monitored += around as u32;
        }
    }
    for (county, status, year) in &report.county_year {
        for ind in both(&mut out, county) {
            let c = ind.county_reports.get_or_insert_with(Default::default);
            c.counties += 1;
            c.counties_overdue += (*status == DutyStatus::Overdue) as u32;
            c.required += year.required;
            c.done += year.done;
            if !year.missed.is_empty() {
                c.missed.insert(county.clone(), year.missed.clone());
            }
        }
    }
    let year = as_of.year().to_string();
    for c in report.city_duties.iter().filter(|c| c.duty.period == year) {
        let ind = out.cities.entry(c.duty.city_code.clone()).or_default();
        let count = InspectionCount {
            done: c.duty.inspected.min(c.duty.required),
            required: c.duty.required,
            ponds: c.duty.total,
            ponds_met: c.duty.inspected,
        };
        ind.tailings_inspections.insert("3".into(), count);
    }
    out
}

/// The source-control indicators that `GET /indicators` and `GET /targets` give for `scope` as of `as_of`: a
/// county's city is computed whole (the level-3 share is the city's), then only the county is kept.
pub async fn scope_indicators(
    store: &Store,
    s: &DutySettings,
    scope: &Scope,
    as_of: NaiveDate,
) -> Result<SourceIndicatorsBy> {
    let whole = match scope {
        Scope::County(c) => Scope::City(c.chars().take(4).collect()),
        s => s.clone(),
    };
    let rep = report(store, s, &whole, as_of, Register::ALL).await?;
    let mut by = indicators(&rep, as_of);
    if let Scope::County(c) = scope {
        by.counties.retain(|k, _| k == c);
    }
    Ok(by)
}

/// The indicators of a county and of its city, to add the same count to both.
fn both<'a>(out: &'a mut SourceIndicatorsBy, county: &str) -> [&'a mut SourceIndicators; 2] {
    let city: String = county.chars().take(4).collect();
    let SourceIndicatorsBy { counties, cities } = out;
    [counties.entry(county.to_string()).or_default(), cities.entry(city).or_default()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn duty(
        name: &str,
        due_by: Option<NaiveDate>,
        count: Option<(u32, u32)>,
        unknown: Vec<&'static str>,
    ) -> EntityDuty {
        Shared::new(Register::KeySupervisedUnits, "91450222MA5KX00010", name, "450222").duty(Duty {
            duty: "hazard_check",
            name_zh: "土壤污染隐患排查",
            period: "2024–2025".into(),
            due_by,
            status: DutyStatus::Overdue,
            last_done: NaiveDate::from_ymd_opt(2023, 1, 9),
            basis: Cow::Borrowed("《中华人民共和国土壤污染防治法》第二十一条"),
            count,
            unknown,
        })
    }

    /// `write_json` copies these as they are.
    #[test]
    fn the_tables_strings_need_no_escape() {
        use crate::domain::duties::DUTIES;
        let mut strings: Vec<&str> = Vec::new();
        for r in DUTIES {
            strings.extend([r.id, r.name_zh, r.basis]);
        }
        for r in COUNTY_DUTIES {
            strings.extend([r.id, r.name_zh, r.basis]);
        }
        strings.extend(Register::ALL.iter().map(|r| r.as_str()));
        strings.extend(
            [DutyStatus::Overdue, DutyStatus::Due, DutyStatus::NotYet, DutyStatus::Done].iter().map(|s| s.as_str()),
        );
        strings.extend(["buried_facilities", "groundwater_sensitive", "listed_years", "deadline", "closed_out record"]);
        for s in strings {
            assert!(plain(s), "{s:?}");
        }
        assert!(!plain("a \"quote\"") && !plain("back\\slash") && !plain("tab\t"));
    }

    /// `report` merges the registers' duties in this order, the order of their ids.
    #[test]
    fn the_registers_ids_are_in_order() {
        let ids: Vec<&str> = Register::ALL.iter().map(|r| r.as_str()).collect();
        assert!(ids.is_sorted(), "{ids:?}");
        assert_eq!(Register::ALL[0], Register::KeySupervisedUnits);
        assert_eq!(Register::ALL[1], Register::PollutionSources);
    }

    /// Sorting each register's duties and merging them gives what sorting them all at once would.
    #[test]
    fn merged_registers_are_sorted_as_one() {
        let d = NaiveDate::from_ymd_opt;
        let at = |r: Register, id: &str, status: DutyStatus, due_by: Option<NaiveDate>| {
            let x = duty("n", due_by, None, vec![]);
            Shared::new(r, id, "n", "450222").duty(Duty { status, ..x.duty })
        };
        use DutyStatus::*;
        use Register::*;
        let all = vec![
            at(TailingsPonds, "P1", Overdue, d(2025, 1, 1)),
            at(TailingsPonds, "P0", Due, None),
            at(KeySupervisedUnits, "K2", Overdue, d(2025, 1, 1)),
            at(KeySupervisedUnits, "K1", Done, d(2024, 1, 1)),
            at(PollutionSources, "S1", Overdue, d(2024, 6, 1)),
            at(PollutionSources, "S0", Overdue, d(2025, 1, 1)),
            at(KeySupervisedUnits, "K0", Overdue, d(2025, 1, 1)),
            at(PollutionSources, "S2", Due, d(2026, 1, 1)),
        ];
        let mut whole = all.clone();
        sort_duties(&mut whole);
        let order = |v: &[EntityDuty]| v.iter().map(|d| d.id.to_string()).collect::<Vec<_>>();
        assert_eq!(order(&whole), ["S1", "K0", "K2", "S0", "P1", "S2", "P0", "K1"]);
        let runs = [KeySupervisedUnits, PollutionSources, TailingsPonds].map(|r| {
            let mut v: Vec<EntityDuty> = all.iter().filter(|d| d.collection == r.as_str()).cloned().collect();
            sort_duties(&mut v);
            v
        });
        let merged = merge(runs);
        assert_eq!(order(&merged), order(&whole));
    }

    #[test]
    fn hand_written_json_is_serdes() {
        let d = NaiveDate::from_ymd_opt;
        let cases = [
            duty("柳城县某磷化工有限公司", d(2025, 3, 31), None, vec![]),
            duty("a \"quoted\" name\\ with\ta tab\u{1}", None, Some((1, 2)), vec!["buried_facilities"]),
            duty("", d(10000, 1, 1), Some((0, 4)), vec!["buried_facilities", "groundwater_sensitive"]),
            duty("x", d(5, 12, 1), None, vec![]),
        ];
        for c in cases {
            let mut mine = Vec::new();
            c.write_json(&mut mine);
            let serde = serde_json::to_vec(&c).unwrap();
            assert_eq!(String::from_utf8(mine).unwrap(), String::from_utf8(serde).unwrap());
        }
    }
}
