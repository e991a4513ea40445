// Source control (源头防控) on the map: the card of a source, pond or key unit's site (its properties, its
// duty records and its duties as of the map's date, and the "record" form), and the duties panel (what is
// overdue and what falls due within 30 days in a city or county). GET/POST .../records and GET /duties
// are described in docs/api.md. Pure functions of the answers, so node's test runner checks them.

import { esc, formatBool, formatDate } from '../format.js';
import { t } from '../i18n.js';

function base(apiBase) {
  return String(apiBase || '').replace(/\/+$/, '');
}

/** The record kinds of each register, in the order staff do them, with their Chinese names (the server's). */
export const RECORD_KINDS = {
  key_supervised_units: [
    ['hazard_check', '土壤污染隐患排查'],
    ['self_monitoring_surface_soil', '自行监测（表层土壤）'],
    ['self_monitoring_deep_soil', '自行监测（深层土壤）'],
    ['self_monitoring_groundwater', '自行监测（地下水）'],
    ['emissions_report', '有毒有害物质排放情况年度报告'],
    ['demolition_plan_filed', '拆除活动土壤污染防治工作方案备案'],
    ['surrounding_monitoring', '周边环境监测'],
    ['survey_report', '土壤污染状况调查报告'],
  ],
  tailings_ponds: [['inspection', '环境监管检查']],
  pollution_sources: [
    ['plan_approved', '整治方案批复'],
    ['rectified', '整治完成'],
    ['closed_out', '销号'],
    ['follow_up_check', '销号回头看'],
  ],
  // a county's own record (its quarterly report to the city bureau): POST /counties/{county_code}/records
  counties: [['quarterly_report', '季度工作进展报告']],
};

/** The subject of a county's duties and records: its lines in the panel are `counties/{county_code}`. */
export const COUNTY_SUBJECT = 'counties';

export function countyRecordsUrl(apiBase, countyCode) {
  return `${base(apiBase)}/counties/${encodeURIComponent(String(countyCode))}/records`;
}

/** A county duty of GET /duties (`county_duties`) as a line of the panel or the card, like a feature's duty. */
export function countyLine(c) {
  return { ...c, collection: COUNTY_SUBJECT, id: c.county_code };
}

/** The property that identifies a feature of each register. */
export const ID_PROPERTY = {
  key_supervised_units: 'enterprise_code',
  pollution_sources: 'source_code',
  tailings_ponds: 'pond_code',
};

export const isSourceCollection = (c) => Object.prototype.hasOwnProperty.call(ID_PROPERTY, c);

export function recordsUrl(apiBase, collection, id) {
  return `${base(apiBase)}/collections/${encodeURIComponent(collection)}/items/${encodeURIComponent(String(id))}/records`;
}

/** GET /duties (or /duties.ics with `ics`) for a scope (4 or 6 digits, or all) as of a day. */
export function dutiesUrl(apiBase, { county_code, as_of, collection, status, ics = false } = {}) {
  const q = new URLSearchParams();
  if (county_code) q.set('county_code', String(county_code));
  if (as_of) q.set('as_of', String(as_of));
  if (collection) q.set('collection', String(collection));
  if (status) q.set('status', String(status));
  const qs = q.toString();
  return `${base(apiBase)}/duties${ics ? '.ics' : ''}${qs ? `?${qs}` : ''}`;
}

/** The body of POST .../records from the form's values; throws an Error with a message key when incomplete. */
export function buildRecordBody(collection, { kind, date, document, result, note } = {}) {
  const kinds = (RECORD_KINDS[collection] || []).map(([k]) => k);
  if (!kinds.includes(kind)) throw Object.assign(new Error('duty.need_kind'), { key: 'duty.need_kind' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(date || ''))) throw Object.assign(new Error('duty.need_date'), { key: 'duty.need_date' });
  const body = { kind, date };
  for (const [k, v] of Object.entries({ document, result, note })) {
    const s = String(v ?? '').trim();
    if (s) body[k] = s;
  }
  return body;
}

