//! The plans' targets and the indicators over time: `GET /targets`, the values entered for the targets the
//! registry cannot compute (`GET`/`POST /targets/{id}/values`), and `GET /indicators/series`.

use super::error::{ApiError, ApiResult};
use super::features::collection;
use super::params::Params;
use super::AppState;
use crate::domain::duties::DutySettings;
use crate::domain::indicators::{Indicators, Scope, Targets};
use crate::domain::key_land::{key_land_rate, DevelopedLand, EnforcementRecord, RateBasis};
use crate::domain::series::{series_points, Step, DEFAULT_MAX_STEPS};
use crate::domain::sources::Register;
use crate::domain::targets::{self as plan, Built, Indicator, Source, SourceFigures, Status, Target, Unit};
use crate::domain::time::{parse_instant, today};
use crate::duties::{scope_indicators, SourceIndicatorsBy};
use crate::store::series::Known;
use crate::store::targets::NewValue;
use crate::store::Store;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, NaiveDate};
use serde_json::{json, Map, Value};
use std::collections::hash_map::Entry;
use std::collections::HashMap;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/targets", get(targets))
        .route("/targets/{id}/values", get(values).post(enter_value))
        .route("/indicators/series", get(series))
        .route("/key-land/developments", get(developments).post(record_development))
        .route("/key-land/developments/{id}/enforcement", post(record_enforcement))
}

/// A 400 naming the parameter, with the reason in Chinese and English.
fn bad(name: &str, zh: impl std::fmt::Display, en: impl std::fmt::Display) -> ApiError {
    let mut e = ApiError::bad_parameter(name, format!("{zh} / {en}"));
    e.extra.insert("detail_zh".into(), json!(format!("{name}：{zh}")));
    e
}

fn date_param(params: &Params, name: &str) -> ApiResult<Option<NaiveDate>> {
    params.get(name).map(|v| parse_instant(v).map_err(|e| bad(name, format!("日期无效：'{v}'"), e))).transpose()
}

/// The registry is read for these targets: the same permission as `GET /indicators`.
pub(super) fn may_read_registry(state: &AppState, caller: &super::auth::Caller) -> ApiResult<()> {
    for c in ["farmland_units", "construction_parcels"] {
        caller.reader(state, collection(c)?)?;
    }
    Ok(())
}

/// `GET /targets?city=4502&year=2025[&county_code=450203][&as_of=2025-12-31]`: each stored target of the
/// city (or of the county's city) for the year, with its value as of the date, status and basis.
async fn targets(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    may_read_registry(&state, &caller)?;
    let params = Params::parse(q.as_deref(), &["city", "county_code", "year", "as_of", "f"])?;
    params.only_formats(&["json"])?;
    let city = params.get("city").map(str::trim);
    if let Some(c) = city {
        if c.len() != 4 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "city",
                format!("应为4位城市代码（如4502），而不是'{c}'"),
                "must be a 4-digit city code such as 4502",
            ));
        }
    }
    let county = params.get("county_code").map(str::trim);
    if let Some(c) = county {
        if c.len() != 6 || !c.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                "county_code",
                format!("应为6位县级代码（如450203），而不是'{c}'"),
                "must be a 6-digit county code such as 450203",
            ));
        }
        if city.is_some_and(|p| !c.starts_with(p)) {
            return Err(bad("county_code", "该县不属于所给城市", "the county is not in the given city"));
        }
    }
    let (scope, city) = match (county, city) {
        (Some(c), _) => (Scope::County(c.to_string()), c[..4].to_string()),
        (None, Some(p)) => (Scope::City(p.to_string()), p.to_string()),
        (None, None) => {
            return Err(bad(
                "city",
                "必须给出城市（city=4502）或县（county_code=450203）：目标按城市的计划确定",
                "give city=4502 or county_code=450203: targets are set by each city's plan",
            ))
        }
    };
    let as_of = date_param(&params, "as_of")?.unwrap_or_else(today);
    let year = match params.get("year") {
        None => as_of.year(),
        Some(v) => v
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1990..=2100).contains(y))
            .ok_or_else(|| bad("year", format!("年份无效：'{v}'"), "must be a year such as 2025"))?,
    };
    let store = state.reader(&caller).await;
    // As `GET /indicators` gives `source_control` only to who may read the three registers.
    let readable = Register::ALL.iter().all(|r| collection(r.as_str()).and_then(|c| caller.reader(&state, c)).is_ok());
    let (thresholds, duties) = (state.settings.indicator_targets(), readable.then_some(&state.settings.duties));
    Ok(Json(targets_doc_with(&store, &thresholds, duties, scope, &city, county, year, as_of).await?))
}

