// The pointer on the map: a click opens a feature's card (or picks the parcel to check), the cursor
// shows what is clickable, the coordinates bar follows the pointer, and Escape backs out.

import { toLonLat } from 'ol/proj.js';
import { COLLECTIONS, SAMPLE_COLLECTIONS, SOURCE_COLLECTIONS } from '../api.js';
import { ID_PROPERTY } from '../ui/duties.js';
import { esc } from '../format.js';
import { formatLonLat, formatMetres, toGK } from '../gk.js';
import { t } from '../i18n.js';

const $ = (sel) => document.querySelector(sel);

/**
 * Binds the pointer over the map `m` to the card and the check; while a class adjustment batch is open, a
 * click on one of its units shows that unit's proposal in the batch panel (`adjust.pickAt`, app/adjust.js).
 * Returns { showCoords }.
 */
export function bindPointer({ m, card, check, adjust }) {
  const { map, layers } = m;
  const registryLayers = new Set([layers.farmland, layers.parcels]);
  // The source-control symbols lie over the registers: a click on one opens its card (sources and ponds
  // first). Their point symbols are found by the layers' hit canvas (getFeatures), which forEachFeatureAtPixel
  // misses for vector-tile points.
  // Samples, when switched on, are small symbols over everything but the sources and ponds: after those.
  const pointLayers = [
    ...['sources', 'ponds'].map((k) => [k, SOURCE_COLLECTIONS[k], ID_PROPERTY[SOURCE_COLLECTIONS[k]]]),
    ...Object.entries(SAMPLE_COLLECTIONS).map(([k, c]) => [k, c, 'sample_code']),
    ['keyunits', SOURCE_COLLECTIONS.keyunits, ID_PROPERTY[SOURCE_COLLECTIONS.keyunits]],
  ];
  async function sourceAt(pixel) {
    for (const [k, c, idProperty] of pointLayers) {
      if (!layers[k].getVisible()) continue;
      const f = (await layers[k].getFeatures(pixel)).find((x) => x.get(idProperty));
      if (f) return { collection: c, id: String(f.get(idProperty)), props: f.getProperties() };
    }
    return null;
  }
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
    if (check.state.mode === 'draw' || check.justDrew()) return;
    const hit = featureAt(ev.pixel);
    if (check.state.mode === 'pick') {
      if (hit && hit.collection === COLLECTIONS.parcels) {
        check.setArea({ type: 'parcel', code: hit.id });
        const f = await card.open(hit.collection, hit.id, hit.props);
        if (f) {
          m.querySource.clear();
          m.querySource.addFeature(f.clone());
        }
      }
      return;
    }
    if (adjust && adjust.pickAt(ev.pixel)) return;
    const source = await sourceAt(ev.pixel);
    if (source) card.open(source.collection, source.id, source.props);
    else if (hit && hit.id) card.open(hit.collection, hit.id, hit.props);
    else card.close();
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
  let moveSeq = 0;
  map.on('pointermove', (ev) => {
    if (ev.dragging) return;
    showCoords(ev.coordinate);
    if (check.state.mode === 'draw') return;
    // the source symbols answer asynchronously: only the latest move sets the cursor
    const seq = ++moveSeq;
    if (featureAt(ev.pixel)) map.getTargetElement().style.cursor = 'pointer';
    else {
      sourceAt(ev.pixel).then((s) => {
        if (seq === moveSeq) map.getTargetElement().style.cursor = s ? 'pointer' : '';
      });
    }
  });
  map.getViewport().addEventListener('mouseleave', () => showCoords(null));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') {
      if (check.state.mode !== 'browse') check.setMode('browse');
      else card.close();
    }
  });
  return { showCoords };
}
