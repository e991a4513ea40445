//! iCalendar (RFC 5545) text for the duties feed: all-day events, text escaped and lines folded at 75
//! octets. A few lines of our own rather than a crate: the feed needs one component with five properties.

/// One all-day event.
pub struct Event<'a> {
    /// Stable across requests, so that a subscribed calendar updates an event rather than adding one.
    pub uid: String,
    pub date: chrono::NaiveDate,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub categories: &'a str,
}

/// TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded so that no line is longer than 75 octets (RFC 5545 §3.1): a break is CRLF and one
/// space, never inside a UTF-8 character (Chinese text is 3 octets a character).
fn fold(line: &str, out: &mut String) {
    let mut len = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += n;
    }
    out.push_str("\r\n");
}

/// A VCALENDAR with the events, its name in `name` (shown by calendar clients).
pub fn calendar(name: &str, stamp: chrono::NaiveDate, events: &[Event<'_>]) -> String {
    let mut out = String::new();
    let stamp = stamp.format("%Y%m%dT000000Z");
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//landguard//duties//ZH", "CALSCALE:GREGORIAN"] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        fold(&format!("UID:{}", e.uid), &mut out);
        fold(&format!("DTSTAMP:{stamp}"), &mut out);
        fold(&format!("DTSTART;VALUE=DATE:{}", e.date.format("%Y%m%d")), &mut out);
        fold(&format!("SUMMARY:{}", escape(&e.summary)), &mut out);
        fold(&format!("DESCRIPTION:{}", escape(&e.description)), &mut out);
        fold(&format!("URL:{}", e.url), &mut out);
        fold(&format!("CATEGORIES:{}", escape(e.categories)), &mut out);
        fold("TRANSP:TRANSPARENT", &mut out);
        fold("END:VEVENT", &mut out);
    }
    fold("END:VCALENDAR", &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fold_at_75_octets_between_characters() {
        for text in ["a".repeat(200), "隐患排查".repeat(40), format!("x{}", "尾矿库;,".repeat(30))] {
            let mut out = String::new();
            fold(&format!("SUMMARY:{}", escape(&text)), &mut out);
            let lines: Vec<&str> = out.trim_end_matches("\r\n").split("\r\n").collect();
            assert!(lines.len() > 1, "{text}");
            assert!(lines.iter().all(|l| l.len() <= 75), "{lines:?}");
            assert!(lines[1..].iter().all(|l| l.starts_with(' ')));
            let unfolded: String = lines.iter().enumerate().map(|(i, l)| if i == 0 { *l } else { &l[1..] }).collect();
            assert_eq!(unfolded, format!("SUMMARY:{}", escape(&text)));
        }
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
