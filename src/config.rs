//! Settings: defaults, then an optional TOML file (`LANDGUARD_CONFIG` or `--config`), then environment
//! variables, each layer overriding the one before.

use crate::domain::crops::CropLimits;
use crate::domain::landuse::LandUsePolicy;
use crate::domain::registry::{Collection, FeatureLimits};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("config file {path}: {source}")]
    Parse { path: String, source: toml::de::Error },
    #[error("setting {name}: '{value}' is not {expected}")]
    Invalid { name: String, value: String, expected: &'static str },
    #[error("setting [duties] {0}")]
    Duties(String),
    #[error("setting adjustment: {0}")]
    Adjustment(#[from] crate::domain::adjustment::SettingsError),
    #[error("DATABASE_URL is not set (set it, or use `make run`, which starts a private PostGIS)")]
    NoDatabase,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub database_url: Option<String>,
    /// Streaming replicas for reads (`DATABASE_READ_URL`, comma-separated); writes stay on the primary.
    pub database_read_urls: Vec<String>,
    /// How long after a write a writer's reads wait for a replica to catch up (else go to the primary).
    pub read_your_writes_secs: u64,
    /// A replica more than this far behind the primary gets no reads until it catches up.
    pub replica_max_lag_secs: u64,
    /// Checks answer legal questions: a replica further behind the primary than this answers none (they go
    /// to the primary), however well it serves other reads.
    pub check_max_lag_secs: u64,
    pub bind: String,
    pub pool_size: u32,
    /// How long a request waits for a free database connection before it is answered 503.
    pub acquire_timeout_ms: u64,
    /// Upper bound on any one SQL statement; a slower query ends as 503 instead of holding a connection.
    pub statement_timeout_ms: u64,
    /// Statement limit for item pages: a page of up to `limit` features streamed to the client keeps its
    /// statement open while the client reads, so full pulls get more time than single reads.
    pub items_timeout_ms: u64,
    /// Statement limit for an access-rule check's spatial query.
    pub check_timeout_ms: u64,
    /// Statement limit for each statement of a write (including the wait for a row lock held by a racing writer).
    pub write_timeout_ms: u64,
    /// Time from request to response headers; a streamed body (item pages) is not cut by it.
    pub request_timeout_ms: u64,
    /// Deepest nesting of arrays and objects accepted in a JSON body (GeoJSON needs 6).
    pub max_json_depth: usize,
    pub max_body_bytes: usize,
    /// A file uploaded to `POST /collections/{id}/import`: streamed to disk, so it may be far larger.
    pub max_import_bytes: usize,
    pub max_vertices: usize,
    /// Memory for the vector-tile cache, in bytes (0 turns it off).
    pub tile_cache_bytes: usize,
    /// How long a service process holds a read lease on a collection's change counter before giving it back
    /// and taking it again: a write to the collection waits up to this long; meanwhile cached tiles are
    /// answered without a query. 0 turns leases off (the counter is read for every tile request).
    pub tile_lease_ms: u64,
    /// Size bound of one vector tile: a bigger one is made again with less detail (see docs/api.md).
    pub tile_max_bytes: usize,
    /// Decimal places of coordinates in output: degrees (6 ≈ 0.1 m, as RFC 7946 advises) and metres (3 = 1 mm).
    pub coord_precision_deg: u8,
    pub coord_precision_m: u8,
    /// Origins allowed by CORS: `*` (default: the register is public), a list, or empty for no CORS headers.
    pub cors_origins: Vec<String>,
    /// Collections readable without a token. The risk-control list is public by law, so all are by default.
    pub anonymous_read: Vec<String>,
    /// `/metrics` without a token (default). Off: a scraper needs a token of any role.
    pub metrics_public: bool,
    pub sliver_min_m2: f64,
    pub sliver_min_ratio: f64,
    pub heavy_metal_buffer_m: f64,
    /// The largest distance a trace (溯源, nearby-sources and nearby-farmland) searches, in metres.
    pub trace_max_distance_m: f64,
    pub gbt21010_0809_0810_public: bool,
    /// Safe-utilisation targets by city prefix (percent).
    pub safe_use_targets: BTreeMap<String, f64>,
    /// Targets for the share of priority-supervision parcels under control, by city prefix (percent).
    pub priority_control_targets: BTreeMap<String, f64>,
    /// A signed-in session ends after this many minutes without a request...
    pub session_idle_mins: u64,
    /// ...and at the latest this many hours after sign-in.
    pub session_max_hours: u64,
    /// Failed sign-ins of one name within the window after which it is refused until the window passes.
    pub login_max_failures: u32,
    /// The same, from one client address over every name.
    pub login_max_failures_per_client: u32,
    pub login_window_secs: u64,
    /// Wait added to a sign-in for each recent failure of its name or address.
    pub login_delay_ms: u64,
    /// The intervals and counts of the source-control duties (`[duties]` in the config file; docs/operations.md).
    pub duties: crate::domain::duties::DutySettings,
    /// GB 2762 limits crop samples are judged against, over the built-in ones (docs/operations.md).
    pub crop_limits: CropLimitSettings,
    /// The class-adjustment method's table of settings (`[adjustment]`; docs/adjustment.md), validated on load.
    pub adjustment: crate::domain::adjustment::AdjustmentSettings,
}

/// `[crop_limits]`: `severe_ratio = 2.0` and `[crop_limits.limits.rice]` `cd = 0.2`, ... (mg/kg). A crop or
/// metal not given keeps the built-in limit (`CropLimits::default()`).
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CropLimitSettings {
    /// The worst ratio to the limit above which an exceedance is severe.
    pub severe_ratio: f64,
    pub limits: BTreeMap<String, BTreeMap<crate::domain::crops::Metal, f64>>,
}

impl Default for CropLimitSettings {
    fn default() -> Self {
        CropLimitSettings { severe_ratio: CropLimits::default().severe_ratio, limits: BTreeMap::new() }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: None,
            database_read_urls: Vec::new(),
            read_your_writes_secs: 60,
            replica_max_lag_secs: 30,
            check_max_lag_secs: 5,
            bind: "127.0.0.1:8080".into(),
            pool_size: 16,
            acquire_timeout_ms: 3_000,
            statement_timeout_ms: 15_000,
            items_timeout_ms: 60_000,
            check_timeout_ms: 15_000,
            write_timeout_ms: 10_000,
            request_timeout_ms: 30_000,
            max_json_depth: 32,
            max_body_bytes: 10 * 1024 * 1024,
            max_import_bytes: 512 * 1024 * 1024,
            max_vertices: 100_000,
            tile_cache_bytes: 64 * 1024 * 1024,
            tile_lease_ms: 20,
            tile_max_bytes: 500_000,
            // the precision each version's feature is stored at when written: default pages serve those bytes
            coord_precision_deg: crate::store::items::STORED_PRECISION_DEG,
            coord_precision_m: 3,
            cors_origins: vec!["*".to_string()],
            anonymous_read: Collection::all().iter().map(|c| c.as_str().to_string()).collect(),
            metrics_public: true,
            sliver_min_m2: 1.0,
            sliver_min_ratio: 0.001,
            heavy_metal_buffer_m: 1000.0,
            trace_max_distance_m: 20_000.0,
            gbt21010_0809_0810_public: true,
            safe_use_targets: [("4503".to_string(), 93.8), ("4502".to_string(), 93.0)].into_iter().collect(),
            priority_control_targets: [("4503".to_string(), 35.0)].into_iter().collect(),
            session_idle_mins: 60,
            session_max_hours: 12,
            login_max_failures: 10,
            login_max_failures_per_client: 30,
            login_window_secs: 900,
            login_delay_ms: 500,
            crop_limits: CropLimitSettings::default(),
            duties: crate::domain::duties::DutySettings::default(),
            adjustment: crate::domain::adjustment::AdjustmentSettings::default(),
        }
    }
}

