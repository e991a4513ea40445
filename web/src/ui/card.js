// The feature card: properties, area in m² and 亩, and the history of the feature.

import { FARMLAND_CLASSES, MARKS, PARCEL_STATE_COLOURS, isRcrListed } from '../palette.js';
import { esc, formatArea, formatBool, formatDate, formatTimestamp } from '../format.js';
import { label, t } from '../i18n.js';
import { USES } from '../landuse.js';
import { versionChanges } from '../forms.js';
import { MEASURE_KINDS } from '../api.js';
import { traceHtml } from './trace.js';

export function chip(text, colour, cls = '') {
  return `<span class="chip ${cls}" style="--chip:${colour}">${esc(text)}</span>`;
}

export function classChip(cls) {
  const c = FARMLAND_CLASSES[cls];
  return chip(label('class', cls), c ? c.fill : '#9e9e9e', 'chip-class');
}

export function stateChip(state) {
  return chip(label('state', state), PARCEL_STATE_COLOURS[state] || '#616161', 'chip-state');
}

function useText(code, system) {
  if (!code) return t('card.none');
  const u = (!system || system === 'ydyh2023') && USES.find((x) => x.code === code);
  return `${code}${u ? ` ${u.zh}` : ''}${system && system !== 'ydyh2023' ? ` (${system})` : ''}`;
}

/** [label, value-html] rows of a feature's properties, in the order staff read them. */
export function propertyRows(collection, p, countyName) {
  const county = p.county_code ? `${p.county_code} ${countyName(p.county_code) || ''}`.trim() : '–';
  if (collection === 'farmland_units') {
    return [
      [t('prop.unit_code'), `<code>${esc(p.unit_code)}</code>`],
      [t('prop.county_code'), esc(county)],
      [t('prop.class'), classChip(p.class)],
      [t('prop.land_type'), esc(p.land_type ? `${p.land_type} ${label('land_type', p.land_type)}` : '–')],
      [t('prop.measures_in_place'), esc(formatBool(p.measures_in_place))],
      [t('prop.crops_compliant'), esc(formatBool(p.crops_compliant))],
      [t('prop.valid_from'), esc(formatDate(p.valid_from))],
      [t('prop.basis_doc'), esc(p.basis_doc || '–')],
    ];
  }
  const marks = Object.keys(MARKS)
    .filter((k) => p[k] === true || p[k] === 'true')
    .map((k) => `<span class="mark" style="color:${MARKS[k].colour}">${MARKS[k].symbol}</span> ${esc(t(`mark.${k}`))}`);
  return [
    [t('prop.parcel_code'), `<code>${esc(p.parcel_code)}</code>`],
    [t('prop.county_code'), esc(county)],
    [t('prop.state'), stateChip(p.state)],
    [t('prop.rcr_listed'), esc(formatBool(isRcrListed(p)))],
    [t('legend.marks'), marks.length ? marks.join('<br>') : esc(t('card.none'))],
    [t('prop.current_use'), esc(useText(p.current_use, p.use_code_system))],
    [
      t('prop.remediated_for_class'),
      esc(p.remediated_for_class ? label('prop.remediated_class', p.remediated_for_class) : t('card.none')),
    ],
    [t('prop.former_industry'), esc(p.former_industry || '–')],
    [t('prop.valid_from'), esc(formatDate(p.valid_from))],
  ];
}

/** One history version as a timeline entry; `changed` names the properties that differ from the version before. */
export function historyEntry(collection, v, changed = []) {
  const p = v.properties || {};
  const change = label('change', v.change);
  let what = '';
  if (collection === 'construction_parcels') {
    what = p.from_state && p.from_state !== p.state
      ? `${stateChip(p.from_state)} → ${stateChip(p.state)}`
      : p.state ? stateChip(p.state) : '';
  } else if (p.class) {
    what = classChip(p.class);
  }
  const doc = p.document || p.basis_doc;
  // A withdrawn step, or a step whose document number was corrected, stays in the timeline, marked.
  const undone = ['withdraw', 'correct'].includes(v.ended_change)
    ? `<div class="tl-undone" data-ended="${esc(v.ended_change)}">${esc(
      t(`ws.history.${v.ended_change}`, { who: v.ended_by || '–', when: formatTimestamp(v.superseded_at), reason: v.ended_reason || '–' }),
    )}</div>`
    : '';
  return `<li class="tl-item${v.ended_change === 'withdraw' ? ' tl-withdrawn' : ''}">
    <div class="tl-date">${esc(formatDate(v.valid_from))}</div>
    <div class="tl-body">
      <div class="tl-head"><span class="tl-change">${esc(change)}</span> ${what}</div>
      ${changed.length ? `<div class="tl-changed">${esc(t('history.changed', { fields: changed.join('、') }))}</div>` : ''}
      ${doc ? `<div class="tl-doc">${esc(t('history.document', { doc }))}</div>` : ''}
      ${p.note ? `<div class="tl-note">${esc(p.note)}</div>` : ''}
      <div class="tl-meta">${esc(t('history.by', { who: v.recorded_by || '–', when: formatTimestamp(v.recorded_at) }))}</div>
      ${undone}
    </div>
  </li>`;
}

