//! Who may do what: roles, API tokens and session cookies that are kept only as hashes, and people's
//! passwords, kept as Argon2id hashes.

use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Viewer,
    Editor,
    /// An editor who also approves (class-adjustment batches); writes like an editor.
    Approver,
    Admin,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role '{0}' (expected viewer, editor, approver or admin)")]
pub struct UnknownRole(pub String);

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    pub fn may_write(self) -> bool {
        self >= Role::Editor
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "approver" => Ok(Role::Approver),
            "admin" => Ok(Role::Admin),
            other => Err(UnknownRole(other.to_string())),
        }
    }
}

/// Tokens carry 256 random bits, so a plain SHA-256 is enough to keep them safe at rest: there is nothing
/// to brute-force that a slow password hash would protect.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("lg_{}", hex::encode(bytes))
}

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Compare a presented token with a stored hash without leaking, through timing, how much of it matched.
pub fn token_matches(token: &str, stored_hash: &[u8]) -> bool {
    token_hash(token).ct_eq(stored_hash).into()
}

/// A session cookie's value: 256 random bits like a token, and likewise kept only as its SHA-256.
pub fn new_session_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("lgs_{}", hex::encode(bytes))
}

/// The CSRF value that goes with a session: derived from the cookie's secret, so nothing more is stored,
/// and a page of another origin, which cannot read the cookie, cannot compute it.
pub fn csrf_for(session_token: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"landguard-csrf\0");
    h.update(session_token.as_bytes());
    hex::encode(h.finalize())
}

pub fn csrf_matches(session_token: &str, presented: &str) -> bool {
    csrf_for(session_token).as_bytes().ct_eq(presented.trim().as_bytes()).into()
}

/// People choose passwords, which can be guessed: unlike tokens, they are kept as Argon2id hashes (memory-
/// hard, the OWASP and RFC 9106 recommendation), with the crate's defaults (19 MiB, 2 passes, 1 lane) and a
/// random salt, in the PHC string form that records those parameters beside the hash.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    check_password(password)?;
    let salt = SaltString::generate(&mut OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Whether `password` matches a stored PHC hash. A hash that cannot be read matches nothing.
pub fn verify_password(password: &str, stored: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    match PasswordHash::new(stored) {
        Ok(h) => argon2::Argon2::default().verify_password(password.as_bytes(), &h).is_ok(),
        Err(_) => false,
    }
}

/// A hash of no one's password, verified against when the name is unknown so that an unknown name takes
/// as long to refuse as a wrong password, and names cannot be told apart by timing.
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("no-such-person-password").unwrap_or_default())
}

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("密码至少 {PASSWORD_MIN_CHARS} 个字符 — the password must have at least {PASSWORD_MIN_CHARS} characters")]
    TooShort,
    #[error("密码最多 {PASSWORD_MAX_CHARS} 个字符 — the password must have at most {PASSWORD_MAX_CHARS} characters")]
    TooLong,
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

pub fn check_password(password: &str) -> Result<(), PasswordError> {
    let n = password.chars().count();
    if n < PASSWORD_MIN_CHARS {
        Err(PasswordError::TooShort)
    } else if n > PASSWORD_MAX_CHARS {
        Err(PasswordError::TooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_verified_by_hash() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a.starts_with("lg_") && a.len() == 67);
        let h = token_hash(&a);
        assert!(token_matches(&a, &h));
        assert!(!token_matches(&b, &h));
        assert!(!token_matches("", &h));
    }

    #[test]
    fn roles() {
        let table = [
            ("viewer", Role::Viewer, false),
            ("editor", Role::Editor, true),
            ("approver", Role::Approver, true),
            ("admin", Role::Admin, true),
        ];
        for (s, r, w) in table {
            assert_eq!(s.parse::<Role>().unwrap(), r);
            assert_eq!(r.may_write(), w);
        }
        assert!("root".parse::<Role>().is_err());
    }

    #[test]
    fn passwords_are_hashed_with_argon2id_and_verified() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_ne!(h, hash_password("correct horse battery").unwrap(), "each hash has its own salt");
        // (password, stored, matches)
        let table = [
            ("correct horse battery", h.as_str(), true),
            ("correct horse batterY", h.as_str(), false),
            ("", h.as_str(), false),
            ("correct horse battery", "not a phc string", false),
            ("correct horse battery", "", false),
            ("correct horse battery", dummy_password_hash(), false),
        ];
        for (password, stored, matches) in table {
            assert_eq!(verify_password(password, stored), matches, "{password:?} against {stored:?}");
        }
    }

    #[test]
    fn password_lengths() {
        // (password, accepted)
        let long = "x".repeat(PASSWORD_MAX_CHARS + 1);
        let table = [
            ("", Err(PasswordError::TooShort)),
            ("123456789", Err(PasswordError::TooShort)),
            ("1234567890", Ok(())),
            ("土壤污染防治法第六十一条", Ok(())),
            ("土壤污染防治法第六条", Ok(())),
            ("土壤污染防治法六条", Err(PasswordError::TooShort)),
            (long.as_str(), Err(PasswordError::TooLong)),
        ];
        for (p, expected) in table {
            assert_eq!(check_password(p), expected, "{p:?}");
        }
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn csrf_values_belong_to_their_session() {
        let a = new_session_token();
        let b = new_session_token();
        assert!(a.starts_with("lgs_") && a.len() == 68 && a != b);
        let csrf = csrf_for(&a);
        assert_eq!(csrf.len(), 64);
        assert!(!csrf.contains(&a[4..]), "the CSRF value does not reveal the cookie");
        // (session, presented, matches)
        let table = [
            (&a, csrf.clone(), true),
            (&a, format!(" {csrf} "), true),
            (&b, csrf.clone(), false),
            (&a, String::new(), false),
            (&a, csrf[..63].to_string(), false),
            (&a, a.clone(), false),
        ];
        for (session, presented, matches) in table {
            assert_eq!(csrf_matches(session, &presented), matches, "{presented:?}");
        }
    }
}