fn parse<T: std::str::FromStr>(name: &str, value: &str, expected: &'static str) -> Result<T, ConfigError> {
    value.trim().parse().map_err(|_| ConfigError::Invalid { name: name.into(), value: value.into(), expected })
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(ConfigError::Invalid { name: name.into(), value: value.into(), expected: "true or false" }),
    }
}

/// `4503=93.8,4502=93`
fn parse_targets(name: &str, value: &str) -> Result<BTreeMap<String, f64>, ConfigError> {
    let invalid =
        || ConfigError::Invalid { name: name.into(), value: value.into(), expected: "a list like 4503=93.8,4502=93" };
    value
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').ok_or_else(invalid)?;
            let v: f64 = v.trim().parse().map_err(|_| invalid())?;
            Ok((k.trim().to_string(), v))
        })
        .collect()
}

/// `rice.cd=0.2,wheat.pb=0.2`: crop code, metal, mg/kg.
fn parse_crop_limits(value: &str) -> Result<Vec<(String, crate::domain::crops::Metal, f64)>, ConfigError> {
    let invalid = || ConfigError::Invalid {
        name: "LANDGUARD_CROP_LIMITS".into(),
        value: value.into(),
        expected: "a list like rice.cd=0.2,wheat.pb=0.2 (crop code, metal cd|pb|as_inorganic|hg|cr, mg/kg)",
    };
    value
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|item| {
            let (key, v) = item.split_once('=').ok_or_else(invalid)?;
            let (crop, metal) = key.trim().split_once('.').ok_or_else(invalid)?;
            let metal = metal.parse().map_err(|_| invalid())?;
            let mg_kg: f64 = v.trim().parse().map_err(|_| invalid())?;
            Ok((crop.trim().to_string(), metal, mg_kg))
        })
        .collect()
}

