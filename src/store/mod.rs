//! Storage: the PostGIS registry. Thin: it turns checked domain records into rows and rows into GeoJSON
//! built by PostGIS, and keeps versions, transitions and the audit log consistent in one transaction.

pub mod adjustments;
pub mod audit;
pub mod checks;
pub mod copy;
pub mod duties;
pub mod features;
pub mod import;
pub mod items;
pub mod key_land;
pub mod layers;
pub mod lists;
pub mod measures;
pub mod pages;
pub mod people;
pub mod receipts;
pub mod replicas;
pub mod report;
pub mod scope;
pub mod search;
pub mod series;
pub mod statements;
pub mod steps;
pub mod targets;
pub mod tiles;
pub mod tokens;
pub mod trace;

use crate::config::Settings;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;
use std::str::FromStr;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("the feature has changed since it was read (ETag {current})")]
    PreconditionFailed { current: String },
    #[error("{0}")]
    Invalid(String),
    /// The writer may not write there (outside their counties).
    #[error("{0}")]
    Forbidden(String),
    #[error(transparent)]
    Lifecycle(#[from] crate::domain::collection::StepNotAllowed),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The database lacks migrations this build has (named): `landguard migrate` applies them.
    #[error("the database is not migrated for this landguard (missing {0}): run `landguard migrate` first")]
    NotMigrated(String),
    #[error("the query took too long and was stopped")]
    Timeout,
    /// Text from the request that PostgreSQL cannot take (a NUL character, or one outside UTF-8).
    #[error("{0}")]
    BadInput(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                StoreError::Unavailable(e.to_string())
            }
            sqlx::Error::Database(db) => match db.code().as_deref() {
                // query_canceled: the statement timeout fired
                Some("57014") => StoreError::Timeout,
                // character_not_in_repertoire, untranslatable_character: PostgreSQL text holds no NUL, so a
                // NUL in an id, a filter literal or a field ends here. The request's fault: 400, not 500.
                Some("22021" | "22P05") => StoreError::BadInput(
                    "the request contains a character that cannot be stored or searched (such as NUL, \\u0000)".into(),
                ),
                // admin_shutdown, crash_shutdown, cannot_connect_now
                Some("57P01" | "57P02" | "57P03") => StoreError::Unavailable(db.message().to_string()),
                // unique_violation on a "current code" index: the code is taken
                Some("23505") => StoreError::Conflict("a feature with this code already exists".into()),
                // check_violation: the database's own guard caught what the domain check let through
                Some("23514") if db.message().contains("geom") => {
                    StoreError::Invalid("geometry is invalid according to PostGIS (ST_IsValid)".into())
                }
                // internal_error raised by GEOS on a geometry it cannot work with (e.g. a self-intersecting
                // polygon in a filter): the request's fault, not the service's
                Some("XX000") if db.message().contains("GEOS") || db.message().contains("TopologyException") => {
                    StoreError::Invalid(format!("a geometry in the request cannot be used: {}", db.message()))
                }
                _ => StoreError::Database(e),
            },
            _ => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Clone)]
pub struct Store {
    pub pool: PgPool,
    pub timeouts: Timeouts,
    /// Connections whose own statement limit is the pulls' (`items_timeout_ms`), when that differs from the
    /// default: a page then runs alone on one of them, without the BEGIN and COMMIT a limit of its own costs
    /// (two more round trips per page; bench/features.sh), and goes back without sqlx's hand-back round trip
    /// (store::pages). Opened on demand, up to `pool_size`. With the limit its connections carry: used only
    /// while that is still the pulls' limit.
    pub pull_pool: Option<(u64, pages::PagePool)>,
    /// Connections at the default limit for single statements read to their end (a tile, a page when the
    /// pulls' limit is the default one): handed back without sqlx's round trip (store::pages), so that such
    /// a request costs the backend one statement and nothing more. Opened on demand, up to `pool_size`.
    /// With the limit its connections carry: used only while that is still the default one. `None` over a
    /// replica's pool, whose statements go through that pool.
    pub lean_pool: Option<(u64, pages::PagePool)>,
}

/// What a transaction is for. Each kind has its own statement time limit (settings `*_timeout_ms`); other
/// statements run under the connection's default (`statement_timeout_ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// A page of items, streamed while the client reads.
    Pull,
    /// An access-rule check's spatial query.
    Check,
    /// A versioned write.
    Write,
}

/// Statement time limits per kind of work, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub pull_ms: u64,
    pub check_ms: u64,
    pub write_ms: u64,
    /// The connections' own limit (`statement_timeout_ms`).
    pub default_ms: u64,
}