/// Every target of a city (or county) for a year, judged as of a date: the document `GET /targets` answers
/// and the annual report prints. `duties` is none when the caller may not read the source-control registers:
/// their targets are then not computable, saying so.
#[allow(clippy::too_many_arguments)]
pub(super) async fn targets_doc_with(
    store: &Store,
    thresholds: &Targets,
    duties: Option<&DutySettings>,
    scope: Scope,
    city: &str,
    county: Option<&str>,
    year: i32,
    as_of: NaiveDate,
) -> ApiResult<Value> {
    let mut ids = store.target_ids(city, county, year).await?;
    // The plan's own order (the domain table's), not the ids' alphabetical one.
    ids.sort_by_key(|id| plan::TARGETS.iter().position(|t| t.id == id).unwrap_or(usize::MAX));
    let mut computed = Computed { thresholds, duties, indicators: HashMap::new(), sources: HashMap::new() };
    let mut out = Vec::with_capacity(ids.len());
    let mut counts: Map<String, Value> = Map::new();
    for status in [Status::Met, Status::NotMet, Status::InProgress, Status::NotComputable] {
        counts.insert(status.as_str().into(), json!(0));
    }
    for id in &ids {
        let entry = match plan::find(id) {
            Some(t) => judge(store, t, &scope, as_of, &mut computed).await?,
            None => json!({
                "id": id, "status": Status::NotComputable, "value": null,
                "basis_en": "this target is stored but this version of landguard has no rule to judge it",
                "basis_zh": "该目标已登记，但本版本没有其判定规则",
            }),
        };
        if let Some(n) = entry["status"].as_str().and_then(|s| counts.get_mut(s)) {
            *n = json!(n.as_u64().unwrap_or(0) + 1);
        }
        out.push(entry);
    }
    Ok(json!({
        "city": city, "county_code": county, "scope": scope, "year": year, "as_of": as_of,
        "summary": counts, "targets": out,
    }))
}

/// The indicators read for one answer, by value date, so that each is computed once.
struct Computed<'a> {
    thresholds: &'a Targets,
    duties: Option<&'a DutySettings>,
    indicators: HashMap<NaiveDate, Indicators>,
    sources: HashMap<NaiveDate, SourceIndicatorsBy>,
}

/// The source-control figures of `scope` from the indicators `GET /indicators` gives as `source_control`.
fn source_figures(by: &SourceIndicatorsBy, scope: &Scope) -> SourceFigures {
    let ind = match scope {
        Scope::County(c) => by.counties.get(c),
        Scope::City(c) => by.cities.get(c),
        Scope::All => None,
    };
    let Some(ind) = ind else { return SourceFigures::default() };
    let level = |l: &str| ind.tailings_inspections.get(l).map(|c| (c.ponds_met, c.ponds));
    SourceFigures {
        ponds: [level("1"), level("2"), level("3")],
        key_units_monitored: Some((ind.key_units_surrounding_monitored, ind.key_units)),
    }
}

