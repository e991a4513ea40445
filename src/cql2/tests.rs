use super::*;
use proptest::prelude::*;
use serde_json::{json, Value};

const Q: &[Queryable] = &[
    Queryable { name: "name", sql: "v.name", qtype: QType::String },
    Queryable { name: "state", sql: "v.state", qtype: QType::String },
    Queryable { name: "former_industry", sql: "v.former_industry", qtype: QType::String },
    Queryable { name: "remediated_for_class", sql: "v.remediated_for_class", qtype: QType::Integer },
    Queryable { name: "area_m2", sql: "round(v.area_m2::numeric, 2)", qtype: QType::Number },
    Queryable { name: "priority_supervision", sql: "v.priority_supervision", qtype: QType::Boolean },
    Queryable { name: "valid_from", sql: "v.valid_from", qtype: QType::Date },
    Queryable { name: "geometry", sql: "v.geom", qtype: QType::Geometry },
];

fn date(s: &str) -> SqlParam {
    SqlParam::Date(chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}
fn text(s: &str) -> SqlParam {
    SqlParam::Text(s.to_string())
}
fn geo(v: Value) -> SqlParam {
    SqlParam::GeoJson(v.to_string())
}

/// Params equal, GeoJSON compared as JSON values (member order does not matter).
fn assert_params(got: &[SqlParam], want: &[SqlParam], ctx: &str) {
    assert_eq!(got.len(), want.len(), "{ctx}: params {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        match (g, w) {
            (SqlParam::GeoJson(a), SqlParam::GeoJson(b)) => {
                let a: Value = serde_json::from_str(a).unwrap();
                let b: Value = serde_json::from_str(b).unwrap();
                assert_eq!(a, b, "{ctx}");
            }
            _ => assert_eq!(g, w, "{ctx}"),
        }
    }
}

fn text_sql(s: &str) -> Result<(String, Vec<SqlParam>), Cql2Error> {
    to_sql(&parse_text(s)?, Q, 1)
}
fn json_sql(v: &Value) -> Result<(String, Vec<SqlParam>), Cql2Error> {
    to_sql(&parse_json(v)?, Q, 1)
}

/// The SQL with every queryable's SQL taken out may hold only this module's own vocabulary.
fn assert_skeleton(sql: &str) {
    let mut rest = sql.to_string();
    let mut qs: Vec<&str> = Q.iter().map(|q| q.sql).collect();
    qs.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for q in qs {
        rest = rest.replace(q, " Q ");
    }
    const WORDS: &[&str] = &[
        "Q",
        "AND",
        "OR",
        "NOT",
        "LIKE",
        "ILIKE",
        "BETWEEN",
        "IN",
        "IS",
        "NULL",
        "lower",
        "text",
        "bigint",
        "float8",
        "boolean",
        "date",
        "ST_SetSRID",
        "ST_GeomFromGeoJSON",
        "ST_Intersects",
        "ST_Within",
        "ST_Contains",
        "ST_Disjoint",
        "ST_Equals",
        "ST_Touches",
        "ST_Overlaps",
        "ST_Crosses",
    ];
    let mut word = String::new();
    let flush = |w: &mut String| {
        if !w.is_empty() {
            assert!(
                WORDS.contains(&w.as_str()) || w.chars().all(|c| c.is_ascii_digit()),
                "unexpected word {w:?} in SQL {sql:?}"
            );
            w.clear();
        }
    };
    for c in rest.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word);
            assert!("()$:, =<>".contains(c), "unexpected character {c:?} in SQL {sql:?}");
        }
    }
    flush(&mut word);
}

/// Placeholders appear in order `$first, $first+1, …`, one per param.
fn assert_placeholders(sql: &str, n_params: usize, first: usize) {
    let mut found = Vec::new();
    let b = sql.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = i + 1;
            let mut j = start;
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            found.push(sql[start..j].parse::<usize>().unwrap());
            i = j;
        } else {
            i += 1;
        }
    }
    let want: Vec<usize> = (first..first + n_params).collect();
    assert_eq!(found, want, "placeholders in {sql:?}");
}

const P: &str = "ST_SetSRID(ST_GeomFromGeoJSON($1::text), 4490)";