impl Timeouts {
    pub fn from_settings(s: &Settings) -> Timeouts {
        Timeouts {
            pull_ms: s.items_timeout_ms,
            check_ms: s.check_timeout_ms,
            write_ms: s.write_timeout_ms,
            default_ms: s.statement_timeout_ms,
        }
    }

    /// Whether `work` needs a limit of its own (a transaction: BEGIN with SET LOCAL, and COMMIT, two more round trips), or
    /// the connections' default limit is already the right one.
    pub fn own_limit(&self, work: Work) -> bool {
        self.for_work(work) != self.default_ms
    }

    pub fn for_work(&self, work: Work) -> u64 {
        match work {
            Work::Pull => self.pull_ms,
            Work::Check => self.check_ms,
            Work::Write => self.write_ms,
        }
    }
}

/// A connection carrying the statement time limit of one kind of work (see [`Store::limited`]).
pub enum Limited {
    Plain(sqlx::pool::PoolConnection<sqlx::Postgres>),
    Tx(sqlx::Transaction<'static, sqlx::Postgres>),
    /// A connection of the pages' own pool: back to it only through [`Limited::finish`], else closed.
    Page(pages::PageConn),
}

impl Limited {
    pub fn conn(&mut self) -> &mut sqlx::PgConnection {
        match self {
            Limited::Plain(c) => c,
            Limited::Tx(t) => t,
            Limited::Page(p) => p.conn(),
        }
    }

    /// Ends the work, once every statement on it has been read to its end: commits the transaction, if
    /// there is one, or gives a page connection back to its pool. Dropped without it, a page connection is
    /// closed (a statement may be half read on it).
    pub async fn finish(self) -> Result<()> {
        match self {
            Limited::Tx(t) => t.commit().await?,
            Limited::Page(p) => p.finish(),
            Limited::Plain(_) => {}
        }
        Ok(())
    }
}

/// How long a pooled connection may sit idle before it is pinged ahead of its next use.
pub(crate) const PING_AFTER_IDLE: Duration = Duration::from_secs(5);

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl Store {
    /// A bounded pool whose connections carry the statement timeout, so a slow query ends instead of
    /// holding a connection, and whose acquire timeout is short, so an exhausted pool answers 503 quickly.
    pub async fn connect(settings: &Settings) -> Result<Store> {
        let url = settings.database_url().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let options = |statement_timeout_ms: u64| -> Result<PgConnectOptions> {
            Ok(PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Unavailable(format!("DATABASE_URL: {e}")))?
                .application_name("landguard")
                // JIT off: PostGIS functions carry high planner costs, so JIT compiles (for hundreds of
                // milliseconds) short queries such as a vector tile that then run in a few.
                .options([("statement_timeout", statement_timeout_ms.to_string()), ("jit", "off".to_string())]))
        };
        let timeouts = Timeouts::from_settings(settings);
        let pool = Self::pool_options(settings).connect_lazy_with(options(settings.statement_timeout_ms)?);
        // A pool of page connections carrying a limit, with the limit it was opened with.
        let page_pool = |ms: u64| -> Result<(u64, pages::PagePool)> {
            let acquire = Duration::from_millis(settings.acquire_timeout_ms);
            Ok((ms, pages::PagePool::new(options(ms)?, settings.pool_size, acquire)))
        };
        let pull_pool = if timeouts.own_limit(Work::Pull) { Some(page_pool(settings.items_timeout_ms)?) } else { None };
        let lean_pool = Some(page_pool(settings.statement_timeout_ms)?);
        Ok(Store { pool, timeouts, pull_pool, lean_pool })
    }