/// One target judged for `scope` as of `as_of`, its value taken as of the period's end once that is past.
async fn judge(
    store: &Store,
    t: &'static Target,
    scope: &Scope,
    as_of: NaiveDate,
    computed: &mut Computed<'_>,
) -> ApiResult<Value> {
    let on = t.value_date(as_of);
    let mut entered = None;
    let mut how = None;
    let (value, missing) = match t.source {
        Source::Register { indicator } => {
            let (en, zh) = indicator.needs();
            let mut missing = (en.to_string(), zh.to_string());
            let value = if indicator == Indicator::KeyConstructionLandSafelyUsed && as_of >= t.period.start() {
                let (from, to) = (t.period.start(), t.period.end());
                let land: Vec<DevelopedLand> =
                    store.key_land(scope, from, to).await?.into_iter().map(|d| d.land).collect();
                Some(plan::Observed::KeyLand(key_land_rate(&land, scope, from, to, on, RateBasis::Count)))
            } else if indicator.from_sources() && as_of >= t.period.start() {
                match computed.duties {
                    None => {
                        missing = (
                            "the source-control registers (key supervised units, tailings ponds, pollution sources), which need a token on this server".into(),
                            "污染源监管登记簿（重点监管单位、尾矿库、污染源），本服务器读取需令牌".into(),
                        );
                        None
                    }
                    Some(duties) => {
                        let by = match computed.sources.entry(on) {
                            Entry::Occupied(e) => e.into_mut(),
                            Entry::Vacant(e) => e.insert(scope_indicators(store, duties, scope, on).await?),
                        };
                        indicator.source_value(&source_figures(by, scope)).map(|(v, en, zh)| {
                            how = Some((en, zh));
                            v
                        })
                    }
                }
            } else if indicator.built() == Built::Now && as_of >= t.period.start() {
                let ind = match computed.indicators.entry(on) {
                    Entry::Occupied(e) => e.into_mut(),
                    Entry::Vacant(e) => e.insert(store.indicators(scope.clone(), on, computed.thresholds).await?),
                };
                indicator.value(ind)
            } else {
                None
            };
            (value, missing)
        }
        Source::Entered { evidence } => {
            // Entered figures are the city's; a county's share of them is not known.
            let city = matches!(scope, Scope::City(_));
            let missing = if city {
                (
                    format!("a value entered with its evidence ({evidence}), dated {} to {on}", t.period.start()),
                    format!("{}至{on}期间录入的数值及其佐证材料", t.period.start()),
                )
            } else {
                (
                    "the figure of a county: values are entered for the city as a whole".to_string(),
                    "县级数值：录入的数值是全市的".to_string(),
                )
            };
            if city && as_of >= t.period.start() {
                entered = store.entered_value(t.id, t.period.start(), on).await?;
            }
            (entered.as_ref().map(|v| plan::Observed::Number(v.value)), missing)
        }
    };
    let mut e = plan::evaluate_in(t, scope, value.as_ref(), as_of).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if let Some((en, zh)) = how {
        e = e.explained(&en, &zh);
    }
    let mut o = match serde_json::to_value(t) {
        Ok(Value::Object(o)) => o,
        _ => return Err(ApiError::internal()),
    };
    o.insert("status".into(), json!(e.status));
    o.insert("value".into(), json!(e.value));
    o.insert("value_date".into(), json!(on));
    o.insert("basis_en".into(), json!(e.basis_en));
    o.insert("basis_zh".into(), json!(e.basis_zh));
    // What is missing, where the answer is missing data (not a plan without a figure, nor a date before it).
    let data_missing = !matches!(t.comparison, plan::Comparison::Unquantified { .. }) && as_of >= t.period.start();
    if e.status == Status::NotComputable && data_missing {
        o.insert("missing_en".into(), json!(missing.0));
        o.insert("missing_zh".into(), json!(missing.1));
    }
    if matches!(t.source, Source::Entered { .. }) {
        o.insert("entered".into(), json!(entered));
    }
    Ok(Value::Object(o))
}

/// `GET /targets/{id}/values`: every value entered for a target, newest first.
async fn values(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    // Read like the targets themselves.
    may_read_registry(&state, &caller)?;
    Params::parse(q.as_deref(), &["f"])?.only_formats(&["json"])?;
    let t = known_target(&state.store, &id).await?;
    let values = state.store.entered_values(t.id).await?;
    Ok(Json(json!({"target": t.id, "source": t.source, "values": values})))
}

async fn known_target(store: &Store, id: &str) -> ApiResult<&'static Target> {
    match plan::find(id) {
        Some(t) if store.target_exists(id).await? => Ok(t),
        _ => Err(ApiError::not_found(format!("没有目标'{id}' / no target '{id}' (GET /targets lists them)"))),
    }
}

