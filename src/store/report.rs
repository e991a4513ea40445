//! What the annual report reads that no other part of the service does: the city's map (sql/report_map.sql).

use super::{Result, Store};
use chrono::NaiveDate;
use sqlx::Row;

const REPORT_MAP: &str = include_str!("sql/report_map.sql");

/// One drawn thing: a county outline (path data) or a point (`cx="…" cy="…"`).
#[derive(Debug, Clone)]
pub struct Drawn {
    pub code: String,
    pub label: String,
    pub state: Option<String>,
    pub svg: String,
}

#[derive(Debug, Clone, Default)]
pub struct ReportMap {
    pub counties: Vec<Drawn>,
    pub parcels: Vec<Drawn>,
    /// Key units' sites, tailings ponds and pollution sources (a point each), by `collection/id`.
    pub sources: Vec<Drawn>,
    /// Web Mercator extent of the outlines: xmin, ymin, xmax, ymax.
    pub extent: Option<[f64; 4]>,
    /// The city's name, as the county outlines give it.
    pub city_name: Option<String>,
}

impl Store {
    pub async fn report_map(&self, city: &str, on: NaiveDate) -> Result<ReportMap> {
        let rows = sqlx::query(REPORT_MAP).bind(format!("{city}%")).bind(on).fetch_all(&self.pool).await?;
        let mut map = ReportMap::default();
        for r in rows {
            let kind: String = r.try_get(0)?;
            let d = Drawn { code: r.try_get(1)?, label: r.try_get(2)?, state: r.try_get(3)?, svg: r.try_get(4)? };
            if kind == "county" {
                let b: [Option<f64>; 4] = [r.try_get(5)?, r.try_get(6)?, r.try_get(7)?, r.try_get(8)?];
                if let [Some(a), Some(b), Some(c), Some(d)] = b {
                    map.extent = Some([a, b, c, d]);
                }
                if map.city_name.is_none() {
                    map.city_name = d.state.clone();
                }
                map.counties.push(Drawn { state: None, ..d });
            } else if kind == "source" {
                map.sources.push(d);
            } else {
                map.parcels.push(d);
            }
        }
        Ok(map)
    }
}