/** The day `days` after a YYYY-MM-DD day. */
export function addDays(day, days) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/**
 * The panel's lines from GET /duties (the features' duties and the counties' own): the overdue ones, then
 * those due by `asOf` + `days` (a due duty with no due_by, such as a stopped unit's survey, is due now), each
 * group by due_by.
 */
export function panelDuties(answer, asOf, days = 30) {
  // a county's own duty (its quarterly report) is listed among the features' duties
  const list = [...((answer && answer.duties) || []), ...((answer && answer.county_duties) || []).map(countyLine)];
  const until = addDays(asOf, days);
  const byDue = (a, b) => String(a.due_by || '').localeCompare(String(b.due_by || ''));
  const overdue = list.filter((d) => d.status === 'overdue').sort(byDue);
  const due = list.filter((d) => d.status === 'due' && (!d.due_by || d.due_by <= until)).sort(byDue);
  return { overdue, due, until };
}

const STATUS_COLOUR = { overdue: '#c62828', due: '#ef6c00', done: '#1a7f37', not_yet: '#757575' };

export function dutyStatusBadge(status) {
  const colour = STATUS_COLOUR[status] || '#757575';
  return `<span class="badge duty-status" data-status="${esc(status)}" style="background:${colour};color:#fff">${esc(t(`duty.status.${status}`))}</span>`;
}

function dutyLine(d, withName) {
  const key = `${d.collection}/${d.id}`;
  return `<li class="duty-line" data-feature="${esc(key)}" data-duty="${esc(d.duty)}" data-status="${esc(d.status)}">
    <div>${dutyStatusBadge(d.status)} ${withName ? `<strong class="duty-name">${esc(d.name || d.id)}</strong> ` : ''}<span class="duty-what">${esc(d.name_zh || d.duty)}</span></div>
    <div class="muted small">${esc(t('duty.due_by', { date: d.due_by ? formatDate(d.due_by) : '–' }))}${d.last_done ? ` · ${esc(t('duty.last_done', { date: formatDate(d.last_done) }))}` : ''}</div>
    ${d.basis ? `<div class="muted small duty-basis">${esc(d.basis)}</div>` : ''}
  </li>`;
}

/** The panel's body for the lines of panelDuties and the calendar link. */
export function dutiesPanelHtml(lines, icsUrl) {
  const group = (id, title, list) =>
    `<h4>${esc(title)} (${list.length})</h4>${
      list.length ? `<ul class="duty-list" id="${id}">${list.map((d) => dutyLine(d, true)).join('')}</ul>` : `<p class="muted" id="${id}-none">${esc(t('duty.none'))}</p>`
    }`;
  return `<p><a class="button" id="duties-ics" href="${esc(icsUrl)}" download>${esc(t('duty.ics'))}</a></p>
    ${group('duties-overdue', t('duty.overdue'), lines.overdue)}
    ${group('duties-due', t('duty.due_soon', { date: formatDate(lines.until) }), lines.due)}`;
}

/** The duties panel: a scope (city or county) and the answer (or loading / error); `onLine(key)` opens a feature. */
export function renderDutiesPanel(el, state, cities, onScope, onLine) {
  let body;
  if (state.error) body = `<p class="error">${esc(t('app.error', { detail: state.error.message }))}</p>`;
  else if (state.loading && !state.lines) body = `<p class="muted">${esc(t('app.loading'))}</p>`;
  else if (state.lines) body = dutiesPanelHtml(state.lines, state.icsUrl);
  else body = '';
  const opt = (v, text) => `<option value="${esc(v)}" ${v === state.scope ? 'selected' : ''}>${esc(text)}</option>`;
  const options = cities
    .map((c) => opt(c.code, `${c.name}（${c.code}）`) + c.counties.map((k) => opt(k.code, `　${k.name}（${k.code}）`)).join(''))
    .join('');
  el.innerHTML = `
    <h3>${esc(t('panel.duties'))}</h3>
    <label class="field">
      <span class="field-label">${esc(t('duty.scope'))}</span>
      <select id="duties-scope">${options}</select>
    </label>
    <p class="muted small">${esc(t('duty.as_of', { date: formatDate(state.asOf || '') }))}</p>
    <div id="duties-body" class="${state.loading ? 'loading' : ''}" data-scope="${esc(state.lines ? state.scope : '')}">${body}</div>`;
  el.querySelector('#duties-scope').addEventListener('change', (ev) => onScope(ev.target.value));
  el.querySelectorAll('.duty-line').forEach((li) => li.addEventListener('click', () => onLine(li.dataset.feature)));
}