fn text_cases() -> Vec<(&'static str, &'static str, Vec<SqlParam>)> {
    use SqlParam::*;
    vec![
        // comparisons
        ("name = 'abc'", "(v.name = $1::text)", vec![text("abc")]),
        ("remediated_for_class <> 2", "(v.remediated_for_class <> $1::bigint)", vec![Int(2)]),
        ("remediated_for_class != 2", "(v.remediated_for_class <> $1::bigint)", vec![Int(2)]),
        ("area_m2 < 1000.5", "(round(v.area_m2::numeric, 2) < $1::float8)", vec![Float(1000.5)]),
        ("area_m2 > -1.5e3", "(round(v.area_m2::numeric, 2) > $1::float8)", vec![Float(-1500.0)]),
        ("area_m2>=+2E-2", "(round(v.area_m2::numeric, 2) >= $1::float8)", vec![Float(0.02)]),
        ("area_m2 <= .5", "(round(v.area_m2::numeric, 2) <= $1::float8)", vec![Float(0.5)]),
        ("remediated_for_class >= -2", "(v.remediated_for_class >= $1::bigint)", vec![Int(-2)]),
        ("remediated_for_class<=1", "(v.remediated_for_class <= $1::bigint)", vec![Int(1)]),
        ("area_m2 = 12", "(round(v.area_m2::numeric, 2) = $1::bigint)", vec![Int(12)]),
        ("remediated_for_class = 99999999999999999999", "(v.remediated_for_class = $1::float8)", vec![Float(1e20)]),
        ("2 < remediated_for_class", "($1::bigint < v.remediated_for_class)", vec![Int(2)]),
        ("name = state", "(v.name = v.state)", vec![]),
        // booleans
        ("priority_supervision = TRUE", "(v.priority_supervision = $1::boolean)", vec![Bool(true)]),
        ("priority_supervision = false", "(v.priority_supervision = $1::boolean)", vec![Bool(false)]),
        ("priority_supervision", "(v.priority_supervision)", vec![]),
        ("NOT priority_supervision", "(NOT (v.priority_supervision))", vec![]),
        ("true", "$1::boolean", vec![Bool(true)]),
        // dates
        ("valid_from > DATE('2024-01-01')", "(v.valid_from > $1::date)", vec![date("2024-01-01")]),
        ("valid_from >= '2024-02-29'", "(v.valid_from >= $1::date)", vec![date("2024-02-29")]),
        ("valid_from >= '2024-02-29T'", "(v.valid_from >= $1::date)", vec![date("2024-02-29")]),
        ("valid_from < TIMESTAMP('2024-01-01T00:00:00Z')", "(v.valid_from < $1::date)", vec![date("2024-01-01")]),
        ("valid_from = date('2023-12-31')", "(v.valid_from = $1::date)", vec![date("2023-12-31")]),
        // AND / OR / NOT, precedence and parentheses
        (
            "name = 'a' OR name = 'b' AND state = 'c'",
            "((v.name = $1::text) OR ((v.name = $2::text) AND (v.state = $3::text)))",
            vec![text("a"), text("b"), text("c")],
        ),
        (
            "(name = 'a' OR name = 'b') AND state = 'c'",
            "(((v.name = $1::text) OR (v.name = $2::text)) AND (v.state = $3::text))",
            vec![text("a"), text("b"), text("c")],
        ),
        (
            "name = 'a' AND state = 'b' AND remediated_for_class = 1",
            "((v.name = $1::text) AND (v.state = $2::text) AND (v.remediated_for_class = $3::bigint))",
            vec![text("a"), text("b"), Int(1)],
        ),
        ("NOT name = 'a'", "(NOT (v.name = $1::text))", vec![text("a")]),
        (
            "NOT (name = 'a' OR state = 'b') AND priority_supervision",
            "((NOT ((v.name = $1::text) OR (v.state = $2::text))) AND (v.priority_supervision))",
            vec![text("a"), text("b")],
        ),
        ("NOT NOT name = 'a'", "(NOT (NOT (v.name = $1::text)))", vec![text("a")]),
        ("((((name = 'a'))))", "(v.name = $1::text)", vec![text("a")]),
        // GDAL's shapes
        (
            "(name = 'a') AND (state <> 'b')",
            "((v.name = $1::text) AND (v.state <> $2::text))",
            vec![text("a"), text("b")],
        ),
        ("(former_industry IS NULL)", "(v.former_industry IS NULL)", vec![]),
        ("NOT (name LIKE 'x%')", "(NOT (v.name LIKE $1::text))", vec![text("x%")]),
        ("name ILIKE '%abc%'", "(v.name ILIKE $1::text)", vec![text("%abc%")]),
        // case-insensitive keywords
        (
            "name like 'a%' and not state in ('x') Or former_industry is not null",
            "(((v.name LIKE $1::text) AND (NOT (v.state IN ($2::text)))) OR (v.former_industry IS NOT NULL))",
            vec![text("a%"), text("x")],
        ),
        // LIKE
        ("name LIKE '%化工%'", "(v.name LIKE $1::text)", vec![text("%化工%")]),
        ("name NOT LIKE '_b%'", "(v.name NOT LIKE $1::text)", vec![text("_b%")]),
        ("name LIKE '100\\%'", "(v.name LIKE $1::text)", vec![text("100\\%")]),
        ("name LIKE 'a\\\\'", "(v.name LIKE $1::text)", vec![text("a\\\\")]),
        ("CASEI(name) LIKE CASEI('%Abc%')", "(lower(v.name) LIKE lower($1::text))", vec![text("%Abc%")]),
        ("casei(name) = casei('ABC')", "(lower(v.name) = lower($1::text))", vec![text("ABC")]),
        // strings
        ("name = 'O''Brien'", "(v.name = $1::text)", vec![text("O'Brien")]),
        ("name = 'it\\'s'", "(v.name = $1::text)", vec![text("it's")]),
        ("name = ''", "(v.name = $1::text)", vec![text("")]),
        ("name = '桂环函〔2025〕8号'", "(v.name = $1::text)", vec![text("桂环函〔2025〕8号")]),
        ("\"name\" = 'x'", "(v.name = $1::text)", vec![text("x")]),
        // BETWEEN
        (
            "remediated_for_class BETWEEN 1 AND 2",
            "(v.remediated_for_class BETWEEN $1::bigint AND $2::bigint)",
            vec![Int(1), Int(2)],
        ),
        (
            "area_m2 NOT BETWEEN 1 AND 2.5",
            "(round(v.area_m2::numeric, 2) NOT BETWEEN $1::bigint AND $2::float8)",
            vec![Int(1), Float(2.5)],
        ),
        (
            "valid_from BETWEEN DATE('2024-01-01') AND '2024-12-31'",
            "(v.valid_from BETWEEN $1::date AND $2::date)",
            vec![date("2024-01-01"), date("2024-12-31")],
        ),
        (
            "remediated_for_class between 1 and 2 and name = 'x'",
            "((v.remediated_for_class BETWEEN $1::bigint AND $2::bigint) AND (v.name = $3::text))",
            vec![Int(1), Int(2), text("x")],
        ),
        // IN
        (
            "state IN ('listed', 'under_control')",
            "(v.state IN ($1::text, $2::text))",
            vec![text("listed"), text("under_control")],
        ),
        ("state NOT IN ('x')", "(v.state NOT IN ($1::text))", vec![text("x")]),
        ("area_m2 IN (1, 2.5)", "(round(v.area_m2::numeric, 2) IN ($1::bigint, $2::float8))", vec![Int(1), Float(2.5)]),
        ("valid_from IN ('2024-01-01')", "(v.valid_from IN ($1::date))", vec![date("2024-01-01")]),
        // IS NULL
        ("former_industry IS NULL", "(v.former_industry IS NULL)", vec![]),
        ("remediated_for_class IS NOT NULL", "(v.remediated_for_class IS NOT NULL)", vec![]),
        ("geometry IS NULL", "(v.geom IS NULL)", vec![]),
    ]
}

#[test]
fn text_table() {
    for (input, sql, params) in text_cases() {
        let (got_sql, got_params) = text_sql(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got_sql, sql, "{input}");
        assert_params(&got_params, &params, input);
        assert_skeleton(&got_sql);
        assert_placeholders(&got_sql, got_params.len(), 1);
    }
}

