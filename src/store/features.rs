//! Features of every collection: versioned writes, lifecycle transitions, as-of reads and history, with
//! the SQL made from each collection's description (store::statements).

use super::statements::statements;
use super::{audit, Result, Store, StoreError};
use crate::conditional::Precondition;
use crate::domain::collection::Kind;
use crate::domain::registry::{Checked, Collection, Datum, Record};
use crate::domain::time::AsOf;
use chrono::NaiveDate;
use sqlx::postgres::PgArguments;
use sqlx::query::QueryScalar;
use sqlx::{PgConnection, Postgres, Row};

/// The SQL side of the domain's as-of: which version rows a read sees.
impl AsOf {
    /// The SQL condition selecting the versions this read sees; `$n` is bound to the date.
    pub fn condition(self, n: usize) -> String {
        match self {
            AsOf::Current => "v.valid_to IS NULL AND v.superseded_at IS NULL".into(),
            AsOf::Date(_) => format!(
                "v.superseded_at IS NULL AND v.valid_from <= ${n} AND (v.valid_to IS NULL OR v.valid_to > ${n})"
            ),
        }
    }
}

/// The statement of `GET /collections/{c}/items/{id}`: $1 the id, $2 the as-of date when there is one.
pub fn feature_sql(c: Collection, as_of: AsOf) -> String {
    let t = statements(c);
    format!("{} WHERE v.{} = $1 AND {}", t.feature_select, t.code, as_of.condition(2))
}

/// A feature as GeoJSON text, with the version that makes its ETag.
#[derive(Debug, Clone)]
pub struct FeatureDoc {
    pub version_id: i64,
    pub json: String,
}

impl FeatureDoc {
    pub fn etag(&self) -> String {
        etag_of(self.version_id)
    }
}

pub fn etag_of(version_id: i64) -> String {
    format!("\"v{version_id}\"")
}

pub use super::scope::Actor;

/// A lifecycle step as requested.
#[derive(Debug, Clone)]
pub struct TransitionRequest {
    /// A state of the collection's lifecycle, as its description names it.
    pub to: String,
    pub date: NaiveDate,
    pub document: String,
    pub note: Option<String>,
    /// Only on the step to `delisted`: the GB 36600 class of use (1 or 2) whose targets the remediation met.
    /// Absent, the new version keeps what the parcel had (often nothing: then the stricter reading applies).
    pub remediated_for_class: Option<i16>,
}

pub(super) struct CurrentRow {
    pub(super) version_id: i64,
    pub(super) valid_from: NaiveDate,
    pub(super) state: Option<String>,
}

fn geometry_json(c: &Checked<Record>) -> String {
    c.geometry.to_geojson().to_string()
}

/// Binds one property value with its kind's SQL type, so that a NULL is typed too.
fn bind_datum<'q, O>(
    q: QueryScalar<'q, Postgres, O, PgArguments>,
    kind: Kind,
    d: &'q Datum,
) -> QueryScalar<'q, Postgres, O, PgArguments> {
    match (kind, d) {
        (_, Datum::Text(s)) => q.bind(s.as_str()),
        (_, Datum::Bool(b)) => q.bind(*b),
        (_, Datum::Int(i)) => q.bind(*i),
        (_, Datum::Number(n)) => q.bind(*n),
        (_, Datum::Date(d)) => q.bind(*d),
        (Kind::Text | Kind::TextList | Kind::IntList, Datum::Null) => q.bind(None::<String>),
        (Kind::Bool, Datum::Null) => q.bind(None::<bool>),
        (Kind::Int, Datum::Null) => q.bind(None::<i64>),
        (Kind::Number, Datum::Null) => q.bind(None::<f64>),
        (Kind::Date, Datum::Null) => q.bind(None::<NaiveDate>),
    }
}

