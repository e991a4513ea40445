//! Entity tags and conditional requests (RFC 9110 §8.8.3, §13.1.1, §13.1.2): the one place that reads
//! `If-Match` and `If-None-Match` and compares them with an ETag, through the `headers` crate's types.
//!
//! Writes use `If-Match` with the strong comparison: `W/"v3"` does not match `"v3"`, since a weak tag
//! only promises an equivalent representation and a write needs the exact version. Reads use
//! `If-None-Match` with the weak comparison, so a 304 is also given for a weak tag of the same opaque
//! value (a tile's, or one a proxy weakened while compressing).
//!
//! It sits beside `http` and `store`, not in either: both use it, and neither may depend on the other's
//! side of it.

use axum::http::HeaderMap;
use headers::{ETag, HeaderMapExt, IfMatch, IfNoneMatch};

/// A write's precondition: the request's `If-Match`, or one that no version meets.
#[derive(Debug, Clone, PartialEq)]
pub struct Precondition(Option<IfMatch>);

impl Precondition {
    /// Exactly this ETag: the precondition a write takes when the request did not send one.
    pub fn exactly(etag: &str) -> Precondition {
        Precondition(etag.parse::<ETag>().ok().map(IfMatch::from))
    }

    /// Whether the write may go ahead on the version whose ETag is `current` (strong comparison; `*`
    /// matches any current version).
    pub fn passes(&self, current: &str) -> bool {
        match (&self.0, current.parse::<ETag>()) {
            (None, _) => false,
            (Some(m), Ok(tag)) => m.precondition_passes(&tag),
            (Some(m), Err(_)) => m.is_any(),
        }
    }
}

/// The request's `If-Match`, or `None` when it has none. A header that cannot be read as entity tags
/// (bytes outside visible ASCII, a tag without quotes) matches no ETag: the write fails as 412, and is
/// never made unconditional by dropping the precondition.
pub fn if_match(headers: &HeaderMap) -> Option<Precondition> {
    match headers.typed_try_get::<IfMatch>() {
        Ok(m) => m.map(|m| Precondition(Some(m))),
        Err(_) => Some(Precondition(None)),
    }
}

/// Whether a GET or HEAD with these headers is answered 304 for the representation whose ETag is `etag`
/// (weak comparison). No header, or one that cannot be read, is never a 304.
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let Ok(Some(inm)) = headers.typed_try_get::<IfNoneMatch>() else {
        return false;
    };
    match etag.parse::<ETag>() {
        Ok(tag) => !inm.precondition_passes(&tag),
        Err(_) => false,
    }
}

/// A short digest of the parts an ETag depends on, the same across restarts, builds and Rust releases
/// (std's `DefaultHasher` promises none of that, so a client's tag could stop matching after an upgrade).
/// SHA-256 is already used for tile ETags; 64 of its bits are plenty to tell a page's variants apart.
/// Each part is length-prefixed, so that ("ab", "c") and ("a", "bc") differ.
pub fn digest(parts: &[&[u8]]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    hex::encode(&h.finalize()[..8])
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderValue};

    fn with(name: header::HeaderName, values: &[&[u8]]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name.clone(), HeaderValue::from_bytes(v).unwrap());
        }
        h
    }

    #[test]
    fn if_match_is_the_strong_comparison() {
        // (If-Match lines, the current version's ETag, whether the write goes ahead)
        let cases: &[(&[&[u8]], &str, bool)] = &[
            (&[b"\"v3\""], "\"v3\"", true),
            (&[b"\"v2\""], "\"v3\"", false),
            (&[b"W/\"v3\""], "\"v3\"", false),
            (&[b"\"v3\""], "W/\"v3\"", false),
            (&[b"\"v2\", \"v3\""], "\"v3\"", true),
            (&[b"\"v2\",\"v3\""], "\"v3\"", true),
            (&[b"\"v2\"", b"\"v3\""], "\"v3\"", true),
            (&[b"*"], "\"v3\"", true),
            (&[b"\"v3-html\""], "\"v3\"", false),
            (&[b"v3"], "\"v3\"", false),
            (&[b""], "\"v3\"", false),
            (&[b"' OR 1=1 --"], "\"v3\"", false),
            (&[b"\"v3\xff\""], "\"v3\"", false),
            (&[b"\xff"], "\"v3\"", false),
        ];
        for (lines, current, passes) in cases {
            let h = with(header::IF_MATCH, lines);
            let p = if_match(&h).expect("a request with If-Match has a precondition");
            assert_eq!(p.passes(current), *passes, "If-Match {lines:?} against {current}");
        }
        assert_eq!(if_match(&HeaderMap::new()), None);
        assert!(Precondition::exactly("\"v3\"").passes("\"v3\""));
        assert!(!Precondition::exactly("\"v3\"").passes("\"v4\""));
        assert!(!Precondition::exactly("not a tag").passes("not a tag"));
    }

    #[test]
    fn if_none_match_is_the_weak_comparison() {
        // (If-None-Match lines, the representation's ETag, whether the answer is 304)
        let cases: &[(&[&[u8]], &str, bool)] = &[
            (&[b"W/\"t1\""], "W/\"t1\"", true),
            (&[b"\"t1\""], "W/\"t1\"", true),
            (&[b"W/\"p1\""], "\"p1\"", true),
            (&[b"\"x\", \"t1\""], "W/\"t1\"", true),
            (&[b"\"x\"", b"W/\"t1\""], "W/\"t1\"", true),
            (&[b"*"], "\"p1\"", true),
            (&[b"\"x\""], "W/\"t1\"", false),
            (&[b"\"v3\""], "\"v3-html\"", false),
            (&[b"\"v3-html\""], "\"v3\"", false),
            (&[b"t1"], "W/\"t1\"", false),
            (&[b""], "\"p1\"", false),
            (&[b"\"p1\xff\""], "\"p1\"", false),
        ];
        for (lines, etag, hit) in cases {
            let h = with(header::IF_NONE_MATCH, lines);
            assert_eq!(not_modified(&h, etag), *hit, "If-None-Match {lines:?} against {etag}");
        }
        assert!(!not_modified(&HeaderMap::new(), "\"p1\""));
        assert!(!not_modified(&with(header::IF_MATCH, &[b"\"p1\""]), "\"p1\""), "If-Match is not If-None-Match");
    }

    #[test]
    fn digests_are_fixed_and_tell_parts_apart() {
        // A fixed value: a change of this digest changes every page ETag clients hold.
        assert_eq!(digest(&[b"farmland_units", b"limit=2", b"json"]), "2f0f69da843a78fb");
        assert_eq!(digest(&[]), "e3b0c44298fc1c14", "SHA-256 of nothing");
        assert_ne!(digest(&[b"ab", b"c"]), digest(&[b"a", b"bc"]));
        assert_ne!(digest(&[b"x", b"json"]), digest(&[b"x", b"html"]));
    }
}
