// Class adjustment batches on the map (docs/adjustment.md): the batches, a batch's units that would change
// drawn from → to (filled with the class after, outlined with the class now), each unit's evidence and
// reason, and approve or reject for an approver of a submitted batch.

import { containsExtent } from 'ol/extent.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style } from 'ol/style.js';
import { fetchJson } from '../api.js';
import { esc, formatAreaMu, formatPercent } from '../format.js';
import { getLang, label, t } from '../i18n.js';
import { FARMLAND_CLASSES, FARMLAND_UNKNOWN, withAlpha } from '../palette.js';

const $ = (sel) => document.querySelector(sel);

function colours(cls) {
  return FARMLAND_CLASSES[cls] || FARMLAND_UNKNOWN;
}

function unitStyle(feature) {
  return new Style({
    fill: new Fill({ color: withAlpha(colours(feature.get('class_after')).fill, 0.7) }),
    stroke: new Stroke({ color: colours(feature.get('current_class')).stroke, width: 4 }),
  });
}

/** The unit picked in the list or on the map: a dark outline over a white halo, over its neighbours. */
const PICKED = [
  new Style({ stroke: new Stroke({ color: '#ffffff', width: 9 }), zIndex: 2 }),
  new Style({ stroke: new Stroke({ color: '#1a1a1a', width: 3 }), zIndex: 3 }),
];

/**
 * The adjustment panel over the map `m`; `who()` is the person signed in (or null). `onPick()` runs when a unit
 * is picked on the map (to bring the panel forward).
 */
