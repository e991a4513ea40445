//! Loading the demo data of `fixtures/`: features through the same checks as any write, then each
//! parcel's lifecycle steps in date order, so the demo registry has real history.

use crate::config::Settings;
use crate::domain::registry::{check_feature, Collection};
use crate::requests::TransitionBody;
use crate::store::features::Actor;
use crate::store::Store;
use anyhow::{bail, Context};
use std::path::Path;

const ACTOR: &str = "demo-loader";

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

pub async fn load(store: &Store, dir: &Path, settings: &Settings) -> anyhow::Result<String> {
    // The outlines first and on their own: a registry loaded before checks needed them gets them too.
    let mut counts = Vec::new();
    let counties = dir.join("counties.geojson");
    if counties.exists() && !store.has_counties().await? {
        let n = store.load_counties(&read_json(&counties)?, &counties.display().to_string()).await?;
        counts.push(format!("{n} county outlines"));
    }
    // A registry loaded before a collection existed (the source registers, the samples) gets that
    // collection's demo features now; a collection that has ever held a feature is left alone.
    let again = store.meta("demo_loaded").await?.is_some();
    let mut parcels_loaded = false;
    for c in Collection::all() {
        let path = dir.join(format!("{c}.geojson"));
        if !path.exists() || (again && store.has_versions(c).await?) {
            continue; // a collection without demo features, or one loaded before
        }
        let fc = read_json(&path)?;
        let features = fc
            .get("features")
            .and_then(|f| f.as_array())
            .with_context(|| format!("{} has no features", path.display()))?;
        let mut checked = Vec::with_capacity(features.len());
        for (i, f) in features.iter().enumerate() {
            let valid_from = f.pointer("/properties/valid_from").and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
            let today = valid_from.unwrap_or_else(crate::domain::time::today);
            match check_feature(c, f, today, settings.feature_limits()) {
                Ok(ok) => checked.push(ok),
                Err(problems) => {
                    let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
                    bail!("{} feature {i}: {}", path.display(), list.join("; "));
                }
            }
        }
        for ch in &checked {
            store
                .create(c, ch, Actor { name: ACTOR, counties: &crate::domain::scope::ALL })
                .await
                .with_context(|| format!("{c} {}", ch.record.code()))?;
        }
        counts.push(format!("{} {c}", checked.len()));
        parcels_loaded |= c == Collection::ConstructionParcels;
    }
    if parcels_loaded {
        counts.push(load_steps(store, dir).await?);
    }
    if !again {
        store.set_meta("demo_loaded", &chrono::Utc::now().to_rfc3339()).await?;
    }
    // A registry loaded before the demo had duty records gets them now.
    counts.extend(load_records(store, dir).await?);
    counts.extend(load_county_records(store, dir).await?);
    // And one submitted adjustment batch per sampled county, once, over the samples just loaded.
    counts.extend(load_adjustments(store, settings).await?);
    Ok(match (again, counts.is_empty()) {
        (true, true) => "demo data is loaded already; nothing to do".into(),
        (true, false) => format!("demo data is loaded already; {} added", counts.join(", ")),
        (false, _) => format!("demo data loaded: {}", counts.join(", ")),
    })
}

/// The parcels' lifecycle steps of `transitions.json`, in date order, as `POST .../transitions` takes them.
async fn load_steps(store: &Store, dir: &Path) -> anyhow::Result<String> {
    let steps_path = dir.join("transitions.json");
    // Each step is read as `POST .../transitions` reads one, with the parcel's code beside it.
    let steps: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_value(read_json(&steps_path)?).with_context(|| format!("{}", steps_path.display()))?;
    for (i, step) in steps.iter().enumerate() {
        let mut step = step.clone();
        let Some(serde_json::Value::String(code)) = step.remove("parcel_code") else {
            bail!("{} step {i}: parcel_code is required, as a string", steps_path.display());
        };
        let req = TransitionBody::from_json(
            &serde_json::Value::Object(step),
            crate::domain::time::today(),
            Collection::ConstructionParcels.description(),
        )
        .map_err(|problems| {
            let list: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
            anyhow::anyhow!("{} step {i} ({code}): {}", steps_path.display(), list.join("; "))
        })?;
        store
            .transition(
                Collection::ConstructionParcels,
                &code,
                &req,
                None,
                Actor { name: ACTOR, counties: &crate::domain::scope::ALL },
            )
            .await
            .with_context(|| format!("transition of {code} to {} on {}", req.to, req.date))?;
    }
    Ok(format!("{} lifecycle steps", steps.len()))
}

/// A string member of a fixture row.
fn text(r: &serde_json::Value, k: &str) -> Option<String> {
    r.get(k).and_then(|v| v.as_str()).map(str::to_string)
}

/// A fixture row's record of `kind` (a feature's or a county's): its date, document, result and note (`at`
/// names the row in errors).
fn new_record<K>(
    r: &serde_json::Value,
    kind: K,
    at: &dyn Fn() -> String,
) -> anyhow::Result<crate::store::duties::NewRecord<K>> {
    let date = text(r, "date").unwrap_or_default().parse().with_context(|| format!("{}: date", at()))?;
    Ok(crate::store::duties::NewRecord {
        kind,
        date,
        document: text(r, "document"),
        result: text(r, "result"),
        note: text(r, "note"),
    })
}

