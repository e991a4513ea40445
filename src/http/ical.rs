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
    escape_into(s, &mut out);
    out
}

fn escape_into(s: &str, out: &mut String) {
    // most text has none of them: copied whole
    if !s.bytes().any(|b| matches!(b, b'\\' | b';' | b',' | b'\n' | b'\r')) {
        out.push_str(s);
        return;
    }
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
}

/// A content line folded so that no line is longer than 75 octets (RFC 5545 §3.1): a break is CRLF and one
/// space, never inside a UTF-8 character (Chinese text is 3 octets a character). Copied a run of characters
/// at a time, not a character at a time: a city's feed has tens of thousands of events.
fn fold(line: &str, out: &mut String) {
    let (mut len, mut from) = (0, 0);
    for (i, ch) in line.char_indices() {
        let n = ch.len_utf8();
        if len + n > 75 {
            out.push_str(&line[from..i]);
            out.push_str("\r\n ");
            (len, from) = (1, i);
        }
        len += n;
    }
    out.push_str(&line[from..]);
    out.push_str("\r\n");
}

/// `20250331`, as chrono's `%Y%m%d` writes a year of four digits.
fn push_date(d: chrono::NaiveDate, out: &mut String) {
    use chrono::Datelike;
    if (0..=9999).contains(&d.year()) {
        let (y, m, day) = (d.year() as u32, d.month(), d.day());
        for v in [y / 1000, y / 100 % 10, y / 10 % 10, y % 10, m / 10, m % 10, day / 10, day % 10] {
            out.push(char::from(b'0' + v as u8));
        }
    } else {
        out.push_str(&d.format("%Y%m%d").to_string());
    }
}

/// A VCALENDAR with the events, its name in `name` (shown by calendar clients). Each line is put together in
/// one scratch String and folded into the answer, which is allocated at about its size once.
pub fn calendar(name: &str, stamp: chrono::NaiveDate, events: &[Event<'_>]) -> String {
    let mut out = String::with_capacity(1024 + 640 * events.len());
    let stamp = format!("DTSTAMP:{}", stamp.format("%Y%m%dT000000Z"));
    for line in ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//landguard//duties//ZH", "CALSCALE:GREGORIAN"] {
        fold(line, &mut out);
    }
    fold(&format!("X-WR-CALNAME:{}", escape(name)), &mut out);
    let mut line = String::new();
    let mut folded = |parts: &[&str], escaped: Option<&str>, out: &mut String| {
        line.clear();
        for p in parts {
            line.push_str(p);
        }
        if let Some(e) = escaped {
            escape_into(e, &mut line);
        }
        fold(&line, out);
    };
    let mut start = String::with_capacity(32);
    for e in events {
        fold("BEGIN:VEVENT", &mut out);
        folded(&["UID:", &e.uid], None, &mut out);
        fold(&stamp, &mut out);
        start.clear();
        start.push_str("DTSTART;VALUE=DATE:");
        push_date(e.date, &mut start);
        fold(&start, &mut out);
        folded(&["SUMMARY:"], Some(&e.summary), &mut out);
        folded(&["DESCRIPTION:"], Some(&e.description), &mut out);
        folded(&["URL:", &e.url], None, &mut out);
        folded(&["CATEGORIES:"], Some(e.categories), &mut out);
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

    /// The folding of a run at a time, as the folding of a character at a time (its former self) gave.
    #[test]
    fn fold_is_the_character_loop() {
        fn by_char(line: &str, out: &mut String) {
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
        for text in
            ["", "a", &"a".repeat(75), &"a".repeat(76), &"隐患排查".repeat(40), &format!("x{}", "尾矿库ab".repeat(30))]
        {
            let (mut mine, mut theirs) = (String::new(), String::new());
            fold(text, &mut mine);
            by_char(text, &mut theirs);
            assert_eq!(mine, theirs, "{text}");
        }
        let (mut a, d) = (String::new(), chrono::NaiveDate::from_ymd_opt);
        for date in [d(2025, 3, 31), d(7, 1, 2), d(10000, 12, 1)].into_iter().flatten() {
            a.clear();
            push_date(date, &mut a);
            assert_eq!(a, date.format("%Y%m%d").to_string());
        }
    }
}