/// `POST /targets/{id}/values` `{"value": 91.5, "as_of": "2023-12-31", "evidence": "...", "document": "...",
/// "note": "..."}`, editor or admin: a value for a target the registry cannot compute, with its evidence.
async fn enter_value(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let who = caller.writer()?;
    Params::parse(q.as_deref(), &[])?;
    let t = known_target(&state.store, &id).await?;
    if let Source::Register { .. } = t.source {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "computed-target",
            "The registry computes this target",
            format!("目标'{id}'由登记簿计算，不接受录入 / target '{id}' is computed from the registry; values are not entered for it"),
        ));
    }
    let body = super::features::json_body(&state.settings, &headers, body)?;
    let obj = body_object(&body, &["value", "as_of", "evidence", "document", "note"])?;
    let value = obj
        .get("value")
        .and_then(Value::as_f64)
        .filter(|v| v.is_finite() && *v >= 0.0 && (t.unit != Unit::Percent || *v <= 100.0))
        .ok_or_else(|| {
            invalid(
                "value",
                "应为不小于0的数（百分比不超过100）",
                "must be a number, at least 0 (and at most 100 for a percentage)",
            )
        })?;
    let as_of = body_date(&obj, "as_of", true)?.unwrap_or_else(today);
    let (start, end) = (t.period.start(), t.period.end());
    if as_of < start || as_of > end {
        return Err(invalid(
            "as_of",
            &format!("应在目标期限{start}至{end}之内"),
            &format!("must lie in the target's period, {start} to {end}"),
        ));
    }
    let evidence = body_text(&obj, "evidence", true)?.unwrap_or_default();
    let new = NewValue {
        target_id: t.id,
        as_of,
        value,
        evidence,
        document: body_text(&obj, "document", false)?,
        note: body_text(&obj, "note", false)?,
    };
    let stored = state.store.enter_value(&new, &who.name).await?;
    state.wrote(&who.name).await;
    let mut resp = (StatusCode::CREATED, Json(json!(stored))).into_response();
    if let Ok(loc) = HeaderValue::from_str(&format!("/targets/{}/values", t.id)) {
        resp.headers_mut().insert(header::LOCATION, loc);
    }
    Ok(resp)
}

/// `GET /indicators/series?county_code=4502&from=2025-01-01&to=2025-12-31&step=quarter&known=now|then`.
async fn series(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    may_read_registry(&state, &caller)?;
    let params = Params::parse(q.as_deref(), &["county_code", "from", "to", "step", "known", "f"])?;
    params.only_formats(&["json"])?;
    let scope = Scope::parse(params.get("county_code")).map_err(|e| {
        bad(
            "county_code",
            "应为6位县级代码或4位城市代码",
            format!("must be a 6-digit county or 4-digit city code: {}", e.0),
        )
    })?;
    let to = date_param(&params, "to")?.unwrap_or_else(today);
    let from = date_param(&params, "from")?.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    let step: Step = params.get("step").unwrap_or("month").parse().map_err(|e| bad("step", "步长无效", e))?;
    let known = match params.get("known").unwrap_or("now") {
        "now" => Known::Now,
        "then" => Known::Then,
        other => {
            return Err(bad(
                "known",
                format!("应为now（按现在所知）或then（按当时所知），而不是'{other}'"),
                "must be now (as known now) or then (as known at each date)",
            ))
        }
    };
    let points = series_points(from, to, step, DEFAULT_MAX_STEPS).map_err(|e| {
        let name = if matches!(e, crate::domain::series::SeriesError::FromAfterTo { .. }) { "from" } else { "step" };
        bad(name, "序列参数无效", e)
    })?;
    let dates: Vec<NaiveDate> = points.iter().map(|p| p.as_of).collect();
    let values = state
        .reader(&caller)
        .await
        .indicator_series(&scope, &dates, known, &state.settings.indicator_targets())
        .await?;
    let out: Vec<Value> = points
        .iter()
        .zip(values)
        .map(|(p, v)| {
            let mut o = json!({
                "label_zh": p.label_zh, "label_en": p.label_en, "start": p.start, "as_of": p.as_of,
                "indicators": v.scope, "counties": v.counties,
            });
            // Per city only where the scope spans several.
            if scope == Scope::All {
                o["cities"] = json!(v.cities);
            }
            o
        })
        .collect();
    Ok(Json(json!({
        "scope": scope, "step": step, "from": from, "to": to,
        "known": if known == Known::Now { "now" } else { "then" },
        "points": out,
    })))
}

