// Moving a feature's vertices on the map: the card's "在地图上修改" puts the feature's geometry (read with its
// ETag) in an OpenLayers Modify interaction over the map, and a bar over the map saves it with If-Match,
// the properties as they were (forms.js putBody), or cancels. The server checks validity; its refusal is
// shown in the bar in the viewer's language. A 412 (saved by someone else meanwhile) goes to `conflict`, the
// editor's dialog of their version beside this one.

import GeoJSON from 'ol/format/GeoJSON.js';
import MultiPoint from 'ol/geom/MultiPoint.js';
import Modify from 'ol/interaction/Modify.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import { Fill, Stroke, Style, Circle as CircleStyle } from 'ol/style.js';
import { fetchDoc, itemUrl } from '../api.js';
import { esc } from '../format.js';
import { fieldLabel, formFields, putBody } from '../forms.js';
import { getLang, t } from '../i18n.js';
import { loadSchema } from './edit.js';

/** Every vertex of a (multi)polygon or a point, to draw as a handle. */
function vertices(g) {
  const type = g.getType();
  if (type === 'Point') return new MultiPoint([g.getCoordinates()]);
  const polygons = type === 'MultiPolygon' ? g.getCoordinates() : [g.getCoordinates()];
  return new MultiPoint(polygons.flat(2));
}

const style = [
  new Style({ stroke: new Stroke({ color: '#e65100', width: 3 }), fill: new Fill({ color: 'rgba(230, 81, 0, 0.15)' }) }),
  new Style({
    image: new CircleStyle({ radius: 5, fill: new Fill({ color: '#fff' }), stroke: new Stroke({ color: '#e65100', width: 2 }) }),
    geometry: (f) => vertices(f.getGeometry()),
  }),
];

/** `saved(collection, id, message)` after a write (the editor's: toast, refresh, reopen the card);
 * `conflict(collection, id, feature, geometry, again)` on a 412, `again` moving their version instead. */
export function createModifier({ m, config, saved, conflict }) {
  let current = null;

  function stop() {
    if (!current) return;
    m.map.removeInteraction(current.modify);
    m.map.removeLayer(current.layer);
    current.bar.remove();
    current = null;
  }

  async function start(collection, id) {
    stop();
    const [schema, { json: feature, etag }] = await Promise.all([
      loadSchema(config, collection),
      fetchDoc(itemUrl(config.apiBase, collection, id), { config }),
    ]);
    const format = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: m.map.getView().getProjection() });
    const olFeature = format.readFeature({ type: 'Feature', geometry: feature.geometry, properties: {} });
    const source = new VectorSource({ features: [olFeature] });
    const layer = new VectorLayer({ source, style, zIndex: 46, properties: { key: 'modify-geometry' } });
    const modify = new Modify({ source });
    m.map.addLayer(layer);
    m.map.addInteraction(modify);
    m.map.getView().fit(source.getExtent(), { padding: [140, 140, 140, 140], maxZoom: 18 });
    const bar = document.createElement('div');
    bar.id = 'modify-bar';
    bar.className = 'modify-bar';
    bar.innerHTML = `<span>${esc(t('modify.hint', { id }))}</span>
      <button type="button" class="primary" id="modify-save">${esc(t('modify.save'))}</button>
      <button type="button" class="ghost" id="modify-cancel">${esc(t('modify.cancel'))}</button>
      <span class="error" id="modify-error" role="alert" hidden></span>`;
    document.querySelector('.map-wrap').appendChild(bar);
    current = { modify, layer, bar };
    bar.querySelector('#modify-cancel').addEventListener('click', stop);
    bar.querySelector('#modify-save').addEventListener('click', async () => {
      const err = bar.querySelector('#modify-error');
      err.hidden = true;
      const geometry = format.writeGeometryObject(olFeature.getGeometry(), { decimals: 8 });
      const body = { ...putBody(feature, formFields(schema, getLang()), {}), geometry };
      try {
        await fetchDoc(itemUrl(config.apiBase, collection, id), {
          config,
          method: 'PUT',
          body,
          ifMatch: etag,
          labels: (name) => fieldLabel(schema, name, getLang()),
        });
        stop();
        saved(collection, id, t('modify.saved', { id }));
      } catch (e) {
        if (e.status === 412 && conflict) {
          stop();
          await conflict(collection, id, feature, geometry, () => start(collection, id));
          return;
        }
        err.textContent = e.message;
        err.hidden = false;
      }
    });
  }

  return { start, stop };
}
