// The plan panel (规划): each target of a city's yearly plan with its status (GET /targets), the
// safe-utilisation rate month by month against the plan's figure (GET /indicators/series) drawn as SVG
// here (no charting library, nothing fetched at runtime), and links to the annual report (GET /reports/annual,
// HTML, PDF and XLSX).
// Pure functions of the answers, so node's test runner checks them.

import { esc, formatPercent } from '../format.js';
import { t } from '../i18n.js';

/** A target's status: its colour (the report's) and its i18n key; the names are in i18n.js. */
export const TARGET_STATUS = {
  met: { colour: '#1a7f37' },
  not_met: { colour: '#c62828' },
  in_progress: { colour: '#ef6c00' },
  not_computable: { colour: '#757575' },
};

export const TARGET_STATUS_ORDER = ['met', 'not_met', 'in_progress', 'not_computable'];

function base(apiBase) {
  return String(apiBase || '').replace(/\/+$/, '');
}

/**
 * The plan's requests for a city (4 digits) and year: targets as of the year's end, the series by month up
 * to it; for the year in progress, up to `today` (YYYY-MM-DD), as the report does.
 */
export function planUrls(apiBase, city, year, today = '') {
  if (!/^\d{4}$/.test(String(city))) throw new Error(`not a city (4 digits) code: ${city}`);
  if (!/^\d{4}$/.test(String(year))) throw new Error(`not a year: ${year}`);
  const b = base(apiBase);
  const yearEnd = `${year}-12-31`;
  const end = /^\d{4}-\d{2}-\d{2}$/.test(today) && today < yearEnd ? today : yearEnd;
  const report = `${b}/reports/annual?city=${city}&year=${year}`;
  return {
    targets: `${b}/targets?city=${city}&year=${year}&as_of=${end}`,
    series: `${b}/indicators/series?county_code=${city}&from=${year}-01-01&to=${end}&step=month`,
    reportHtml: report,
    reportPdf: `${report}&f=pdf`,
    reportXlsx: `${report}&f=xlsx`,
  };
}

/** The years a plan panel offers: from the first plan year (2023) to this one, latest first. */
export function planYears(today, first = 2023) {
  const last = Number(String(today || '').slice(0, 4)) || first;
  const out = [];
  for (let y = last; y >= first; y -= 1) out.push(y);
  return out;
}

/** The series' points as [{label, as_of, rate}] with the plan's figure (the last point's target). */
export function ratePoints(series) {
  const points = (series && series.points) || [];
  const out = points.map((p) => ({
    label: p.label_zh,
    label_en: p.label_en,
    as_of: p.as_of,
    rate: p.indicators?.safe_utilisation?.rate_percent ?? null,
  }));
  const last = points[points.length - 1];
  const target = last?.indicators?.safe_utilisation?.target_percent ?? null;
  return { points: out, target };
}

const num = (x) => Number(x.toFixed(1));

/**
 * A line chart of the rate against the target: an SVG string. Points without a rate (no polluted farmland
 * on that date) leave a gap and no dot. The y axis runs from a little under the lowest value to 100.
 */
export function rateChartSvg(points, target, { width = 300, height = 150 } = {}) {
  const [left, right, top, bottom] = [30, 8, 8, 20];
  const pw = width - left - right;
  const ph = height - top - bottom;
  const values = points.map((p) => p.rate).filter((v) => v !== null && v !== undefined);
  if (target !== null && target !== undefined) values.push(target);
  const lo = values.length ? Math.max(0, Math.floor(Math.min(...values, 100)) - 1) : 0;
  const y = (v) => num(top + ph - ((v - lo) / Math.max(1, 100 - lo)) * ph);
  const n = Math.max(1, points.length);
  const x = (i) => num(left + (pw * (i + 0.5)) / n);
  const parts = [
    `<svg class="plan-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(t('plan.chart'))}">`,
    `<rect x="${left}" y="${top}" width="${pw}" height="${ph}" fill="#fafafa" stroke="#bbb"/>`,
  ];
  for (const v of [lo, 100]) {
    parts.push(`<text x="${left - 3}" y="${y(v) + 3}" font-size="9" text-anchor="end">${v}</text>`);
  }
  if (target !== null && target !== undefined) {
    parts.push(
      `<line class="plan-target" x1="${left}" x2="${left + pw}" y1="${y(target)}" y2="${y(target)}" stroke="#c62828" stroke-dasharray="4 3"/>`,
      `<text x="${left + 3}" y="${y(target) - 3}" font-size="9" fill="#c62828">${esc(t('plan.target_line', { target: formatPercent(target) }))}</text>`,
    );
  }
  // one polyline a run of points with a rate
  let run = [];
  const runs = [];
  points.forEach((p, i) => {
    if (p.rate === null || p.rate === undefined) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push(`${x(i)},${y(p.rate)}`);
  });
  if (run.length) runs.push(run);
  for (const r of runs) parts.push(`<polyline class="plan-line" points="${r.join(' ')}" fill="none" stroke="#1565c0" stroke-width="2"/>`);
  points.forEach((p, i) => {
    const month = String(p.as_of || '').slice(5, 7);
    if (points.length <= 12 || i % 3 === 2) {
      parts.push(`<text x="${x(i)}" y="${height - 6}" font-size="9" text-anchor="middle">${esc(month ? String(Number(month)) : '')}</text>`);
    }
    if (p.rate !== null && p.rate !== undefined) {
      parts.push(
        `<circle class="plan-dot" cx="${x(i)}" cy="${y(p.rate)}" r="2.5" fill="#1565c0"><title>${esc(p.as_of)}: ${esc(formatPercent(p.rate))}</title></circle>`,
      );
    }
  });
  parts.push('</svg>');
  return parts.join('');
}

