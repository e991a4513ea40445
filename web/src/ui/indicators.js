// The indicators panel: safe-utilisation rate of polluted farmland against its target, priority parcels
// under control, RCR-listed parcels by state and farmland by class, for a county, a city or everything.

import { FARMLAND_CLASS_ORDER, FARMLAND_CLASSES, PARCEL_STATE_COLOURS, RCR_STATES } from '../palette.js';
import { esc, formatAreaMu, formatDate, formatNumber, formatPercent } from '../format.js';
import { label, t } from '../i18n.js';

/** Cities and their counties from the county outlines: [{code, name, counties: [{code, name}]}]. */
export function scopesFromCounties(counties) {
  const cities = new Map();
  for (const f of counties.features || []) {
    const p = f.properties || {};
    const code = String(p.county_code || '');
    if (!/^\d{6}$/.test(code)) continue;
    const cityCode = code.slice(0, 4);
    if (!cities.has(cityCode)) cities.set(cityCode, { code: cityCode, name: p.city || cityCode, counties: [] });
    cities.get(cityCode).counties.push({ code, name: p.name || code });
  }
  const list = [...cities.values()].sort((a, b) => a.code.localeCompare(b.code));
  for (const c of list) c.counties.sort((a, b) => a.code.localeCompare(b.code));
  return list;
}

export function renderScopeOptions(cities, selected) {
  const opt = (code, text) => `<option value="${esc(code)}" ${code === selected ? 'selected' : ''}>${esc(text)}</option>`;
  return (
    opt('', t('ind.all')) +
    cities
      .map(
        (c) => `<optgroup label="${esc(c.name)}">${opt(c.code, `${c.name}（${c.code}）`)}${c.counties
          .map((k) => opt(k.code, `${k.name}（${k.code}）`))
          .join('')}</optgroup>`,
      )
      .join('')
  );
}

function bar(pct, colour, target) {
  const w = Math.max(0, Math.min(100, Number(pct) || 0));
  const mark = target !== null && target !== undefined ? `<span class="bar-target" style="left:${Math.min(100, target)}%"></span>` : '';
  return `<div class="bar"><span class="bar-fill" style="width:${w}%;background:${colour}"></span>${mark}</div>`;
}

