//! Duty records (`POST/GET /collections/{id}/items/{fid}/records`) of the three source-control registers,
//! and the duties computed from them as of a date (`GET /duties`, `GET /duties.ics`).

use super::auth::Caller;
use super::error::{ApiError, ApiResult};
use super::features::{collection, json_body, path_segment};
use super::params::Params;
use super::{base_url, ical, AppState};
use crate::domain::duties::{county_rules, CountyDutyRule, DutyStatus, COUNTY_DUTIES};
use crate::domain::indicators::Scope;
use crate::domain::registry::Collection;
use crate::domain::sources::{RecordKind, Register, WrongRegister};
use crate::domain::time::{parse_instant, today};
use crate::duties::{report, Report};
use crate::store::duties::{register_of, NewRecord};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use axum::Router;
use chrono::NaiveDate;
use serde_json::{json, Value};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/collections/{collection}/items/{fid}/records", get(records).post(record))
        .route("/counties/{county_code}/records", get(county_records).post(record_county))
        .route("/duties", get(duties))
        .route("/duties.ics", get(duties_ics))
}

/// What is wrong with a record or a duties query; told in Chinese and English, mapped to HTTP once below.
#[derive(Debug, thiserror::Error)]
pub enum DutiesError {
    #[error("{0} 没有履责记录，只有 key_supervised_units、pollution_sources、tailings_ponds 有 — {0} has no duty records; only key_supervised_units, pollution_sources and tailings_ponds have")]
    NotARegister(Collection),
    #[error("记录类型不属于该登记簿 — {0}")]
    Kind(#[from] WrongRegister),
    #[error("{field}: {zh} — {field}: {en}")]
    Field { field: &'static str, zh: &'static str, en: String },
    #[error("date: 记录日期 {date} 晚于明天（{latest}），不能登记未来的履责 — date: {date} is after tomorrow ({latest}); a duty cannot be recorded as done in the future")]
    Future { date: NaiveDate, latest: NaiveDate },
    #[error("{collection} 现无要素 '{id}' — {collection} has no current feature '{id}'")]
    NoFeature { collection: Collection, id: String },
    #[error("{name}: {zh} — {name}: {en}")]
    Parameter { name: &'static str, zh: &'static str, en: String },
}

impl From<DutiesError> for ApiError {
    fn from(e: DutiesError) -> Self {
        let detail = e.to_string();
        let mut err = match &e {
            DutiesError::NotARegister(_) | DutiesError::NoFeature { .. } => ApiError::not_found(detail),
            DutiesError::Parameter { name, .. } => {
                let mut err = ApiError::bad_parameter(name, "");
                err.detail = detail;
                err
            }
            DutiesError::Kind(_) | DutiesError::Field { .. } | DutiesError::Future { .. } => {
                let mut err =
                    ApiError::new(StatusCode::BAD_REQUEST, "invalid-record", "The record was refused", detail);
                err.extra.insert("title_zh".into(), json!("履责记录未被受理"));
                err
            }
        };
        if let DutiesError::Kind(w) = &e {
            let allowed: Vec<&str> = w.allowed.iter().map(|k| k.as_str()).collect();
            err.extra.insert("allowed_kinds".into(), json!(allowed));
        }
        err
    }
}

fn register(c: Collection) -> Result<Register, DutiesError> {
    register_of(c).ok_or(DutiesError::NotARegister(c))
}

const BODY_MEMBERS: &[&str] = &["kind", "date", "document", "result", "note"];

/// A record body: `{"kind", "date", "document", "result", "note"}`, the kind one of the register's.
fn parse_record(r: Register, body: &Value, today: NaiveDate) -> Result<NewRecord, DutiesError> {
    parse_body(body, today, |kind| Ok(RecordKind::parse_for(r, kind)?))
}

/// A record body whose kind `kind` checks.
fn parse_body<K>(
    body: &Value,
    today: NaiveDate,
    check_kind: impl FnOnce(&str) -> Result<K, DutiesError>,
) -> Result<NewRecord<K>, DutiesError> {
    let field = |field, zh, en: &str| DutiesError::Field { field, zh, en: en.to_string() };
    let obj = body.as_object().ok_or_else(|| field("body", "须为 JSON 对象", "must be a JSON object"))?;
    if let Some(k) = obj.keys().find(|k| !BODY_MEMBERS.contains(&k.as_str())) {
        return Err(DutiesError::Field {
            field: "body",
            zh: "有不认识的成员",
            en: format!("unknown member '{k}' (known: {})", BODY_MEMBERS.join(", ")),
        });
    }
    let kind = obj
        .get("kind")
        .and_then(Value::as_str)
        .ok_or_else(|| field("kind", "必填，为字符串", "is required, as a string"))?;
    let kind = check_kind(kind)?;
    let date = obj
        .get("date")
        .and_then(Value::as_str)
        .ok_or_else(|| field("date", "必填，格式如 2026-03-20", "is required, as a date such as 2026-03-20"))?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| {
        field("date", "须为日期，格式如 2026-03-20", &format!("must be a date such as 2026-03-20, not '{date}'"))
    })?;
    let latest = today.succ_opt().unwrap_or(today);
    if date > latest {
        return Err(DutiesError::Future { date, latest });
    }
    let text = |name: &'static str, max: usize| -> Result<Option<String>, DutiesError> {
        match obj.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) if s.chars().count() <= max => Ok(Some(s.trim().to_string())),
            Some(Value::String(_)) => {
                Err(DutiesError::Field { field: name, zh: "过长", en: format!("is longer than {max} characters") })
            }
            Some(_) => Err(field(name, "须为字符串", "must be a string")),
        }
    };
    Ok(NewRecord {
        kind,
        date,
        document: text("document", 500)?,
        result: text("result", 2000)?,
        note: text("note", 2000)?,
    })
}

