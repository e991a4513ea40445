// The viewer: wires the map, the panels and the API together.

import 'ol/ol.css';
import './app.css';
import Draw from 'ol/interaction/Draw.js';
import { getArea } from 'ol/sphere.js';
import { fromLonLat, toLonLat } from 'ol/proj.js';
import { createEmpty, extend } from 'ol/extent.js';
import Style from 'ol/style/Style.js';
import Stroke from 'ol/style/Stroke.js';
import Fill from 'ol/style/Fill.js';
import CircleStyle from 'ol/style/Circle.js';
import {
  COLLECTIONS,
  RequestError,
  buildCheckRequest,
  fetchJson,
  historyUrl,
  indicatorsUrl,
  itemUrl,
} from './api.js';
import { resolveConfig } from './config.js';
import { esc, formatDate, todayCst } from './format.js';
import { formatLonLat, formatMetres, toGK } from './gk.js';
import { getLang, onLangChange, setLang, t } from './i18n.js';
import { HIGHLIGHT } from './palette.js';
import { createMap, geojson } from './map.js';
import { farmlandStyle, parcelMarkStyle, parcelStyle } from './styles.js';
import { renderCard } from './ui/card.js';
import { renderCheckPanel, renderCheckResult } from './ui/check.js';
import { renderIndicatorsPanel, scopesFromCounties } from './ui/indicators.js';
import { renderLayersPanel } from './ui/legend.js';

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