/** The body of the panel for one answer of GET /indicators. */
export function indicatorsHtml(ind) {
  const su = ind.safe_utilisation || {};
  const rate = su.rate_percent;
  const meets = su.meets_target;
  const target = su.target_percent;
  const status =
    rate === null || rate === undefined
      ? `<span class="badge neutral">${esc(t('ind.no_polluted'))}</span>`
      : meets === true
        ? `<span class="badge ok" id="ind-meets" data-meets="true">${esc(t('ind.meets'))}</span>`
        : meets === false
          ? `<span class="badge bad" id="ind-meets" data-meets="false">${esc(t('ind.misses'))}</span>`
          : `<span class="badge neutral">${esc(t('ind.no_target'))}</span>`;
  const rateColour = meets === false ? '#c62828' : '#2e7d32';

  const pp = ind.priority_parcels || {};
  const ppHtml =
    pp.total > 0
      ? `<div class="kpi small">
          <div class="kpi-label">${esc(t('ind.priority'))}</div>
          <div class="kpi-row"><span class="kpi-value">${esc(formatPercent(pp.share_percent, 1))}</span>
          ${pp.target_percent !== null && pp.target_percent !== undefined ? `<span class="muted">${esc(t('ind.target', { target: formatPercent(pp.target_percent, 1) }))}</span>` : ''}
          ${pp.meets_target === true ? `<span class="badge ok">${esc(t('ind.meets'))}</span>` : pp.meets_target === false ? `<span class="badge bad">${esc(t('ind.misses'))}</span>` : ''}</div>
          ${bar(pp.share_percent, '#1565c0', pp.target_percent)}
          <div class="muted">${esc(t('ind.priority_detail', { done: pp.under_control, total: pp.total }))}</div>
        </div>`
      : '';

  const rcr = ind.rcr_listed_by_state || {};
  const rcrMax = Math.max(1, ...RCR_STATES.map((s) => rcr[s] || 0));
  const rcrHtml = `<div class="kpi small">
      <div class="kpi-label">${esc(t('ind.rcr'))} <span class="muted">${esc(t('ind.rcr_total', { n: rcr.total || 0 }))}</span></div>
      <table class="mini-bars">${RCR_STATES.map(
        (s) => `<tr><th>${esc(label('state', s))}</th><td>${bar(((rcr[s] || 0) / rcrMax) * 100, PARCEL_STATE_COLOURS[s])}</td><td class="num">${rcr[s] || 0}</td></tr>`,
      ).join('')}</table>
    </div>`;

  const fc = ind.farmland_by_class || {};
  const total = (fc.total && fc.total.area_m2) || 0;
  const fcHtml = total
    ? `<div class="kpi small">
        <div class="kpi-label">${esc(t('ind.farmland'))} <span class="muted">${esc(formatAreaMu(total))}</span></div>
        <div class="stack">${FARMLAND_CLASS_ORDER.map((c) => {
          const a = (fc[c] && fc[c].area_m2) || 0;
          return `<span style="width:${(a / total) * 100}%;background:${FARMLAND_CLASSES[c].fill}" title="${esc(label('class', c))}"></span>`;
        }).join('')}</div>
        <table class="mini-table">${FARMLAND_CLASS_ORDER.map((c) => {
          const x = fc[c] || {};
          return `<tr><th><i class="dot" style="background:${FARMLAND_CLASSES[c].fill}"></i>${esc(label('class', c))}</th>
            <td class="num">${esc(formatNumber(x.area_mu, 0))} ${esc(t('units.mu'))}</td><td class="num muted">${esc(t('ind.units', { n: x.units || 0 }))}</td></tr>`;
        }).join('')}</table>
      </div>`
    : '';

  return `
    <div class="kpi">
      <div class="kpi-label">${esc(t('ind.safe_rate'))}</div>
      <div class="kpi-row">
        <span class="kpi-value big" id="ind-rate" style="color:${rateColour}">${esc(rate === null || rate === undefined ? '–' : formatPercent(rate))}</span>
        ${status}
      </div>
      ${bar(rate, rateColour, target)}
      <div class="muted" id="ind-target">${esc(target !== null && target !== undefined ? t('ind.target', { target: formatPercent(target) }) : t('ind.no_target'))}</div>
      <div class="muted">${esc(t('ind.polluted_area', { area: formatAreaMu(su.polluted_m2), safe: formatAreaMu(su.safely_used_m2) }))}</div>
      ${su.source && su.source !== 'none' ? `<div class="muted" id="ind-source" data-source="${esc(su.source)}">${esc(t(`ind.source.${su.source}`, { ledger: su.units_from_ledger ?? 0, flag: su.units_from_flag ?? 0 }))}</div>` : ''}
    </div>
    ${ppHtml}
    ${rcrHtml}
    ${fcHtml}
    <p class="muted as-of">${esc(t('ind.as_of', { date: formatDate(ind.as_of) }))}</p>`;
}

/** The panel: a scope select and the answer (or loading / error). */
export function renderIndicatorsPanel(el, state, cities, onScope, onAsOf = () => {}) {
  let body;
  if (state.error) body = `<p class="error">${esc(t('app.error', { detail: state.error.message }))}</p>`;
  else if (state.loading && !state.data) body = `<p class="muted">${esc(t('app.loading'))}</p>`;
  else if (state.data) body = indicatorsHtml(state.data);
  else body = '';
  el.innerHTML = `
    <h3>${esc(t('panel.indicators'))}</h3>
    <label class="field">
      <span class="field-label">${esc(t('ind.scope'))}</span>
      <select id="ind-scope">${renderScopeOptions(cities, state.scope)}</select>
    </label>
    <label class="field">
      <span class="field-label">${esc(t('ind.as_of_label'))}</span>
      <input type="date" id="ind-asof" value="${esc(state.as_of || '')}" max="${esc(state.today || '')}">
    </label>
    <div id="ind-body" class="ind-body ${state.loading ? 'loading' : ''}" data-scope="${esc(state.data ? state.data.scope?.code ?? '' : '')}">${body}</div>`;
  el.querySelector('#ind-scope').addEventListener('change', (ev) => onScope(ev.target.value));
  el.querySelector('#ind-asof').addEventListener('change', (ev) => onAsOf(ev.target.value || ''));
}