/// A 400 for a member of a request body, with the reason in Chinese and English.
fn invalid(field: &str, zh: &str, en: &str) -> ApiError {
    let mut e = ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid-value",
        "The request was refused",
        format!("{field}: {zh} / {en}"),
    );
    e.extra.insert("field".into(), json!(field));
    e.extra.insert("detail_zh".into(), json!(format!("{field}：{zh}")));
    e
}

/// The JSON object of a write's body, refusing members outside `allowed`.
fn body_object(body: &Value, allowed: &[&str]) -> ApiResult<Map<String, Value>> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::bad_request("请求体应为JSON对象 / the body must be a JSON object"));
    };
    if let Some(k) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(invalid(k, "未知字段", &format!("unknown member (accepted: {})", allowed.join(", "))));
    }
    Ok(obj.clone())
}

fn body_date(obj: &Map<String, Value>, field: &str, required: bool) -> ApiResult<Option<NaiveDate>> {
    match obj.get(field) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Ok(Some(d)),
            Err(_) => Err(invalid(field, "应为日期，如2025-06-30", "must be a date such as 2025-06-30")),
        },
        _ => Err(invalid(field, "应为日期，如2025-06-30", "must be a date such as 2025-06-30")),
    }
}

fn body_text<'a>(obj: &'a Map<String, Value>, field: &str, required: bool) -> ApiResult<Option<&'a str>> {
    match obj.get(field) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.chars().count() <= 2000 => Ok(Some(s.trim())),
        _ => {
            Err(invalid(field, "应为非空文字（不超过2000字）", "must be a non-empty string of at most 2000 characters"))
        }
    }
}

/// `GET /key-land/developments?county_code=4502&from=2025-01-01&to=2025-12-31[&as_of=…]`: the key
/// construction land developed in the period, each with the parcel's state then and its enforcement, and
/// the rate as of `as_of` (default: `to`, or today if earlier).
async fn developments(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    RawQuery(q): RawQuery,
) -> ApiResult<Json<Value>> {
    caller.reader(&state, collection("construction_parcels")?)?;
    let params = Params::parse(q.as_deref(), &["county_code", "from", "to", "as_of", "f"])?;
    params.only_formats(&["json"])?;
    let scope = Scope::parse(params.get("county_code")).map_err(|e| {
        bad(
            "county_code",
            "应为6位县级代码或4位城市代码",
            format!("must be a 6-digit county or 4-digit city code: {}", e.0),
        )
    })?;
    let to = date_param(&params, "to")?.unwrap_or_else(today);
    let from = date_param(&params, "from")?.unwrap_or_else(|| NaiveDate::from_ymd_opt(to.year(), 1, 1).unwrap_or(to));
    if from > to {
        return Err(bad("from", "起始日期晚于结束日期", "from is after to"));
    }
    let as_of = date_param(&params, "as_of")?.unwrap_or_else(|| to.min(today()));
    let list = state.reader(&caller).await.key_land(&scope, from, to).await?;
    let land: Vec<DevelopedLand> = list.iter().map(|d| d.land.clone()).collect();
    let rate = key_land_rate(&land, &scope, from, to, as_of, RateBasis::Count);
    Ok(Json(json!({"scope": scope, "from": from, "to": to, "as_of": as_of, "rate": rate, "developments": list})))
}

/// `POST /key-land/developments` `{"parcel_code": "LZ-0001", "developed_on": "2025-05-01", "document": "...",
/// "note": "..."}`, editor or admin: a registered parcel of key construction land was developed that day.
async fn record_development(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let who = caller.writer()?;
    Params::parse(q.as_deref(), &[])?;
    let body = super::features::json_body(&state.settings, &headers, body)?;
    let obj = body_object(&body, &["parcel_code", "developed_on", "document", "note"])?;
    let code = body_text(&obj, "parcel_code", true)?.unwrap_or_default();
    let on = body_date(&obj, "developed_on", true)?.unwrap_or_else(today);
    if on > today() {
        return Err(invalid("developed_on", "不能晚于今天", "must not be in the future"));
    }
    let document = body_text(&obj, "document", true)?.unwrap_or_default();
    let note = body_text(&obj, "note", false)?;
    let stored = state.store.record_development(code, on, document, note, &who.name).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => ApiError::not_found(format!(
            "地块{code}在{on}未登记 / parcel {code} is not in the registry on {on}: register it (with its state then) first"
        )),
        other => other.into(),
    })?;
    state.wrote(&who.name).await;
    Ok((StatusCode::CREATED, Json(json!(stored))).into_response())
}

