// The viewer: wires the map, the panels and the API together. Each panel lives in src/app/; the map's
// as-of date has one owner (src/asof.js) that the layers, the card, the banner and the URL follow.

import 'ol/ol.css';
import './app.css';
import { fromLonLat, toLonLat } from 'ol/proj.js';
import { createAsOf, hrefWithDatetime } from './asof.js';
import { resolveConfig } from './config.js';
import { getLang, onLangChange, setLang, t } from './i18n.js';
import { createMap } from './map.js';
import { COLLECTIONS } from './api.js';
import { scopesFromCounties } from './ui/indicators.js';
import { createCard } from './app/card.js';
import { bindAudit, bindSearchBox } from './app/workspace.js';
import { createCheck } from './app/check.js';
import { createIndicators } from './app/indicators.js';
import { createPlan } from './app/plan.js';
import { createAdjust } from './app/adjust.js';
import { createLayersPanel, watchLoading } from './app/layers.js';
import { bindPointer } from './app/pointer.js';
import { createEditor, loadSchema } from './app/edit.js';
import { createSession } from './app/session.js';
import { printLayout } from './app/print.js';
import { createUpload } from './app/upload.js';
import { createModifier } from './app/modify.js';
import { fieldLabel } from './forms.js';
import { SOURCE_COLLECTIONS } from './api.js';
import { createDuties } from './app/duties.js';

const $ = (sel) => document.querySelector(sel);

function storedLang() {
  try {
    return window.localStorage.getItem('landguard.lang') || undefined;
  } catch {
    return undefined;
  }
}

function applyStaticI18n() {
  document.documentElement.lang = getLang() === 'zh' ? 'zh-CN' : 'en';
  document.title = `${t('app.title')} · landguard`;
  document.querySelectorAll('[data-i18n]').forEach((el) => (el.textContent = t(el.dataset.i18n)));
  document.querySelectorAll('[data-i18n-placeholder]').forEach((el) => (el.placeholder = t(el.dataset.i18nPlaceholder)));
  document.querySelectorAll('[data-i18n-title]').forEach((el) => (el.title = t(el.dataset.i18nTitle)));
}

let toastTimer = null;
function toast(msg, kind = 'info') {
  const el = $('#toast');
  el.textContent = msg;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), 5000);
}

async function loadCounties() {
  try {
    const r = await fetch('counties.geojson');
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    return await r.json();
  } catch {
    return { type: 'FeatureCollection', features: [] };
  }
}

function parseHash(hash) {
  const m = /map=([\d.]+)\/(-?[\d.]+)\/(-?[\d.]+)/.exec(hash || '');
  if (!m) return null;
  const [zoom, lon, lat] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (![zoom, lon, lat].every(Number.isFinite)) return null;
  return { zoom, lon, lat };
}

/** The view: from the permalink hash or the whole area; the hash follows the view. */
function setUpView(m) {
  const { map } = m;
  const fromHash = parseHash(window.location.hash);
  if (fromHash) {
    map.getView().setCenter(fromLonLat([fromHash.lon, fromHash.lat]));
    map.getView().setZoom(fromHash.zoom);
  } else {
    m.fitHome();
  }
  map.on('moveend', () => {
    const v = map.getView();
    const [lon, lat] = toLonLat(v.getCenter());
    const hash = `#map=${v.getZoom().toFixed(2)}/${lon.toFixed(5)}/${lat.toFixed(5)}`;
    window.history.replaceState(null, '', `${window.location.pathname}${window.location.search}${hash}`);
  });
  $('#home-button').addEventListener('click', () => m.fitHome({ duration: 300 }));
}

