// The keepers' workspace beyond the edit form (docs/api.md): the search box (GET /search: codes, names,
// counties, coordinates), withdrawing or correcting the latest lifecycle step and deleting a feature, each
// with a reason, and the audit log for admins (GET /audit, with its CSV).

import Overlay from 'ol/Overlay.js';
import { transformExtent, fromLonLat } from 'ol/proj.js';
import { fetchDoc, fetchJson, itemUrl, transitionsUrl, trimBase } from '../api.js';
import { esc, formatTimestamp } from '../format.js';
import { t } from '../i18n.js';
import { openDialog } from './dialog.js';

const $ = (sel) => document.querySelector(sel);

/** The search box: results as a list under it; choosing one moves the map there and opens its card. */
export function bindSearchBox({ m, config, card, toast }) {
  const form = $('#search-form');
  let list = $('#search-results');
  if (!list) {
    list = document.createElement('ul');
    list.id = 'search-results';
    list.className = 'search-results';
    list.hidden = true;
    form.appendChild(list);
  }
  // Where typed coordinates land: a pin, until the next search.
  const pinEl = document.createElement('div');
  pinEl.className = 'search-pin';
  pinEl.id = 'search-pin';
  const pin = new Overlay({ element: pinEl, positioning: 'bottom-center', stopEvent: false });
  m.map.addOverlay(pin);
  const hide = () => {
    list.hidden = true;
    list.innerHTML = '';
  };
  async function go(r) {
    hide();
    if (r.kind === 'feature') {
      try {
        const f = await card.fetchFeature(r.collection, r.id);
        await card.open(r.collection, r.id, f.getProperties());
        m.fitFeatures([f], { maxZoom: 16 });
      } catch (e) {
        toast(t('app.error', { detail: e.message }), 'error');
      }
    } else if (r.bbox) {
      m.fitExtent(transformExtent(r.bbox, 'EPSG:4326', 'EPSG:3857'), { maxZoom: 14 });
    } else {
      pin.setPosition(fromLonLat(r.center));
      m.map.getView().animate({ center: fromLonLat(r.center), zoom: 16, duration: 300 });
      toast(t('ws.search.moved', { where: r.label + (r.county_name ? ` · ${r.county_name}` : '') }));
    }
  }
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const q = $('#search-input').value.trim();
    if (!q) return;
    pin.setPosition(undefined);
    let results;
    try {
      results = (await fetchJson(`${trimBase(config.apiBase)}/search?q=${encodeURIComponent(q)}`, { config })).results;
    } catch (e) {
      toast(t('app.error', { detail: e.message }), 'error');
      return;
    }
    if (!results.length) {
      hide();
      toast(t('ws.search.none', { q }), 'error');
      return;
    }
    // A coordinate, or one exact code, needs no choosing.
    if (results.length === 1 || results[0].kind === 'coordinate') {
      go(results[0]);
      return;
    }
    const kind = (r) => (r.kind === 'feature' ? t(`ws.collection.${r.collection}`) : t(`ws.kind.${r.kind}`));
    list.innerHTML = results
      .map(
        (r, i) => `<li><button type="button" class="search-result" data-i="${i}">
          <span class="search-label">${esc(r.label)}</span>
          <span class="muted">${esc([kind(r), r.id && r.id !== r.label ? r.id : '', r.county_name || r.city || ''].filter(Boolean).join(' · '))}</span>
        </button></li>`,
      )
      .join('');
    list.hidden = false;
    list.querySelectorAll('button').forEach((b) => b.addEventListener('click', () => go(results[Number(b.dataset.i)])));
  });
  document.addEventListener('keydown', (ev) => ev.key === 'Escape' && hide());
}

/**
 * Adds to the step dialog `dlg` a section to withdraw the latest step or correct its document number, each
 * with a reason; `etag` is the version the dialog was opened on; `saved(message)` closes up after a write.
 */
export function addUndoStep(dlg, { config, collection, id, etag, saved }) {
  const section = document.createElement('section');
  section.className = 'undo-step';
  section.innerHTML = `<h3>${esc(t('ws.undo.title'))}</h3>
    <label class="field"><span class="field-label">${esc(t('ws.reason'))} *</span>
      <input id="undo-reason" name="reason" placeholder="${esc(t('ws.reason_placeholder'))}"></label>
    <label class="field"><span class="field-label">${esc(t('ws.undo.document'))}</span>
      <input id="undo-document" name="document" placeholder="${esc(t('step.document_placeholder'))}"></label>
    <p class="error" id="undo-error" role="alert" hidden></p>
    <div class="button-row">
      <button type="button" class="danger" id="withdraw-step">${esc(t('ws.undo.withdraw'))}</button>
      <button type="button" class="ghost" id="correct-step">${esc(t('ws.undo.correct'))}</button>
    </div>`;
  dlg.appendChild(section);
  const err = section.querySelector('#undo-error');
  async function send(action, body, message) {
    err.hidden = true;
    try {
      await fetchDoc(`${transitionsUrl(config.apiBase, collection, id)}/${action}`, { config, method: 'POST', body, ifMatch: etag });
      dlg.close();
      saved(message);
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    }
  }
  const reason = () => section.querySelector('#undo-reason').value.trim();
  section.querySelector('#withdraw-step').addEventListener('click', () =>
    send('withdraw', { reason: reason() }, t('ws.undo.withdrawn', { id })),
  );
  section.querySelector('#correct-step').addEventListener('click', () =>
    send('correct', { document: section.querySelector('#undo-document').value.trim(), reason: reason() }, t('ws.undo.corrected', { id })),
  );
}

