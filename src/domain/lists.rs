//! Published lists (信息公开): what a bureau publishes of the RCR list as of a date, and what changed since an
//! earlier date, in the province's terms (生态环境部公告2021年第71号): added (新增), kept (保留), removed (移出).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListChange {
    Added,
    Kept,
    Removed,
}

impl ListChange {
    /// How a parcel's place on the list changed between the earlier date and the later one; none when it
    /// was on neither (it is not part of the published change at all).
    pub fn between(on_before: bool, on_after: bool) -> Option<ListChange> {
        match (on_before, on_after) {
            (false, true) => Some(ListChange::Added),
            (true, true) => Some(ListChange::Kept),
            (true, false) => Some(ListChange::Removed),
            (false, false) => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ListChange::Added => "added",
            ListChange::Kept => "kept",
            ListChange::Removed => "removed",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            ListChange::Added => "新增",
            ListChange::Kept => "保留",
            ListChange::Removed => "移出",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_table() {
        let table = [
            (false, true, Some(ListChange::Added), "新增"),
            (true, true, Some(ListChange::Kept), "保留"),
            (true, false, Some(ListChange::Removed), "移出"),
        ];
        for (before, after, want, zh) in table {
            let got = ListChange::between(before, after);
            assert_eq!(got, want, "{before} -> {after}");
            assert_eq!(got.map(ListChange::label_zh), Some(zh));
        }
        assert_eq!(ListChange::between(false, false), None);
        assert_eq!(serde_json::to_value(ListChange::Removed).unwrap(), "removed");
    }
}