fn spatial_cases() -> Vec<(&'static str, String, Value)> {
    let sq = json!([[[109.0, 24.0], [110.0, 24.0], [110.0, 25.0], [109.0, 25.0], [109.0, 24.0]]]);
    vec![
        (
            "S_INTERSECTS(geometry, POINT(109.41 24.33))",
            format!("ST_Intersects(v.geom, {P})"),
            json!({"type": "Point", "coordinates": [109.41, 24.33]}),
        ),
        (
            "s_intersects(geometry, point z (109.41 24.33 100))",
            format!("ST_Intersects(v.geom, {P})"),
            json!({"type": "Point", "coordinates": [109.41, 24.33]}),
        ),
        (
            "S_WITHIN(geometry, POLYGON((109 24, 110 24, 110 25, 109 25, 109 24)))",
            format!("ST_Within(v.geom, {P})"),
            json!({"type": "Polygon", "coordinates": sq}),
        ),
        (
            "S_CONTAINS(POLYGON((109 24,110 24,110 25,109 25,109 24)), geometry)",
            format!("ST_Contains({P}, v.geom)"),
            json!({"type": "Polygon", "coordinates": sq}),
        ),
        (
            "S_CONTAINS(geometry, POINT(-0.5 -45))",
            format!("ST_Contains(v.geom, {P})"),
            json!({"type": "Point", "coordinates": [-0.5, -45.0]}),
        ),
        (
            "S_INTERSECTS(geometry, MULTIPOLYGON(((109 24, 110 24, 110 25, 109 25, 109 24), (109.2 24.2, 109.2 24.4, 109.4 24.4, 109.2 24.2)), ((111 24, 112 24, 112 25, 111 24))))",
            format!("ST_Intersects(v.geom, {P})"),
            json!({"type": "MultiPolygon", "coordinates": [
                [sq[0].clone(), [[109.2, 24.2], [109.2, 24.4], [109.4, 24.4], [109.2, 24.2]]],
                [[[111.0, 24.0], [112.0, 24.0], [112.0, 25.0], [111.0, 24.0]]]
            ]}),
        ),
        (
            "S_INTERSECTS(geometry, BBOX(109, 24, 110, 25))",
            format!("ST_Intersects(v.geom, {P})"),
            json!({"type": "Polygon", "coordinates": sq}),
        ),
        (
            "S_INTERSECTS(geometry, BBOX(109, 24, 0, 110, 25, 10))",
            format!("ST_Intersects(v.geom, {P})"),
            json!({"type": "Polygon", "coordinates": sq}),
        ),
        (
            "S_INTERSECTS(geometry, BBOX(179, 0, -179, 1))",
            format!("ST_Intersects(v.geom, {P})"),
            json!({"type": "MultiPolygon", "coordinates": [
                [[[179.0, 0.0], [180.0, 0.0], [180.0, 1.0], [179.0, 1.0], [179.0, 0.0]]],
                [[[-180.0, 0.0], [-179.0, 0.0], [-179.0, 1.0], [-180.0, 1.0], [-180.0, 0.0]]]
            ]}),
        ),
        (
            "S_CROSSES(geometry, LINESTRING(109 24, 110 25))",
            format!("ST_Crosses(v.geom, {P})"),
            json!({"type": "LineString", "coordinates": [[109.0, 24.0], [110.0, 25.0]]}),
        ),
        (
            "S_DISJOINT(geometry, MULTIPOINT((109 24), (110 25)))",
            format!("ST_Disjoint(v.geom, {P})"),
            json!({"type": "MultiPoint", "coordinates": [[109.0, 24.0], [110.0, 25.0]]}),
        ),
        (
            "S_TOUCHES(geometry, MULTIPOINT(109 24, 110 25))",
            format!("ST_Touches(v.geom, {P})"),
            json!({"type": "MultiPoint", "coordinates": [[109.0, 24.0], [110.0, 25.0]]}),
        ),
        (
            "S_OVERLAPS(geometry, MULTILINESTRING((109 24, 110 25), (111 24, 112 25, 113 26)))",
            format!("ST_Overlaps(v.geom, {P})"),
            json!({"type": "MultiLineString", "coordinates": [[[109.0, 24.0], [110.0, 25.0]], [[111.0, 24.0], [112.0, 25.0], [113.0, 26.0]]]}),
        ),
        (
            "S_EQUALS(geometry, GEOMETRYCOLLECTION(POINT(1 2), LINESTRING(1 2, 3 4)))",
            format!("ST_Equals(v.geom, {P})"),
            json!({"type": "GeometryCollection", "geometries": [
                {"type": "Point", "coordinates": [1.0, 2.0]},
                {"type": "LineString", "coordinates": [[1.0, 2.0], [3.0, 4.0]]}
            ]}),
        ),
    ]
}

#[test]
fn spatial_table() {
    for (input, sql, g) in spatial_cases() {
        let (got_sql, got_params) = text_sql(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got_sql, sql, "{input}");
        assert_params(&got_params, &[geo(g)], input);
        assert_skeleton(&got_sql);
    }
    // Combined with other predicates, placeholders keep counting.
    let (sql, params) =
        text_sql("state = 'listed' AND S_INTERSECTS(geometry, BBOX(109, 24, 110, 25)) AND remediated_for_class = 1")
            .unwrap();
    assert_eq!(
        sql,
        "((v.state = $1::text) AND ST_Intersects(v.geom, ST_SetSRID(ST_GeomFromGeoJSON($2::text), 4490)) AND (v.remediated_for_class = $3::bigint))"
    );
    assert_eq!(params.len(), 3);
}

fn json_cases() -> Vec<(Value, String, Vec<SqlParam>)> {
    use SqlParam::*;
    let sq = json!([[[109.0, 24.0], [110.0, 24.0], [110.0, 25.0], [109.0, 25.0], [109.0, 24.0]]]);
    let name = json!({"property": "name"});
    vec![
        (json!({"op": "=", "args": [name, "abc"]}), "(v.name = $1::text)".into(), vec![text("abc")]),
        (
            json!({"op": "<>", "args": [{"property": "remediated_for_class"}, 2]}),
            "(v.remediated_for_class <> $1::bigint)".into(),
            vec![Int(2)],
        ),
        (
            json!({"op": "<", "args": [{"property": "area_m2"}, -1.5e3]}),
            "(round(v.area_m2::numeric, 2) < $1::float8)".into(),
            vec![Float(-1500.0)],
        ),
        (
            json!({"op": ">", "args": [{"property": "area_m2"}, 5]}),
            "(round(v.area_m2::numeric, 2) > $1::bigint)".into(),
            vec![Int(5)],
        ),
        (
            json!({"op": "<=", "args": [{"property": "valid_from"}, {"date": "2024-01-01"}]}),
            "(v.valid_from <= $1::date)".into(),
            vec![date("2024-01-01")],
        ),
        (
            json!({"op": ">=", "args": [{"property": "valid_from"}, {"timestamp": "2024-01-01T00:00:00Z"}]}),
            "(v.valid_from >= $1::date)".into(),
            vec![date("2024-01-01")],
        ),
        (
            json!({"op": "=", "args": [{"property": "priority_supervision"}, true]}),
            "(v.priority_supervision = $1::boolean)".into(),
            vec![Bool(true)],
        ),
        (json!(true), "$1::boolean".into(), vec![Bool(true)]),
        (json!({"property": "priority_supervision"}), "(v.priority_supervision)".into(), vec![]),
        (
            json!({"op": "and", "args": [
                {"op": "or", "args": [{"op": "=", "args": [name, "a"]}, {"op": "=", "args": [name, "b"]}]},
                {"op": "not", "args": [{"op": "=", "args": [{"property": "state"}, "c"]}]}
            ]}),
            "(((v.name = $1::text) OR (v.name = $2::text)) AND (NOT (v.state = $3::text)))".into(),
            vec![text("a"), text("b"), text("c")],
        ),
        (json!({"op": "like", "args": [name, "%化工%"]}), "(v.name LIKE $1::text)".into(), vec![text("%化工%")]),
        (
            json!({"op": "like", "args": [{"op": "casei", "args": [name]}, {"op": "casei", "args": ["%Abc%"]}]}),
            "(lower(v.name) LIKE lower($1::text))".into(),
            vec![text("%Abc%")],
        ),
        (
            json!({"op": "between", "args": [{"property": "remediated_for_class"}, 1, 2]}),
            "(v.remediated_for_class BETWEEN $1::bigint AND $2::bigint)".into(),
            vec![Int(1), Int(2)],
        ),
        (
            json!({"op": "in", "args": [{"property": "state"}, ["listed", "under_control"]]}),
            "(v.state IN ($1::text, $2::text))".into(),
            vec![text("listed"), text("under_control")],
        ),
        (
            json!({"op": "isNull", "args": [{"property": "former_industry"}]}),
            "(v.former_industry IS NULL)".into(),
            vec![],
        ),
        (
            json!({"op": "not", "args": [{"op": "isNull", "args": [{"property": "former_industry"}]}]}),
            "(NOT (v.former_industry IS NULL))".into(),
            vec![],
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [109.41, 24.33]}]}),
            format!("ST_Intersects(v.geom, {P})"),
            vec![geo(json!({"type": "Point", "coordinates": [109.41, 24.33]}))],
        ),
        (
            json!({"op": "s_within", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": sq}]}),
            format!("ST_Within(v.geom, {P})"),
            vec![geo(json!({"type": "Polygon", "coordinates": sq}))],
        ),
        (
            json!({"op": "s_contains", "args": [{"type": "MultiPolygon", "coordinates": [sq]}, {"property": "geometry"}]}),
            format!("ST_Contains({P}, v.geom)"),
            vec![geo(json!({"type": "MultiPolygon", "coordinates": [sq]}))],
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [109, 24, 110, 25]}]}),
            format!("ST_Intersects(v.geom, {P})"),
            vec![geo(json!({"type": "Polygon", "coordinates": sq}))],
        ),
        (
            json!({"op": "S_INTERSECTS", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [1, 2, 3], "bbox": [1, 2, 1, 2]}]}),
            format!("ST_Intersects(v.geom, {P})"),
            vec![geo(json!({"type": "Point", "coordinates": [1.0, 2.0]}))],
        ),
    ]
}