/** Adds to the edit dialog `dlg` a delete button that asks for the reason the server requires. */
export function addDelete(dlg, { config, collection, id, etag, saved }) {
  const section = document.createElement('section');
  section.className = 'delete-feature';
  section.innerHTML = `<details><summary>${esc(t('ws.delete.title'))}</summary>
    <label class="field"><span class="field-label">${esc(t('ws.reason'))} *</span>
      <input id="delete-reason" name="reason" placeholder="${esc(t('ws.reason_placeholder'))}"></label>
    <p class="error" id="delete-error" role="alert" hidden></p>
    <button type="button" class="danger" id="delete-feature">${esc(t('ws.delete.button'))}</button></details>`;
  dlg.appendChild(section);
  section.querySelector('#delete-feature').addEventListener('click', async () => {
    const err = section.querySelector('#delete-error');
    err.hidden = true;
    const reason = section.querySelector('#delete-reason').value.trim();
    try {
      await fetchDoc(`${itemUrl(config.apiBase, collection, id)}?reason=${encodeURIComponent(reason)}`, { config, method: 'DELETE', ifMatch: etag });
      dlg.close();
      saved(t('ws.delete.done', { id }));
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    }
  });
}

const AUDIT_FILTERS = ['actor', 'collection', 'feature_id', 'from', 'to'];

/** The audit log button in the top bar, shown while an admin is signed in (`who()`). */
export function bindAudit({ config, who }) {
  function render() {
    let button = $('#audit-button');
    const admin = who() && who().role === 'admin';
    if (!admin) {
      if (button) button.remove();
      return;
    }
    if (button) return;
    button = document.createElement('button');
    button.type = 'button';
    button.id = 'audit-button';
    button.className = 'ghost';
    button.textContent = t('ws.audit.title');
    button.addEventListener('click', () => openAudit(config));
    $('#session').before(button);
  }
  return { render };
}

function auditQuery(form) {
  const q = new URLSearchParams();
  for (const name of AUDIT_FILTERS) {
    const v = form.elements.namedItem(name).value.trim();
    if (v) q.set(name, v);
  }
  return q;
}

function openAudit(config) {
  const input = (name, type = 'text') =>
    `<label class="field"><span class="field-label">${esc(t(`ws.audit.${name}`))}</span><input name="${name}" id="audit-${name}" type="${type}"></label>`;
  const collections = ['construction_parcels', 'farmland_units', 'pollution_sources', 'key_supervised_units', 'tailings_ponds', 'soil_samples', 'crop_samples'];
  const collectionSelect = `<label class="field"><span class="field-label">${esc(t('ws.audit.collection'))}</span>
    <select name="collection" id="audit-collection"><option value="">${esc(t('ws.audit.any'))}</option>${collections
      .map((c) => `<option value="${c}">${esc(t(`ws.collection.${c}`))}</option>`)
      .join('')}</select></label>`;
  const dlg = openDialog(
    'audit-dialog',
    `<h2>${esc(t('ws.audit.title'))}</h2>
    <form id="audit-form" class="dialog-form audit-form">
      <div class="form-grid">${input('actor')}${collectionSelect}${input('feature_id')}${input('from', 'date')}${input('to', 'date')}</div>
      <div class="button-row">
        <button type="submit" class="primary" id="audit-search">${esc(t('ws.audit.search'))}</button>
        <a id="audit-csv" class="button ghost" download="audit.csv">${esc(t('ws.audit.csv'))}</a>
        <button type="button" class="ghost" data-close>${esc(t('edit.cancel'))}</button>
      </div>
      <p class="error" id="audit-error" role="alert" hidden></p>
    </form>
    <div class="audit-table-wrap"><table id="audit-table" class="audit-table"></table></div>`,
  );
  const form = dlg.querySelector('#audit-form');
  const base = `${trimBase(config.apiBase)}/audit`;
  async function load() {
    const q = auditQuery(form);
    const csv = new URLSearchParams(q);
    csv.set('f', 'csv');
    dlg.querySelector('#audit-csv').href = `${base}?${csv}`;
    const err = dlg.querySelector('#audit-error');
    err.hidden = true;
    try {
      const page = await fetchJson(`${base}?${q}`, { config });
      const head = ['at', 'actor', 'action', 'collection', 'feature_id', 'reason'];
      const rows = page.entries
        .map((e) => {
          const named = (key, raw) => (t(key) === key ? raw : t(key));
          const cells = [
            formatTimestamp(e.at),
            e.actor,
            named(`ws.action.${e.action}`, e.action),
            e.collection ? named(`ws.collection.${e.collection}`, e.collection) : '',
            e.feature_id || '',
            (e.detail && e.detail.reason) || '',
          ];
          return `<tr data-action="${esc(e.action)}">${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
        })
        .join('');
      dlg.querySelector('#audit-table').innerHTML = `<thead><tr>${head.map((h) => `<th>${esc(t(`ws.audit.col.${h}`))}</th>`).join('')}</tr></thead><tbody>${rows || `<tr><td colspan="6" class="muted">${esc(t('ws.audit.empty'))}</td></tr>`}</tbody>`;
    } catch (e) {
      err.textContent = e.message;
      err.hidden = false;
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });
  load();
}
