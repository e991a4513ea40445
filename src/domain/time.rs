//! Time in the registry: "today" and instants are read in China Standard Time, and a read sees the
//! registry as it stands now or as it stood on one day.

use chrono::{DateTime, NaiveDate};

/// Which version of the registry a read sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    Current,
    /// The registry as it stood on that day, as it is known now.
    Date(NaiveDate),
}

impl AsOf {
    pub fn date(self) -> Option<NaiveDate> {
        match self {
            AsOf::Current => None,
            AsOf::Date(d) => Some(d),
        }
    }
}

/// Today in China Standard Time: the day documents are dated in.
pub fn today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive()
}

/// The registry's valid time has the granularity of a day (documents are dated, not timed): an instant
/// is read as its calendar day in China Standard Time.
pub fn parse_instant(v: &str) -> Result<NaiveDate, String> {
    if v.contains('/') {
        return Err(format!("must be one instant (the registry as it stood then), not an interval: '{v}'"));
    }
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        return Ok(d);
    }
    DateTime::parse_from_rfc3339(v)
        .map(|t| (t.with_timezone(&chrono::Utc) + chrono::Duration::hours(8)).date_naive())
        .map_err(|_| format!("must be a date (2025-03-01) or an RFC 3339 instant (2025-03-01T10:00:00Z), not '{v}'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants() {
        assert_eq!(parse_instant("2025-03-01").unwrap(), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert_eq!(parse_instant("2025-02-28T17:00:00Z").unwrap(), NaiveDate::from_ymd_opt(2025, 3, 1).unwrap());
        assert!(parse_instant("2025-01-01/2025-02-01").is_err());
        assert!(parse_instant("yesterday").is_err());
    }
}