async fn record(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let c = collection(&coll)?;
    let r = register(c)?;
    let who = caller.writer()?;
    let value = json_body(&state.settings, &headers, body)?;
    let rec = parse_record(r, &value, today())?;
    let stored = state.store.record_duty(c, &fid, &rec, who.actor()).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => DutiesError::NoFeature { collection: c, id: fid.clone() }.into(),
        other => ApiError::from(other),
    })?;
    state.wrote(&who.name).await;
    let location = format!("{}/collections/{c}/items/{}/records", base_url(&headers), path_segment(&fid));
    let mut body = serde_json::to_value(&stored).map_err(|_| ApiError::internal())?;
    if let Some(o) = body.as_object_mut() {
        o.insert("collection".into(), json!(c));
        o.insert("feature_id".into(), json!(fid));
    }
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

async fn records(
    State(state): State<AppState>,
    caller: Caller,
    Path((coll, fid)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    let c = collection(&coll)?;
    register(c)?;
    caller.reader(&state, c)?;
    Params::parse(q.as_deref(), &["f"])?.only_formats(&["json"])?;
    let list =
        state.reader(&caller).await.duty_records(c, &fid).await?.ok_or_else(|| {
            ApiError::not_found(format!("{c} 从无要素 '{fid}' — {c} has never had a feature '{fid}'"))
        })?;
    Ok(Json(json!({"collection": c, "id": fid, "records": list})))
}

/// A county code of the path: six digits (a 400 otherwise), of a county whose city's plan asks for a county
/// duty (a 400 naming the plan otherwise); whether the county exists is the store's 404.
fn county_path(code: &str) -> Result<&'static CountyDutyRule, DutiesError> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DutiesError::Parameter {
            name: "county_code",
            zh: "须为 6 位县级代码",
            en: format!("'{code}' is not a 6-digit county code such as 450321"),
        });
    }
    county_rules(code).next().ok_or_else(|| DutiesError::Field {
        field: "county_code",
        zh: "该县所在市的计划没有要求县级报送",
        en: format!(
            "the plan of city {} asks county {code} for no report (only {} do)",
            &code[..4],
            COUNTY_DUTIES.iter().map(|r| r.city_code).collect::<Vec<_>>().join(", ")
        ),
    })
}