/// The duty records of `duty_records.json`, once (records are append-only: a second load would double them).
async fn load_records(store: &Store, dir: &Path) -> anyhow::Result<Option<String>> {
    use crate::domain::sources::RecordKind;
    use crate::store::duties::register_of;
    let path = dir.join("duty_records.json");
    if !path.exists() || store.meta("demo_records_loaded").await?.is_some() {
        return Ok(None);
    }
    let rows = read_json(&path)?;
    let rows = rows.as_array().with_context(|| format!("{} is not a JSON array", path.display()))?;
    for (i, r) in rows.iter().enumerate() {
        let at = || format!("{} record {i}", path.display());
        let c: Collection =
            text(r, "collection").unwrap_or_default().parse().map_err(|e| anyhow::anyhow!("{}: {e}", at()))?;
        let register = register_of(c).with_context(|| format!("{}: {c} has no duty records", at()))?;
        let fid = text(r, "feature_id").with_context(|| format!("{}: feature_id is required", at()))?;
        let kind = RecordKind::parse_for(register, &text(r, "kind").unwrap_or_default()).with_context(at)?;
        let rec = new_record(r, kind, &at)?;
        store
            .record_duty(c, &fid, &rec, Actor { name: ACTOR, counties: &crate::domain::scope::ALL })
            .await
            .with_context(|| format!("{}: {c} {fid}", at()))?;
    }
    store.set_meta("demo_records_loaded", &chrono::Utc::now().to_rfc3339()).await?;
    Ok(Some(format!("{} duty records", rows.len())))
}

/// The Guilin counties' quarterly reports of `county_records.json`, once (meta `demo_county_records_loaded`,
/// apart from the other records so that a registry loaded before county records existed gets them).
async fn load_county_records(store: &Store, dir: &Path) -> anyhow::Result<Option<String>> {
    let path = dir.join("county_records.json");
    if !path.exists() || !store.has_counties().await? || store.meta("demo_county_records_loaded").await?.is_some() {
        return Ok(None);
    }
    let rows = read_json(&path)?;
    let rows = rows.as_array().with_context(|| format!("{} is not a JSON array", path.display()))?;
    for (i, r) in rows.iter().enumerate() {
        let at = || format!("{} record {i}", path.display());
        let code = text(r, "county_code").with_context(|| format!("{}: county_code is required", at()))?;
        let rule = crate::domain::duties::county_rules(&code)
            .next()
            .with_context(|| format!("{}: the plan of county {code}'s city asks for no county report", at()))?;
        let kind = text(r, "kind").unwrap_or_default();
        if kind != rule.record {
            bail!("{}: '{kind}' is not a county record; the county's is '{}'", at(), rule.record);
        }
        let rec = new_record(r, rule.record, &at)?;
        store
            .record_county(&code, &rec, Actor { name: ACTOR, counties: &crate::domain::scope::ALL })
            .await
            .with_context(|| format!("{}: county {code}", at()))?;
    }
    store.set_meta("demo_county_records_loaded", &chrono::Utc::now().to_rfc3339()).await?;
    Ok(Some(format!("{} county reports", rows.len())))
}

/// The counties the demo samples are in (fixtures/README.md): one of Liuzhou, one of Guilin.
pub const ADJUSTMENT_COUNTIES: [&str; 2] = ["450222", "450324"];

/// One adjustment batch for each sampled county, computed from the demo samples as of today and submitted, so
/// that the map has a batch awaiting approval; once (meta `demo_adjustments_loaded`), as the records are, and
/// never in a county that has a batch.
async fn load_adjustments(store: &Store, settings: &Settings) -> anyhow::Result<Option<String>> {
    use crate::store::adjustments::NewBatch;
    // Without samples (a registry loaded from fixtures before they existed) a batch would move nothing: wait
    // for the load that brings them.
    let soil: Collection = "soil_samples".parse().map_err(|e| anyhow::anyhow!("{e}"))?;
    if store.meta("demo_adjustments_loaded").await?.is_some() || !store.has_versions(soil).await? {
        return Ok(None);
    }
    let actor = Actor { name: ACTOR, counties: &crate::domain::scope::ALL };
    let (limits, targets) = (settings.crop_limits(), settings.indicator_targets());
    let mut made = 0;
    for county in ADJUSTMENT_COUNTIES {
        // A county with a batch already (a load stopped half way, or staff's own) gets none from the demo.
        if !store.adjustments(Some(county), None).await?.is_empty() {
            continue;
        }
        let b = NewBatch {
            county_code: county.to_string(),
            unit_codes: None,
            as_of: crate::domain::time::today(),
            trigger: "monitoring".into(),
            note: Some("演示批次：2025年土壤与稻谷监测 — demo batch: the 2025 soil and rice monitoring".into()),
        };
        let doc = store
            .create_adjustment(&b, &settings.adjustment, &limits, &targets, &actor)
            .await
            .with_context(|| format!("the demo adjustment batch of {county}"))?;
        let id = serde_json::from_str::<serde_json::Value>(&doc)?["id"]
            .as_i64()
            .with_context(|| format!("the demo adjustment batch of {county} has no id"))?;
        store.submit_adjustment(id, &actor).await.with_context(|| format!("submitting adjustment batch {id}"))?;
        made += 1;
    }
    store.set_meta("demo_adjustments_loaded", &chrono::Utc::now().to_rfc3339()).await?;
    Ok((made > 0).then(|| format!("{made} submitted adjustment batches")))
}