    fn pool_options(settings: &Settings) -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(settings.pool_size)
            .acquire_timeout(Duration::from_millis(settings.acquire_timeout_ms))
            // sqlx pings every connection it hands out by default: one more round trip on every request.
            // A connection is pinged when it goes back to the pool anyway (and closed if that fails), so
            // only one that has sat idle for a while (a database restarted meanwhile, a firewall that
            // dropped it) is pinged before use.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for >= PING_AFTER_IDLE {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
    }

    /// The lean pool, while its connections' limit is still the default one.
    pub fn lean(&self) -> Option<&pages::PagePool> {
        self.lean_pool.as_ref().filter(|(ms, _)| *ms == self.timeouts.default_ms).map(|(_, p)| p)
    }

    /// The same store over another pool (a read replica; its pulls carry their limit in a transaction).
    pub fn with_pool(&self, pool: PgPool) -> Store {
        Store { pool, pull_pool: None, lean_pool: None, ..self.clone() }
    }

    pub fn from_pool(pool: PgPool) -> Store {
        Store { pool, timeouts: Timeouts::from_settings(&Settings::default()), pull_pool: None, lean_pool: None }
    }

    /// A transaction whose statements have the time limit of `work`. SET LOCAL ends with the transaction,
    /// so the pooled connection goes back with the default limit for its next user. BEGIN and SET LOCAL go
    /// as one simple query: one round trip instead of two.
    pub async fn begin(&self, work: Work) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        // A number of milliseconds from the settings: nothing from a request reaches this text.
        let ms = self.timeouts.for_work(work);
        Ok(self.pool.begin_with(format!("BEGIN; SET LOCAL statement_timeout = {ms}")).await?)
    }

    /// A connection whose statements have the time limit of `work`: a plain pooled connection when that is
    /// the connections' own limit, or (a pull) one of the pulls' own pool, or of the lean pool when theirs
    /// is the default: no BEGIN and no COMMIT to wait for, and no round trip on the way back. Else a
    /// transaction carrying it.
    pub async fn limited(&self, work: Work) -> Result<Limited> {
        if work == Work::Pull {
            if let Some((ms, pulls)) = &self.pull_pool {
                if *ms == self.timeouts.pull_ms {
                    return Ok(Limited::Page(pulls.acquire().await?));
                }
            }
            if let (false, Some(lean)) = (self.timeouts.own_limit(work), self.lean()) {
                return Ok(Limited::Page(lean.acquire().await?));
            }
        }
        if self.timeouts.own_limit(work) {
            Ok(Limited::Tx(self.begin(work).await?))
        } else {
            Ok(Limited::Plain(self.pool.acquire().await?))
        }
    }

    /// `connect`, for a command that works on the registry: a database without this build's migrations is
    /// refused at once (`require_migrated`).
    pub async fn open(settings: &Settings) -> Result<Store> {
        let store = Store::connect(settings).await?;
        store.require_utf8().await?;
        store.require_migrated().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> Result<()> {
        self.require_utf8().await?;
        MIGRATOR.run(&self.pool).await?;
        Ok(())
    }

    /// Refuses a database created with the encoding SQL_ASCII. Every other encoding reaches the service as
    /// UTF-8 (sqlx asks for it; PostgreSQL converts and checks), but SQL_ASCII hands over whatever bytes were
    /// stored, unchecked, and pages copy PostgreSQL's bytes into their UTF-8 bodies as they come
    /// (store::pages): one such byte would make a page that no client can parse.
    pub async fn require_utf8(&self) -> Result<()> {
        let encoding: String =
            sqlx::query_scalar("SELECT current_setting('server_encoding')").fetch_one(&self.pool).await?;
        if encoding == "SQL_ASCII" {
            return Err(StoreError::Unavailable(
                "the database's encoding is SQL_ASCII, which passes text through unchecked; create it with \
                 ENCODING 'UTF8' (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0) and migrate again"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Refuses a database that lacks some of this build's migrations, naming them: without this a command
    /// fails later on a missing table, with nothing to say what to do.
    pub async fn require_migrated(&self) -> Result<()> {
        let applied: Vec<i64> = match sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await
        {
            Ok(v) => v,
            // no table at all: never migrated
            Err(sqlx::Error::Database(db)) if db.code().as_deref() == Some("42P01") => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        let missing: Vec<String> = MIGRATOR
            .iter()
            .filter(|m| m.migration_type.is_up_migration() && !applied.contains(&m.version))
            .map(|m| format!("{}_{}", m.version, m.description.replace(' ', "_")))
            .collect();
        match missing.as_slice() {
            [] => Ok(()),
            [one] => Err(StoreError::NotMigrated(one.clone())),
            [first, ..] => Err(StoreError::NotMigrated(format!("{} migrations from {first}", missing.len()))),
        }
    }

    /// Whether a collection has ever held a feature (any version, current or not).
    pub async fn has_versions(&self, c: crate::domain::registry::Collection) -> Result<bool> {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", statements::statements(c).table);
        Ok(sqlx::query_scalar(&sql).fetch_one(&self.pool).await?)
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM landguard_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO landguard_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Appends to the audit log inside the caller's transaction, so the write and its record commit together.
pub(crate) async fn audit(
    tx: &mut sqlx::PgConnection,
    actor: &str,
    action: &str,
    collection: Option<&str>,
    feature_id: Option<&str>,
    version_id: Option<i64>,
    detail: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (actor, action, collection, feature_id, version_id, detail) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(actor)
    .bind(action)
    .bind(collection)
    .bind(feature_id)
    .bind(version_id)
    .bind(detail)
    .execute(tx)
    .await?;
    Ok(())
}

impl Store {
    /// The collection's change counter: it grows with every committed write, from any process.
    pub async fn change_seq(&self, collection: crate::domain::registry::Collection) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT seq FROM collection_changes WHERE collection = $1")
            .bind(collection.as_str())
            .fetch_one(&self.pool)
            .await?)
    }
}
