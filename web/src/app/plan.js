// The plan panel: a city and a year; its targets and the rate's series are fetched together.

import { fetchJson } from '../api.js';
import { planUrls, planYears, renderPlanPanel } from '../ui/plan.js';

const $ = (sel) => document.querySelector(sel);

/** The plan of `cities` (scopes from the county outlines); the year defaults to the last complete one. */
export function createPlan({ config, asOf, cities }) {
  const years = planYears(asOf.today);
  const state = {
    city: cities[0]?.code || '',
    year: years[1] ?? years[0],
    targets: null,
    series: null,
    urls: null,
    loading: false,
    error: null,
  };
  let seqNo = 0;
  function render() {
    renderPlanPanel(
      $('#panel-plan'),
      state,
      cities,
      years,
      (city) => load(city, state.year),
      (year) => load(state.city, year),
    );
  }
  async function load(city = state.city, year = state.year) {
    const seq = ++seqNo;
    Object.assign(state, { city, year, loading: true, error: null });
    render();
    try {
      const urls = planUrls(config.apiBase, city, year, asOf.today);
      const [targets, series] = await Promise.all([fetchJson(urls.targets, { config }), fetchJson(urls.series, { config })]);
      if (seq !== seqNo) return;
      Object.assign(state, { targets, series, urls });
    } catch (e) {
      if (seq !== seqNo) return;
      Object.assign(state, { error: e, targets: null, series: null });
    }
    state.loading = false;
    render();
  }
  return { state, load, render };
}