#[test]
fn json_table() {
    for (input, sql, params) in json_cases() {
        let (got_sql, got_params) = json_sql(&input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(got_sql, sql, "{input}");
        assert_params(&got_params, &params, &input.to_string());
        assert_skeleton(&got_sql);
        assert_placeholders(&got_sql, got_params.len(), 1);
    }
}

#[test]
fn placeholders_start_at_first_param() {
    let e = parse_text("name = 'a' AND remediated_for_class IN (1, 2) AND S_INTERSECTS(geometry, POINT(1 2))").unwrap();
    let (sql, params) = to_sql(&e, Q, 7).unwrap();
    assert_eq!(
        sql,
        "((v.name = $7::text) AND (v.remediated_for_class IN ($8::bigint, $9::bigint)) AND ST_Intersects(v.geom, ST_SetSRID(ST_GeomFromGeoJSON($10::text), 4490)))"
    );
    assert_eq!(params.len(), 4);
    assert!(to_sql(&e, Q, 0).is_err());
}

fn text_err(s: &str) -> Cql2Error {
    match text_sql(s) {
        Ok(r) => panic!("{s:?} should fail, gave {r:?}"),
        Err(e) => e,
    }
}

#[test]
fn text_errors_point_at_the_problem() {
    let cases: &[(&str, usize, &str)] = &[
        ("(name = 'a'", 11, "expected ')' to close the '(' at byte 0"),
        ("((name = 'a') OR (state = 'b')", 30, "expected ')'"),
        ("name = 'a')", 10, "unbalanced ')'"),
        ("name = 'a' garbage", 11, "unexpected 'garbage' after a complete expression"),
        ("name = 'a' 5", 11, "after a complete expression"),
        ("name = 'abc", 7, "unterminated string"),
        ("name = \"abc", 7, "unterminated quoted property"),
        ("FOO(name) = 1", 0, "unknown function 'FOO'"),
        ("name = bar(1)", 7, "unknown function 'bar'"),
        ("nope = 1", 0, "unknown property 'nope'"),
        ("name = 'a' AND nope IS NULL", 15, "unknown property 'nope'"),
        ("remediated_for_class = 'abc'", 23, "type mismatch"),
        ("'abc' > 5", 8, "type mismatch"),
        ("name > 5", 7, "type mismatch"),
        ("priority_supervision = 1", 23, "type mismatch"),
        ("valid_from > 'yesterday'", 13, "not a date"),
        ("valid_from > TIMESTAMP('2024-01-01T08:00:00Z')", 13, "compare it with DATE"),
        ("valid_from > DATE('2024-13-01')", 18, "not a calendar date"),
        ("valid_from > DATE('2024-1-1')", 18, "expected YYYY-MM-DD"),
        ("valid_from > TIMESTAMP('noon')", 23, "invalid timestamp"),
        ("remediated_for_class LIKE '1%'", 0, "LIKE needs a string"),
        ("name LIKE state", 10, "pattern must be a string literal"),
        ("name LIKE 'abc\\'", 10, "unterminated string"),
        ("name LIKE 'abc\\\\\\\\\\' ", 10, "unterminated string"),
        ("name BETWEEN 1 AND 2", 13, "type mismatch"),
        ("remediated_for_class BETWEEN 1 2", 31, "expected AND in BETWEEN"),
        ("state IN ()", 10, "at least one value"),
        ("state IN ('a', 5)", 15, "type mismatch"),
        ("state IN 'a'", 9, "expected '(' to start the IN list"),
        ("name IS 'x'", 8, "expected NULL after IS"),
        ("name NOT = 'x'", 5, "expected LIKE, BETWEEN or IN after NOT"),
        ("name = NULL", 7, "only allowed in IS NULL"),
        ("AND = 1", 0, "unexpected keyword AND"),
        ("name", 0, "not a condition"),
        ("'abc'", 0, "not a condition"),
        ("name = ", 7, "expected a property, a literal or a function"),
        ("name == 'a'", 6, "found '='"),
        ("name = 'a' AND", 14, "expected a property"),
        ("", 0, "empty filter"),
        ("   ", 0, "empty filter"),
        ("name = 'a' ; DROP TABLE t", 11, "unexpected character ';'"),
        ("area_m2 > 1e999", 10, "out of range"),
        ("area_m2 > 5abc", 10, "malformed number"),
        ("area_m2 > 1.2.3", 10, "malformed number"),
        ("area_m2 > 1e", 10, "exponent"),
        ("area_m2 > - 5", 10, "sign must be followed by a number"),
        ("S_INTERSECTS(name, POINT(1 2))", 13, "takes geometries"),
        ("S_INTERSECTS(geometry, 'POINT(1 2)')", 23, "takes geometries"),
        ("S_INTERSECTS(geometry)", 21, "','"),
        ("S_INTERSECTS(geometry, POINT(1 2), POINT(1 2))", 33, "two arguments"),
        ("S_INTERSECTS(geometry, POINT(200 0))", 29, "outside longitude"),
        ("S_INTERSECTS(geometry, POINT(1))", 30, "expected a number"),
        ("S_INTERSECTS(geometry, POINT EMPTY)", 29, "EMPTY"),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 1 1, 0 1)))", 31, "must be closed"),
        ("S_INTERSECTS(geometry, POLYGON((0 0, 1 0, 0 0)))", 31, "at least 4 positions"),
        ("S_INTERSECTS(geometry, LINESTRING(0 0))", 34, "at least 2 positions"),
        ("S_INTERSECTS(geometry, BBOX(0, 1, 2))", 28, "BBOX takes 4 numbers"),
        ("S_INTERSECTS(geometry, BBOX(0, 5, 1, 2))", 28, "south"),
        ("geometry = POINT(1 2)", 9, "geometries cannot be compared"),
        ("geometry = 'x'", 11, "geometries can only be used"),
        ("T_AFTER(valid_from, DATE('2024-01-01'))", 0, "temporal function"),
        ("A_CONTAINS(name, 'x')", 0, "array function"),
        ("valid_from = INTERVAL('2024-01-01', '2024-02-01')", 13, "INTERVAL"),
        ("ACCENTI(name) = 'x'", 0, "ACCENTI"),
        ("CASEI(remediated_for_class) = 'x'", 0, "CASEI needs a string"),
        ("name = 'a' ! 'b'", 11, "unexpected '!'"),
        ("name = 'a' AND (state = 'b'", 27, "to close the '(' at byte 15"),
    ];
    for (input, pos, msg) in cases {
        let e = text_err(input);
        assert!(e.message.contains(msg), "{input:?}: message {:?} should contain {msg:?}", e.message);
        assert_eq!(e.position, Some(*pos), "{input:?}: {e}");
        assert_eq!(e.pointer, None);
        // Display names the place.
        assert!(e.to_string().contains(&format!("at byte {pos}")), "{e}");
    }
}