fn no_county(code: &str) -> ApiError {
    ApiError::not_found(format!("无县级代码 '{code}'（counties 表）— no county '{code}' in the counties table"))
}

/// `POST /counties/{county_code}/records`: a record whose subject is the county, such as its quarterly report.
async fn record_county(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    // who asks first: without a token the answer is 401 whatever the path says
    let who = caller.writer()?;
    let rule = county_path(&code)?;
    let value = json_body(&state.settings, &headers, body)?;
    let rec = parse_body(&value, today(), |kind| {
        if kind == rule.record {
            Ok(rule.record)
        } else {
            Err(DutiesError::Field {
                field: "kind",
                zh: "县级记录类型不符",
                en: format!("'{kind}' is not a county record; the county's is '{}'", rule.record),
            })
        }
    })?;
    let stored = state.store.record_county(&code, &rec, who.actor()).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => no_county(&code),
        other => ApiError::from(other),
    })?;
    state.wrote(&who.name).await;
    let location = format!("{}/counties/{code}/records", base_url(&headers));
    let mut body = serde_json::to_value(&stored).map_err(|_| ApiError::internal())?;
    if let Some(o) = body.as_object_mut() {
        o.insert("county_code".into(), json!(code));
    }
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(body)).into_response())
}

/// `GET /counties/{county_code}/records`, newest first; read as the key units are (the plan's clause is
/// about them).
async fn county_records(
    State(state): State<AppState>,
    caller: Caller,
    Path(code): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    caller.reader(&state, collection(Register::KeySupervisedUnits.as_str())?)?;
    county_path(&code)?;
    Params::parse(q.as_deref(), &["f"])?.only_formats(&["json"])?;
    let list = state.reader(&caller).await.county_records(&code).await?.ok_or_else(|| no_county(&code))?;
    Ok(Json(json!({"county_code": code, "records": list})))
}

/// The parameters of `/duties` and `/duties.ics`.
struct Query {
    scope: Scope,
    as_of: NaiveDate,
    statuses: Option<Vec<DutyStatus>>,
    registers: Vec<Register>,
}