/** A handle for scripts and the browser tests. */
function exposeHandle({ m, config, card, check, indicators, showTab, editor, plan, adjust, duties }) {
  const { map } = m;
  window.landguard = {
    map,
    layers: m.layers,
    stats: m.stats,
    config,
    openCard: card.open,
    edit: editor.edit,
    /** Lays the page out for printing 'check' or 'card' (null: back), resolving once the map is drawn. */
    printLayout: (what) => printLayout(map, what),
    step: editor.step,
    showTab,
    setMode: check.setMode,
    loadIndicators: indicators.load,
    loadPlan: plan.load,
    adjust,
    loadDuties: duties.load,
    /** Centres the map on a lon/lat at a zoom, resolving once the map has rendered. */
    goTo(lon, lat, zoom) {
      const done = new Promise((resolve) => map.once('rendercomplete', resolve));
      map.getView().setCenter(fromLonLat([lon, lat]));
      map.getView().setZoom(zoom);
      map.render();
      return done;
    },
    /** Resolves once the map has rendered completely (all tiles of the current view drawn). */
    whenRendered() {
      const done = new Promise((resolve) => map.once('rendercomplete', resolve));
      map.render();
      return done;
    },
    /** The viewport pixel [x, y] of a lon/lat. */
    pixelOf(lon, lat) {
      return map.getPixelFromCoordinate(fromLonLat([lon, lat]));
    },
    /** Fits the view to a lon/lat box, resolving once the map has rendered. */
    fitLonLat(bbox, maxZoom = 17) {
      const done = new Promise((resolve) => map.once('rendercomplete', resolve));
      const ext = [...fromLonLat([bbox[0], bbox[1]]), ...fromLonLat([bbox[2], bbox[3]])];
      map.getView().fit(ext, { padding: [120, 120, 120, 120], maxZoom });
      map.render();
      return done;
    },
  };
}

