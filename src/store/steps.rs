//! Undoing a lifecycle step recorded by mistake: withdrawing the latest step, and correcting the document
//! number of the latest step. Neither erases anything: the step's version is superseded in transaction time
//! (ended_change 'withdraw' or 'correct', with the person's reason), so the history still shows it.

use super::features::{check_if_match, lock_current, CurrentRow, FeatureDoc};
use super::statements::statements;
use super::{audit, Result, Store, StoreError};
use crate::conditional::Precondition;
use crate::domain::registry::Collection;
use sqlx::PgConnection;

/// What the latest version recorded, when it is a lifecycle step.
struct Step {
    from_state: Option<String>,
    document: Option<String>,
}

/// The current version, locked, checked against the writer's counties and `If-Match`, as a lifecycle step;
/// 409 when the latest change was not a step (a later edit stands on it, and withdrawing the step under it
/// would silently drop that edit).
async fn latest_step(
    conn: &mut PgConnection,
    collection: Collection,
    code: &str,
    if_match: Option<&Precondition>,
    actor: &super::features::Actor<'_>,
) -> Result<(CurrentRow, Step)> {
    let current = lock_current(&mut *conn, collection, code).await?;
    super::scope::guard(&mut *conn, actor, collection, code, None).await?;
    check_if_match(&current, if_match)?;
    let t = statements(collection);
    let (change, from_state, document): (String, Option<String>, Option<String>) =
        sqlx::query_as(&format!("SELECT change, from_state, document FROM {} WHERE version_id = $1", t.table))
            .bind(current.version_id)
            .fetch_one(&mut *conn)
            .await?;
    if change != "transition" {
        return Err(StoreError::Conflict(format!(
            "最新的记录不是生命周期步骤（而是 {change}），只能撤回或更正最新的步骤 — the latest version was recorded by \
             '{change}', not by a lifecycle step: only the latest step can be withdrawn or corrected"
        )));
    }
    Ok((current, Step { from_state, document }))
}

/// Supersedes the current version in transaction time, saying who did it, how and why.
async fn supersede(
    conn: &mut PgConnection,
    collection: Collection,
    version_id: i64,
    actor: &str,
    how: &str,
    reason: &str,
) -> Result<()> {
    let sql = format!(
        "UPDATE {} SET superseded_at = clock_timestamp(), ended_by = $2, ended_change = $3, ended_reason = $4 \
         WHERE version_id = $1",
        statements(collection).table
    );
    sqlx::query(&sql).bind(version_id).bind(actor).bind(how).bind(reason).execute(conn).await?;
    Ok(())
}

impl Store {
    /// Withdraws the feature's latest lifecycle step: the step's version is superseded and the version it
    /// ended holds again, from its own date on.
    pub async fn withdraw_step(
        &self,
        collection: Collection,
        code: &str,
        reason: &str,
        if_match: Option<&Precondition>,
        actor: super::features::Actor<'_>,
    ) -> Result<FeatureDoc> {
        let t = statements(collection);
        let mut tx = self.begin(super::Work::Write).await?;
        let (current, step) = latest_step(&mut tx, collection, code, if_match, &actor).await?;
        // The version the step ended: same feature, still known, ended in valid time on the step's date.
        let previous: Option<i64> = sqlx::query_scalar(&format!(
            "SELECT version_id FROM {table} v WHERE v.{code} = $1 AND v.superseded_at IS NULL AND v.valid_to = $2 \
             AND v.ended_change = 'transition' AND v.version_id < $3 ORDER BY v.version_id DESC LIMIT 1 FOR UPDATE",
            table = t.table,
            code = t.code
        ))
        .bind(code)
        .bind(current.valid_from)
        .bind(current.version_id)
        .fetch_optional(&mut *tx)
        .await?;
        let previous = previous.ok_or_else(|| {
            StoreError::Conflict(
                "找不到此步骤之前的记录 — the version this step ended is not in the register; the step cannot be withdrawn"
                    .into(),
            )
        })?;
        supersede(&mut tx, collection, current.version_id, actor.name, "withdraw", reason).await?;
        sqlx::query(&format!(
            "UPDATE {} SET valid_to = NULL, ended_by = NULL, ended_change = NULL WHERE version_id = $1",
            t.table
        ))
        .bind(previous)
        .execute(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor.name,
            "withdraw",
            Some(collection.as_str()),
            Some(code),
            Some(previous),
            serde_json::json!({"withdrawn_version": current.version_id, "from": current.state, "to": step.from_state,
                "date": current.valid_from, "document": step.document, "reason": reason}),
        )
        .await?;
        let doc = Store::feature_in(&mut tx, collection, previous).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// Corrects the document number of the feature's latest lifecycle step: the same step, on the same date,
    /// recorded again with the right number; the mistyped version stays in the history as corrected.
    pub async fn correct_step(
        &self,
        collection: Collection,
        code: &str,
        document: &str,
        reason: &str,
        if_match: Option<&Precondition>,
        actor: super::features::Actor<'_>,
    ) -> Result<FeatureDoc> {
        let t = statements(collection);
        let mut tx = self.begin(super::Work::Write).await?;
        let (current, step) = latest_step(&mut tx, collection, code, if_match, &actor).await?;
        if step.document.as_deref() == Some(document) {
            return Err(StoreError::Conflict(format!(
                "文号已经是 {document} — the step's document is '{document}' already; nothing to correct"
            )));
        }
        supersede(&mut tx, collection, current.version_id, actor.name, "correct", reason).await?;
        let columns: Vec<String> = collection
            .description()
            .stored()
            .map(|p| format!("\"{}\"", p.name))
            .chain(["geom", "area_m2", "valid_to", "change", "from_state", "note"].map(String::from))
            .collect();
        let columns = columns.join(", ");
        let id: i64 = sqlx::query_scalar(&format!(
            "INSERT INTO {table} ({columns}, recorded_by, document) SELECT {columns}, $2, $3 FROM {table} \
             WHERE version_id = $1 RETURNING version_id",
            table = t.table
        ))
        .bind(current.version_id)
        .bind(actor.name)
        .bind(document)
        .fetch_one(&mut *tx)
        .await?;
        audit(
            &mut tx,
            actor.name,
            "correct",
            Some(collection.as_str()),
            Some(code),
            Some(id),
            serde_json::json!({"corrected_version": current.version_id, "state": current.state,
                "date": current.valid_from, "document": {"from": step.document, "to": document}, "reason": reason}),
        )
        .await?;
        let doc = Store::feature_in(&mut tx, collection, id).await?;
        tx.commit().await?;
        Ok(doc)
    }
}
