// The access check: its form state, the area (drawn on the map or a picked parcel), the request, and
// the answer's features highlighted on the map.

import Draw from 'ol/interaction/Draw.js';
import { getArea } from 'ol/sphere.js';
import { createEmpty, extend } from 'ol/extent.js';
import Style from 'ol/style/Style.js';
import Stroke from 'ol/style/Stroke.js';
import Fill from 'ol/style/Fill.js';
import CircleStyle from 'ol/style/Circle.js';
import { RequestError, buildCheckRequest, fetchJson } from '../api.js';
import { t } from '../i18n.js';
import { HIGHLIGHT } from '../palette.js';
import { geojson } from '../map.js';
import { renderCheckPanel, renderCheckResult } from '../ui/check.js';
import { printNow } from './print.js';

const $ = (sel) => document.querySelector(sel);

const drawStyle = [
  new Style({
    fill: new Fill({ color: HIGHLIGHT.query.fill }),
    stroke: new Stroke({ color: HIGHLIGHT.query.stroke, width: HIGHLIGHT.query.width }),
    image: new CircleStyle({ radius: 4, fill: new Fill({ color: '#ffffff' }), stroke: new Stroke({ color: HIGHLIGHT.query.stroke, width: 2 }) }),
  }),
];

/** The check panel over the map `m`; `card` (card.js) fetches and opens the features of an answer. */
export function createCheck({ m, config, asOf, card }) {
  const { map } = m;
  const state = {
    kind: 'rezoning',
    area: null,
    proposed: '070101',
    // set once the user picks a proposed use: only then does it carry over to an EIA or land-supply check
    proposedChosen: false,
    current: '',
    project_kind: 'other',
    supply: 'transfer',
    as_of: asOf.datetime || '',
    today: asOf.today,
    mode: 'browse',
    busy: false,
    answer: null,
    error: null,
  };
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
    state.mode = mode;
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
        state.area = { type: 'geometry', geometry, area_m2: getArea(geom, { projection: 'EPSG:3857' }) };
        state.answer = null;
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
    render();
  }
  function setArea(area) {
    state.area = area;
    state.answer = null;
    state.error = null;
    m.resultSource.clear();
    setMode('browse');
  }
  /** The click that finished a drawing is not a click on the map. */
  function justDrew() {
    return Date.now() - drawEndedAt < 600;
  }
  function highlightResult(answer) {
    m.resultSource.clear();
    const wanted = new Map();
    for (const r of answer.reasons || []) for (const f of r.features || []) wanted.set(`${f.collection}/${f.id}`, f);
    const jobs = [...wanted.values()].map((f) =>
      card
        .fetchFeature(f.collection, f.id)
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
  async function run() {
    state.error = null;
    let req;
    try {
      req = buildCheckRequest(config.apiBase, state.kind, {
        geometry: state.area && state.area.type === 'geometry' ? state.area.geometry : undefined,
        parcel_code: state.area && state.area.type === 'parcel' ? state.area.code : undefined,
        proposed_use: state.proposed,
        current_use: state.current,
        project_kind: state.project_kind,
        supply: state.supply,
        as_of: state.as_of,
      });
    } catch (e) {
      state.error = e instanceof RequestError ? e : new Error(e.message);
      state.answer = null;
      render();
      return;
    }
    state.busy = true;
    render();
    try {
      state.answer = await fetchJson(req.url, { config, method: 'POST', body: req.body });
      state.busy = false;
      render();
      await highlightResult(state.answer);
    } catch (e) {
      state.busy = false;
      state.answer = null;
      state.error = e;
      render();
    }
  }
  function render() {
    renderCheckPanel($('#panel-check'), state, {
      draw: () => setMode(state.mode === 'draw' ? 'browse' : 'draw'),
      pick: () => setMode(state.mode === 'pick' ? 'browse' : 'pick'),
      clear: () => {
        m.querySource.clear();
        m.resultSource.clear();
        state.answer = null;
        state.error = null;
        setArea(null);
      },
      run,
      change: (rerender) => {
        state.answer = null;
        if (rerender) render();
      },
    });
    renderCheckResult($('#check-result'), state.answer, state.error, async (collection, id) => {
      const f = await card.open(collection, id);
      if (f) m.fitFeatures([f], { maxZoom: 17 });
    }, config.apiBase, () => printNow(map, 'check'));
  }
  return { state, setMode, setArea, justDrew, render };
}
