// The access-check panel: what to check (a drawn area or a parcel), the proposed use and the check,
// and the answer with each reason's rule, legal basis, message and the features it names, and its
// receipt (the id that reads the answer back as given, and the counties it lies in).

import { CHECK_KINDS, PROJECT_KINDS, SUPPLY_KINDS } from '../api.js';
import { decisionBadge, esc, formatArea, formatDate, formatDistance, formatRatio, reasonMessage } from '../format.js';
import { getLang, label, t } from '../i18n.js';
import { USE_GROUPS } from '../landuse.js';

const ICON_DRAW =
  '<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M2 13l1-4 7-7 3 3-7 7-4 1z" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linejoin="round"/></svg>';
const ICON_PICK =
  '<svg class="icon" viewBox="0 0 16 16" aria-hidden="true"><path d="M3 2l9 5-4 1 2.5 4.5-1.8 1L6.3 9 3 12z" fill="currentColor"/></svg>';

function useOptions(selected, withEmpty) {
  const lang = getLang();
  const groups = USE_GROUPS.map(
    (g) => `<optgroup label="${esc(g.code)} ${esc(lang === 'en' ? g.en : g.zh)}">${g.uses
      .map(
        ([code, zh, en]) =>
          `<option value="${code}" ${code === selected ? 'selected' : ''}>${esc(code)} ${esc(zh)}${lang === 'en' ? ` · ${esc(en)}` : ''}</option>`,
      )
      .join('')}</optgroup>`,
  );
  const empty = withEmpty ? `<option value="" ${selected ? '' : 'selected'}>${esc(t('check.unspecified'))}</option>` : '';
  return empty + groups.join('');
}

function areaText(area) {
  if (!area) return t('check.area_none');
  if (area.type === 'parcel') return t('check.area_parcel', { code: area.code });
  return t('check.area_drawn', { area: formatArea(area.area_m2) });
}

/**
 * The proposed use after a switch to `kind`. Only a rezoning needs one, and it starts at urban housing
 * (070101); an EIA or a land supply never inherits that start: the use stays unstated (and is not sent)
 * unless the user chose one (`chosen`).
 */
export function proposedForKind(kind, proposed, chosen) {
  if (kind === 'rezoning') return proposed || '070101';
  return chosen ? proposed : '';
}

/**
 * Renders the form into `el` from `state` (kind, area, proposed, current, project_kind, supply, as_of,
 * mode, busy). `on` has draw(), pick(), clear(), run(), change().
 */
export function renderCheckPanel(el, state, on) {
  const kindButtons = CHECK_KINDS.map(
    (k) => `<button type="button" class="seg ${state.kind === k ? 'active' : ''}" data-kind="${k}" id="check-kind-${k}">${esc(t(`check.kind.${k}`))}</button>`,
  ).join('');
  el.innerHTML = `
    <h3>${esc(t('panel.check'))}</h3>
    <div class="field">
      <span class="field-label">${esc(t('check.kind'))}</span>
      <div class="segmented" role="group">${kindButtons}</div>
    </div>
    <div class="field">
      <span class="field-label">${esc(t('check.area'))}</span>
      <div class="button-row">
        <button type="button" id="check-draw" class="secondary ${state.mode === 'draw' ? 'active' : ''}">${ICON_DRAW} ${esc(t('check.draw'))}</button>
        <button type="button" id="check-pick" class="secondary ${state.mode === 'pick' ? 'active' : ''}">${ICON_PICK} ${esc(t('check.pick'))}</button>
        <button type="button" id="check-clear" class="ghost">${esc(t('check.clear'))}</button>
      </div>
      <div id="check-area" class="area-status ${state.area ? 'set' : ''}">${esc(
        state.mode === 'draw' ? t('check.drawing') : state.mode === 'pick' ? t('check.picking') : areaText(state.area),
      )}</div>
    </div>
    <label class="field">
      <span class="field-label">${esc(t('check.proposed_use'))}</span>
      <select id="check-proposed">${useOptions(state.proposed, state.kind !== 'rezoning')}</select>
    </label>
    <label class="field">
      <span class="field-label">${esc(t('check.current_use'))}</span>
      <select id="check-current">${useOptions(state.current, true)}</select>
    </label>
    ${
      state.kind === 'eia-site'
        ? `<label class="field"><span class="field-label">${esc(t('check.project_kind'))}</span>
            <select id="check-project-kind">${PROJECT_KINDS.map(
              (k) => `<option value="${k}" ${k === state.project_kind ? 'selected' : ''}>${esc(t(`check.project_kind.${k}`))}</option>`,
            ).join('')}</select></label>`
        : ''
    }
    ${
      state.kind === 'land-supply'
        ? `<label class="field"><span class="field-label">${esc(t('check.supply'))}</span>
            <select id="check-supply">${SUPPLY_KINDS.map(
              (k) => `<option value="${k}" ${k === state.supply ? 'selected' : ''}>${esc(t(`check.supply.${k}`))}</option>`,
            ).join('')}</select></label>`
        : ''
    }
    <label class="field">
      <span class="field-label">${esc(t('check.as_of'))}</span>
      <input type="date" id="check-asof" value="${esc(state.as_of || '')}" max="${esc(state.today || '')}">
    </label>
    <button type="button" id="check-run" class="primary" ${state.busy ? 'disabled' : ''}>${esc(state.busy ? t('check.running') : t('check.run'))}</button>
    <div id="check-result" class="check-result"></div>`;

  el.querySelectorAll('[data-kind]').forEach((b) =>
    b.addEventListener('click', () => {
      state.kind = b.dataset.kind;
      state.proposed = proposedForKind(state.kind, state.proposed, state.proposedChosen);
      on.change(true);
    }),
  );
  el.querySelector('#check-draw').addEventListener('click', () => on.draw());
  el.querySelector('#check-pick').addEventListener('click', () => on.pick());
  el.querySelector('#check-clear').addEventListener('click', () => on.clear());
  const bind = (sel, key) => {
    const input = el.querySelector(sel);
    if (input) input.addEventListener('change', () => {
      state[key] = input.value;
      on.change(false);
    });
  };
  bind('#check-proposed', 'proposed');
  const proposedSelect = el.querySelector('#check-proposed');
  if (proposedSelect) proposedSelect.addEventListener('change', () => {
    state.proposedChosen = true;
  });
  bind('#check-current', 'current');
  bind('#check-project-kind', 'project_kind');
  bind('#check-supply', 'supply');
  bind('#check-asof', 'as_of');
  el.querySelector('#check-run').addEventListener('click', () => on.run());
}

