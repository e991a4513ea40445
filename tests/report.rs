//! The annual report over HTTP against a real PostGIS: its figures are the registry's (the rate equals
//! `GET /indicators` for the same date), its map and chart are drawn, the XLSX holds the same figures as
//! `/targets`, `/indicators` and `/public/lists/rcr`, and bad parameters get a 400.

mod common;

use common::*;
use serde_json::json;
use sqlx::PgPool;

#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_annual_report_prints_the_registry(pool: PgPool) {
    let t = app(pool).await;
    let units = "/collections/farmland_units/items";
    for (i, (class, measures)) in [("safe_use", true), ("safe_use", false), ("strict_control", true)].iter().enumerate()
    {
        let mut u = unit(&format!("LZ-R-{i}"), class, square(109.40 + i as f64 * 0.004, 24.35, 0.002));
        u["properties"]["measures_in_place"] = json!(measures);
        u["properties"]["valid_from"] = json!("2025-01-01");
        assert_eq!(t.write("POST", units, &u).await.status, 201);
    }
    let mut p = parcel("LZ-R-P1", square(109.42, 24.36, 0.002));
    p["properties"]["priority_supervision"] = json!(true);
    p["properties"]["valid_from"] = json!("2025-01-01");
    assert_eq!(t.write("POST", "/collections/construction_parcels/items", &p).await.status, 201);

    let r = t.get("/reports/annual?city=4502&year=2025").await;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.header("content-type").unwrap().starts_with("text/html"));
    let ind = t.get("/indicators?county_code=4502&as_of=2025-12-31").await;
    let rate = ind.body["safe_utilisation"]["rate_percent"].as_f64().expect("a rate");
    assert!(r.text.contains(&format!("<b>{rate:.2}%</b>")), "the report's rate is /indicators' {rate}");
    assert!(r.text.contains("目标完成情况") && r.text.contains("方法与依据"));
    // no source, pond or key unit in this city: none overdue, and the section says so
    assert!(
        r.text.contains("逾期义务 overdue duties") && r.text.contains("逾期未履行的义务共 0 项"),
        "the duties section"
    );
    assert!(r.text.matches("<svg").count() >= 2, "a chart and a map");
    assert!(r.text.contains("<polyline"), "the monthly rate is drawn");
    assert!(r.text.contains("LZ-R-P1") || r.text.contains("<circle"), "the priority parcel is on the map");

    // The PDF is the page printed by Chromium where there is one, else a 503 that says to use HTML or XLSX.
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let pdf = t.get("/reports/annual?city=4502&year=2025&f=pdf").await;
    if std::path::Path::new(&chromium).exists() {
        assert_eq!(pdf.status, 200, "{}", pdf.text);
        assert_eq!(pdf.header("content-type"), Some("application/pdf"));
        let bytes = t.send_raw("GET", "/reports/annual?city=4502&year=2025&f=pdf", &[]).await;
        assert!(bytes.starts_with(b"%PDF") && bytes.len() > 10_000, "{} bytes", bytes.len());
        pdf_pages_render(&bytes);
    } else {
        assert_eq!(pdf.status, 503, "{}", pdf.text);
        assert_eq!(pdf.header("content-type"), Some("application/problem+json"));
    }

    for bad in [
        "/reports/annual?city=45&year=2025",
        "/reports/annual?city=4502&year=2999",
        "/reports/annual?city=4502",
        "/reports/annual?city=4502&year=2025&f=docx",
    ] {
        let r = t.get(bad).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
}

/// A workbook's sheets as rows of cells (text or the number as written), read with the zip crate the tests
/// already use: enough of SpreadsheetML for what rust_xlsxwriter writes (shared strings, numbers).
fn read_xlsx(bytes: Vec<u8>) -> Vec<(String, Vec<Vec<String>>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap_or_else(|_| panic!("no {name}")), &mut s).unwrap();
        s
    };
    let unescape = |s: &str| {
        s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&")
    };
    let strings: Vec<String> = read("xl/sharedStrings.xml")
        .split("<si>")
        .skip(1)
        .map(|si| {
            let t = &si[si.find("<t").unwrap()..];
            unescape(&t[t.find('>').unwrap() + 1..t.find("</t>").unwrap()])
        })
        .collect();
    let names: Vec<String> = read("xl/workbook.xml")
        .split("<sheet ")
        .skip(1)
        .map(|s| {
            let n = &s[s.find("name=\"").unwrap() + 6..];
            unescape(&n[..n.find('"').unwrap()])
        })
        .collect();
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let xml = read(&format!("xl/worksheets/sheet{}.xml", i + 1));
            let rows = xml
                .split("<row ")
                .skip(1)
                .map(|row| {
                    let mut cells: Vec<String> = Vec::new();
                    for c in row.split("<c ").skip(1) {
                        let col = c[3..]
                            .bytes()
                            .take_while(u8::is_ascii_uppercase)
                            .fold(0, |n, b| n * 26 + (b - b'A' + 1) as usize);
                        let v = c.find("<v>").map(|a| &c[a + 3..c.find("</v>").unwrap()]).unwrap_or_default();
                        let v = if c.starts_with("r=") && c[..c.find('>').unwrap()].contains("t=\"s\"") {
                            strings[v.parse::<usize>().unwrap()].clone()
                        } else {
                            v.to_string()
                        };
                        cells.resize(col - 1, String::new());
                        cells.push(v);
                    }
                    cells
                })
                .collect();
            (name, rows)
        })
        .collect()
}