async fn insert_version(conn: &mut PgConnection, c: &Checked<Record>, actor: &str, change: &str) -> Result<i64> {
    let collection = c.record.collection;
    let mut q = sqlx::query_scalar(&statements(collection).insert);
    for (p, d) in collection.description().stored().zip(&c.record.values) {
        q = bind_datum(q, p.kind, d);
    }
    let id = q.bind(geometry_json(c)).bind(c.area_m2).bind(actor).bind(change).fetch_one(conn).await?;
    Ok(id)
}

pub(super) async fn lock_current(conn: &mut PgConnection, collection: Collection, code: &str) -> Result<CurrentRow> {
    let sql = &statements(collection).lock_current;
    let mut row = sqlx::query(sql).bind(code).fetch_optional(&mut *conn).await?;
    if row.is_none() {
        // A racing writer may have ended the current version while this statement waited for its lock:
        // READ COMMITTED then re-checks that row, finds it no longer current, and returns nothing, while
        // its successor is too new for this statement's snapshot. A second statement sees the successor,
        // so the loser gets 412 (stale If-Match) rather than 404.
        row = sqlx::query(sql).bind(code).fetch_optional(&mut *conn).await?;
    }
    let row = row.ok_or(StoreError::NotFound)?;
    Ok(CurrentRow { version_id: row.try_get(0)?, valid_from: row.try_get(1)?, state: row.try_get(2)? })
}

pub(super) fn check_if_match(current: &CurrentRow, if_match: Option<&Precondition>) -> Result<()> {
    match if_match {
        None => Ok(()),
        Some(p) => {
            let etag = etag_of(current.version_id);
            if p.passes(&etag) {
                Ok(())
            } else {
                Err(StoreError::PreconditionFailed { current: etag })
            }
        }
    }
}

/// Ends the current version: in valid time when the change takes effect later, or in transaction time when
/// it corrects the record from the same day.
async fn end_current(
    conn: &mut PgConnection,
    collection: Collection,
    current: &CurrentRow,
    effective: NaiveDate,
    actor: &str,
    change: &str,
) -> Result<()> {
    let t = statements(collection);
    if effective < current.valid_from {
        return Err(StoreError::Conflict(format!(
            "valid_from {effective} is earlier than the current version's ({}); changes are recorded in date order",
            current.valid_from
        )));
    }
    let set = if effective == current.valid_from { "superseded_at = clock_timestamp()" } else { "valid_to = $2" };
    let sql =
        format!("UPDATE {table} SET {set}, ended_by = $3, ended_change = $4 WHERE version_id = $1", table = t.table);
    sqlx::query(&sql).bind(current.version_id).bind(effective).bind(actor).bind(change).execute(conn).await?;
    Ok(())
}

/// What [`replace_in`] did: wrote a new version, or found the write would only repeat the current one (its
/// version id); then the caller must roll back, for the current version was ended and a repeat inserted.
pub(super) enum Replaced {
    New(i64),
    Unchanged(i64),
}

/// The versioned write every replacement goes through (PUT, PATCH, an approved class adjustment), inside the
/// caller's transaction: lock the current version, check the writer's counties and the precondition, end
/// the current version and insert the new one, with one audit entry (`detail` plus the previous version).
#[allow(clippy::too_many_arguments)]
pub(super) async fn replace_in(
    tx: &mut PgConnection,
    collection: Collection,
    code: &str,
    c: &Checked<Record>,
    if_match: Option<&Precondition>,
    actor: &Actor<'_>,
    change: &str,
    mut detail: serde_json::Map<String, serde_json::Value>,
) -> Result<Replaced> {
    let current = lock_current(tx, collection, code).await?;
    super::scope::guard(tx, actor, collection, code, Some(&c.record)).await?;
    check_if_match(&current, if_match)?;
    let mut c = c.clone();
    c.record.fill_state(current.state.as_deref());
    let c = &c;
    if let (Some(given), Some(state)) = (c.record.state(), &current.state) {
        if given != state {
            return Err(StoreError::Conflict(format!(
                "state changes go through the lifecycle: POST /collections/{collection}/items/{code}/transitions (current state '{state}')"
            )));
        }
    }
    end_current(tx, collection, &current, c.record.valid_from(), actor.name, change).await?;
    let id = insert_version(tx, c, actor.name, change).await?;
    let unchanged: bool = sqlx::query_scalar(&statements(collection).unchanged)
        .bind(id)
        .bind(current.version_id)
        .fetch_one(&mut *tx)
        .await?;
    if unchanged {
        return Ok(Replaced::Unchanged(current.version_id));
    }
    detail.insert("previous_version".into(), serde_json::json!(current.version_id));
    audit(tx, actor.name, change, Some(collection.as_str()), Some(code), Some(id), serde_json::Value::Object(detail))
        .await?;
    Ok(Replaced::New(id))
}

