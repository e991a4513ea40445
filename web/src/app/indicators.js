// The indicators panel: a city or county scope (the map zooms to it) and an as-of date of its own.

import { fetchJson, indicatorsUrl } from '../api.js';
import { renderIndicatorsPanel } from '../ui/indicators.js';

const $ = (sel) => document.querySelector(sel);

/** The indicators of `cities` (scopes from the county outlines) over the map `m`. */
export function createIndicators({ m, config, asOf, cities }) {
  const state = { scope: '', as_of: '', today: asOf.today, data: null, loading: false, error: null };
  let seqNo = 0;
  function render() {
    renderIndicatorsPanel(
      $('#panel-indicators'),
      state,
      cities,
      (scope) => {
        load(scope);
        zoomToScope(scope);
      },
      (day) => {
        state.as_of = day;
        load(state.scope);
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
  async function load(scope) {
    const seq = ++seqNo;
    state.scope = scope;
    state.loading = true;
    state.error = null;
    render();
    try {
      const data = await fetchJson(indicatorsUrl(config.apiBase, { county_code: scope, as_of: state.as_of }), { config });
      if (seq !== seqNo) return;
      state.data = data;
    } catch (e) {
      if (seq !== seqNo) return;
      state.error = e;
      state.data = null;
    }
    state.loading = false;
    render();
  }
  return { state, load, render };
}