function propValue(v) {
  if (v === null || v === undefined || v === '') return '–';
  if (Array.isArray(v)) return v.join('、') || '–';
  if (typeof v === 'boolean') return formatBool(v);
  return String(v);
}

/**
 * [label, text] rows of a source feature's properties, in the schema's order (x-ogc-propertySeq, else its
 * properties' order), named by `fieldLabel(name)`.
 */
export function sourceRows(schema, p, fieldLabel) {
  const props = (schema && schema.properties) || {};
  const names = Object.keys(props)
    .filter((n) => n !== 'geometry' && Object.prototype.hasOwnProperty.call(p, n))
    .sort((a, b) => (props[a]['x-ogc-propertySeq'] ?? 1e9) - (props[b]['x-ogc-propertySeq'] ?? 1e9));
  if (!names.length) return Object.keys(p).filter((n) => n !== 'geometry').map((n) => [n, propValue(p[n])]);
  // code lists show their Chinese names (the schema's x-names)
  return names.map((n) => {
    const zh = props[n]['x-names'];
    const v = p[n];
    return [fieldLabel(n), zh && typeof v !== 'object' && zh[v] ? zh[v] : propValue(v)];
  });
}

function recordsHtml(records) {
  if (records === 'loading' || records === undefined) return `<p class="muted">${esc(t('app.loading'))}</p>`;
  if (records instanceof Error) return `<p class="error">${esc(t('app.error', { detail: records.message }))}</p>`;
  if (!records.length) return `<p class="muted" id="records-empty">${esc(t('duty.no_records'))}</p>`;
  return `<ol class="timeline" id="card-records">${records
    .map(
      (r) => `<li class="tl-item" data-kind="${esc(r.kind)}">
      <div class="tl-date">${esc(formatDate(r.date))}</div>
      <div class="tl-body">
        <div class="tl-head"><span class="tl-change">${esc(r.kind_zh || r.kind)}</span>${r.result ? ` · ${esc(r.result)}` : ''}</div>
        ${r.document ? `<div class="tl-doc">${esc(t('history.document', { doc: r.document }))}</div>` : ''}
        ${r.note ? `<div class="tl-note">${esc(r.note)}</div>` : ''}
        <div class="tl-meta">${esc(r.recorded_by || '–')}</div>
      </div></li>`,
    )
    .join('')}</ol>`;
}

function cardDutiesHtml(duties) {
  if (duties === 'loading' || duties === undefined) return `<p class="muted">${esc(t('app.loading'))}</p>`;
  if (duties instanceof Error) return `<p class="error">${esc(t('app.error', { detail: duties.message }))}</p>`;
  if (!duties.length) return `<p class="muted" id="card-duties-none">${esc(t('duty.none'))}</p>`;
  return `<ul class="duty-list" id="card-duties">${duties.map((d) => dutyLine(d, false)).join('')}</ul>`;
}

