// The duties panel (履职): a city or county's overdue duties and those falling due within 30 days, as of the
// map's date; a line flies to the feature and opens its card.

import { fetchJson } from '../api.js';
import { dutiesUrl, panelDuties, renderDutiesPanel } from '../ui/duties.js';

const $ = (sel) => document.querySelector(sel);

/** The panel over `cities` (scopes from the county outlines); `openFeature(collection, id)` opens a card. */
export function createDuties({ config, asOf, cities, openFeature }) {
  const state = { scope: cities[0]?.code || '', asOf: '', lines: null, icsUrl: '', loading: false, error: null };
  let seqNo = 0;
  function render() {
    renderDutiesPanel($('#panel-duties'), state, cities, (scope) => load(scope), (key) => {
      const i = key.indexOf('/');
      openFeature(key.slice(0, i), key.slice(i + 1));
    });
  }
  async function load(scope = state.scope) {
    const seq = ++seqNo;
    const day = asOf.datetime ? asOf.datetime.slice(0, 10) : asOf.today;
    Object.assign(state, { scope, asOf: day, loading: true, error: null });
    render();
    try {
      const q = { county_code: scope, as_of: day, status: 'overdue,due' };
      const answer = await fetchJson(dutiesUrl(config.apiBase, q), { config });
      if (seq !== seqNo) return;
      Object.assign(state, { lines: panelDuties(answer, day), icsUrl: dutiesUrl(config.apiBase, { ...q, ics: true }) });
    } catch (e) {
      if (seq !== seqNo) return;
      Object.assign(state, { error: e, lines: null });
    }
    state.loading = false;
    render();
  }
  return { state, load, render };
}