function value(target) {
  if (target.value === null || target.value === undefined) return '–';
  return target.unit === 'count' ? String(target.value) : formatPercent(target.value);
}

function threshold(target) {
  const c = target.comparison || {};
  if (c.kind === 'at_least') return target.unit === 'count' ? `≥ ${c.threshold}` : `≥ ${formatPercent(c.threshold)}`;
  if (c.kind === 'effectively_guaranteed') return t('plan.effectively_guaranteed');
  return c.words || '';
}

/** A status badge: its colour and its name in the current language. */
export function statusBadge(status) {
  const s = TARGET_STATUS[status] ? status : 'not_computable';
  return `<span class="badge plan-status" data-status="${s}" style="background:${TARGET_STATUS[s].colour};color:#fff">${esc(t(`plan.status.${s}`))}</span>`;
}

/** The body of the panel for the answers of GET /targets and GET /indicators/series. */
export function planHtml(targets, series, urls) {
  const list = (targets && targets.targets) || [];
  const summary = (targets && targets.summary) || {};
  const counts = TARGET_STATUS_ORDER.filter((s) => summary[s])
    .map((s) => `${statusBadge(s)} ${summary[s]}`)
    .join(' ');
  const rows = list
    .map(
      (x) => `<li class="plan-target-row" data-id="${esc(x.id)}" data-status="${esc(x.status)}">
        <div class="plan-target-head">${statusBadge(x.status)} <span class="plan-title">${esc(x.title_zh || x.id)}</span></div>
        <div class="muted">${esc(t('plan.value', { value: value(x), threshold: threshold(x) }))}</div>
        ${x.missing_zh ? `<div class="muted small">${esc(t('plan.missing', { what: x.missing_zh }))}</div>` : ''}
      </li>`,
    )
    .join('');
  const { points, target } = ratePoints(series);
  const chart = points.length ? rateChartSvg(points, target) : `<p class="muted">${esc(t('plan.no_series'))}</p>`;
  const plan = list[0]?.plan;
  // the chart and the report first: the list of targets can be long
  return `
    ${plan ? `<p class="plan-doc">${esc(plan.title_zh)}${plan.doc_no ? `（${esc(plan.doc_no)}）` : ''}</p>` : ''}
    <div class="kpi small"><div class="kpi-label">${esc(t('plan.chart'))}</div>${chart}</div>
    <p class="plan-report">
      <a class="button" id="plan-report-html" href="${esc(urls.reportHtml)}" target="_blank" rel="noopener">${esc(t('plan.report_html'))}</a>
      <a class="button" id="plan-report-pdf" href="${esc(urls.reportPdf)}" target="_blank" rel="noopener">${esc(t('plan.report_pdf'))}</a>
      <a class="button" id="plan-report-xlsx" href="${esc(urls.reportXlsx)}" download>${esc(t('plan.report_xlsx'))}</a>
    </p>
    ${list.length ? `<p class="plan-summary">${counts}</p><ul class="plan-targets">${rows}</ul>` : `<p class="muted" id="plan-none">${esc(t('plan.none'))}</p>`}`;
}

/** The panel: a city and a year, and the answer (or loading / error). */
export function renderPlanPanel(el, state, cities, years, onCity, onYear) {
  let body;
  if (state.error) body = `<p class="error">${esc(t('app.error', { detail: state.error.message }))}</p>`;
  else if (state.loading && !state.targets) body = `<p class="muted">${esc(t('app.loading'))}</p>`;
  else if (state.targets) body = planHtml(state.targets, state.series, state.urls);
  else body = '';
  const opt = (v, text, sel) => `<option value="${esc(v)}" ${String(v) === String(sel) ? 'selected' : ''}>${esc(text)}</option>`;
  el.innerHTML = `
    <h3>${esc(t('panel.plan'))}</h3>
    <label class="field">
      <span class="field-label">${esc(t('plan.city'))}</span>
      <select id="plan-city">${cities.map((c) => opt(c.code, `${c.name}（${c.code}）`, state.city)).join('')}</select>
    </label>
    <label class="field">
      <span class="field-label">${esc(t('plan.year'))}</span>
      <select id="plan-year">${years.map((y) => opt(y, String(y), state.year)).join('')}</select>
    </label>
    <div id="plan-body" class="plan-body ${state.loading ? 'loading' : ''}" data-city="${esc(state.targets ? state.city : '')}" data-year="${esc(state.targets ? state.year : '')}">${body}</div>`;
  el.querySelector('#plan-city').addEventListener('change', (ev) => onCity(ev.target.value));
  el.querySelector('#plan-year').addEventListener('change', (ev) => onYear(Number(ev.target.value)));
}