/// `POST /key-land/developments/{id}/enforcement` `{"decision": "柳环罚〔2025〕12号", "decided_on": "2025-06-01",
/// "corrected_on": "2025-08-01", "note": "..."}`, editor or admin: a decision against a development in breach
/// and, once found, its correction (a correction found later is a new record carrying both).
async fn record_enforcement(
    State(state): State<AppState>,
    caller: super::auth::Caller,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let who = caller.writer()?;
    Params::parse(q.as_deref(), &[])?;
    let unknown = || ApiError::not_found(format!("没有开发利用记录'{id}' / no development '{id}'"));
    let dev: i64 = id.parse().map_err(|_| unknown())?;
    let body = super::features::json_body(&state.settings, &headers, body)?;
    let obj = body_object(&body, &["decision", "decided_on", "corrected_on", "note"])?;
    let record = EnforcementRecord {
        decision: body_text(&obj, "decision", true)?.unwrap_or_default().to_string(),
        decided_on: body_date(&obj, "decided_on", true)?.unwrap_or_else(today),
        corrected_on: body_date(&obj, "corrected_on", false)?,
    };
    if record.corrected_on.is_some_and(|c| c < record.decided_on) {
        return Err(invalid("corrected_on", "不能早于处罚决定日期", "must not be before decided_on"));
    }
    let note = body_text(&obj, "note", false)?;
    state.store.record_enforcement(dev, &record, note, &who.name).await.map_err(|e| match e {
        crate::store::StoreError::NotFound => unknown(),
        crate::store::StoreError::Invalid(d) => invalid("decided_on", "不能早于开发利用日期", &d),
        other => other.into(),
    })?;
    state.wrote(&who.name).await;
    Ok((StatusCode::CREATED, Json(json!({"development_id": dev, "enforcement": record}))).into_response())
}

