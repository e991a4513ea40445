//! Request limits besides the body size (DefaultBodyLimit) and the vertex count (domain::registry): JSON
//! nesting depth, and the time from request to response headers.

use super::error::{ApiError, ApiResult};
use super::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// The deepest nesting of arrays and objects in `body`, counted by a scan of brackets outside strings, and
/// stopped as soon as it passes `max`. It runs before any parser builds the value, so a body of a million
/// `[` costs one pass over the bytes, not a million nested allocations (or recursion in a later walk of the
/// value). UTF-8 continuation bytes never equal an ASCII bracket or quote, so scanning bytes is exact.
pub fn json_depth_exceeds(body: &[u8], max: usize) -> bool {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for &b in body {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return true;
                }
            }
            // Unbalanced closers are the parser's to refuse; here they only must not underflow.
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// Refuses JSON text nested deeper than `max` with a 400 problem.
pub fn check_json_depth(body: &[u8], max: usize) -> ApiResult<()> {
    if json_depth_exceeds(body, max) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "too-deep",
            "JSON nested too deeply",
            format!("arrays and objects are nested deeper than {max} levels (a GeoJSON feature needs 6)"),
        ));
    }
    Ok(())
}

/// Answers 503 problem+json when the handler has not produced its response head within
/// `request_timeout_ms`. Only the head is timed: a streamed body (a page of items) then runs under the
/// pulls' statement time limit instead, so a large page read by a slow client is not cut. Dropping the
/// handler's future rolls back any transaction it holds, so a timed-out write is not applied.
pub async fn request_timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ms = state.settings.request_timeout_ms;
    // A clone of the URI shares its bytes: no copy of the path per request for the rare log line.
    let uri = req.uri().clone();
    match tokio::time::timeout(Duration::from_millis(ms), next.run(req)).await {
        Ok(resp) => resp,
        Err(_) => {
            tracing::warn!(path = %uri.path(), limit_ms = ms, "request timed out");
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "request-timeout",
                "The request took too long",
                format!("no answer within {ms} ms; nothing was changed by this request; try again shortly"),
            )
            .into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_is_counted_outside_strings() {
        let table: &[(&str, usize, bool)] = &[
            ("{}", 1, false),
            ("{}", 0, true),
            ("[[[1]]]", 3, false),
            ("[[[1]]]", 2, true),
            (r#"{"a": "[[[[[[[[[[["}"#, 1, false),
            (r#"{"a": "\"[[[[[[["}"#, 1, false),
            (r#"{"a": "\\", "b": [[1]]}"#, 2, true),
            (r#"{"a": "\\", "b": [[1]]}"#, 3, false),
            ("]]]]]][", 1, false),
            ("[1],[2],[3]", 1, false),
            (r#"{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":[[[[1,2]]]]}}"#, 6, false),
            (r#"{"名":"[[[","x":[{"y":[]}]}"#, 4, false),
            (r#"{"名":"[[[","x":[{"y":[]}]}"#, 3, true),
        ];
        for (text, max, deeper) in table {
            assert_eq!(json_depth_exceeds(text.as_bytes(), *max), *deeper, "{text} max {max}");
        }
        let bomb = "[".repeat(1_000_000);
        assert!(json_depth_exceeds(bomb.as_bytes(), 32));
    }
}