#[test]
fn unknown_property_lists_the_queryables() {
    let e = text_err("nope = 1");
    assert!(e.message.contains("name, state, former_industry"), "{}", e.message);
    assert!(e.message.contains("geometry"), "{}", e.message);
}

#[test]
fn json_errors_point_at_the_problem() {
    let name = json!({"property": "name"});
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"op": "=", "args": [{"property": "nope"}, 1]}), "/args/0", "unknown property 'nope'"),
        (json!({"op": "=", "args": [{"property": "remediated_for_class"}, "abc"]}), "/args/1", "type mismatch"),
        (
            json!({"op": "and", "args": [{"op": "=", "args": [name, "a"]}, {"op": "=", "args": [name, 5]}]}),
            "/args/1/args/1",
            "type mismatch",
        ),
        (json!({"op": "frobnicate", "args": []}), "/op", "unknown operator"),
        (json!({"op": "="}), "", "no \"args\""),
        (json!({"op": "=", "args": [name]}), "/args", "takes 2 arguments"),
        (json!({"op": "=", "args": {"a": 1}}), "/args", "must be an array"),
        (json!({"op": 5, "args": []}), "/op", "must be a string"),
        (json!({"op": "=", "args": [name, "a"], "extra": 1}), "/extra", "unexpected member"),
        (json!({"op": "=", "args": [name, null]}), "/args/1", "null is not an expression"),
        (json!({"op": "=", "args": [name, ["a"]]}), "/args/1", "only allowed as the list"),
        (json!({"op": "in", "args": [name, "a"]}), "/args/1", "must be an array"),
        (json!({"op": "in", "args": [name, []]}), "/args/1", "at least one value"),
        (json!({"op": "in", "args": [{"property": "state"}, ["a", 5]]}), "/args/1/1", "type mismatch"),
        (json!({"op": "between", "args": [{"property": "remediated_for_class"}, 1]}), "/args", "takes 3 arguments"),
        (json!({"op": "like", "args": [{"property": "remediated_for_class"}, "1%"]}), "/args/0", "LIKE needs a string"),
        (json!({"op": "isNull", "args": []}), "/args", "takes 1 argument"),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [1]}]}),
            "/args/1/coordinates",
            "2 or 3 numbers",
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [1, "x"]}]}),
            "/args/1/coordinates/1",
            "expected a number",
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Point", "coordinates": [1, 95]}]}),
            "/args/1/coordinates",
            "outside longitude",
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}]}),
            "/args/1/coordinates/0",
            "must be closed",
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"type": "Feature"}]}),
            "/args/1/type",
            "unknown GeoJSON geometry type",
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "geometry"}, {"bbox": [0, 1, 2]}]}),
            "/args/1/bbox",
            "4 numbers",
        ),
        (
            json!({"op": "s_intersects", "args": [{"property": "name"}, {"bbox": [0, 1, 2, 3]}]}),
            "/args/0",
            "takes geometries",
        ),
        (
            json!({"op": "=", "args": [{"property": "valid_from"}, {"date": "2024-02-30"}]}),
            "/args/1/date",
            "not a calendar date",
        ),
        (
            json!({"op": "=", "args": [{"property": "valid_from"}, {"interval": ["2024-01-01", ".."]}]}),
            "/args/1",
            "interval",
        ),
        (json!({"op": "t_after", "args": []}), "", "temporal operator"),
        (json!({"property": 5}), "/property", "must be a string"),
        (json!({"foo": 1}), "", "unrecognised object"),
        (json!("name"), "", "not a condition"),
        (json!(null), "", "null is not an expression"),
        (json!({"op": "and", "args": []}), "/args", "at least one argument"),
        // In cql2-text a backslash before the closing quote escapes it, so only JSON can say this.
        (json!({"op": "like", "args": [name, "abc\\"]}), "/args/1", "lone escape"),
    ];
    for (input, ptr, msg) in cases {
        let e = match json_sql(&input) {
            Ok(r) => panic!("{input} should fail, gave {r:?}"),
            Err(e) => e,
        };
        assert!(e.message.contains(msg), "{input}: message {:?} should contain {msg:?}", e.message);
        assert_eq!(e.pointer.as_deref(), Some(ptr), "{input}: {e}");
        assert_eq!(e.position, None);
    }
}