export function createAdjust({ m, config, toast, who, onApplied, onPick }) {
  const source = new VectorSource();
  const layer = new VectorLayer({
    source,
    style: (f) => (f.get('unit_code') === state.selected ? [unitStyle(f), ...PICKED] : unitStyle(f)),
    zIndex: 50,
  });
  m.map.addLayer(layer);
  const state = { batches: [], batch: null, units: [], selected: null, error: null };

  async function loadList() {
    try {
      state.batches = (await fetchJson(`${config.apiBase}/adjustments`, { config })).batches;
      state.error = null;
    } catch (e) {
      state.error = e;
    }
    render();
  }

  async function open(id) {
    source.clear();
    state.selected = null;
    layer.changed();
    if (!id) {
      state.batch = null;
      state.units = [];
      return render();
    }
    try {
      state.batch = await fetchJson(`${config.apiBase}/adjustments/${id}`, { config });
      const fc = await fetchJson(`${config.apiBase}/adjustments/${id}/proposals?changed=true&limit=5000`, { config });
      const features = new GeoJSON().readFeatures(fc, { featureProjection: 'EPSG:3857' });
      source.addFeatures(features);
      state.units = fc.features.map((f) => f.properties);
      if (features.length) m.fitFeatures(features, { maxZoom: 15 });
      state.error = null;
    } catch (e) {
      state.error = e;
    }
    render();
  }

  async function decide(step, body) {
    const id = state.batch.id;
    try {
      await fetchJson(`${config.apiBase}/adjustments/${id}/${step}`, { config, method: 'POST', body });
      toast(t(step === 'approve' ? 'adjust.approved' : 'adjust.rejected', { id }));
      m.refresh();
      if (onApplied) onApplied(state.batch);
      await loadList();
      await open(id);
    } catch (e) {
      toast(t('app.error', { detail: e.message }), 'error');
    }
  }

  function evidence(u) {
    const ev = u.evidence || {};
    const soil = (ev.soil || []).map((s) => `${esc(s.sample_code)} ${esc(s.grade)}`).join('，');
    const crops = (ev.crops || []).map((c) => `${esc(c.sample_code)} ${esc(label('cropjudged', c.status))}`).join('，');
    const reason = u.reason ? (getLang() === 'zh' ? u.reason.zh : u.reason.en) : '';
    return `<div class="adjust-evidence" id="adjust-evidence">
      <div><strong>${esc(u.unit_code)}</strong>: ${esc(label('class', u.current_class))} → ${esc(label('class', u.class_after))}</div>
      <div class="muted">${esc(reason)}</div>
      ${u.override_class ? `<div>${esc(t('adjust.override', { reason: u.override_reason || '' }))}</div>` : ''}
      <div>${esc(t('adjust.soil'))}: ${soil || '–'}</div>
      <div>${esc(t('adjust.crops'))}: ${crops || '–'}</div>
    </div>`;
  }

  function render() {
    const el = $('#panel-adjust');
    if (!el) return;
    const b = state.batch;
    const options = state.batches
      .map((x) => `<option value="${esc(x.id)}" ${b && b.id === x.id ? 'selected' : ''}>#${esc(x.id)} · ${esc(x.county_code)} · ${esc(label('adjust_state', x.state))}</option>`)
      .join('');
    let body = '';
    if (state.error) body += `<p class="error">${esc(t('app.error', { detail: state.error.message }))}</p>`;
    if (b) {
      const s = b.summary || {};
      const rate = (r) => (r && r.rate_percent !== null && r.rate_percent !== undefined ? formatPercent(r.rate_percent) : '–');
      const person = who();
      const approver = person && ['approver', 'admin'].includes(person.role);
      body += `<div class="adjust-summary" id="adjust-summary" data-state="${esc(b.state)}">
        <div>${esc(t('adjust.state'))}: <strong id="adjust-state">${esc(label('adjust_state', b.state))}</strong></div>
        <div>${esc(t('adjust.changed', { n: s.changed ?? 0, units: s.units ?? 0 }))}</div>
        <div>${esc(t('adjust.rate'))}: <span id="adjust-rate-before">${esc(rate(s.rate_before))}</span> → <span id="adjust-rate-after">${esc(rate(s.rate_after))}</span></div>
        ${s.rate_before && ['ledger', 'flag', 'mixed'].includes(s.rate_before.source)
          ? `<div class="muted" id="adjust-rate-source">${esc(t(`ind.source.${s.rate_before.source}`, { ledger: s.rate_before.units_from_ledger, flag: s.rate_before.units_from_flag }))}</div>`
          : ''}
      </div>
      <ul class="adjust-units" id="adjust-units">${state.units
        .map((u) => `<li data-unit="${esc(u.unit_code)}" class="${state.selected === u.unit_code ? 'active' : ''}">
            <span class="swatch" style="background:${colours(u.current_class).fill}"></span>→<span class="swatch" style="background:${colours(u.class_after).fill}"></span>
            ${esc(u.unit_code)} · ${esc(formatAreaMu(u.area_m2))}</li>`)
        .join('')}</ul>
      ${state.selected ? evidence(state.units.find((u) => u.unit_code === state.selected) || {}) : ''}
      ${approver && b.state === 'submitted'
        ? `<form class="adjust-decide" id="adjust-decide">
            <label class="field"><span class="field-label">${esc(t('adjust.document'))}</span><input id="adjust-document" required></label>
            <label class="field"><span class="field-label">${esc(t('adjust.effective_from'))}</span><input id="adjust-effective" type="date" required></label>
            <button type="button" class="primary" id="adjust-approve">${esc(t('adjust.approve'))}</button>
            <label class="field"><span class="field-label">${esc(t('adjust.reason'))}</span><input id="adjust-reason"></label>
            <button type="button" class="ghost" id="adjust-reject">${esc(t('adjust.reject'))}</button>
          </form>`
        : ''}`;
    }
    el.innerHTML = `<label class="field"><span class="field-label">${esc(t('adjust.batch'))}</span>
      <select id="adjust-batch"><option value="">–</option>${options}</select></label>${body}`;
    el.querySelector('#adjust-batch').addEventListener('change', (ev) => open(ev.target.value));
    el.querySelectorAll('#adjust-units li').forEach((li) =>
      li.addEventListener('click', () => select(li.dataset.unit, { show: true })),
    );
    const approve = el.querySelector('#adjust-approve');
    if (approve) {
      approve.addEventListener('click', () => {
        const document = el.querySelector('#adjust-document').value.trim();
        const effective = el.querySelector('#adjust-effective').value;
        if (!document || !effective) return toast(t('adjust.need_document'), 'error');
        decide('approve', { document, effective_from: effective });
      });
      el.querySelector('#adjust-reject').addEventListener('click', () => {
        const reason = el.querySelector('#adjust-reason').value.trim();
        if (!reason) return toast(t('adjust.need_reason'), 'error');
        decide('reject', { reason });
      });
    }
  }

  /** Picks a unit of the open batch: its evidence in the panel, its outline marked on the map and, when
   * `show` (picked from the list), the map moved to it if it is not in view. */
  function select(code, { show }) {
    state.selected = code;
    layer.changed();
    render();
    const f = show && source.getFeatures().find((x) => x.get('unit_code') === code);
    if (f && !containsExtent(m.map.getView().calculateExtent(), f.getGeometry().getExtent())) {
      m.fitFeatures([f], { maxZoom: 16 });
    }
  }

  /**
   * The unit of the open batch at a map pixel, picked as from the list (its proposal and evidence shown);
   * false when the batch draws no unit there.
   */
  function pickAt(pixel) {
    if (!state.batch) return false;
    let code = null;
    m.map.forEachFeatureAtPixel(pixel, (f) => {
      code = f.get('unit_code');
      return true;
    }, { layerFilter: (l) => l === layer, hitTolerance: 2 });
    if (!code) return false;
    select(code, { show: false });
    if (onPick) onPick();
    const li = document.querySelector(`#adjust-units li[data-unit="${CSS.escape(code)}"]`);
    if (li) li.scrollIntoView({ block: 'nearest' });
    return true;
  }

  return { state, layer, loadList, open, render, pickAt };
}
