//! The one place where errors become HTTP answers: RFC 9457 problem details, no stack traces, no SQL.

use crate::domain::registry::Problem;
use crate::requests::Request;
use crate::store::measures::LedgerError;
use crate::store::StoreError;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<Problem>,
    pub extra: Map<String, Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        ApiError { status, kind, title, detail: detail.into(), errors: Vec::new(), extra: Map::new() }
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad-request", "Bad request", detail)
    }

    pub fn bad_parameter(name: &str, detail: impl std::fmt::Display) -> Self {
        let mut e =
            ApiError::new(StatusCode::BAD_REQUEST, "bad-parameter", "Bad query parameter", format!("{name}: {detail}"));
        e.extra.insert("parameter".into(), json!(name));
        e
    }

    /// A write refused whole, with every problem found in it.
    pub fn invalid_feature(problems: Vec<Problem>) -> Self {
        let n = problems.len();
        let mut e = ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid-feature",
            "The feature was refused",
            format!("{n} problem{} found; nothing was stored", if n == 1 { "" } else { "s" }),
        );
        e.errors = problems;
        e.extra.insert("detail_zh".into(), json!(format!("{n} 处问题，未保存任何内容")));
        e
    }

    /// A request body (a check, a soil sample, a lifecycle step) refused whole, with every problem found
    /// in it: the one way such a refusal is told.
    pub fn refused(request: Request, problems: Vec<Problem>) -> Self {
        let mut e = ApiError::invalid_feature(problems);
        let n = e.errors.len();
        match request {
            Request::Check | Request::SoilSample => {
                e.kind = "invalid-check";
                e.title = "The check request was refused";
                e.detail = format!("{n} problem(s) in the request; see errors");
                e.extra.insert("title_zh".into(), json!("核查请求未被受理"));
            }
            Request::Transition => {
                e.title = "The transition was refused";
                e.extra.insert("title_zh".into(), json!("生命周期步骤未被受理"));
            }
        }
        e.extra.insert("detail_zh".into(), json!(format!("请求中有 {n} 处问题，详见 errors；未作任何更改")));
        e
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn unauthorized(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "Authentication required", detail)
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed for this role", detail)
    }

    pub fn internal() -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the error was logged; nothing was changed",
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("no such feature"),
            StoreError::Conflict(d) => ApiError::new(StatusCode::CONFLICT, "conflict", "Conflict", d),
            StoreError::Lifecycle(step) => {
                let mut err = ApiError::new(
                    StatusCode::CONFLICT,
                    "lifecycle",
                    "The lifecycle does not allow this step",
                    step.to_string(),
                );
                err.extra.insert("current_state".into(), json!(step.from));
                err.extra.insert("allowed_next_states".into(), json!(step.allowed));
                err
            }
            StoreError::PreconditionFailed { current } => {
                let mut err = ApiError::new(
                    StatusCode::PRECONDITION_FAILED,
                    "stale-etag",
                    "The feature has changed",
                    "If-Match does not match the feature's current ETag; read it again and reapply your change",
                );
                err.extra.insert("current_etag".into(), json!(current));
                err
            }
            StoreError::Invalid(d) => {
                ApiError::new(StatusCode::BAD_REQUEST, "invalid-feature", "The feature was refused", d)
            }
            StoreError::Forbidden(d) => {
                ApiError::new(StatusCode::FORBIDDEN, "out-of-scope", "Outside the counties you may write", d)
            }
            StoreError::Unavailable(d) => {
                tracing::warn!(error = %d, "database unavailable");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The database is unavailable",
                    "the registry database cannot be reached right now; try again shortly",
                )
            }
            StoreError::BadInput(d) => ApiError::bad_request(d),
            StoreError::NotMigrated(d) => {
                tracing::error!(missing = %d, "the database is not migrated");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "The database is unavailable",
                    "the registry database is not ready for this version of the service; the operators were told",
                )
            }
            StoreError::Timeout => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "timeout",
                "The query took too long",
                "the query was stopped at the statement time limit; narrow it (bbox, filter, limit)",
            ),
            StoreError::Database(e) => {
                tracing::error!(error = %e, "database error");
                ApiError::internal()
            }
            StoreError::Migrate(e) => {
                tracing::error!(error = %e, "migration error");
                ApiError::internal()
            }
        }
    }
}

/// The measures ledger's refusals, each told once in Chinese and English ("中文 — English", as elsewhere).
impl From<LedgerError> for ApiError {
    fn from(e: LedgerError) -> Self {
        let e = match e {
            LedgerError::Store(s) => return s.into(),
            e => e,
        };
        let both = |zh: String| format!("{zh} — {e}");
        match &e {
            LedgerError::Measure(m) => {
                let mut err = ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-measure",
                    "The measures were refused",
                    both(m.message_zh()),
                );
                err.extra.insert("title_zh".into(), json!("措施未被受理"));
                err
            }
            LedgerError::UnknownUnit(u) => ApiError::not_found(both(format!("现无耕地单元'{u}'"))),
            LedgerError::UnknownEntry { unit, id } => {
                ApiError::not_found(both(format!("耕地单元'{unit}'的台账中没有条目 {id}")))
            }
            LedgerError::AlreadyWithdrawn { id, at } => ApiError::new(
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                both(format!("台账条目 {id} 已于 {at} 撤回")),
            ),
            LedgerError::NoReason => ApiError::bad_request(both("撤回须说明理由（reason）".to_string())),
            // Returned above, as the store's own errors.
            LedgerError::Store(_) => ApiError::internal(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("type".into(), json!(format!("https://landguard.dev/problems/{}", self.kind)));
        body.insert("title".into(), json!(self.title));
        body.insert("status".into(), json!(self.status.as_u16()));
        body.insert("detail".into(), json!(self.detail));
        if !self.errors.is_empty() {
            body.insert("errors".into(), json!(self.errors));
        }
        body.extend(self.extra);
        let mut resp = (self.status, Value::Object(body).to_string()).into_response();
        resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.status == StatusCode::UNAUTHORIZED {
            resp.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"landguard\""));
        }
        if self.status == StatusCode::SERVICE_UNAVAILABLE {
            resp.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("2"));
        }
        resp
    }
}