#[test]
fn limits() {
    // Depth: parentheses.
    let deep = format!("{}name = 'a'{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert!(text_sql(&deep).is_ok());
    let too_deep = format!("{}name = 'a'{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    let e = text_err(&too_deep);
    assert!(e.message.contains("nests deeper than 64"), "{e}");
    // Far deeper than the stack could take, refused early.
    let e = text_err(&format!("{}name = 'a'", "(".repeat(100_000)));
    assert!(e.message.contains("nests deeper"), "{e}");
    let e = text_err(&format!("{}name = 'a'", "NOT ".repeat(10_000)));
    assert!(e.message.contains("nests deeper"), "{e}");
    let e = text_err(&format!("name = {}'a'{}", "CASEI(".repeat(1000), ")".repeat(1000)));
    assert!(e.message.contains("nests deeper"), "{e}");
    // Nodes.
    let many = vec!["name = 'a'"; 1000].join(" OR ");
    let e = text_err(&many);
    assert!(e.message.contains("more than 2000 terms"), "{e}");
    let ok = vec!["name = 'a'"; 600].join(" OR ");
    let (sql, params) = text_sql(&ok).unwrap();
    assert_eq!(params.len(), 600);
    assert_placeholders(&sql, 600, 1);
    // Length.
    let e = text_err(&format!("name = '{}'", "x".repeat(MAX_FILTER_BYTES)));
    assert!(e.message.contains("longer than"), "{e}");
    // Coordinates.
    let ring: Vec<String> = (0..=MAX_COORDINATES).map(|i| format!("{} 0", (i % 100) as f64 / 100.0)).collect();
    let e = text_err(&format!("S_INTERSECTS(geometry, LINESTRING({}))", ring.join(",")));
    assert!(e.message.contains("more than 20000 positions"), "{e}");

    // JSON depth.
    let mut v = json!({"op": "=", "args": [{"property": "name"}, "a"]});
    for _ in 0..MAX_DEPTH {
        v = json!({"op": "not", "args": [v]});
    }
    let e = json_sql(&v).unwrap_err();
    assert!(e.message.contains("nests deeper"), "{e}");
    // JSON nodes.
    let items: Vec<Value> = (0..2500).map(|i| json!(i)).collect();
    let e = json_sql(&json!({"op": "in", "args": [{"property": "remediated_for_class"}, items]})).unwrap_err();
    assert!(e.message.contains("more than 2000 terms"), "{e}");
    // A JSON value deeper than the bound is refused without walking it all.
    // (Built by hand: `json!` would re-serialise the inner value at every level.)
    let mut v = json!(1);
    for _ in 0..10_000 {
        let mut m = serde_json::Map::new();
        m.insert("op".into(), json!("not"));
        m.insert("args".into(), Value::Array(vec![v]));
        v = Value::Object(m);
    }
    assert!(json_sql(&v).is_err());
    // Dropping a 10 000-deep serde_json value is recursive; leak it rather than test serde_json.
    std::mem::forget(v);

    // Hand-built deep AST: to_sql refuses instead of overflowing.
    let mut e = Expr::Bool { value: true, at: Loc::None };
    for _ in 0..1000 {
        e = Expr::Not { arg: Box::new(e), at: Loc::None };
    }
    assert!(to_sql(&e, Q, 1).is_err());
    std::mem::forget(e);
}

#[test]
fn injection_attempts_never_reach_the_sql() {
    // A property name that is SQL: refused, whatever the encoding.
    for input in ["\"x; DROP TABLE t\" = 1", "\"name; DROP TABLE t --\" = 'a'", "\"v.name\" = 'a'"] {
        let e = text_err(input);
        assert!(e.message.contains("unknown property"), "{input}: {e}");
    }
    let e = text_err("x; DROP TABLE t = 1");
    assert_eq!(e.position, Some(1));
    let e = json_sql(&json!({"op": "=", "args": [{"property": "x; DROP TABLE t"}, 1]})).unwrap_err();
    assert!(e.message.contains("unknown property 'x; DROP TABLE t'"), "{e}");
    // A property whose name matches a queryable's SQL rather than its name.
    assert!(json_sql(&json!({"op": "=", "args": [{"property": "v.name"}, "a"]})).is_err());

    // String literals only ever become params.
    let evil = "'; DROP TABLE t; --";
    let (sql, params) = text_sql("name = '''; DROP TABLE t; --'").unwrap();
    assert_eq!(sql, "(v.name = $1::text)");
    assert_eq!(params, vec![text(evil)]);
    let (sql2, params2) = json_sql(&json!({"op": "=", "args": [{"property": "name"}, evil]})).unwrap();
    assert_eq!((sql2, params2), (sql, params));
    let (sql, params) = text_sql("name LIKE '%'' OR 1=1 --%' OR state IN ('a'')--', '$1')").unwrap();
    assert!(!sql.contains("1=1") && !sql.contains("--") && !sql.contains('\''), "{sql}");
    assert_skeleton(&sql);
    assert_eq!(params, vec![text("%' OR 1=1 --%"), text("a')--"), text("$1")]);
    // Geometry text is rebuilt, never copied.
    let (sql, params) = json_sql(&json!({"op": "s_intersects", "args": [
        {"property": "geometry"}, {"type": "Point", "coordinates": [1, 2], "crs": "'); DROP TABLE t; --"}
    ]}))
    .unwrap();
    assert_skeleton(&sql);
    assert!(matches!(&params[0], SqlParam::GeoJson(g) if !g.contains("DROP")));
    // Every table case: outside the queryables' SQL, only this module's own words.
    for (input, _, _) in text_cases() {
        assert_skeleton(&text_sql(input).unwrap().0);
    }
}

#[test]
fn backslashes_in_strings() {
    // `\'` is an escaped quote (CQL2 escapeQuote); other backslashes are kept for LIKE.
    let (_, p) = text_sql(r"name = 'a\b'").unwrap();
    assert_eq!(p, vec![text(r"a\b")]);
    let (_, p) = text_sql(r"name LIKE 'a\_b\%'").unwrap();
    assert_eq!(p, vec![text(r"a\_b\%")]);
    let (_, p) = text_sql(r"name = 'x\\'").unwrap();
    assert_eq!(p, vec![text(r"x\\")]);
    let (_, p) = text_sql(r"name = '\''").unwrap();
    assert_eq!(p, vec![text("'")]);
}

#[test]
fn error_display_and_trait() {
    let e = Cql2Error::at_pointer("bad", "/args/0");
    assert_eq!(e.to_string(), "bad (at /args/0)");
    assert_eq!(Cql2Error::at_pointer("bad", "").to_string(), "bad (at the top level)");
    assert_eq!(Cql2Error::at_offset("bad", 3).to_string(), "bad (at byte 3)");
    let _: &dyn std::error::Error = &e;
    // Long user text is cut in messages.
    let long = "p".repeat(500);
    let e = text_err(&format!("{long} = 1"));
    assert!(e.message.len() < 400, "{}", e.message);
}

// ---- sortby and properties ----

#[test]
fn sortby() {
    assert_eq!(parse_sortby("name", Q).unwrap(), vec![("v.name", false)]);
    assert_eq!(
        parse_sortby("+name,-area_m2,valid_from", Q).unwrap(),
        vec![("v.name", false), ("round(v.area_m2::numeric, 2)", true), ("v.valid_from", false)]
    );
    // `+` arrives as a space after URL decoding.
    assert_eq!(parse_sortby(" name, -state", Q).unwrap(), vec![("v.name", false), ("v.state", true)]);
    let e = parse_sortby("name,-nope", Q).unwrap_err();
    assert_eq!(e.position, Some(6));
    assert!(e.message.contains("unknown sortby property 'nope'") && e.message.contains("valid_from"), "{e}");
    assert!(!e.message.contains("geometry"), "{e}");
    let e = parse_sortby("-geometry", Q).unwrap_err();
    assert!(e.message.contains("cannot sort by the geometry"), "{e}");
    assert_eq!(e.position, Some(1));
    assert_eq!(parse_sortby("name,,state", Q).unwrap_err().position, Some(5));
    assert!(parse_sortby("", Q).is_err());
    assert!(parse_sortby("-", Q).is_err());
    assert!(parse_sortby("name,-name", Q).unwrap_err().message.contains("twice"));
    assert!(parse_sortby("name DESC", Q).is_err());
    assert!(parse_sortby("name; DROP TABLE t", Q).is_err());
    assert!(parse_sortby("v.name", Q).is_err());
    let nine = "name,state,former_industry,remediated_for_class,area_m2,priority_supervision,valid_from";
    assert_eq!(parse_sortby(nine, Q).unwrap().len(), 7);
    let q9: Vec<Queryable> = (0..9)
        .map(|i| Queryable { name: ["a", "b", "c", "d", "e", "f", "g", "h", "i"][i], sql: "x", qtype: QType::String })
        .collect();
    assert_eq!(parse_sortby("a,b,c,d,e,f,g,h", &q9).unwrap().len(), 8);
    assert!(parse_sortby("a,b,c,d,e,f,g,h,i", &q9).unwrap_err().message.contains("more than 8 keys"));
}

#[test]
fn properties() {
    const ALLOWED: &[&str] = &["unit_code", "class", "area_m2"];
    assert_eq!(parse_properties("class,unit_code", ALLOWED).unwrap(), vec!["class", "unit_code"]);
    assert_eq!(parse_properties(" class , class,area_m2", ALLOWED).unwrap(), vec!["class", "area_m2"]);
    assert_eq!(parse_properties("", ALLOWED).unwrap(), Vec::<&str>::new());
    let e = parse_properties("class,geom; DROP TABLE t", ALLOWED).unwrap_err();
    assert_eq!(e.position, Some(6));
    assert!(e.message.contains("unknown property") && e.message.contains("unit_code, class, area_m2"), "{e}");
    assert_eq!(parse_properties("class,", ALLOWED).unwrap_err().position, Some(6));
    assert!(parse_properties("Class", ALLOWED).is_err());
    // The returned names are the static ones, not the request's.
    let req = String::from("area_m2");
    let got = parse_properties(&req, ALLOWED).unwrap();
    drop(req);
    assert_eq!(got, vec!["area_m2"]);
}

// ---- property tests ----

/// A generated filter, rendered both as cql2-text and cql2-json.
#[derive(Debug, Clone)]
enum Gen {
    Cmp(&'static str, &'static str, Lit),
    Like(bool, String),
    Between(&'static str, Lit, Lit),
    In(&'static str, Vec<Lit>),
    IsNull(&'static str, bool),
    Spatial(&'static str, [f64; 4], u8),
    And(Vec<Gen>),
    Or(Vec<Gen>),
    Not(Box<Gen>),
}

#[derive(Debug, Clone)]
enum Lit {
    S(String),
    I(i64),
    F(f64),
    B(bool),
    D(chrono::NaiveDate),
}

impl Lit {
    fn text(&self) -> String {
        match self {
            Lit::S(s) => format!("'{}'", s.replace('\'', "''")),
            Lit::I(i) => i.to_string(),
            Lit::F(f) => format!("{f:?}"),
            Lit::B(b) => if *b { "TRUE" } else { "false" }.to_string(),
            Lit::D(d) => format!("DATE('{d}')"),
        }
    }
    fn json(&self) -> Value {
        match self {
            Lit::S(s) => json!(s),
            Lit::I(i) => json!(i),
            Lit::F(f) => json!(f),
            Lit::B(b) => json!(b),
            Lit::D(d) => json!({"date": d.to_string()}),
        }
    }
}

fn lit_for(qtype: QType) -> BoxedStrategy<Lit> {
    match qtype {
        // No backslash: `\'` is an escaped quote in cql2-text, so not every string with one can be written.
        QType::String => "[^\\\\]{0,12}".prop_map(Lit::S).boxed(),
        QType::Integer => any::<i64>().prop_map(Lit::I).boxed(),
        QType::Number => prop_oneof![any::<i64>().prop_map(Lit::I), (-1e12f64..1e12).prop_map(Lit::F)].boxed(),
        QType::Boolean => any::<bool>().prop_map(Lit::B).boxed(),
        QType::Date => (1900i32..2100, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| Lit::D(chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()))
            .boxed(),
        QType::Geometry => unreachable!(),
    }
}

fn scalar_props() -> Vec<&'static Queryable> {
    Q.iter().filter(|q| q.qtype != QType::Geometry).collect()
}

fn leaf() -> BoxedStrategy<Gen> {
    let props = scalar_props();
    let cmp = proptest::sample::select(props.clone()).prop_flat_map(|q| {
        (proptest::sample::select(vec!["=", "<>", "<", ">", "<=", ">="]), lit_for(q.qtype))
            .prop_map(move |(op, l)| Gen::Cmp(q.name, op, l))
    });
    let between =
        proptest::sample::select(props.iter().copied().filter(|q| q.qtype != QType::Boolean).collect::<Vec<_>>())
            .prop_flat_map(|q| (lit_for(q.qtype), lit_for(q.qtype)).prop_map(move |(a, b)| Gen::Between(q.name, a, b)));
    let inlist = proptest::sample::select(props.clone())
        .prop_flat_map(|q| proptest::collection::vec(lit_for(q.qtype), 1..5).prop_map(move |l| Gen::In(q.name, l)));
    let isnull = (proptest::sample::select(Q.iter().map(|q| q.name).collect::<Vec<_>>()), any::<bool>())
        .prop_map(|(n, neg)| Gen::IsNull(n, neg));
    let like = (any::<bool>(), "[^\\\\]{0,10}").prop_map(|(neg, s)| Gen::Like(neg, s));
    let spatial = (
        proptest::sample::select(vec!["S_INTERSECTS", "S_WITHIN", "S_CONTAINS", "S_DISJOINT"]),
        (-180.0f64..179.0, -90.0f64..89.0, 0.0f64..1.0, 0.0f64..1.0),
        0u8..3,
    )
        .prop_map(|(op, (x, y, w, h), kind)| Gen::Spatial(op, [x, y, x + w, y + h], kind));
    prop_oneof![cmp, between, inlist, isnull, like, spatial].boxed()
}

fn gen_filter() -> impl Strategy<Value = Gen> {
    leaf().prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Gen::And),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Gen::Or),
            inner.prop_map(|g| Gen::Not(Box::new(g))),
        ]
    })
}