/**
 * Renders an answer (or an error) into the result box; feature links call `onFeature(collection, id)`.
 * The receipt id links to the answer as kept (`apiBase` + its self link); `onPrint()` prints it.
 */
export function renderCheckResult(el, answer, error, onFeature, apiBase = '', onPrint = null) {
  if (error) {
    el.innerHTML = `<p class="error" role="alert">${esc(error.key ? t(error.key) : t('app.error', { detail: error.message }))}</p>`;
    return;
  }
  if (!answer) {
    el.innerHTML = '';
    return;
  }
  const badge = decisionBadge(answer.decision);
  const proposed = answer.proposed_use ? `${answer.proposed_use.code} ${answer.proposed_use.name}` : null;
  const reasons = (answer.reasons || [])
    .map((r) => {
      const rb = decisionBadge(r.decision);
      const feats = (r.features || [])
        .map((f) => {
          const extra = [];
          if (f.overlap_m2 !== undefined && f.overlap_m2 !== null) {
            extra.push(t('check.overlap', { area: formatArea(f.overlap_m2), ratio: formatRatio(f.overlap_ratio) }));
          }
          if (f.distance_m !== undefined && f.distance_m !== null) extra.push(t('check.distance', { distance: formatDistance(f.distance_m) }));
          return `<li><a href="#" class="feature-link" data-collection="${esc(f.collection)}" data-id="${esc(f.id)}">${esc(f.id)}</a>
            <span class="muted">${esc(extra.join(' · '))}</span></li>`;
        })
        .join('');
      return `<li class="reason" data-rule="${esc(r.rule)}" data-decision="${esc(r.decision)}">
        <div class="reason-head"><span class="${rb.className} small">${esc(rb.text)}</span><code class="rule-id">${esc(r.rule)}</code></div>
        <div class="basis"><span>${esc(t('check.basis'))}</span> ${esc(r.basis || '–')}</div>
        <p class="message">${esc(reasonMessage(r))}</p>
        ${feats ? `<ul class="features">${feats}</ul>` : ''}
      </li>`;
    })
    .join('');
  el.innerHTML = `
    <div class="result-head">
      <span class="${badge.className}" id="check-decision" data-decision="${esc(answer.decision)}">${esc(badge.text)}</span>
      <div class="result-meta">
        <div>${esc(label('check.kind', String(answer.check).replace(/_/g, '-')))}${proposed ? ` · ${esc(proposed)}` : ''}</div>
        <div class="muted">${esc(t('check.query_area', { area: formatArea(answer.query_area_m2) }))} · ${esc(formatDate(answer.as_of))}</div>
      </div>
    </div>
    <p class="as-of-answer" id="check-asof-answer" data-as-of="${esc(answer.as_of || '')}">${esc(t('check.as_of_answer', { date: formatDate(answer.as_of) }))}</p>
    ${reasons ? `<ol class="reasons">${reasons}</ol>` : `<p class="muted">${esc(t('check.no_reasons'))}</p>`}
    ${receiptHtml(answer, apiBase)}
    ${onPrint ? `<button type="button" class="secondary no-print" id="check-print">${esc(t('print.button'))}</button>` : ''}`;
  if (onPrint) el.querySelector('#check-print').addEventListener('click', () => onPrint());
  el.querySelectorAll('.feature-link').forEach((a) =>
    a.addEventListener('click', (ev) => {
      ev.preventDefault();
      onFeature(a.dataset.collection, a.dataset.id);
    }),
  );
}

/** The receipt line of an answer: its id (a link to the answer as kept) and the counties it lies in. */
function receiptHtml(answer, apiBase) {
  if (!answer.id) return '';
  const self = (answer.links || []).find((l) => l.rel === 'self');
  const id = self
    ? `<a href="${esc(String(apiBase || '').replace(/\/+$/, '') + self.href)}" target="_blank" rel="noopener" id="check-receipt-link"><code>${esc(answer.id)}</code></a>`
    : `<code>${esc(answer.id)}</code>`;
  const counties = ((answer.location && answer.location.counties) || []).map((c) => `${c.name}（${c.code}）`).join('、');
  return `<p class="muted receipt" id="check-receipt" data-id="${esc(answer.id)}">${esc(t('check.receipt'))} ${id}${
    counties ? ` · ${esc(t('check.location', { counties }))}` : ''
  }</p>`;
}
