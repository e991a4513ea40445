// The "import" panel, for people who may write: choose a register and a file, a dry run whose problems are
// listed in a table and drawn on the map (each row takes the map to its feature), the mapping of the file's
// fields when a required one has no match, then the commit with a progress bar. The request and the reading
// of its answers are in ../ui/upload.js; the server does every check (docs/api.md "Import by upload").

import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style, Circle as CircleStyle } from 'ol/style.js';
import { fetchJson, headersFor } from '../api.js';
import { esc } from '../format.js';
import { getLang, t } from '../i18n.js';
import { fieldLabel } from '../forms.js';
import { ACCEPT, counts, importUrl, problemFeatures, readAnswer } from '../ui/upload.js';
import { loadSchema } from './edit.js';

const $ = (sel) => document.querySelector(sel);

const problemStyle = new Style({
  stroke: new Stroke({ color: '#d7263d', width: 3, lineDash: [6, 4] }),
  fill: new Fill({ color: 'rgba(215, 38, 61, 0.25)' }),
  image: new CircleStyle({ radius: 8, stroke: new Stroke({ color: '#d7263d', width: 3 }), fill: new Fill({ color: 'rgba(215, 38, 61, 0.4)' }) }),
});

/** Sends the file with XMLHttpRequest, whose upload reports progress (fetch's does not). */
function send(url, file, config, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(headersFor(config, { 'Content-Type': 'application/octet-stream' }, 'POST'))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body = null;
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        body = null;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error(t('import.network')));
    xhr.send(file);
  });
}