impl Gen {
    fn text(&self) -> String {
        match self {
            Gen::Cmp(p, op, l) => format!("{p} {op} {}", l.text()),
            // cql2-json has no NOT LIKE or IS NOT NULL, so the negations are spelt NOT (…) here too.
            Gen::Like(neg, s) => {
                let like = format!("name LIKE {}", Lit::S(s.clone()).text());
                if *neg {
                    format!("NOT ({like})")
                } else {
                    like
                }
            }
            Gen::Between(p, a, b) => format!("{p} BETWEEN {} AND {}", a.text(), b.text()),
            Gen::In(p, l) => format!("{p} IN ({})", l.iter().map(Lit::text).collect::<Vec<_>>().join(", ")),
            Gen::IsNull(p, neg) => {
                if *neg {
                    format!("NOT ({p} IS NULL)")
                } else {
                    format!("{p} IS NULL")
                }
            }
            Gen::Spatial(op, [w, s, e, n], kind) => {
                let g = match kind {
                    0 => format!("BBOX({w:?}, {s:?}, {e:?}, {n:?})"),
                    1 => format!("POINT({w:?} {s:?})"),
                    _ => format!("POLYGON(({w:?} {s:?}, {e:?} {s:?}, {e:?} {n:?}, {w:?} {s:?}))"),
                };
                format!("{op}(geometry, {g})")
            }
            Gen::And(v) => v.iter().map(|g| format!("({})", g.text())).collect::<Vec<_>>().join(" AND "),
            Gen::Or(v) => v.iter().map(|g| format!("({})", g.text())).collect::<Vec<_>>().join(" or "),
            Gen::Not(g) => format!("NOT ({})", g.text()),
        }
    }