fn sheet<'a>(book: &'a [(String, Vec<Vec<String>>)], prefix: &str) -> &'a [Vec<String>] {
    &book.iter().find(|(n, _)| n.starts_with(prefix)).unwrap_or_else(|| panic!("no sheet {prefix}")).1
}

fn figure(cell: Option<&String>) -> Option<f64> {
    cell.filter(|c| !c.is_empty()).map(|c| c.parse::<f64>().unwrap_or_else(|_| panic!("{c} is not a number")))
}

/// The report as XLSX for Liuzhou 2025 and Guilin 2023 over the demo data: each figure is the one the API
/// gives for the same city and date.
#[sqlx::test(migrator = "landguard::store::MIGRATOR")]
async fn the_annual_report_as_xlsx_holds_the_apis_figures(pool: PgPool) {
    let t = app(pool).await;
    landguard::demo::load(&t.store, std::path::Path::new("fixtures"), &landguard::config::Settings::default())
        .await
        .unwrap();
    for (city, year) in [("4502", 2025), ("4503", 2023)] {
        let (start, end) = (format!("{year}-01-01"), format!("{year}-12-31"));
        let uri = format!("/reports/annual?city={city}&year={year}&f=xlsx");
        let r = t.get(&uri).await;
        assert_eq!(r.status, 200, "{uri}: {}", r.text);
        assert_eq!(r.header("content-type"), Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));
        let book = read_xlsx(t.send_raw("GET", &uri, &[]).await);
        let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, landguard::http::report::XLSX_SHEETS, "{city}");

        // Targets: the same value and status as /targets, row for row.
        let targets = t.get(&format!("/targets?city={city}&year={year}&as_of={end}")).await.body;
        let rows = sheet(&book, "目标");
        let want = targets["targets"].as_array().unwrap();
        assert_eq!(rows.len(), want.len() + 1, "{city}: a header and one row a target");
        assert!(want.len() >= 9, "{city}: the plan's targets");
        for (row, x) in rows[1..].iter().zip(want) {
            assert_eq!(row[0], x["id"].as_str().unwrap());
            assert_eq!(figure(row.get(2)), x["value"].as_f64(), "{city} {}", x["id"]);
            assert!(row[4].ends_with(x["status"].as_str().unwrap()), "{city} {}: {}", x["id"], row[4]);
            assert!(row[6].contains(x["plan"]["title_zh"].as_str().unwrap()), "{}", row[6]);
        }

        // Indicators by county and for the city: /indicators on the year's last day.
        let rows = sheet(&book, "分县指标");
        assert!(rows.len() >= 3, "{city}: counties and the city: {rows:?}");
        for row in &rows[1..] {
            let ind = t.get(&format!("/indicators?county_code={}&as_of={end}", row[0])).await.body;
            let su = &ind["safe_utilisation"];
            assert_eq!(figure(row.get(2)), su["rate_percent"].as_f64(), "{city} {}", row[0]);
            assert_eq!(figure(row.get(5)), su["polluted_mu"].as_f64(), "{city} {}", row[0]);
            assert_eq!(figure(row.get(7)), ind["priority_parcels"]["total"].as_f64(), "{city} {}", row[0]);
            assert_eq!(figure(row.get(10)), ind["rcr_listed_by_state"]["total"].as_f64(), "{city} {}", row[0]);
        }
        let city_row = rows.last().unwrap();
        assert_eq!(city_row[0], city, "the last row is the city's");
        let ind = t.get(&format!("/indicators?county_code={city}&as_of={end}")).await.body;
        let rate = ind["safe_utilisation"]["rate_percent"].as_f64();
        assert!(rate.is_some(), "{city}: the demo has polluted farmland");

        // Month by month, ending with the same year-end rate.
        let months = sheet(&book, "逐月");
        assert_eq!(months.len(), 13, "{city}: twelve months");
        assert_eq!(months[12][0], end);
        assert_eq!(figure(months[12].get(1)), rate);
        let mid = t.get(&format!("/indicators?county_code={city}&as_of={year}-06-30")).await.body;
        assert_eq!(figure(months[6].get(1)), mid["safe_utilisation"]["rate_percent"].as_f64(), "{city} June");

        // The priority parcels and the RCR list's changes: the registry's counts.
        assert_eq!(sheet(&book, "优先监管地块").len() as u64 - 1, ind["priority_parcels"]["total"].as_u64().unwrap());
        let list = t.get(&format!("/public/lists/rcr?county_code={city}&as_of={end}&since={start}")).await.body;
        let ch = &list["changes"];
        let total = ch["added"].as_u64().unwrap() + ch["kept"].as_u64().unwrap() + ch["removed"].as_u64().unwrap();
        let changes = sheet(&book, "名录变化");
        assert_eq!(changes.len() as u64 - 1, total, "{city}: {changes:?}");
        let removed = changes.iter().filter(|r| r[3] == "移出").count() as u64;
        assert_eq!(removed, ch["removed"].as_u64().unwrap());
        assert!(sheet(&book, "方法与依据").iter().any(|r| r[0].starts_with("逾期义务")), "the duties' method");

        // The overdue duties are GET /duties?status=overdue's for the city on the report's date, in the
        // sheet and on the page.
        let duties = t.get(&format!("/duties?county_code={city}&as_of={end}&status=overdue")).await;
        assert_eq!(duties.status, 200, "{}", duties.text);
        let n = duties.body["counts"]["overdue"].as_u64().unwrap();
        assert!(n > 0, "{city} {year}: the demo has overdue duties");
        let mut want: Vec<(String, String)> = duties.body["duties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["id"].as_str().unwrap().to_string(), d["name_zh"].as_str().unwrap().to_string()))
            .collect();
        let rows = sheet(&book, "逾期义务");
        let mut got: Vec<(String, String)> = rows[1..].iter().map(|r| (r[3].clone(), r[5].clone())).collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{city} {year}");
        let html = t.get(&format!("/reports/annual?city={city}&year={year}")).await;
        assert!(html.text.contains(&format!("逾期未履行的义务共 {n} 项")), "{city} {year}: {n} overdue on the page");
        // and on the map: one orange ring for each entity with a duty overdue, and none other
        let mut entities: Vec<String> = duties.body["duties"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| format!("{}/{}", d["collection"].as_str().unwrap(), d["id"].as_str().unwrap()))
            .collect();
        entities.sort();
        entities.dedup();
        assert_eq!(html.text.matches(r#"class="overdue-duty""#).count(), entities.len(), "{city} {year}");
        for e in &entities {
            assert!(html.text.contains(&format!("{e}</title></circle>")), "{city} {year}: {e} on the map");
        }
    }
}

/// The PDF opens: pdfinfo reads its page count and pdftoppm (poppler-utils, scripts/bootstrap.sh) renders
/// every page into an image with something drawn on it (a blank page compresses to almost nothing).
fn pdf_pages_render(pdf: &[u8]) {
    let dir = Dir::new("report-pdf");
    let file = dir.path("report.pdf");
    std::fs::write(&file, pdf).unwrap();
    let info = std::process::Command::new("pdfinfo").arg(&file).output().expect("pdfinfo (poppler-utils) is installed");
    assert!(info.status.success(), "{}", String::from_utf8_lossy(&info.stderr));
    let pages: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|n| n.trim().parse().unwrap()))
        .expect("pdfinfo gives the page count");
    assert!(pages >= 1);
    let out = std::process::Command::new("pdftoppm")
        .args(["-r", "40", "-png"])
        .arg(&file)
        .arg(dir.path("page"))
        .output()
        .expect("pdftoppm (poppler-utils) is installed");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let images: Vec<u64> = std::fs::read_dir(dir.root())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("page"))
        .map(|e| e.metadata().unwrap().len())
        .collect();
    assert_eq!(images.len(), pages, "every page rendered");
    assert!(images.iter().all(|&n| n > 2_000), "no blank page: {images:?}");
}