async function main() {
  const config = resolveConfig(window.location, window.LANDGUARD_CONFIG || {}, { lang: storedLang() });
  setLang(config.lang);
  applyStaticI18n();

  const counties = await loadCounties();
  const countyNames = new Map((counties.features || []).map((f) => [String(f.properties.county_code), f.properties.name]));
  const countyName = (code) => countyNames.get(String(code));
  const cities = scopesFromCounties(counties);

  const m = createMap($('#map'), config, counties);
  const { map, layers } = m;

  // ---- view: permalink hash or the whole area --------------------------------------------------
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

  // ---- layers panel: switches and legend filters ------------------------------------------------
  const layerState = {
    visible: { farmland: true, parcels: true, counties: true, basemap: true },
    hidden: new Set(),
    hasBasemap: layers.basemaps.length > 0,
  };
  layers.farmland.setStyle((f, r) => (layerState.hidden.has(`class:${f.get('class')}`) ? undefined : farmlandStyle(f, r)));
  layers.parcels.setStyle((f, r) => (layerState.hidden.has(`state:${f.get('state')}`) ? undefined : parcelStyle(f, r)));
  layers.marks.setStyle((f, r) => (layerState.hidden.has(`state:${f.get('state')}`) ? undefined : parcelMarkStyle(f, r)));
  function applyLayers() {
    layers.farmland.setVisible(layerState.visible.farmland);
    layers.parcels.setVisible(layerState.visible.parcels);
    layers.counties.setVisible(layerState.visible.counties);
    layers.basemaps.forEach((l) => l.setVisible(layerState.visible.basemap));
    layers.farmland.changed();
    layers.parcels.changed();
    layers.marks.changed();
  }
  layerState.today = todayCst();
  layerState.datetime = config.datetime;
  function setDatetime(datetime) {
    layerState.datetime = datetime;
    m.setDatetime(datetime);
    const url = new URL(window.location.href);
    if (datetime) url.searchParams.set('datetime', datetime);
    else url.searchParams.delete('datetime');
    window.history.replaceState(null, '', url);
    showAsOf();
    renderLayers();
    if (card) openCard(card.collection, card.id, card.properties);
  }
  function showAsOf() {
    const el = $('#asof-banner');
    el.hidden = !config.datetime;
    if (config.datetime) el.textContent = t('layer.as_of_banner', { date: formatDate(config.datetime) });
  }
  const renderLayers = () => renderLayersPanel($('#panel-layers'), layerState, applyLayers, setDatetime);

  // Loading indicator and a warning when tiles fail.
  let loading = 0;
  let reportedFailures = 0;
  map.on('loadstart', () => {
    loading += 1;
    $('#loading').hidden = false;
  });
  map.on('loadend', () => {
    loading = Math.max(0, loading - 1);
    if (!loading) $('#loading').hidden = true;
    const failed = m.stats.farmland.failed + m.stats.parcels.failed;
    if (failed > reportedFailures) {
      reportedFailures = failed;
      toast(t('app.tiles_failed', { n: failed }), 'error');
    }
  });

  // ---- tabs -----------------------------------------------------------------------------------
  function showTab(name) {
    document.querySelectorAll('.tab').forEach((b) => b.classList.toggle('active', b.dataset.tab === name));
    document.querySelectorAll('.panel').forEach((p) => p.classList.toggle('active', p.dataset.panel === name));
    if (name === 'indicators' && !indState.data && !indState.loading) loadIndicators(indState.scope);
  }
  document.querySelectorAll('.tab').forEach((b) => b.addEventListener('click', () => showTab(b.dataset.tab)));

  // ---- feature card -----------------------------------------------------------------------------
  let card = null;
  let cardSeq = 0;
  const cardEl = $('#card');
  function renderCurrentCard() {
    if (!card) {
      cardEl.hidden = true;
      cardEl.innerHTML = '';
      return;
    }
    cardEl.hidden = false;
    renderCard(cardEl, card, countyName, {
      close: closeCard,
      zoom: () => m.fitFeatures(m.selectedSource.getFeatures(), { maxZoom: 17 }),
      check: () => {
        setCheckArea({ type: 'parcel', code: card.id });
        if (card.feature) {
          m.querySource.clear();
          m.querySource.addFeature(card.feature.clone());
        }
        showTab('check');
      },
    });
  }
  function closeCard() {
    card = null;
    cardSeq += 1;
    m.selectedSource.clear();
    renderCurrentCard();
  }
  async function fetchFeature(collection, id) {
    const json = await fetchJson(itemUrl(config.apiBase, collection, id) + (config.datetime ? `?datetime=${encodeURIComponent(config.datetime)}` : ''), { config });
    return geojson.readFeature(json);
  }
  async function openCard(collection, id, props = {}) {
    const seq = ++cardSeq;
    card = { collection, id, properties: { ...props }, history: 'loading' };
    renderCurrentCard();
    m.selectedSource.clear();
    try {
      const feature = await fetchFeature(collection, id);
      if (seq !== cardSeq) return feature;
      const p = feature.getProperties();
      delete p.geometry;
      card.properties = p;
      card.feature = feature;
      m.selectedSource.clear();
      m.selectedSource.addFeature(feature);
      renderCurrentCard();
      fetchJson(historyUrl(config.apiBase, collection, id), { config })
        .then((h) => {
          if (seq === cardSeq) {
            card.history = h.versions || [];
            renderCurrentCard();
          }
        })
        .catch((e) => {
          if (seq === cardSeq) {
            card.history = e;
            renderCurrentCard();
          }
        });
      return feature;
    } catch (e) {
      if (seq === cardSeq) {
        card.history = e;
        renderCurrentCard();
      }
      return null;
    }
  }

  // ---- search by code ---------------------------------------------------------------------------
  $('#search-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const code = $('#search-input').value.trim();
    if (!code) return;
    const order = /-GD-/i.test(code) ? [COLLECTIONS.farmland, COLLECTIONS.parcels] : [COLLECTIONS.parcels, COLLECTIONS.farmland];
    for (const c of order) {
      try {
        const f = await fetchFeature(c, code);
        await openCard(c, code, f.getProperties());
        m.fitFeatures([f], { maxZoom: 16 });
        return;
      } catch (e) {
        if (e.status !== 404) {
          toast(t('app.error', { detail: e.message }), 'error');
          return;
        }
      }
    }
    toast(t('app.not_found', { code }), 'error');
  });

  // ---- access check -----------------------------------------------------------------------------
  const checkState = {
    kind: 'rezoning',
    area: null,
    proposed: '070101',
    // set once the user picks a proposed use: only then does it carry over to an EIA or land-supply check
    proposedChosen: false,
    current: '',
    project_kind: 'other',
    supply: 'transfer',
    as_of: '',
    today: todayCst(),
    mode: 'browse',
    busy: false,
    answer: null,
    error: null,
  };
  const drawStyle = [
    new Style({
      fill: new Fill({ color: HIGHLIGHT.query.fill }),
      stroke: new Stroke({ color: HIGHLIGHT.query.stroke, width: HIGHLIGHT.query.width }),
      image: new CircleStyle({ radius: 4, fill: new Fill({ color: '#ffffff' }), stroke: new Stroke({ color: HIGHLIGHT.query.stroke, width: 2 }) }),
    }),
  ];
  let draw = null;
  let drawEndedAt = 0;
  function stopDrawing() {
    if (draw) {
      map.removeInteraction(draw);
      draw = null;
    }
    $('#draw-hint').hidden = true;
    $('#map').classList.remove('drawing', 'picking');
  }
  function setMode(mode) {
    stopDrawing();
    checkState.mode = mode;
    if (mode === 'draw') {
      draw = new Draw({ source: m.querySource, type: 'Polygon', style: drawStyle });
      draw.on('drawstart', () => {
        m.querySource.clear();
        m.resultSource.clear();
      });
      draw.on('drawend', (ev) => {
        drawEndedAt = Date.now();
        const geom = ev.feature.getGeometry();
        const geometry = geojson.writeGeometryObject(geom, { rightHanded: true, decimals: 7 });
        checkState.area = { type: 'geometry', geometry, area_m2: getArea(geom, { projection: 'EPSG:3857' }) };
        checkState.answer = null;
        // Leave draw mode after the event, so the finishing double-click does not zoom the map.
        setTimeout(() => setMode('browse'), 0);
      });
      map.addInteraction(draw);
      $('#map').classList.add('drawing');
      $('#draw-hint').textContent = t('check.drawing');
      $('#draw-hint').hidden = false;
    } else if (mode === 'pick') {
      $('#map').classList.add('picking');
      $('#draw-hint').textContent = t('check.picking');
      $('#draw-hint').hidden = false;
    }
    renderCheck();
  }
  function setCheckArea(area) {
    checkState.area = area;
    checkState.answer = null;
    checkState.error = null;
    m.resultSource.clear();
    setMode('browse');
  }
  function highlightResult(answer) {
    m.resultSource.clear();
    const wanted = new Map();
    for (const r of answer.reasons || []) for (const f of r.features || []) wanted.set(`${f.collection}/${f.id}`, f);
    const jobs = [...wanted.values()].map((f) =>
      fetchFeature(f.collection, f.id)
        .then((feat) => {
          feat.set('_collection', f.collection);
          m.resultSource.addFeature(feat);
          return feat;
        })
        .catch(() => null),
    );
    return Promise.all(jobs).then((feats) => {
      const ext = createEmpty();
      for (const f of [...feats.filter(Boolean), ...m.querySource.getFeatures()]) extend(ext, f.getGeometry().getExtent());
      m.fitExtent(ext, { maxZoom: 17 });
    });
  }
  async function runCheck() {
    checkState.error = null;
    let req;
    try {
      req = buildCheckRequest(config.apiBase, checkState.kind, {
        geometry: checkState.area && checkState.area.type === 'geometry' ? checkState.area.geometry : undefined,
        parcel_code: checkState.area && checkState.area.type === 'parcel' ? checkState.area.code : undefined,
        proposed_use: checkState.proposed,
        current_use: checkState.current,
        project_kind: checkState.project_kind,
        supply: checkState.supply,
        as_of: checkState.as_of,
      });
    } catch (e) {
      checkState.error = e instanceof RequestError ? e : new Error(e.message);
      checkState.answer = null;
      renderCheck();
      return;
    }
    checkState.busy = true;
    renderCheck();
    try {
      checkState.answer = await fetchJson(req.url, { config, method: 'POST', body: req.body });
      checkState.busy = false;
      renderCheck();
      await highlightResult(checkState.answer);
    } catch (e) {
      checkState.busy = false;
      checkState.answer = null;
      checkState.error = e;
      renderCheck();
    }
  }
  function renderCheck() {
    renderCheckPanel($('#panel-check'), checkState, {
      draw: () => setMode(checkState.mode === 'draw' ? 'browse' : 'draw'),
      pick: () => setMode(checkState.mode === 'pick' ? 'browse' : 'pick'),
      clear: () => {
        m.querySource.clear();
        m.resultSource.clear();
        checkState.answer = null;
        checkState.error = null;
        setCheckArea(null);
      },
      run: runCheck,
      change: (rerender) => {
        checkState.answer = null;
        if (rerender) renderCheck();
      },
    });
    renderCheckResult($('#check-result'), checkState.answer, checkState.error, async (collection, id) => {
      const f = await openCard(collection, id);
      if (f) m.fitFeatures([f], { maxZoom: 17 });
    }, config.apiBase);
  }

  // ---- indicators -------------------------------------------------------------------------------
  const indState = { scope: '', as_of: '', today: todayCst(), data: null, loading: false, error: null };
  let indSeq = 0;
  function renderIndicators() {
    renderIndicatorsPanel(
      $('#panel-indicators'),
      indState,
      cities,
      (scope) => {
        loadIndicators(scope);
        zoomToScope(scope);
      },
      (asOf) => {
        indState.as_of = asOf;
        loadIndicators(indState.scope);
      },
    );
  }
  function zoomToScope(scope) {
    m.scopeSource.clear();
    if (!scope) return m.fitHome({ duration: 300 });
    const feats = m.countySource.getFeatures().filter((f) => String(f.get('county_code')).startsWith(scope));
    m.scopeSource.addFeatures(feats.map((f) => f.clone()));
    if (feats.length) m.fitFeatures(feats, { maxZoom: 13 });
  }
  async function loadIndicators(scope) {
    const seq = ++indSeq;
    indState.scope = scope;
    indState.loading = true;
    indState.error = null;
    renderIndicators();
    try {
      const data = await fetchJson(indicatorsUrl(config.apiBase, { county_code: scope, as_of: indState.as_of }), { config });
      if (seq !== indSeq) return;
      indState.data = data;
    } catch (e) {
      if (seq !== indSeq) return;
      indState.error = e;
      indState.data = null;
    }
    indState.loading = false;
    renderIndicators();
  }

  // ---- map clicks and cursor ----------------------------------------------------------------------
  const registryLayers = new Set([layers.farmland, layers.parcels]);
  function featureAt(pixel) {
    let parcel = null;
    let unit = null;
    map.forEachFeatureAtPixel(
      pixel,
      (f, layer) => {
        if (layer === layers.parcels && !parcel) parcel = f;
        if (layer === layers.farmland && !unit) unit = f;
      },
      { layerFilter: (l) => registryLayers.has(l) && l.getVisible(), hitTolerance: 3 },
    );
    if (parcel) return { collection: COLLECTIONS.parcels, id: parcel.get('parcel_code'), props: parcel.getProperties() };
    if (unit) return { collection: COLLECTIONS.farmland, id: unit.get('unit_code'), props: unit.getProperties() };
    return null;
  }
  map.on('singleclick', async (ev) => {
    // The click that finished a drawing is not a click on the map.
    if (checkState.mode === 'draw' || Date.now() - drawEndedAt < 600) return;
    const hit = featureAt(ev.pixel);
    if (checkState.mode === 'pick') {
      if (hit && hit.collection === COLLECTIONS.parcels) {
        setCheckArea({ type: 'parcel', code: hit.id });
        const f = await openCard(hit.collection, hit.id, hit.props);
        if (f) {
          m.querySource.clear();
          m.querySource.addFeature(f.clone());
        }
      }
      return;
    }
    if (hit && hit.id) openCard(hit.collection, hit.id, hit.props);
    else closeCard();
  });
  const coordsEl = $('#coords');
  function showCoords(coordinate) {
    if (!coordinate) {
      coordsEl.innerHTML = `<span class="muted">${esc(t('coords.hint'))}</span>`;
      return;
    }
    const [lon, lat] = toLonLat(coordinate);
    const ll = formatLonLat(lon, lat);
    const gk = toGK(lon, lat);
    coordsEl.innerHTML = `<span class="crs">${esc(t('coords.cgcs2000'))}</span> <span id="coord-lon">${esc(ll.lon)}</span> <span id="coord-lat">${esc(ll.lat)}</span>
      <span class="sep">|</span> <span class="crs">${esc(t('coords.gk', { zone: gk.zone, cm: gk.cm, epsg: gk.epsg ?? '–' }))}</span>
      N <span id="coord-n">${esc(formatMetres(gk.northing))}</span> E <span id="coord-e">${esc(formatMetres(gk.easting))}</span>`;
  }
  map.on('pointermove', (ev) => {
    if (ev.dragging) return;
    showCoords(ev.coordinate);
    if (checkState.mode === 'draw') return;
    map.getTargetElement().style.cursor = featureAt(ev.pixel) ? 'pointer' : '';
  });
  map.getViewport().addEventListener('mouseleave', () => showCoords(null));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      if (checkState.mode !== 'browse') setMode('browse');
      else closeCard();
    }
  });

  // ---- language ------------------------------------------------------------------------------------
  function renderAll() {
    applyStaticI18n();
    renderLayers();
    renderCheck();
    renderIndicators();
    renderCurrentCard();
    showCoords(null);
    showAsOf();
    if (checkState.mode !== 'browse') $('#draw-hint').textContent = t(checkState.mode === 'draw' ? 'check.drawing' : 'check.picking');
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

  // A handle for scripts and the browser tests.
  window.landguard = {
    map,
    layers,
    stats: m.stats,
    config,
    openCard,
    showTab,
    setMode,
    loadIndicators,
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