/// The OpenAPI paths of the targets, the series and the published lists, added to `/api`'s document.
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
    let date = json!({"type": "string", "format": "date"});
    let obj = |d: &str| json!({"description": d, "content": {"application/json": {"schema": {"type": "object"}}}});
    let id = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}});
    let paths = json!({
        "/targets": {"get": {"tags": ["Indicators"], "summary": "The plan's targets with value, status (met, not_met, in_progress, not_computable) and basis", "operationId": "getTargets",
            "parameters": [q("city", json!({"type": "string", "pattern": "^[0-9]{4}$"}), "4-digit city code (or give county_code)"),
                           q("county_code", json!({"type": "string", "pattern": "^[0-9]{6}$"}), "a county: judged on its city's plan"),
                           q("year", json!({"type": "integer"}), "the plan year; default the year of as_of"),
                           q("as_of", date.clone(), "default today")],
            "responses": with(json!({"200": obj("the targets, each judged, and a summary by status")}), read_errors)}},
        "/targets/{id}/values": {
            "get": {"tags": ["Indicators"], "summary": "Values entered for a target, newest first", "operationId": "getTargetValues",
                "parameters": [id.clone()], "responses": with(json!({"200": obj("the values with their evidence")}), read_errors)},
            "post": {"tags": ["Indicators"], "summary": "Enter a value, with its evidence, for a target the registry cannot compute", "operationId": "enterTargetValue",
                "parameters": [id],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["value", "as_of", "evidence"], "additionalProperties": false,
                    "properties": {"value": {"type": "number", "minimum": 0}, "as_of": date.clone(), "evidence": {"type": "string", "minLength": 1, "maxLength": 2000},
                                   "document": {"type": "string"}, "note": {"type": "string"}}}}}},
                "responses": with(json!({"201": obj("the stored value"), "409": {"description": "the registry computes this target"}}), write_errors)}},
        "/indicators/series": {"get": {"tags": ["Indicators"], "summary": "The indicators by month, quarter or year, per county and city", "operationId": "getIndicatorSeries",
            "parameters": [q("county_code", json!({"type": "string", "pattern": "^([0-9]{4}([0-9]{2})?)?$"}), "6-digit county or 4-digit city code; all when absent"),
                           q("from", date.clone(), "default 1 January of to's year"), q("to", date.clone(), "default today"),
                           q("step", json!({"type": "string", "enum": ["month", "quarter", "year"]}), "default month"),
                           q("known", json!({"type": "string", "enum": ["now", "then"]}), "each date as known now (default) or as recorded by then")],
            "responses": with(json!({"200": obj("one point per period")}), read_errors)}},
        "/public/lists/rcr": {"get": {"tags": ["Indicators"], "summary": "The published RCR list on a date and its changes since another (anonymous)", "operationId": "getPublicRcrList",
            "parameters": [q("as_of", date.clone(), "default today"), q("since", date, "added, kept and removed since this date"),
                           q("county_code", json!({"type": "string"}), "a county or city"), q("f", json!({"type": "string", "enum": ["json", "csv", "xlsx", "html"]}), "default json")],
            "responses": {"200": {"description": "the list", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}},
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}, "text/html": {"schema": {"type": "string"}}}},
                          "400": {"description": "a parameter is malformed or unknown"}}}},
        "/key-land/developments": {
            "get": {"tags": ["Indicators"], "summary": "Key construction land developed in a period, with the key-construction-land rate", "operationId": "getKeyLandDevelopments",
                "parameters": [q("county_code", json!({"type": "string"}), "a county or city"), q("from", json!({"type": "string", "format": "date"}), "default 1 January of to's year"),
                               q("to", json!({"type": "string", "format": "date"}), "default today"), q("as_of", json!({"type": "string", "format": "date"}), "default to, or today if earlier")],
                "responses": with(json!({"200": obj("the developments and the rate")}), read_errors)},
            "post": {"tags": ["Indicators"], "summary": "Record that a registered parcel of key construction land was developed", "operationId": "recordKeyLandDevelopment",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["parcel_code", "developed_on", "document"], "additionalProperties": false,
                    "properties": {"parcel_code": {"type": "string"}, "developed_on": {"type": "string", "format": "date"}, "document": {"type": "string"}, "note": {"type": "string"}}}}}},
                "responses": with(json!({"201": obj("the development, with the parcel's state then and whether the chain came first")}), write_errors)}},
        "/key-land/developments/{id}/enforcement": {"post": {"tags": ["Indicators"], "summary": "Record the enforcement decision (and correction) against a development in breach", "operationId": "recordKeyLandEnforcement",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["decision", "decided_on"], "additionalProperties": false,
                "properties": {"decision": {"type": "string"}, "decided_on": {"type": "string", "format": "date"}, "corrected_on": {"type": "string", "format": "date"}, "note": {"type": "string"}}}}}},
            "responses": with(json!({"201": obj("the record"), "409": {"description": "the land was developed after the chain: no breach"}}), write_errors)}},
        "/reports/annual": {"get": {"tags": ["Indicators"], "summary": "The plan's annual report for a city (HTML in Chinese laid out for A4, printed as PDF, or its tables as XLSX)", "operationId": "getAnnualReport",
            "parameters": [q("city", json!({"type": "string", "pattern": "^[0-9]{4}$"}), "4-digit city code"), q("year", json!({"type": "integer"}), "a year that has begun"),
                           q("f", json!({"type": "string", "enum": ["html", "pdf", "xlsx"]}), "default html")],
            "responses": with(json!({"200": {"description": "the report", "content": {"text/html": {"schema": {"type": "string"}}, "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}}}), read_errors)}},
        "/public/lists/key-units": {"get": {"tags": ["Indicators"], "summary": "The year's list of key supervised units (anonymous)", "operationId": "getPublicKeyUnits",
            "parameters": [q("year", json!({"type": "integer"}), "default this year"), q("county_code", json!({"type": "string"}), "a county or city"),
                           q("f", json!({"type": "string", "enum": ["json", "csv", "xlsx", "html"]}), "default json")],
            "responses": {"200": {"description": "the list", "content": {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}},
                              "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}}}},
                          "400": {"description": "a parameter is malformed or unknown"}}}},
    });
    if let (Some(all), Value::Object(mine)) = (doc.get_mut("paths").and_then(Value::as_object_mut), paths) {
        all.extend(mine);
    }
}
