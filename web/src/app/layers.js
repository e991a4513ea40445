// The layers panel (switches, legend filters and the as-of date), the as-of banner, and the loading
// indicator with its warning when tiles fail.

import { formatDate } from '../format.js';
import { t } from '../i18n.js';
import { cropSampleStatus } from '../palette.js';
import {
  cropSampleStyle,
  farmlandStyle,
  keyUnitStyle,
  parcelMarkStyle,
  parcelStyle,
  pondStyle,
  soilSampleStyle,
  sourceStyle,
} from '../styles.js';
import { renderLayersPanel } from '../ui/legend.js';

const $ = (sel) => document.querySelector(sel);

/** The layers panel over the map `m`; the as-of date it shows and sets is `asOf`'s (asof.js). */
export function createLayersPanel(m, asOf) {
  const { layers } = m;
  const state = {
    visible: {
      farmland: true,
      parcels: true,
      counties: true,
      basemap: true,
      sources: true,
      ponds: true,
      keyunits: true,
      soilsamples: false,
      cropsamples: false,
    },
    hidden: new Set(),
    hasBasemap: layers.basemaps.length > 0,
    get datetime() {
      return asOf.datetime;
    },
    get today() {
      return asOf.today;
    },
  };
  layers.farmland.setStyle((f, r) => (state.hidden.has(`class:${f.get('class')}`) ? undefined : farmlandStyle(f, r)));
  layers.parcels.setStyle((f, r) => (state.hidden.has(`state:${f.get('state')}`) ? undefined : parcelStyle(f, r)));
  layers.marks.setStyle((f, r) => (state.hidden.has(`state:${f.get('state')}`) ? undefined : parcelMarkStyle(f, r)));
  layers.sources.setStyle((f) => (state.hidden.has(`srcstate:${f.get('state')}`) ? undefined : sourceStyle(f)));
  layers.ponds.setStyle((f) => (state.hidden.has(`pondlevel:${f.get('level')}`) ? undefined : pondStyle(f)));
  layers.keyunits.setStyle(keyUnitStyle);
  layers.soilsamples.setStyle((f) => (state.hidden.has(`soilgrade:${f.get('grade')}`) ? undefined : soilSampleStyle(f)));
  layers.cropsamples.setStyle((f) =>
    state.hidden.has(`cropstatus:${cropSampleStatus({ compliant: f.get('compliant'), worst_ratio: f.get('worst_ratio') })}`)
      ? undefined
      : cropSampleStyle(f),
  );
  function applyLayers() {
    layers.farmland.setVisible(state.visible.farmland);
    layers.parcels.setVisible(state.visible.parcels);
    layers.counties.setVisible(state.visible.counties);
    layers.basemaps.forEach((l) => l.setVisible(state.visible.basemap));
    for (const key of ['sources', 'ponds', 'keyunits', 'soilsamples', 'cropsamples']) {
      layers[key].setVisible(state.visible[key]);
      layers[key].changed();
    }
    layers.farmland.changed();
    layers.parcels.changed();
    layers.marks.changed();
  }
  function showAsOf() {
    const el = $('#asof-banner');
    el.hidden = !asOf.datetime;
    if (asOf.datetime) el.textContent = t('layer.as_of_banner', { date: formatDate(asOf.datetime) });
  }
  const render = () => renderLayersPanel($('#panel-layers'), state, applyLayers, (datetime) => asOf.set(datetime));
  return { render, showAsOf };
}

/** Shows #loading while the map loads, and a toast when more tiles have failed than were reported. */
export function watchLoading(m, toast) {
  let loading = 0;
  let reportedFailures = 0;
  m.map.on('loadstart', () => {
    loading += 1;
    $('#loading').hidden = false;
  });
  m.map.on('loadend', () => {
    loading = Math.max(0, loading - 1);
    if (!loading) $('#loading').hidden = true;
    const failed = Object.values(m.stats).reduce((n, s) => n + s.failed, 0);
    if (failed > reportedFailures) {
      reportedFailures = failed;
      toast(t('app.tiles_failed', { n: failed }), 'error');
    }
  });
}
