//! The CQL2 standard's own examples (tests/data/cql2-examples, see its README there) through this
//! parser: each example's text and JSON forms must parse to the same filter, except the examples listed
//! in [`UNSUPPORTED`], which neither form may parse. A change of support either way fails the test
//! until the list says so.

use super::*;
use std::path::Path;

/// The filter without where its parts came from, and with `NOT` over `LIKE`, `BETWEEN`, `IN` and
/// `IS NULL` folded into the operator, so that `a NOT LIKE b` (as text writes it) and `NOT (a LIKE b)`
/// (the only way JSON can write it) compare equal, as the standard says they are.
fn plain(e: &Expr) -> Expr {
    let b = |e: &Expr| Box::new(plain(e));
    let v = |es: &[Expr]| es.iter().map(plain).collect();
    let at = Loc::None;
    match e {
        Expr::And { args, .. } => Expr::And { args: v(args), at },
        Expr::Or { args, .. } => Expr::Or { args: v(args), at },
        Expr::Not { arg, .. } => match plain(arg) {
            Expr::Like { arg, pattern, negated, ilike, at } => {
                Expr::Like { arg, pattern, negated: !negated, ilike, at }
            }
            Expr::Between { arg, low, high, negated, at } => Expr::Between { arg, low, high, negated: !negated, at },
            Expr::In { arg, list, negated, at } => Expr::In { arg, list, negated: !negated, at },
            Expr::IsNull { arg, negated, at } => Expr::IsNull { arg, negated: !negated, at },
            other => Expr::Not { arg: Box::new(other), at },
        },
        Expr::Compare { op, left, right, .. } => Expr::Compare { op: *op, left: b(left), right: b(right), at },
        Expr::Like { arg, pattern, negated, ilike, .. } => {
            Expr::Like { arg: b(arg), pattern: b(pattern), negated: *negated, ilike: *ilike, at }
        }
        Expr::Between { arg, low, high, negated, .. } => {
            Expr::Between { arg: b(arg), low: b(low), high: b(high), negated: *negated, at }
        }
        Expr::In { arg, list, negated, .. } => Expr::In { arg: b(arg), list: v(list), negated: *negated, at },
        Expr::IsNull { arg, negated, .. } => Expr::IsNull { arg: b(arg), negated: *negated, at },
        Expr::Spatial { op, left, right, .. } => Expr::Spatial { op: *op, left: b(left), right: b(right), at },
        Expr::CaseI { arg, .. } => Expr::CaseI { arg: b(arg), at },
        Expr::Property { name, .. } => Expr::Property { name: name.clone(), at },
        Expr::Text { value, .. } => Expr::Text { value: value.clone(), at },
        Expr::Int { value, .. } => Expr::Int { value: *value, at },
        Expr::Float { value, .. } => Expr::Float { value: *value, at },
        Expr::Bool { value, .. } => Expr::Bool { value: *value, at },
        Expr::Date { value, .. } => Expr::Date { value: *value, at },
        Expr::Timestamp { value, .. } => Expr::Timestamp { value: *value, at },
        Expr::Geometry { value, .. } => Expr::Geometry { value: value.clone(), at },
    }
}

/// The examples neither form of which this parser takes, by what they use. Every other example must
/// parse, text and JSON alike, to one filter.
const UNSUPPORTED: &[&str] = &[
    // functions other than the spatial ones and CASEI: avg, Foo, Bar, Buffer
    "clause6_01",
    "clause6_02b",
    "clause7_18",
    "example68",
    "example69",
    // arithmetic (+ - * / ^ % div)
    "clause6_02c",
    "clause7_19",
    "example72",
    "example73",
    "example74",
    "example75",
    "example76",
    "example77",
    "example78",
    "example85",
    "example85-alt01",
    // ACCENTI
    "clause7_05",
    "example27",
    "example70",
    // temporal operators (T_AFTER, T_DURING, ... and INTERVAL); dates are compared with =, <, >, BETWEEN
    "clause7_12",
    "clause7_13",
    "clause7_17",
    "example20",
    "example21",
    "example22",
    "example53",
    "example54",
    "example54-alt01",
    "example55",
    "example55-alt01",
    "example56",
    "example57",
    "example58",
    "example59",
    "example60",
    "example61",
    "example62",
    "example63",
    "example64",
    "example65",
    "example66",
    "example67",
    // array operators (A_CONTAINS, ...)
    "clause7_15",
    "example79",
    "example80",
    "example81",
    "example82",
];

/// What the two forms of one example gave.
fn outcome(text: &str, json: &serde_json::Value) -> String {
    match (parse_text(text), parse_json(json)) {
        (Ok(t), Ok(j)) if plain(&t) == plain(&j) => "agree".into(),
        (Ok(t), Ok(j)) => format!("disagree: text {:?}, JSON {:?}", plain(&t), plain(&j)),
        (Err(t), Err(j)) => format!("unsupported: text: {t}; JSON: {j}"),
        (Ok(_), Err(j)) => format!("only the text parses; JSON: {j}"),
        (Err(t), Ok(_)) => format!("only the JSON parses; text: {t}"),
    }
}

#[test]
fn the_standards_examples_parse_alike_in_text_and_json() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cql2-examples");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut names: Vec<String> = std::fs::read_dir(dir.join("text"))
        .expect("tests/data/cql2-examples/text")
        .filter_map(|e| e.ok()?.file_name().to_str()?.strip_suffix(".txt").map(str::to_string))
        .collect();
    names.sort();
    // 109 examples, 11 of them with a second text form (-alt01) of the same JSON
    assert_eq!(names.len(), 120, "the example set changed: {names:?}");
    let mut wrong = Vec::new();
    for name in &names {
        let text = read(&dir.join("text").join(format!("{name}.txt")));
        let base = name.strip_suffix("-alt01").unwrap_or(name);
        let json: serde_json::Value = serde_json::from_str(&read(&dir.join("json").join(format!("{base}.json"))))
            .unwrap_or_else(|e| panic!("{base}.json: {e}"));
        let got = outcome(text.trim(), &json);
        let expected_unsupported = UNSUPPORTED.contains(&name.as_str());
        let ok = if expected_unsupported { got.starts_with("unsupported") } else { got == "agree" };
        if !ok {
            let want = if expected_unsupported { "unsupported (listed)" } else { "agree" };
            wrong.push(format!("{name}: expected {want}, got {got}\n    {}", text.trim()));
        }
    }
    for listed in UNSUPPORTED {
        assert!(names.iter().any(|n| n == listed), "{listed} is listed but is no example");
    }
    assert!(wrong.is_empty(), "{} of {} examples:\n{}", wrong.len(), names.len(), wrong.join("\n"));
}