impl Settings {
    /// Defaults, then the config file (if any), then the environment.
    pub fn load(config_file: Option<&Path>) -> Result<Settings, ConfigError> {
        let file = config_file.map(Path::to_path_buf).or_else(|| std::env::var_os("LANDGUARD_CONFIG").map(Into::into));
        Settings::load_from(file.as_deref(), |k| std::env::var(k).ok())
    }

    /// `load` with the environment given as a function, so that tests do not depend on the process's.
    fn load_from(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Settings, ConfigError> {
        let mut s = match file {
            Some(path) => {
                let p = path.display().to_string();
                let text =
                    std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: p.clone(), source })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse { path: p, source })?
            }
            None => Settings::default(),
        };
        s.apply_env(env)?;
        if s.tile_lease_ms > 1000 {
            // a write waits up to one lease period: past a second that is a stall, not a cost
            return Err(ConfigError::Invalid {
                name: "tile_lease_ms (LANDGUARD_TILE_LEASE_MS)".into(),
                value: s.tile_lease_ms.to_string(),
                expected: "a whole number of milliseconds from 0 to 1000",
            });
        }
        s.duties.validate().map_err(ConfigError::Duties)?;
        s.adjustment.validate()?;
        Ok(s)
    }

    fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if let Some(v) = get("DATABASE_URL").filter(|v| !v.is_empty()) {
            self.database_url = Some(v);
        }
        if let Some(v) = get("DATABASE_READ_URL") {
            self.database_read_urls = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
        }
        if let Some(v) = get("LANDGUARD_BIND") {
            self.bind = v;
        }
        macro_rules! num {
            ($($field:ident).+, $name:literal, $what:literal) => {
                if let Some(v) = get($name) {
                    self.$($field).+ = parse($name, &v, $what)?;
                }
            };
        }
        num!(pool_size, "LANDGUARD_POOL_SIZE", "a whole number");
        num!(read_your_writes_secs, "LANDGUARD_READ_YOUR_WRITES_SECS", "a whole number of seconds");
        num!(replica_max_lag_secs, "LANDGUARD_REPLICA_MAX_LAG_SECS", "a whole number of seconds");
        num!(check_max_lag_secs, "LANDGUARD_CHECK_MAX_LAG_SECS", "a whole number of seconds");
        num!(acquire_timeout_ms, "LANDGUARD_ACQUIRE_TIMEOUT_MS", "a whole number of milliseconds");
        num!(statement_timeout_ms, "LANDGUARD_STATEMENT_TIMEOUT_MS", "a whole number of milliseconds");
        num!(items_timeout_ms, "LANDGUARD_ITEMS_TIMEOUT_MS", "a whole number of milliseconds");
        num!(check_timeout_ms, "LANDGUARD_CHECK_TIMEOUT_MS", "a whole number of milliseconds");
        num!(write_timeout_ms, "LANDGUARD_WRITE_TIMEOUT_MS", "a whole number of milliseconds");
        num!(request_timeout_ms, "LANDGUARD_REQUEST_TIMEOUT_MS", "a whole number of milliseconds");
        num!(max_json_depth, "LANDGUARD_MAX_JSON_DEPTH", "a whole number");
        num!(max_body_bytes, "LANDGUARD_MAX_BODY_BYTES", "a whole number of bytes");
        num!(max_import_bytes, "LANDGUARD_MAX_IMPORT_BYTES", "a whole number of bytes");
        num!(max_vertices, "LANDGUARD_MAX_VERTICES", "a whole number");
        num!(tile_cache_bytes, "LANDGUARD_TILE_CACHE_BYTES", "a whole number of bytes");
        num!(tile_lease_ms, "LANDGUARD_TILE_LEASE_MS", "a whole number of milliseconds");
        num!(tile_max_bytes, "LANDGUARD_TILE_MAX_BYTES", "a whole number of bytes");
        num!(coord_precision_deg, "LANDGUARD_COORD_PRECISION_DEG", "a number of decimal places (0-15)");
        num!(coord_precision_m, "LANDGUARD_COORD_PRECISION_M", "a number of decimal places (0-15)");
        num!(sliver_min_m2, "LANDGUARD_SLIVER_MIN_M2", "a number of square metres");
        num!(sliver_min_ratio, "LANDGUARD_SLIVER_MIN_RATIO", "a ratio such as 0.001");
        num!(heavy_metal_buffer_m, "LANDGUARD_HEAVY_METAL_BUFFER_M", "a number of metres");
        num!(trace_max_distance_m, "LANDGUARD_TRACE_MAX_DISTANCE_M", "a number of metres");
        num!(session_idle_mins, "LANDGUARD_SESSION_IDLE_MINS", "a whole number of minutes");
        num!(session_max_hours, "LANDGUARD_SESSION_MAX_HOURS", "a whole number of hours");
        num!(login_max_failures, "LANDGUARD_LOGIN_MAX_FAILURES", "a whole number");
        num!(login_max_failures_per_client, "LANDGUARD_LOGIN_MAX_FAILURES_PER_CLIENT", "a whole number");
        num!(login_window_secs, "LANDGUARD_LOGIN_WINDOW_SECS", "a whole number of seconds");
        num!(login_delay_ms, "LANDGUARD_LOGIN_DELAY_MS", "a whole number of milliseconds");
        if let Some(v) = get("LANDGUARD_GBT21010_0809_0810_PUBLIC") {
            self.gbt21010_0809_0810_public = parse_bool("LANDGUARD_GBT21010_0809_0810_PUBLIC", &v)?;
        }
        if let Some(v) = get("LANDGUARD_METRICS_PUBLIC") {
            self.metrics_public = parse_bool("LANDGUARD_METRICS_PUBLIC", &v)?;
        }
        if let Some(v) = get("LANDGUARD_ANONYMOUS_READ") {
            self.anonymous_read = match v.trim() {
                "all" | "true" => Collection::all().iter().map(|c| c.as_str().to_string()).collect(),
                "none" | "false" | "" => Vec::new(),
                list => list.split(',').map(|s| s.trim().to_string()).collect(),
            };
        }
        if let Some(v) = get("LANDGUARD_CORS_ORIGINS") {
            self.cors_origins = match v.trim() {
                "none" | "" => Vec::new(),
                list => list.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            };
        }
        if let Some(v) = get("LANDGUARD_SAFE_USE_TARGETS") {
            self.safe_use_targets = parse_targets("LANDGUARD_SAFE_USE_TARGETS", &v)?;
        }
        if let Some(v) = get("LANDGUARD_PRIORITY_CONTROL_TARGETS") {
            self.priority_control_targets = parse_targets("LANDGUARD_PRIORITY_CONTROL_TARGETS", &v)?;
        }
        if let Some(v) = get("LANDGUARD_CROP_LIMITS") {
            for (crop, metal, mg_kg) in parse_crop_limits(&v)? {
                self.crop_limits.limits.entry(crop).or_default().insert(metal, mg_kg);
            }
        }
        num!(crop_limits.severe_ratio, "LANDGUARD_CROP_SEVERE_RATIO", "a ratio above 1, such as 2");
        if let Err(e) = self.crop_limits().validate() {
            return Err(ConfigError::Invalid { name: "crop_limits".into(), value: e.to_string(), expected: "usable" });
        }
        for c in &self.anonymous_read {
            if c.parse::<Collection>().is_err() {
                return Err(ConfigError::Invalid {
                    name: "anonymous_read".into(),
                    value: c.clone(),
                    expected: "a collection name (farmland_units, construction_parcels), 'all' or 'none'",
                });
            }
        }
        Ok(())
    }

    pub fn database_url(&self) -> Result<&str, ConfigError> {
        self.database_url.as_deref().ok_or(ConfigError::NoDatabase)
    }

    pub fn anonymous_read(&self, c: Collection) -> bool {
        self.anonymous_read.iter().any(|s| s == c.as_str())
    }

    pub fn land_use_policy(&self) -> LandUsePolicy {
        LandUsePolicy { gbt21010_0809_0810_public: self.gbt21010_0809_0810_public }
    }

    pub fn login_throttle(&self) -> crate::domain::signin::Throttle {
        crate::domain::signin::Throttle {
            max_failures: self.login_max_failures,
            max_failures_per_client: self.login_max_failures_per_client,
            delay_ms: self.login_delay_ms,
            window_secs: self.login_window_secs,
        }
    }

    pub fn feature_limits(&self) -> FeatureLimits {
        FeatureLimits { max_vertices: self.max_vertices, crops: std::sync::Arc::new(self.crop_limits()) }
    }

    /// The crop-judging limits: the built-in ones with the settings' put over them (checked at load).
    pub fn crop_limits(&self) -> CropLimits {
        let base = CropLimits { severe_ratio: self.crop_limits.severe_ratio, ..CropLimits::default() };
        base.with_overrides(&self.crop_limits.limits)
    }

    /// The indicators' targets by city, as the settings give them.
    pub fn indicator_targets(&self) -> crate::domain::indicators::Targets {
        crate::domain::indicators::Targets {
            safe_use: self.safe_use_targets.clone(),
            priority_control: self.priority_control_targets.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let env: BTreeMap<&str, &str> = [
            ("DATABASE_URL", "postgres://x/y"),
            ("LANDGUARD_POOL_SIZE", "4"),
            ("LANDGUARD_ANONYMOUS_READ", "farmland_units"),
            ("LANDGUARD_SAFE_USE_TARGETS", "4503=95, 4502=90.5"),
            ("LANDGUARD_GBT21010_0809_0810_PUBLIC", "off"),
        ]
        .into_iter()
        .collect();
        let mut s = Settings::default();
        s.apply_env(|k| env.get(k).map(|v| v.to_string())).unwrap();
        assert_eq!(s.database_url().ok(), Some("postgres://x/y"));
        assert_eq!(s.pool_size, 4);
        assert!(s.anonymous_read(Collection::FarmlandUnits));
        assert!(!s.anonymous_read(Collection::ConstructionParcels));
        assert_eq!(s.safe_use_targets.get("4502"), Some(&90.5));
        assert!(!s.land_use_policy().gbt21010_0809_0810_public);
    }

    #[test]
    fn bad_values_are_named() {
        let mut s = Settings::default();
        let err = s.apply_env(|k| (k == "LANDGUARD_POOL_SIZE").then(|| "many".to_string())).unwrap_err();
        assert!(err.to_string().contains("LANDGUARD_POOL_SIZE"), "{err}");
        let err = s.apply_env(|k| (k == "LANDGUARD_ANONYMOUS_READ").then(|| "everything".to_string())).unwrap_err();
        assert!(err.to_string().contains("everything"), "{err}");
        // a write waits up to one lease period
        let err = Settings::load_from(None, |k| (k == "LANDGUARD_TILE_LEASE_MS").then(|| "5000".into())).unwrap_err();
        assert!(err.to_string().contains("LANDGUARD_TILE_LEASE_MS") && err.to_string().contains("0 to 1000"), "{err}");
        let s = Settings::load_from(None, |k| (k == "LANDGUARD_TILE_LEASE_MS").then(|| "0".into())).unwrap();
        assert_eq!(s.tile_lease_ms, 0);
    }

    #[test]
    fn crop_limits_from_file_and_environment_are_checked() {
        use crate::domain::crops::{Limit, Metal};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("landguard.toml");
        std::fs::write(&path, "[crop_limits]\nsevere_ratio = 3.0\n[crop_limits.limits.rice]\ncd = 0.1\n").unwrap();
        let s = Settings::load_from(Some(&path), |k| (k == "LANDGUARD_CROP_LIMITS").then(|| "sugarcane.pb=0.5".into()))
            .unwrap();
        let limits = s.crop_limits();
        assert_eq!(limits.severe_ratio, 3.0);
        assert_eq!(limits.limits["rice"][&Metal::Cd], Limit { mg_kg: 0.1, verified: true });
        // untouched: the built-in figure and its mark
        assert_eq!(limits.limits["rice"][&Metal::Pb], Limit { mg_kg: 0.2, verified: true });
        assert_eq!(limits.limits["wheat"][&Metal::Cd], Limit { mg_kg: 0.1, verified: false });
        assert_eq!(limits.limits["sugarcane"][&Metal::Pb].mg_kg, 0.5);
        assert_eq!(Settings::default().crop_limits(), CropLimits::default());
        // refused at load, in one line naming the setting
        for (k, v) in [
            ("LANDGUARD_CROP_LIMITS", "rice.cd=0"),
            ("LANDGUARD_CROP_LIMITS", "rice.zinc=1"),
            ("LANDGUARD_CROP_SEVERE_RATIO", "0.5"),
        ] {
            let err = Settings::load_from(None, |key| (key == k).then(|| v.to_string())).unwrap_err().to_string();
            assert!(err.contains("CROP") || err.contains("crop_limits"), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        std::fs::write(&path, "[crop_limits.limits.rice]\nzinc = 1\n").unwrap();
        assert!(matches!(Settings::load_from(Some(&path), |_| None), Err(ConfigError::Parse { .. })));
    }

    #[test]
    fn config_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("landguard.toml");
        std::fs::write(&path, "bind = \"0.0.0.0:9000\"\nheavy_metal_buffer_m = 500.0\n").unwrap();
        let s = Settings::load_from(Some(&path), |_| None).unwrap();
        assert_eq!(s.bind, "0.0.0.0:9000");
        assert_eq!(s.heavy_metal_buffer_m, 500.0);
        assert_eq!(s.pool_size, 16);
        // the environment wins over the file
        let s = Settings::load_from(Some(&path), |k| (k == "LANDGUARD_BIND").then(|| "127.0.0.1:9001".to_string()))
            .unwrap();
        assert_eq!(s.bind, "127.0.0.1:9001");
        // an unknown key, or a missing file, is an error that names the file
        std::fs::write(&path, "colour = 1\n").unwrap();
        let err = Settings::load_from(Some(&path), |_| None).unwrap_err();
        assert!(matches!(err, ConfigError::Parse { .. }) && err.to_string().contains("landguard.toml"), "{err}");
        // the adjustment method's settings: a partial table keeps the other defaults; a bad one stops the start
        std::fs::write(
            &path,
            "[adjustment]\nmin_soil_samples = 3\ncombine = { rule = \"share\", share = 0.5 }\n\
             [adjustment.table]\ncells = [[\"priority_protection\", \"priority_protection\", \"priority_protection\", \"safe_use\"], \
             [\"safe_use\", \"safe_use\", \"safe_use\", \"strict_control\"], \
             [\"strict_control\", \"strict_control\", \"strict_control\", \"strict_control\"]]\n",
        )
        .unwrap();
        let s = Settings::load_from(Some(&path), |_| None).unwrap();
        use crate::domain::adjustment::{AdjustmentSettings, Combine};
        use crate::domain::farmland::{FarmlandClass, SoilGrade};
        assert_eq!((s.adjustment.min_soil_samples, s.adjustment.combine), (3, Combine::Share(0.5)));
        assert_eq!(s.adjustment.clean_seasons_to_move_down, AdjustmentSettings::default().clean_seasons_to_move_down);
        assert_eq!(s.adjustment.table.get(SoilGrade::A, None), FarmlandClass::PriorityProtection);
        assert_eq!(
            s.adjustment.table.get(SoilGrade::A, Some(crate::domain::farmland::CropFinding::Exceeds)),
            FarmlandClass::PriorityProtection
        );
        std::fs::write(&path, "[adjustment]\ncombine = { rule = \"worst\" }\ntoo_few = \"propose_and_flag\"\n")
            .unwrap();
        let s = Settings::load_from(Some(&path), |_| None).unwrap();
        assert_eq!(
            (s.adjustment.combine, s.adjustment.too_few),
            (Combine::Worst, crate::domain::adjustment::TooFewSamples::ProposeAndFlag)
        );
        std::fs::write(&path, "[adjustment]\nmin_soil_samples = 0\n").unwrap();
        let err = Settings::load_from(Some(&path), |_| None).unwrap_err();
        assert!(matches!(err, ConfigError::Adjustment(_)) && err.to_string().contains("min_soil_samples"), "{err}");
        std::fs::write(&path, "[adjustment]\ncombine = { rule = \"share\", share = 1.5 }\n").unwrap();
        assert!(matches!(Settings::load_from(Some(&path), |_| None), Err(ConfigError::Adjustment(_))));
        std::fs::write(&path, "[adjustment]\ntoo_few = \"guess\"\n").unwrap();
        assert!(matches!(Settings::load_from(Some(&path), |_| None), Err(ConfigError::Parse { .. })));
        let missing = dir.path().join("missing.toml");
        let err = Settings::load_from(Some(&missing), |_| None).unwrap_err();
        assert!(matches!(err, ConfigError::Read { .. }) && err.to_string().contains("missing.toml"), "{err}");
    }

    #[test]
    fn duty_settings_are_read_from_their_table_and_checked_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("landguard.toml");
        std::fs::write(&path, "[duties]\nflood_season_start = [5, 1]\npond_level3_share_percent = 60\n").unwrap();
        let s = Settings::load_from(Some(&path), |_| None).unwrap();
        assert_eq!(s.duties.flood_season_start, (5, 1));
        assert_eq!(s.duties.pond_level3_share_percent, 60);
        assert_eq!(s.duties.hazard_check_every_years, 3, "keys left out keep their defaults");
        std::fs::write(&path, "[duties]\nflood_season_start = [2, 30]\n").unwrap();
        let err = Settings::load_from(Some(&path), |_| None).unwrap_err().to_string();
        assert!(err.contains("[duties] flood_season_start") && !err.contains('\n'), "{err}");
        std::fs::write(&path, "[duties]\nflood_season = [4, 1]\n").unwrap();
        assert!(matches!(Settings::load_from(Some(&path), |_| None), Err(ConfigError::Parse { .. })));
    }
}
