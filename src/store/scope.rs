//! Where every feature write meets its writer's counties. Each write of src/store/features.rs calls
//! `guard` inside its transaction, after it has locked the current version, so the county checked is the one
//! the write replaces: a concurrent change of county cannot slip between the check and the write.

use super::statements::statements;
use super::{Result, StoreError};
use crate::domain::registry::{Collection, Record};
use crate::domain::scope::may_write;
use crate::domain::time::AsOf;
use sqlx::PgConnection;

/// Who writes, for the version rows and the audit log, and the counties they may write.
#[derive(Debug, Clone)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub counties: &'a crate::domain::scope::Scopes,
}

/// Refuses the write unless the actor may write both the county the feature has now (if it exists) and the
/// county the write gives it (`new`, for creates and replacements): moving a feature out of one's counties
/// is as much a write outside them as moving one in.
pub(super) async fn guard(
    conn: &mut PgConnection,
    actor: &Actor<'_>,
    collection: Collection,
    code: &str,
    new: Option<&Record>,
) -> Result<()> {
    if actor.counties.is_all() {
        return Ok(());
    }
    if let Some(record) = new {
        // A collection without a county_code is outside every scope: only an unscoped writer writes it.
        let county = record.text("county_code").unwrap_or_default();
        refuse_outside(actor, collection, code, county)?;
    }
    let t = statements(collection);
    let sql = format!(
        "SELECT county_code FROM {table} v WHERE v.{code_col} = $1 AND {cond}",
        table = t.table,
        code_col = t.code,
        cond = AsOf::Current.condition(0)
    );
    let current: Option<String> = sqlx::query_scalar(&sql).bind(code).fetch_optional(&mut *conn).await?;
    if let Some(county) = current {
        refuse_outside(actor, collection, code, &county)?;
    }
    Ok(())
}

fn refuse_outside(actor: &Actor<'_>, collection: Collection, code: &str, county: &str) -> Result<()> {
    if may_write(actor.counties, county) {
        return Ok(());
    }
    Err(StoreError::Forbidden(format!(
        "'{name}' 只能修改 {scopes} 的要素，{collection} '{code}' 属于 {county} — '{name}' may write only in {scopes}; {collection} '{code}' is in county {county}",
        name = actor.name,
        scopes = actor.counties,
    )))
}