/**
 * The measures ledger of a farmland unit: its entries (year, measure in Chinese, area in m² and 亩, document;
 * withdrawn ones struck through) and, when `form` is given (a person who may write), the "record measures"
 * form filled with `form.values`, with `form.error` (the server's explanation) and `form.saving`.
 * `ledger` is an array of entries, 'loading', or an Error.
 */
export function ledgerSection(ledger, form) {
  let body;
  if (ledger === 'loading' || ledger === undefined) body = `<p class="muted">${esc(t('ledger.loading'))}</p>`;
  else if (ledger instanceof Error) body = `<p class="error">${esc(t('app.error', { detail: ledger.message }))}</p>`;
  else if (!ledger.length) body = `<p class="muted" id="ledger-empty">${esc(t('ledger.empty'))}</p>`;
  else {
    const rows = ledger.map((e) => {
      const year = e.season ? `${e.year} ${t('ledger.season', { n: e.season })}` : String(e.year);
      const gone = e.withdrawn_at ? ` class="withdrawn" title="${esc(t('ledger.withdrawn', { reason: e.withdrawn_reason || '' }))}"` : '';
      return `<tr${gone} data-id="${esc(e.id)}"><td>${esc(year)}</td><td>${esc(label('measure', e.kind))}</td><td>${esc(formatArea(Number(e.area_m2)))}</td><td>${esc(e.document || '–')}</td></tr>`;
    });
    body = `<table class="ledger-table"><thead><tr><th>${esc(t('ledger.year'))}</th><th>${esc(t('ledger.kind'))}</th><th>${esc(t('ledger.area'))}</th><th>${esc(t('ledger.document'))}</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  }
  if (!form) return `<div class="ledger" id="card-ledger">${body}</div>`;
  const v = form.values || {};
  const options = Object.entries(MEASURE_KINDS)
    .map(([group, kinds]) => `<optgroup label="${esc(t(`ledger.group.${group}`))}">${kinds
      .map((k) => `<option value="${k}"${v.kind === k ? ' selected' : ''}>${esc(label('measure', k))}</option>`)
      .join('')}</optgroup>`)
    .join('');
  const field = (id, text, input) => `<label class="ledger-field" for="${id}"><span>${esc(text)}</span>${input}</label>`;
  return `<div class="ledger" id="card-ledger">${body}
    <form id="ledger-form" class="ledger-form" novalidate>
      <div class="ledger-form-title">${esc(t('ledger.record'))}</div>
      ${field('ledger-year', t('ledger.year'), `<input id="ledger-year" name="year" type="number" min="2000" max="2100" step="1" value="${esc(v.year ?? '')}">`)}
      ${field('ledger-kind', t('ledger.kind'), `<select id="ledger-kind" name="kind">${options}</select>`)}
      ${field('ledger-area', t('ledger.area_m2'), `<input id="ledger-area" name="area_m2" type="number" min="0" step="any" value="${esc(v.area_m2 ?? '')}">`)}
      ${field('ledger-document', t('ledger.document'), `<input id="ledger-document" name="document" type="text" value="${esc(v.document ?? '')}">`)}
      ${field('ledger-note', t('ledger.note'), `<input id="ledger-note" name="note" type="text" value="${esc(v.note ?? '')}">`)}
      ${form.error ? `<p class="error" id="ledger-error" role="alert">${esc(form.error)}</p>` : ''}
      <button type="submit" id="ledger-save"${form.saving ? ' disabled' : ''}>${esc(t(form.saving ? 'ledger.saving' : 'ledger.save'))}</button>
    </form></div>`;
}

/**
 * Renders the card. `data` = { collection, id, properties, history (array|null|'loading'|Error) }.
 * Buttons call `actions.close()`, `actions.zoom()`, `actions.check()`, and for a person who may write,
 * `actions.edit()` and (a collection with a lifecycle) `actions.step()`, and for a farmland unit
 * `actions.recordMeasures(values)` (the ledger form's values); `actions.fieldLabel(name)` names the properties a
 * version changed. A farmland card shows `data.ledger` with `data.ledgerForm` ({values, error, saving}).
 */
export function renderCard(el, data, countyName, actions) {
  const p = data.properties || {};
  const isParcel = data.collection === 'construction_parcels';
  const title = isParcel ? p.name || data.id : `${label('class', p.class)} · ${data.id}`;
  const rows = propertyRows(data.collection, p, countyName);
  let history;
  if (data.history === 'loading' || data.history === undefined) history = `<p class="muted">${esc(t('card.history_loading'))}</p>`;
  else if (data.history instanceof Error) history = `<p class="error">${esc(t('app.error', { detail: data.history.message }))}</p>`;
  else if (!data.history || !data.history.length) history = `<p class="muted">${esc(t('card.history_empty'))}</p>`;
  else {
    const name = actions.fieldLabel || ((n) => n);
    const entries = data.history.map((v, i) => historyEntry(data.collection, v, versionChanges(data.history[i - 1], v).map(name).filter(Boolean)));
    history = `<ol class="timeline">${entries.reverse().join('')}</ol>`;
  }
  el.innerHTML = `
    <div class="card-head">
      <div>
        <div class="card-kind">${esc(isParcel ? t('card.parcel') : t('card.farmland'))}</div>
        <h2 class="card-title">${esc(title)}</h2>
      </div>
      <button type="button" class="icon-button" data-action="close" title="${esc(t('card.close'))}" aria-label="${esc(t('card.close'))}">×</button>
    </div>
    <div class="card-area"><span>${esc(t('card.area'))}</span><strong id="card-area">${
      p.area_m2 !== undefined && p.area_m2 !== null ? esc(formatArea(Number(p.area_m2))) : '…'
    }</strong></div>
    <dl class="props">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>
    <div class="card-actions">
      <button type="button" class="secondary" data-action="zoom">${esc(t('card.zoom'))}</button>
      ${actions.print ? `<button type="button" class="secondary" data-action="print" id="card-print">${esc(t('print.button'))}</button>` : ''}
      ${isParcel ? `<button type="button" class="secondary" data-action="check">${esc(t('card.check_this'))}</button>` : ''}
      ${data.collection === 'farmland_units' && actions.trace ? `<button type="button" class="secondary" data-action="trace" id="card-trace">${esc(t('trace.button'))}</button>` : ''}
    </div>
    ${data.trace !== undefined ? `<div class="trace" id="card-trace-result">${traceHtml(data.trace)}</div>` : ''}
    ${
      actions.edit
        ? `<div class="card-actions card-write">
      <button type="button" class="secondary" data-action="edit" id="card-edit">${esc(t('edit.button'))}</button>
      ${actions.modify ? `<button type="button" class="secondary" data-action="modify" id="card-modify">${esc(t('modify.button'))}</button>` : ''}
      ${actions.step ? `<button type="button" class="secondary" data-action="step" id="card-step">${esc(t('step.button'))}</button>` : ''}
    </div>`
        : ''
    }
    ${isParcel ? '' : `<h3>${esc(t('ledger.title'))}</h3>${ledgerSection(data.ledger, actions.recordMeasures ? data.ledgerForm || {} : null)}`}
    <h3>${esc(t('card.history'))}</h3>
    <div class="history">${history}</div>`;
  el.querySelectorAll('[data-action]').forEach((b) => b.addEventListener('click', () => actions[b.dataset.action]?.()));
  const ledgerForm = el.querySelector('#ledger-form');
  if (ledgerForm) {
    ledgerForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      actions.recordMeasures(Object.fromEntries(new FormData(ledgerForm)));
    });
  }
  el.querySelectorAll('[data-trace]').forEach((li) => li.addEventListener('click', () => actions.traceItem?.(li.dataset.trace)));
}
