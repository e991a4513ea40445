// The edit form's "几何 geometry" section: paste a GeoJSON or a 界址点 list (lon/lat or CGCS2000 3°
// Gauss-Krüger, ../ui/geometry.js reads it), see it on the map beside the current outline, and the form's
// PUT sends it. The server checks validity (a bow-tie comes back as its Chinese `detail`).

import GeoJSON from 'ol/format/GeoJSON.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style, Circle as CircleStyle } from 'ol/style.js';
import { esc } from '../format.js';
import { centralMeridian, gkEpsg, zoneNumber } from '../gk.js';
import { getLang, t } from '../i18n.js';
import { ZONES, geometryKind, parseGeometry } from '../ui/geometry.js';

const previewStyle = new Style({
  stroke: new Stroke({ color: '#7b1fa2', width: 3 }),
  fill: new Fill({ color: 'rgba(123, 31, 162, 0.2)' }),
  image: new CircleStyle({ radius: 8, stroke: new Stroke({ color: '#7b1fa2', width: 3 }), fill: new Fill({ color: 'rgba(123, 31, 162, 0.4)' }) }),
});

let layer = null;
function previewSource(m) {
  if (!layer) {
    layer = new VectorLayer({ source: new VectorSource(), style: previewStyle, zIndex: 45, properties: { key: 'edit-geometry' } });
    m.map.addLayer(layer);
  }
  return layer.getSource();
}

/** The first vertex of a GeoJSON geometry (to choose the zone the feature lies in). */
function firstPosition(g) {
  let c = g && g.coordinates;
  while (Array.isArray(c) && Array.isArray(c[0])) c = c[0];
  return Array.isArray(c) && Number.isFinite(c[0]) ? c : null;
}

/**
 * The section for a feature of `schema`: `html` to put in the form, `attach(dlg)` once the dialog is open,
 * `value()` → null (nothing pasted), { geometry } or { error } (shown in the section).
 */
export function geometrySection(m, schema, feature) {
  const kind = geometryKind(schema, feature);
  const first = firstPosition(feature.geometry);
  const zone = first ? zoneNumber(centralMeridian(first[0])) : '';
  const zones = [];
  for (let z = ZONES.first; z <= ZONES.last; z++) {
    zones.push(`<option value="${z}" ${z === zone ? 'selected' : ''}>${esc(t('geom.zone_option', { zone: z, cm: z * 3, epsg: gkEpsg(z * 3) }))}</option>`);
  }
  const html = `<fieldset class="geom-edit" id="edit-geometry-section"><legend>${esc(t('geom.title'))}</legend>
    <p class="muted">${esc(t(kind === 'point' ? 'geom.hint_point' : 'geom.hint_polygon'))}</p>
    <textarea id="edit-geometry" rows="5" spellcheck="false" placeholder="${esc(t(kind === 'point' ? 'geom.placeholder_point' : 'geom.placeholder_polygon'))}"></textarea>
    <label class="field geom-zone"><span class="field-label">${esc(t('geom.zone'))}</span>
      <select id="edit-geometry-zone">${zones.join('')}</select></label>
    <button type="button" class="secondary" id="edit-geometry-preview">${esc(t('geom.preview'))}</button>
    <p class="geom-status" id="edit-geometry-status" role="status"></p></fieldset>`;
  let dlg = null;

  function read() {
    const text = dlg.querySelector('#edit-geometry').value;
    if (!text.trim()) return null;
    return parseGeometry(text, { kind, zone: Number(dlg.querySelector('#edit-geometry-zone').value) });
  }

  function show(r) {
    const status = dlg.querySelector('#edit-geometry-status');
    const source = previewSource(m);
    source.clear();
    dlg.classList.remove('geom-previewing');
    status.classList.toggle('error', Boolean(r && r.error));
    if (!r) {
      status.textContent = '';
      return;
    }
    if (r.error) {
      status.textContent = getLang() === 'en' ? r.error.en : r.error.zh;
      return;
    }
    status.textContent = t('geom.read', { n: r.vertices });
    // The dialog covers the map: it fades while the pointer is off it, so the preview can be seen.
    dlg.classList.add('geom-previewing');
    const proj = m.map.getView().getProjection();
    source.addFeature(new GeoJSON().readFeature({ type: 'Feature', geometry: r.geometry, properties: {} }, { dataProjection: 'EPSG:4326', featureProjection: proj }));
    m.map.getView().fit(source.getExtent(), { padding: [80, 80, 80, 80], maxZoom: 17, duration: 300 });
  }

  return {
    html,
    attach(d) {
      dlg = d;
      dlg.querySelector('#edit-geometry-preview').addEventListener('click', () => show(read()));
      dlg.querySelector('#edit-geometry').addEventListener('input', () => dlg.classList.remove('geom-previewing'));
      dlg.addEventListener('close', () => previewSource(m).clear());
    },
    value() {
      const r = read();
      show(r);
      return r;
    },
  };
}