impl Store {
    pub async fn feature(&self, collection: Collection, code: &str, as_of: AsOf) -> Result<FeatureDoc> {
        let sql = feature_sql(collection, as_of);
        let mut q = sqlx::query(&sql).bind(code);
        if let Some(d) = as_of.date() {
            q = q.bind(d);
        }
        let row = q.fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound)?;
        Ok(FeatureDoc { version_id: row.try_get(0)?, json: row.try_get(2)? })
    }

    pub(super) async fn feature_in(
        conn: &mut PgConnection,
        collection: Collection,
        version_id: i64,
    ) -> Result<FeatureDoc> {
        let sql = format!("{} WHERE v.version_id = $1", statements(collection).feature_select);
        let row = sqlx::query(&sql).bind(version_id).fetch_one(conn).await?;
        Ok(FeatureDoc { version_id: row.try_get(0)?, json: row.try_get(2)? })
    }

    pub async fn create(&self, collection: Collection, c: &Checked<Record>, actor: Actor<'_>) -> Result<FeatureDoc> {
        let mut c = c.clone();
        c.record.fill_state(None);
        let c = &c;
        let mut tx = self.begin(super::Work::Write).await?;
        super::scope::guard(&mut tx, &actor, collection, c.record.code(), Some(&c.record)).await?;
        let id = insert_version(&mut tx, c, actor.name, "create").await.map_err(|e| match e {
            StoreError::Conflict(_) => StoreError::Conflict(format!(
                "{} '{}' exists already; replace it with PUT or choose another code",
                collection.id_property(),
                c.record.code()
            )),
            other => other,
        })?;
        audit(
            &mut tx,
            actor.name,
            "create",
            Some(collection.as_str()),
            Some(c.record.code()),
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        let doc = Store::feature_in(&mut tx, collection, id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Replaces the current version with a new one (PUT, PATCH and re-import all end here).
    pub async fn replace(
        &self,
        collection: Collection,
        code: &str,
        c: &Checked<Record>,
        if_match: Option<&Precondition>,
        actor: Actor<'_>,
        change: &str,
    ) -> Result<FeatureDoc> {
        if c.record.code() != code {
            return Err(StoreError::Invalid(format!(
                "{} in the body ('{}') differs from the feature id in the path ('{code}')",
                collection.id_property(),
                c.record.code()
            )));
        }
        let mut tx = self.begin(super::Work::Write).await?;
        match replace_in(&mut tx, collection, code, c, if_match, &actor, change, serde_json::Map::new()).await? {
            Replaced::New(id) => {
                let doc = Store::feature_in(&mut tx, collection, id).await?;
                tx.commit().await?;
                Ok(doc)
            }
            Replaced::Unchanged(current) => {
                // A write that changes nothing records nothing: a version that only repeats the current one
                // would still hold a date, and block a real change dated before it. The current version is
                // the answer.
                tx.rollback().await?;
                let mut conn = self.pool.acquire().await?;
                Store::feature_in(&mut conn, collection, current).await
            }
        }
    }

    /// Deletes a feature from `today` on, for the reason given; its history stays. A feature on the RCR list
    /// (a collection with an `rcr_listed` property, true now) is never deleted: it leaves the list through
    /// its lifecycle.
    pub async fn delete(
        &self,
        collection: Collection,
        code: &str,
        if_match: Option<&Precondition>,
        today: NaiveDate,
        reason: &str,
        actor: Actor<'_>,
    ) -> Result<()> {
        let mut tx = self.begin(super::Work::Write).await?;
        let current = lock_current(&mut tx, collection, code).await?;
        super::scope::guard(&mut tx, &actor, collection, code, None).await?;
        check_if_match(&current, if_match)?;
        let t = statements(collection);
        if collection.description().property("rcr_listed").is_some() {
            let listed: bool = sqlx::query_scalar(&format!("SELECT rcr_listed FROM {} WHERE version_id = $1", t.table))
                .bind(current.version_id)
                .fetch_one(&mut *tx)
                .await?;
            if listed {
                return Err(StoreError::Conflict(format!(
                    "{code} 在风险管控和修复名录上，不能删除；移出名录须经生命周期步骤 — {code} is on the RCR list and \
                     cannot be deleted; it leaves the list through its lifecycle (state '{}')",
                    current.state.as_deref().unwrap_or("")
                )));
            }
        }
        let sql = format!(
            "UPDATE {} SET valid_to = greatest($2, valid_from), ended_by = $3, ended_change = 'delete' WHERE version_id = $1",
            t.table
        );
        sqlx::query(&sql).bind(current.version_id).bind(today).bind(actor.name).execute(&mut *tx).await?;
        audit(
            &mut tx,
            actor.name,
            "delete",
            Some(collection.as_str()),
            Some(code),
            Some(current.version_id),
            serde_json::json!({"reason": reason}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a feature one step through its lifecycle, effective from the step's date.
    pub async fn transition(
        &self,
        collection: Collection,
        code: &str,
        req: &TransitionRequest,
        if_match: Option<&Precondition>,
        actor: Actor<'_>,
    ) -> Result<FeatureDoc> {
        let t = statements(collection);
        let (Some(step_sql), Some(lifecycle)) = (&t.transition, &collection.description().lifecycle) else {
            return Err(StoreError::NotFound);
        };
        let mut tx = self.begin(super::Work::Write).await?;
        let current = lock_current(&mut tx, collection, code).await?;
        super::scope::guard(&mut tx, &actor, collection, code, None).await?;
        check_if_match(&current, if_match)?;
        let from = current.state.clone().unwrap_or_default();
        lifecycle.step(&from, &req.to)?;
        if req.date < current.valid_from {
            return Err(StoreError::Conflict(format!(
                "transitions are recorded in date order: the parcel's current record holds from {}, so a step dated {} cannot follow it",
                current.valid_from, req.date
            )));
        }
        sqlx::query(&format!(
            "UPDATE {} SET valid_to = $2, ended_by = $3, ended_change = 'transition' WHERE version_id = $1",
            t.table
        ))
        .bind(current.version_id)
        .bind(req.date)
        .bind(actor.name)
        .execute(&mut *tx)
        .await?;
        let id: i64 = sqlx::query_scalar(step_sql)
            .bind(current.version_id)
            .bind(&req.to)
            .bind(req.date)
            .bind(actor.name)
            .bind(&req.document)
            .bind(&req.note)
            .bind(req.remediated_for_class)
            .fetch_one(&mut *tx)
            .await?;
        audit(
            &mut tx,
            actor.name,
            "transition",
            Some(collection.as_str()),
            Some(code),
            Some(id),
            serde_json::json!({"from": from, "to": req.to, "date": req.date, "document": req.document, "note": req.note,
                "remediated_for_class": req.remediated_for_class}),
        )
        .await?;
        let doc = Store::feature_in(&mut tx, collection, id).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Every version of a feature, oldest first; `None` when the code was never registered.
    pub async fn history(&self, collection: Collection, code: &str) -> Result<Option<String>> {
        let json: String = sqlx::query_scalar(&statements(collection).history).bind(code).fetch_one(&self.pool).await?;
        Ok((json != "[]").then_some(json))
    }
}