async function main() {
  const config = resolveConfig(window.location, window.LANDGUARD_CONFIG || {}, { lang: storedLang() });
  setLang(config.lang);
  applyStaticI18n();
  // From here on the as-of date is asOf's; config.datetime is only where it started.
  const asOf = createAsOf(config.datetime);

  const counties = await loadCounties();
  const countyNames = new Map((counties.features || []).map((f) => [String(f.properties.county_code), f.properties.name]));
  const countyName = (code) => countyNames.get(String(code));

  const m = createMap($('#map'), config, counties, asOf);
  setUpView(m);
  const layersPanel = createLayersPanel(m, asOf);
  watchLoading(m, toast);

  let check = null;
  let editor = null;
  let modifier = null;
  let session = null;
  // The schemas name the properties a version changed (the card's history) and make the edit forms.
  const schemas = {};
  const card = createCard({
    m,
    config,
    asOf,
    countyName,
    writer: () => Boolean(session && session.mayWrite()),
    onEdit: (c, id) => editor.edit(c, id),
    // vertices moved on the map, saved like an edit (toast, the map and the card refreshed)
    onModify: (c, id) =>
      modifier.start(c, id).catch((e) => toast(t('app.error', { detail: e.message }), 'error')),
    onStep: (c, id) => editor.step(c, id),
    // A measure recorded may change the safe-utilisation rate: the indicators panel reads it again.
    toast,
    onMeasures: () => {
      if (indicators.state.data) indicators.load(indicators.state.scope);
    },
    // Only what a person edits counts as a change of a version (not the state a step moved, nor computed values).
    fieldLabel: (c, name) => {
      if (name === 'geometry') return t('card.geometry_changed');
      const p = schemas[c] && schemas[c].properties[name];
      return p && !p.readOnly && !p['x-lifecycle-state'] ? fieldLabel(schemas[c], name, getLang()) : null;
    },
    // source-control cards: property names from the schema; a record may settle a duty of the duties panel
    sourceSchema: (c) => schemas[c] || null,
    onRecord: () => {
      if (duties.state.lines) duties.load();
    },
    onCheck: (current) => {
      // "check this parcel" asks as of the day the map shows
      check.state.as_of = asOf.datetime || '';
      check.setArea({ type: 'parcel', code: current.id });
      if (current.feature) {
        m.querySource.clear();
        m.querySource.addFeature(current.feature.clone());
      }
      showTab('check');
    },
  });
  bindSearchBox({ m, config, card, toast });
  check = createCheck({ m, config, asOf, card });
  for (const c of [COLLECTIONS.farmland, COLLECTIONS.parcels, ...Object.values(SOURCE_COLLECTIONS)]) {
    loadSchema(config, c)
      .then((s) => {
        schemas[c] = s;
        card.render();
      })
      .catch(() => {});
  }
  editor = createEditor({ config, card, toast, today: asOf.today, refresh: m.refresh, m });
  modifier = createModifier({
    m,
    config,
    saved: (c, id, message) => {
      toast(message);
      m.refresh();
      card.reopen();
    },
    conflict: (c, id, feature, geometry, again) =>
      editor.geometryConflict(c, id, feature, geometry, again).catch((e) => toast(t('app.error', { detail: e.message }), 'error')),
  });
  let upload = null;
  let adjust = null;
  const audit = bindAudit({ config, who: () => session && session.who });
  session = createSession({
    config,
    toast,
    onChange: () => {
      card.render();
      // the import panel is for people who may write
      const writer = session.mayWrite();
      $('#tab-import').hidden = !writer;
      if (writer && !upload) upload = createUpload({ m, config, toast });
      if (!writer && document.querySelector('#tab-import.active')) showTab('layers');
      if (adjust) adjust.render();
      audit.render();
    },
  });
  session.restore();
  const indicators = createIndicators({ m, config, asOf, cities: scopesFromCounties(counties) });
  const plan = createPlan({ config, asOf, cities: scopesFromCounties(counties) });
  // class adjustment batches (issue 16): an approved batch changes the classes, so the indicators reload
  adjust = createAdjust({
    m,
    config,
    toast,
    who: () => session.who,
    onApplied: () => indicators.load(indicators.state.scope),
    // a unit of the open batch clicked on the map: its proposal in the batch panel (issue 16)
    onPick: () => {
      if (!document.querySelector('#tab-adjust.active')) showTab('adjust');
    },
  });
  const duties = createDuties({
    config,
    asOf,
    cities: scopesFromCounties(counties),
    openFeature: async (c, id) => {
      // a county's own duty (its quarterly report) opens the county's card, not a feature's
      if (c === 'counties') return card.openCounty(id);
      const f = await card.open(c, id);
      if (f) m.fitFeatures([f], { maxZoom: 16 });
    },
  });

  function showTab(name) {
    document.querySelectorAll('.tab').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
    document.querySelectorAll('.panel').forEach((p) => p.classList.toggle('active', p.dataset.panel === name));
    if (name === 'indicators' && !indicators.state.data && !indicators.state.loading) indicators.load(indicators.state.scope);
    if (name === 'plan' && !plan.state.targets && !plan.state.loading) plan.load();
    if (name === 'adjust') adjust.loadList();
    if (name === 'duties' && !duties.state.loading) duties.load();
  }
  document.querySelectorAll('.tab').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));

  // The map (subscribed in createMap) reloads first; then the permalink, the banner, the panel and the card.
  asOf.subscribe((datetime) => {
    window.history.replaceState(null, '', hrefWithDatetime(window.location.href, datetime));
    layersPanel.showAsOf();
    layersPanel.render();
    card.reopen();
    if (duties.state.lines) duties.load();
    // a check asks as of the day the map shows (an answer already given says its own date)
    check.state.as_of = datetime || '';
    check.render();
  });

  const pointer = bindPointer({ m, card, check, adjust });

  function renderAll() {
    applyStaticI18n();
    layersPanel.render();
    check.render();
    indicators.render();
    plan.render();
    adjust.render();
    duties.render();
    card.render();
    session.render();
    if (upload) upload.render();
    pointer.showCoords(null);
    layersPanel.showAsOf();
    if (check.state.mode !== 'browse') $('#draw-hint').textContent = t(check.state.mode === 'draw' ? 'check.drawing' : 'check.picking');
  }
  onLangChange((lang) => {
    try {
      window.localStorage.setItem('landguard.lang', lang);
    } catch {
      /* private mode */
    }
    renderAll();
  });
  $('#lang-button').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  renderAll();

  exposeHandle({ m, config, card, check, indicators, showTab, editor, plan, adjust, duties });
  document.body.classList.add('ready');
}

main().catch((e) => {
  document.body.classList.add('failed');
  const el = document.getElementById('toast');
  if (el) {
    el.textContent = `landguard: ${e.message}`;
    el.hidden = false;
  }
  throw e;
});