    fn json(&self) -> Value {
        let prop = |p: &str| json!({"property": p});
        match self {
            Gen::Cmp(p, op, l) => json!({"op": op, "args": [prop(p), l.json()]}),
            Gen::Like(neg, s) => {
                let like = json!({"op": "like", "args": [prop("name"), s]});
                if *neg {
                    json!({"op": "not", "args": [like]})
                } else {
                    like
                }
            }
            Gen::Between(p, a, b) => json!({"op": "between", "args": [prop(p), a.json(), b.json()]}),
            Gen::In(p, l) => json!({"op": "in", "args": [prop(p), l.iter().map(Lit::json).collect::<Vec<_>>()]}),
            Gen::IsNull(p, neg) => {
                let isnull = json!({"op": "isNull", "args": [prop(p)]});
                if *neg {
                    json!({"op": "not", "args": [isnull]})
                } else {
                    isnull
                }
            }
            Gen::Spatial(op, [w, s, e, n], kind) => {
                let g = match kind {
                    0 => json!({"bbox": [w, s, e, n]}),
                    1 => json!({"type": "Point", "coordinates": [w, s]}),
                    _ => json!({"type": "Polygon", "coordinates": [[[w, s], [e, s], [e, n], [w, s]]]}),
                };
                json!({"op": op.to_lowercase(), "args": [prop("geometry"), g]})
            }
            Gen::And(v) => json!({"op": "and", "args": v.iter().map(Gen::json).collect::<Vec<_>>()}),
            Gen::Or(v) => json!({"op": "or", "args": v.iter().map(Gen::json).collect::<Vec<_>>()}),
            Gen::Not(g) => json!({"op": "not", "args": [g.json()]}),
        }
    }
}

fn arb_json() -> impl Strategy<Value = Value> {
    let key = proptest::sample::select(vec![
        "op",
        "args",
        "property",
        "date",
        "timestamp",
        "interval",
        "bbox",
        "type",
        "coordinates",
        "geometries",
        "x",
    ]);
    let word = proptest::sample::select(vec![
        "and",
        "or",
        "not",
        "=",
        "<>",
        "<",
        "like",
        "between",
        "in",
        "isNull",
        "casei",
        "accenti",
        "s_intersects",
        "s_within",
        "t_after",
        "name",
        "geometry",
        "valid_from",
        "remediated_for_class",
        "area_m2",
        "priority_supervision",
        "Point",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
        "LineString",
        "2024-01-01",
        "2024-01-01T00:00:00Z",
        "%a%",
        "",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|i| json!(i)),
        (-200.0f64..200.0).prop_map(|f| json!(f)),
        any::<f64>().prop_map(|f| json!(f)),
        word.clone().prop_map(|w| json!(w)),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(8, 128, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((key.clone(), inner.clone()), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
            (word.clone(), proptest::collection::vec(inner, 0..4))
                .prop_map(|(op, args)| json!({"op": op, "args": args})),
        ]
    })
}

/// cql2-text-ish strings: keywords, properties, literals and punctuation glued at random.
fn cql_soup() -> impl Strategy<Value = String> {
    let piece = proptest::sample::select(vec![
        "name",
        "state",
        "geometry",
        "valid_from",
        "area_m2",
        "priority_supervision",
        "remediated_for_class",
        "nope",
        "AND",
        "OR",
        "NOT",
        "LIKE",
        "ILIKE",
        "BETWEEN",
        "IN",
        "IS",
        "NULL",
        "TRUE",
        "false",
        "(",
        ")",
        ",",
        "=",
        "<>",
        "<=",
        ">",
        "'a'",
        "'",
        "''",
        "\"",
        "\"name\"",
        "1",
        "-2.5e3",
        ".5",
        "1e999",
        "-",
        "+",
        "CASEI(",
        "DATE('2024-01-01')",
        "DATE(",
        "TIMESTAMP(",
        "S_INTERSECTS(",
        "S_WITHIN(",
        "POINT(",
        "POINT Z",
        "POLYGON((",
        "MULTIPOLYGON(((",
        "BBOX(",
        "EMPTY",
        "0 0",
        "1 1",
        "GEOMETRYCOLLECTION(",
        "\\",
        "化工",
        "%",
        " ",
        "T_AFTER(",
        ";",
    ]);
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        if let Ok(e) = parse_text(&s) {
            if let Ok((sql, params)) = to_sql(&e, Q, 1) {
                assert_placeholders(&sql, params.len(), 1);
                assert_skeleton(&sql);
            }
        }
    }

    #[test]
    fn cql_soup_never_panics(s in cql_soup()) {
        match parse_text(&s) {
            Ok(e) => {
                if let Ok((sql, params)) = to_sql(&e, Q, 3) {
                    assert_placeholders(&sql, params.len(), 3);
                    assert_skeleton(&sql);
                }
            }
            Err(e) => {
                let p = e.position.expect("text errors carry a position");
                prop_assert!(p <= s.len());
            }
        }
    }

    #[test]
    fn arbitrary_json_never_panics(v in arb_json()) {
        match parse_json(&v) {
            Ok(e) => {
                if let Ok((sql, params)) = to_sql(&e, Q, 1) {
                    assert_placeholders(&sql, params.len(), 1);
                    assert_skeleton(&sql);
                }
            }
            Err(e) => prop_assert!(e.pointer.is_some()),
        }
    }

    #[test]
    fn generated_filters_round_trip(g in gen_filter(), first in 1usize..50) {
        let t = g.text();
        let j = g.json();
        let te = parse_text(&t).map_err(|e| TestCaseError::fail(format!("{t}: {e}")))?;
        let je = parse_json(&j).map_err(|e| TestCaseError::fail(format!("{j}: {e}")))?;
        let (tsql, tparams) = to_sql(&te, Q, first).map_err(|e| TestCaseError::fail(format!("{t}: {e}")))?;
        let (jsql, jparams) = to_sql(&je, Q, first).map_err(|e| TestCaseError::fail(format!("{j}: {e}")))?;
        assert_placeholders(&tsql, tparams.len(), first);
        assert_skeleton(&tsql);
        prop_assert_eq!(&tsql, &jsql, "{} / {}", t, j);
        assert_params(&tparams, &jparams, &t);
    }
}

#[test]
fn deepest_accepted_filters_fit_a_small_stack() {
    // Tokio's worker threads have 2 MiB; the deepest filters the limits let through must fit in
    // well under that even in an unoptimised build.
    let run = |f: fn()| std::thread::Builder::new().stack_size(1024 * 1024).spawn(f).unwrap().join().unwrap();
    run(|| {
        let mut s = String::from("name = CASEI('a')");
        for _ in 0..(MAX_DEPTH / 2 - 1) {
            s = format!("NOT (priority_supervision OR {s})");
        }
        let (sql, _) = text_sql(&s).unwrap();
        assert_skeleton(&sql);
        let parens = format!("{}name = 'a'{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        text_sql(&parens).unwrap();
        let nots = format!("{}name = 'a'", "NOT ".repeat(MAX_DEPTH));
        text_sql(&nots).unwrap();
    });
    run(|| {
        let mut v = json!({"op": "=", "args": [{"property": "name"}, "a"]});
        for _ in 0..(MAX_DEPTH / 2 - 1) {
            v = json!({"op": "not", "args": [{"op": "or", "args": [{"property": "priority_supervision"}, v]}]});
        }
        json_sql(&v).unwrap();
    });
    run(|| {
        let mut e = Expr::Bool { value: true, at: Loc::None };
        for _ in 0..1000 {
            e = Expr::Not { arg: Box::new(e), at: Loc::None };
        }
        assert!(to_sql(&e, Q, 1).is_err());
        std::mem::forget(e);
    });
}