fn query(caller: &Caller, state: &AppState, q: Option<&str>) -> ApiResult<Query> {
    let params = Params::parse(q, &["county_code", "as_of", "status", "collection", "f"])?;
    params.only_formats(&["json"])?;
    let scope = Scope::parse(params.get("county_code")).map_err(|e| DutiesError::Parameter {
        name: "county_code",
        zh: "须为 4 位市级前缀或 6 位县级代码",
        en: e.to_string(),
    })?;
    let as_of = match params.get("as_of") {
        None => today(),
        Some(v) => parse_instant(v).map_err(|e| DutiesError::Parameter { name: "as_of", zh: "须为日期", en: e })?,
    };
    let statuses = match params.get("status").filter(|s| !s.trim().is_empty()) {
        None => None,
        Some(v) => Some(
            v.split(',')
                .map(|s| match s.trim() {
                    "overdue" => Ok(DutyStatus::Overdue),
                    "due" => Ok(DutyStatus::Due),
                    "done" => Ok(DutyStatus::Done),
                    "not_yet" => Ok(DutyStatus::NotYet),
                    other => Err(DutiesError::Parameter {
                        name: "status",
                        zh: "须为 overdue、due、done 或 not_yet（可用逗号分隔多个）",
                        en: format!("'{other}' is not overdue, due, done or not_yet (a comma-separated list)"),
                    }),
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    };
    let registers = match params.get("collection").filter(|s| !s.trim().is_empty()) {
        None => Register::ALL.to_vec(),
        Some(v) => v
            .split(',')
            .map(|s| {
                s.trim().parse::<Register>().map_err(|e| DutiesError::Parameter {
                    name: "collection",
                    zh: "须为 key_supervised_units、pollution_sources 或 tailings_ponds",
                    en: e.to_string(),
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    for r in &registers {
        caller.reader(state, collection(r.as_str())?)?;
    }
    Ok(Query { scope, as_of, statuses, registers })
}

impl Query {
    fn keeps(&self, s: DutyStatus) -> bool {
        self.statuses.as_ref().is_none_or(|v| v.contains(&s))
    }
}

async fn computed(state: &AppState, caller: &Caller, q: &Query) -> ApiResult<Report> {
    let store = state.reader(caller).await;
    let mut rep = report(&store, &state.settings.duties, &q.scope, q.as_of, &q.registers).await?;
    rep.duties.retain(|d| q.keeps(d.duty.status));
    rep.city_duties.retain(|d| q.keeps(d.duty.status));
    rep.county_duties.retain(|d| q.keeps(d.duty.status));
    Ok(rep)
}

async fn duties(State(state): State<AppState>, caller: Caller, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let q = query(&caller, &state, q.as_deref())?;
    let rep = computed(&state, &caller, &q).await?;
    let counts: std::collections::BTreeMap<&str, usize> =
        [DutyStatus::Overdue, DutyStatus::Due, DutyStatus::NotYet, DutyStatus::Done]
            .into_iter()
            .map(|s| (s.as_str(), rep.duties.iter().filter(|d| d.duty.status == s).count()))
            .collect();
    let county_code = match &q.scope {
        Scope::All => None,
        s => Some(s.code_prefix()),
    };
    // The answer, written straight into one buffer of about its size (a duty is 400-450 bytes of JSON): a
    // city's answer runs to megabytes; the duties are written by hand (EntityDuty::write_json says why).
    let mut body = Vec::with_capacity(4096 + 450 * rep.duties.len());
    fn member<T: serde::Serialize>(body: &mut Vec<u8>, name: &str, value: &T) -> ApiResult<()> {
        body.extend_from_slice(format!(",\"{name}\":").as_bytes());
        serde_json::to_writer(body, value).map_err(|_| ApiError::internal())
    }
    body.extend_from_slice(b"{\"as_of\":");
    serde_json::to_writer(&mut body, &q.as_of).map_err(|_| ApiError::internal())?;
    member(&mut body, "county_code", &county_code)?;
    member(&mut body, "counts", &counts)?;
    body.extend_from_slice(b",\"duties\":[");
    // The second half is written on a thread of its own while this one writes the first: for a city, the
    // writing takes as long as computing the duties, and one request would otherwise leave a core idle.
    let (first, second) = rep.duties.split_at(rep.duties.len() / 2);
    let second = std::thread::scope(|t| {
        let second = t.spawn(|| {
            let mut out = Vec::with_capacity(450 * second.len());
            for d in second {
                out.push(b',');
                d.write_json(&mut out);
            }
            out
        });
        for (i, d) in first.iter().enumerate() {
            if i > 0 {
                body.push(b',');
            }
            d.write_json(&mut body);
        }
        second.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
    });
    // With fewer than two duties the first half is empty, and the second's one duty has no duty before it.
    body.extend_from_slice(if first.is_empty() { second.get(1..).unwrap_or_default() } else { &second });
    body.push(b']');
    member(&mut body, "city_duties", &rep.city_duties)?;
    member(&mut body, "county_duties", &rep.county_duties)?;
    body.push(b'}');
    // Freeing a city's tens of thousands of duties took milliseconds the answer need not wait for.
    tokio::task::spawn_blocking(move || drop(rep));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// The due and overdue duties as all-day events on their deadlines (on the as-of date for a duty with no
/// deadline the register can tell, such as a survey owed by a unit that has stopped).
async fn duties_ics(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let q = query(&caller, &state, q.as_deref())?;
    let rep = computed(&state, &caller, &q).await?;
    let base = base_url(&headers);
    let open = |s: DutyStatus| matches!(s, DutyStatus::Due | DutyStatus::Overdue);
    let tag = |s: DutyStatus| if s == DutyStatus::Overdue { "【逾期】" } else { "【待办】" };
    let uid = |parts: &[&str]| {
        let id: String = parts
            .join(".")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || "-._".contains(c) { c } else { '-' })
            .collect();
        format!("{id}@landguard")
    };
    let mut events = Vec::new();
    for d in rep.duties.iter().filter(|d| open(d.duty.status)) {
        events.push(ical::Event {
            uid: uid(&[d.collection, &d.id, d.duty.duty, &d.duty.period]),
            date: d.duty.due_by.unwrap_or(q.as_of),
            summary: format!("{}{}：{}（{}）", tag(d.duty.status), d.name, d.duty.name_zh, d.duty.period),
            description: format!("{} {} {}；依据：{}", d.collection, d.id, d.county_code, d.duty.basis),
            url: format!("{}/collections/{}/items/{}", base, d.collection, path_segment(&d.id)),
            categories: d.duty.status.as_str(),
        });
    }
    for c in rep.city_duties.iter().filter(|c| open(c.duty.status)) {
        let d = &c.duty;
        events.push(ical::Event {
            uid: uid(&["city", &d.city_code, d.duty, &d.period]),
            date: d.due_by,
            summary: format!(
                "{}{} {}（{}）：已查 {}/应查 {}",
                tag(d.status),
                d.city_code,
                d.name_zh,
                d.period,
                d.inspected,
                d.required
            ),
            description: format!("依据：{}", d.basis),
            url: format!("{}/duties?county_code={}", base, d.city_code),
            categories: d.status.as_str(),
        });
    }
    for c in rep.county_duties.iter().filter(|c| open(c.duty.status)) {
        let d = &c.duty;
        events.push(ical::Event {
            uid: uid(&["county", &c.county_code, d.duty, &d.period]),
            date: d.due_by.unwrap_or(q.as_of),
            summary: format!("{}{}：{}（{}）", tag(d.status), c.name, d.name_zh, d.period),
            description: format!("counties {}；依据：{}", c.county_code, d.basis),
            url: format!("{}/counties/{}/records", base, c.county_code),
            categories: d.status.as_str(),
        });
    }
    let name = match &q.scope {
        Scope::All => "源头防控履责".to_string(),
        s => format!("源头防控履责 {}", s.code_prefix()),
    };
    let text = ical::calendar(&name, q.as_of, &events);
    Ok(([(header::CONTENT_TYPE, "text/calendar; charset=utf-8")], text).into_response())
}

/// The paths of this module in the OpenAPI document.
pub fn openapi_paths(doc: &mut Value, read_errors: &Value, write_errors: &Value) {
    let with = |mut responses: Value, errors: &Value| {
        if let (Some(r), Some(e)) = (responses.as_object_mut(), errors.as_object()) {
            for (k, v) in e {
                r.entry(k.clone()).or_insert(v.clone());
            }
        }
        responses
    };
    let q = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "schema": schema, "description": description});
    let path = |name: &str, schema: Value| json!({"name": name, "in": "path", "required": true, "schema": schema});
    let registers = json!({"type": "string", "enum": ["key_supervised_units", "pollution_sources", "tailings_ponds"]});
    let kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
    let record = json!({"type": "object", "properties": {"id": {"type": "integer"}, "kind": {"type": "string"}, "kind_zh": {"type": "string"},
        "date": {"type": "string", "format": "date"}, "document": {"type": "string", "nullable": true}, "result": {"type": "string", "nullable": true},
        "note": {"type": "string", "nullable": true}, "recorded_by": {"type": "string"}, "recorded_at": {"type": "string", "format": "date-time"}}});
    let params = json!([
        q("county_code", json!({"type": "string", "pattern": "^([0-9]{4}([0-9]{2})?)?$"}), "6-digit county or 4-digit city code; all when absent"),
        q("as_of", json!({"type": "string", "format": "date"}), "the date the duties are computed for (registers as they stood then, records dated up to it); default today"),
        q("status", json!({"type": "string"}), "overdue, due, done, not_yet, or a comma-separated list of them"),
        q("collection", json!({"type": "string"}), "key_supervised_units, pollution_sources, tailings_ponds, or a comma-separated list")
    ]);
    let paths = json!({
        "/collections/{collectionId}/items/{featureId}/records": {
            "get": {"tags": ["Source control"], "summary": "A source-control feature's records of duties done, newest first", "operationId": "getDutyRecords",
                "parameters": [path("collectionId", registers.clone()), path("featureId", json!({"type": "string"}))],
                "responses": with(json!({"200": {"description": "the records", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "collection": {"type": "string"}, "id": {"type": "string"}, "records": {"type": "array", "items": record.clone()}}}}}}}), read_errors)},
            "post": {"tags": ["Source control"], "summary": "Record a duty done (a hazard check, a self-monitoring report, a pond inspection, a source's close-out): append-only, audited", "operationId": "recordDuty",
                "security": [{"bearer": []}],
                "parameters": [path("collectionId", registers), path("featureId", json!({"type": "string"}))],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["kind", "date"], "additionalProperties": false, "properties": {
                    "kind": {"type": "string", "enum": kinds, "description": "a kind of the feature's register (docs/source-control.md)"},
                    "date": {"type": "string", "format": "date", "description": "the day it was done; not after tomorrow"},
                    "document": {"type": "string", "maxLength": 500, "nullable": true}, "result": {"type": "string", "maxLength": 2000, "nullable": true}, "note": {"type": "string", "maxLength": 2000, "nullable": true}}}}}},
                "responses": with(json!({"201": {"description": "the stored record", "content": {"application/json": {"schema": record.clone()}}}}), write_errors)}},
        "/counties/{countyCode}/records": {
            "get": {"tags": ["Source control"], "summary": "A county's records of duties done (its quarterly reports to the city bureau), newest first", "operationId": "getCountyRecords",
                "parameters": [path("countyCode", json!({"type": "string", "pattern": "^[0-9]{6}$"}))],
                "responses": with(json!({"200": {"description": "the records", "content": {"application/json": {"schema": {"type": "object", "properties": {
                    "county_code": {"type": "string"}, "records": {"type": "array", "items": record.clone()}}}}}}}), read_errors)},
            "post": {"tags": ["Source control"], "summary": "Record a county's duty done (its quarterly report to the city bureau, where the city's plan asks for it): append-only, audited", "operationId": "recordCountyDuty",
                "security": [{"bearer": []}],
                "parameters": [path("countyCode", json!({"type": "string", "pattern": "^[0-9]{6}$"}))],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["kind", "date"], "additionalProperties": false, "properties": {
                    "kind": {"type": "string", "enum": COUNTY_DUTIES.iter().map(|r| r.record).collect::<Vec<_>>()},
                    "date": {"type": "string", "format": "date", "description": "the day it was done; not after tomorrow"},
                    "document": {"type": "string", "maxLength": 500, "nullable": true}, "result": {"type": "string", "maxLength": 2000, "nullable": true}, "note": {"type": "string", "maxLength": 2000, "nullable": true}}}}}},
                "responses": with(json!({"201": {"description": "the stored record, with county_code", "content": {"application/json": {"schema": record}}}}), write_errors)}},
        "/duties": {"get": {"tags": ["Source control"], "summary": "The duties of key units, tailings ponds and pollution sources as of a date: done, due or overdue, with basis", "operationId": "getDuties",
            "parameters": params.clone(),
            "responses": with(json!({"200": {"description": "counts by status, duties (collection, id, name, county_code, duty, name_zh, period, due_by, status, last_done, basis, count, unknown; overdue first) city_duties (the level-3 ponds' share per city, with per-county counts) and county_duties (county_code, name and the duty's members: a county's quarterly report where its city's plan asks for it)",
                "content": {"application/json": {"schema": {"type": "object"}}}}}), read_errors)}},
        "/duties.ics": {"get": {"tags": ["Source control"], "summary": "The due and overdue duties as an iCalendar feed (one all-day event per duty on its deadline)", "operationId": "getDutiesCalendar",
            "parameters": params,
            "responses": with(json!({"200": {"description": "RFC 5545 calendar", "content": {"text/calendar": {"schema": {"type": "string"}}}}}), read_errors)}},
    });
    if let (Some(all), Value::Object(mine)) = (doc.get_mut("paths").and_then(Value::as_object_mut), paths) {
        all.extend(mine);
    }
}