/** The "record" form of a register: kind (its kinds, in Chinese), date, document, result, note. */
export function recordFormHtml(collection, form) {
  const v = form.values || {};
  const options = (RECORD_KINDS[collection] || [])
    .map(([k, zh]) => `<option value="${k}"${v.kind === k ? ' selected' : ''}>${esc(zh)}</option>`)
    .join('');
  const field = (id, text, input) => `<label class="ledger-field" for="${id}"><span>${esc(text)}</span>${input}</label>`;
  const text = (name) => `<input id="record-${name}" name="${name}" type="text" value="${esc(v[name] ?? '')}">`;
  return `<form id="record-form" class="ledger-form" novalidate>
      <div class="ledger-form-title">${esc(t('duty.record'))}</div>
      ${field('record-kind', t('duty.kind'), `<select id="record-kind" name="kind">${options}</select>`)}
      ${field('record-date', t('duty.date'), `<input id="record-date" name="date" type="date" value="${esc(v.date ?? '')}">`)}
      ${field('record-document', t('duty.document'), text('document'))}
      ${field('record-result', t('duty.result'), text('result'))}
      ${field('record-note', t('duty.note'), text('note'))}
      ${form.error ? `<p class="error" id="record-error" role="alert">${esc(form.error)}</p>` : ''}
      <button type="submit" id="record-save"${form.saving ? ' disabled' : ''}>${esc(t(form.saving ? 'duty.saving' : 'duty.save'))}</button>
    </form>`;
}

/**
 * The card of a county's own duty (its quarterly report to the city bureau). `data` = { id (county code),
 * name, records, duties, recordForm, asOf }; `actions` = { close, record(values) (people who may write) }.
 */
export function renderCountyCard(el, data, actions) {
  el.innerHTML = `
    <div class="card-head">
      <div>
        <div class="card-kind">${esc(t('duty.register.counties'))}</div>
        <h2 class="card-title">${esc(data.name || data.id)}</h2>
      </div>
      <button type="button" class="icon-button" data-action="close" title="${esc(t('card.close'))}" aria-label="${esc(t('card.close'))}">×</button>
    </div>
    <dl class="props"><dt>${esc(t('duty.county_code'))}</dt><dd>${esc(data.id)}</dd></dl>
    <h3>${esc(t('duty.duties', { date: formatDate(data.asOf || '') }))}</h3>
    ${cardDutiesHtml(data.duties)}
    <h3>${esc(t('duty.records'))}</h3>
    <div class="ledger">${recordsHtml(data.records)}${actions.record ? recordFormHtml(COUNTY_SUBJECT, data.recordForm || {}) : ''}</div>`;
  bindCard(el, actions);
}

/** A card's buttons call their `actions`, and its record form (when shown) sends its values to `actions.record`. */
function bindCard(el, actions) {
  el.querySelectorAll('[data-action]').forEach((b) => b.addEventListener('click', () => actions[b.dataset.action]?.()));
  const form = el.querySelector('#record-form');
  if (form) {
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      actions.record(Object.fromEntries(new FormData(form)));
    });
  }
}

/**
 * The card of a source feature. `data` = { collection, id, properties, records, duties, recordForm, asOf };
 * `rows` from sourceRows; `actions` = { close, zoom, record(values) (people who may write) }.
 */
export function renderSourceCard(el, data, rows, actions) {
  const p = data.properties || {};
  el.innerHTML = `
    <div class="card-head">
      <div>
        <div class="card-kind">${esc(t(`duty.register.${data.collection}`))}</div>
        <h2 class="card-title">${esc(p.name || data.id)}</h2>
      </div>
      <button type="button" class="icon-button" data-action="close" title="${esc(t('card.close'))}" aria-label="${esc(t('card.close'))}">×</button>
    </div>
    <dl class="props">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>
    <div class="card-actions"><button type="button" class="secondary" data-action="zoom">${esc(t('card.zoom'))}</button></div>
    <h3>${esc(t('duty.duties', { date: formatDate(data.asOf || '') }))}</h3>
    ${cardDutiesHtml(data.duties)}
    <h3>${esc(t('duty.records'))}</h3>
    <div class="ledger">${recordsHtml(data.records)}${actions.record ? recordFormHtml(data.collection, data.recordForm || {}) : ''}</div>`;
  bindCard(el, actions);
}