export function createUpload({ m, config, toast }) {
  const panel = $('#panel-import');
  const source = new VectorSource();
  m.map.addLayer(new VectorLayer({ source, style: problemStyle, zIndex: 40, properties: { key: 'import-problems' } }));
  const state = { collections: [], collection: 'construction_parcels', file: null, mapping: {}, answer: null, busy: false, progress: 0, crs: '', encoding: '', repair: false };

  async function loadCollections() {
    try {
      const doc = await fetchJson(`${String(config.apiBase).replace(/\/+$/, '')}/collections`, { config });
      state.collections = (doc.collections || []).map((c) => ({ id: c.id, title: c.title || c.id }));
    } catch {
      state.collections = [{ id: 'construction_parcels', title: 'construction_parcels' }, { id: 'farmland_units', title: 'farmland_units' }];
    }
    render();
  }

  function options() {
    return {
      filename: state.file && state.file.name,
      sourceCrs: state.crs,
      encoding: state.encoding,
      repair: state.repair,
      fields: state.mapping,
    };
  }

  async function run(dryRun) {
    if (!state.file || state.busy) return;
    state.busy = true;
    state.progress = 0;
    render();
    try {
      const schema = await loadSchema(config, state.collection).catch(() => null);
      const label = (name) => (name === 'geometry' ? t('import.geometry') : schema ? fieldLabel(schema, name, getLang()) : name);
      const url = importUrl(config.apiBase, state.collection, { dryRun, ...options() });
      const { status, body } = await send(url, state.file, config, (p) => {
        state.progress = p;
        const bar = panel.querySelector('#import-progress');
        if (bar) bar.value = p;
      });
      state.answer = readAnswer(status, body, { lang: getLang(), fieldLabel: label });
      state.answer.schema = schema;
      show(state.answer);
      if (state.answer.kind === 'written') {
        toast(t('import.written', { n: state.answer.report.created + state.answer.report.changed }));
        if (m.refresh) m.refresh();
      }
    } catch (e) {
      state.answer = { kind: 'error', rows: [], message: e.message };
    } finally {
      state.busy = false;
      render();
    }
  }

  /** Draws the problem features and fits the map to them. */
  function show(answer) {
    source.clear();
    const fc = problemFeatures(answer.rows);
    if (!fc.features.length) return;
    const features = new GeoJSON().readFeatures(fc, { dataProjection: 'EPSG:4326', featureProjection: m.map.getView().getProjection() });
    source.addFeatures(features);
    m.map.getView().fit(source.getExtent(), { padding: [80, 80, 80, 80], maxZoom: 16, duration: 300 });
  }

  function zoomTo(ordinal) {
    const f = source.getFeatureById(`import-${ordinal}`);
    if (f) m.map.getView().fit(f.getGeometry().getExtent(), { padding: [120, 120, 120, 120], maxZoom: 17, duration: 300 });
  }

  function answerHtml(a) {
    if (!a) return '';
    if (a.kind === 'error') return `<p class="error" role="alert" id="import-error">${esc(a.message)}</p>`;
    if (a.kind === 'unmapped') {
      const choices = (prop) =>
        `<select data-property="${esc(prop)}" class="import-map"><option value="">${esc(t('import.choose_field'))}</option>${a.fileFields
          .map((f) => `<option value="${esc(f)}" ${state.mapping[prop] === f ? 'selected' : ''}>${esc(f)}</option>`)
          .join('')}</select>`;
      const rows = a.missing
        .map((p) => `<tr><td>${esc(a.schema ? fieldLabel(a.schema, p, getLang()) : p)} <code>${esc(p)}</code></td><td>${choices(p)}</td></tr>`)
        .join('');
      return `<p class="error" id="import-unmapped">${esc(a.message)}</p>
        <table class="import-table" id="import-mapping"><tr><th>${esc(t('import.property'))}</th><th>${esc(t('import.file_field'))}</th></tr>${rows}</table>
        <button type="button" id="import-remap" class="primary">${esc(t('import.dry_run_again'))}</button>`;
    }
    const summary = a.report
      ? `<table class="import-table" id="import-summary">${counts(a.report)
          .map(([k, v]) => `<tr><th>${esc(t(`import.count.${k}`))}</th><td>${v}</td></tr>`)
          .join('')}</table><p class="muted">${esc(t('import.crs', { crs: a.report.source_crs || '' }))}</p>`
      : '';
    if (a.kind === 'ready') {
      return `${summary}<p id="import-ready">${esc(t('import.ready'))}</p>
        <button type="button" id="import-commit" class="primary">${esc(t('import.commit'))}</button>`;
    }
    if (a.kind === 'written') return `${summary}<p id="import-done">${esc(t('import.done'))}</p>`;
    const rows = a.rows
      .map(
        (r) =>
          `<tr data-ordinal="${esc(r.ordinal)}" class="${r.geometry ? 'locatable' : ''}"><td>${esc(r.ordinal)}</td><td>${esc(r.code)}</td><td>${esc(r.field)}</td><td>${esc(r.text)}</td></tr>`,
      )
      .join('');
    return `<p class="error" role="alert" id="import-refused">${esc(a.message)}</p>
      <table class="import-table" id="import-problems"><tr><th>${esc(t('import.ordinal'))}</th><th>${esc(t('import.code'))}</th><th>${esc(t('import.field'))}</th><th>${esc(t('import.reason'))}</th></tr>${rows}</table>`;
  }

  function render() {
    if (!panel) return;
    const opts = state.collections
      .map((c) => `<option value="${esc(c.id)}" ${c.id === state.collection ? 'selected' : ''}>${esc(c.title)}</option>`)
      .join('');
    panel.innerHTML = `<h2>${esc(t('import.title'))}</h2>
      <p class="muted">${esc(t('import.help'))}</p>
      <label class="field"><span class="field-label">${esc(t('import.collection'))}</span><select id="import-collection">${opts}</select></label>
      <label class="field"><span class="field-label">${esc(t('import.file'))}</span><input id="import-file" type="file" accept="${ACCEPT}"></label>
      ${state.file ? `<p class="muted" id="import-file-name">${esc(state.file.name)}</p>` : ''}
      <label class="field"><span class="field-label">${esc(t('import.source_crs'))}</span><input id="import-crs" placeholder="EPSG:4545" value="${esc(state.crs)}"></label>
      <label class="field"><span class="field-label">${esc(t('import.encoding'))}</span><select id="import-encoding">
        ${['', 'GBK', 'UTF-8'].map((v) => `<option value="${v}" ${state.encoding === v ? 'selected' : ''}>${esc(v || t('import.encoding_auto'))}</option>`).join('')}</select></label>
      <label class="field checkbox"><input id="import-repair" type="checkbox" ${state.repair ? 'checked' : ''}> ${esc(t('import.repair'))}</label>
      <div class="button-row"><button type="button" id="import-dry-run" class="primary" ${state.file && !state.busy ? '' : 'disabled'}>${esc(t('import.dry_run'))}</button></div>
      ${state.busy ? `<progress id="import-progress" max="1" value="${state.progress}"></progress>` : ''}
      <div id="import-answer">${state.busy ? '' : answerHtml(state.answer)}</div>`;
    panel.querySelector('#import-collection').addEventListener('change', (e) => {
      state.collection = e.target.value;
      state.answer = null;
      state.mapping = {};
      source.clear();
      render();
    });
    panel.querySelector('#import-file').addEventListener('change', (e) => {
      state.file = e.target.files[0] || null;
      state.answer = null;
      state.mapping = {};
      source.clear();
      render();
    });
    panel.querySelector('#import-crs').addEventListener('input', (e) => (state.crs = e.target.value));
    panel.querySelector('#import-encoding').addEventListener('change', (e) => (state.encoding = e.target.value));
    panel.querySelector('#import-repair').addEventListener('change', (e) => (state.repair = e.target.checked));
    panel.querySelector('#import-dry-run').addEventListener('click', () => run(true));
    panel.querySelector('#import-commit')?.addEventListener('click', () => run(false));
    panel.querySelector('#import-remap')?.addEventListener('click', () => {
      panel.querySelectorAll('.import-map').forEach((s) => (state.mapping[s.dataset.property] = s.value));
      run(true);
    });
    panel.querySelectorAll('#import-problems tr.locatable').forEach((tr) => tr.addEventListener('click', () => zoomTo(Number(tr.dataset.ordinal))));
  }

  loadCollections();
  return { render, state };
}
