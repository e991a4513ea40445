//! A duty's period as text, kept inline (no allocation per duty): the labels `domain::duties` makes.

use serde::Serialize;
use std::fmt;

/// A duty's period as text (`2025-H1`, `2023–2025`), kept inline: a city's answer has tens of thousands of
/// duties, and a String each (made through `format!`) was a tenth of the service's work for it.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Period {
    len: u8,
    bytes: [u8; Period::CAPACITY],
}

impl Period {
    /// Room for the longest: `-262143–262143` or `-262143-pre-flood` (chrono's years), 17 bytes.
    const CAPACITY: usize = 23;

    pub fn year(year: i32) -> Period {
        let mut p = Period::default();
        p.push_int(year, 1);
        p
    }

    pub fn as_str(&self) -> &str {
        // only whole strs and ASCII digits are pushed
        std::str::from_utf8(&self.bytes[..self.len as usize]).unwrap_or_default()
    }

    pub(super) fn push_str(&mut self, s: &str) {
        let n = s.len().min(Period::CAPACITY - self.len as usize);
        // never cut: the capacity holds every period made here
        if n == s.len() {
            self.bytes[self.len as usize..self.len as usize + n].copy_from_slice(s.as_bytes());
            self.len += n as u8;
        }
    }

    /// `v` in decimal, with leading zeros to `width` digits.
    pub(super) fn push_int(&mut self, v: i32, width: usize) {
        if v < 0 {
            self.push_str("-");
        }
        let mut digits = [0u8; 10];
        let (mut v, mut i) = (v.unsigned_abs(), digits.len());
        while v > 0 || digits.len() - i < width.max(1) {
            i -= 1;
            digits[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        if let Ok(d) = std::str::from_utf8(&digits[i..]) {
            self.push_str(d);
        }
    }
}

impl std::ops::Deref for Period {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl From<&str> for Period {
    fn from(s: &str) -> Period {
        let mut p = Period::default();
        p.push_str(s);
        p
    }
}

impl PartialEq<&str> for Period {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}
