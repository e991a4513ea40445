// A sample's card (采样点): what the laboratory measured and what the service worked out from it, the GB 15618
// grade of a soil sample or the GB 2762 compliance and worst ratio of a crop sample (docs/adjustment.md).

import { CROP_STATUS_COLOURS, cropSampleStatus, soilSampleStyleSpec } from '../palette.js';
import { esc, formatDate, formatNumber } from '../format.js';
import { label, t } from '../i18n.js';
import { chip } from './card.js';

/** The metals each kind of sample reports, in the order laboratories list them (mg/kg). */
export const SAMPLE_METALS = {
  soil_samples: ['cd', 'hg', 'as', 'pb', 'cr', 'cu', 'ni', 'zn'],
  crop_samples: ['cd', 'pb', 'as_inorganic', 'hg', 'cr'],
};

export const isSampleCollection = (c) => Object.prototype.hasOwnProperty.call(SAMPLE_METALS, c);

/** The verdict of a sample as [text, colour]: its grade (soil) or its compliance (crop). */
export function sampleVerdict(collection, p) {
  if (collection === 'soil_samples') {
    const s = soilSampleStyleSpec({ grade: p.grade });
    return [s.grade ? label('soilgrade', s.grade) : t('sample.ungraded'), s.fill];
  }
  const status = cropSampleStatus(p);
  return [label('cropstatus', status), CROP_STATUS_COLOURS[status]];
}

/** [label, value-html] rows of a sample's card, the verdict first after the code. */
export function sampleRows(collection, p, countyName) {
  const county = p.county_code ? `${p.county_code} ${countyName(p.county_code) || ''}`.trim() : '–';
  const [verdict, colour] = sampleVerdict(collection, p);
  const num = (v, d) => (v === null || v === undefined || v === '' ? '–' : formatNumber(Number(v), d, undefined, d));
  const rows = [
    [t('sample.code'), `<code>${esc(p.sample_code)}</code>`],
    [t(collection === 'soil_samples' ? 'sample.grade' : 'sample.compliance'), chip(verdict, colour, 'chip-sample')],
  ];
  if (collection === 'soil_samples') {
    rows.push([t('sample.land'), esc(label('sample.land', p.land))], [t('sample.ph'), esc(num(p.ph, 1))]);
  } else {
    rows.push([t('sample.worst_ratio'), esc(num(p.worst_ratio, 2))], [t('sample.crop'), esc(label('sample.crop', p.crop))]);
  }
  rows.push(
    [t('prop.county_code'), esc(county)],
    [t('sample.sampled_on'), esc(formatDate(p.sampled_on))],
    [t('sample.lab'), esc(p.lab || '–')],
    [t('sample.report_doc'), esc(p.report_doc || '–')],
  );
  return rows;
}

/** The metals table: each metal the sample reports, in mg/kg. */
export function metalRows(collection, p) {
  return SAMPLE_METALS[collection]
    .filter((m) => p[m] !== null && p[m] !== undefined && p[m] !== '')
    .map((m) => [label('metal', m), formatNumber(Number(p[m]), 3)]);
}

/** Renders a sample's card; `actions.close()` and `actions.zoom()` are its buttons. */
export function renderSampleCard(el, data, countyName, actions) {
  const p = data.properties || {};
  const metals = metalRows(data.collection, p);
  el.innerHTML = `
    <div class="card-head">
      <div>
        <div class="card-kind">${esc(t(`sample.kind.${data.collection}`))}</div>
        <h2 class="card-title">${esc(p.sample_code || data.id)}</h2>
      </div>
      <button type="button" class="icon-button" data-action="close" title="${esc(t('card.close'))}" aria-label="${esc(t('card.close'))}">×</button>
    </div>
    <dl class="props" id="sample-props" data-collection="${esc(data.collection)}">${sampleRows(data.collection, p, countyName)
      .map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`)
      .join('')}</dl>
    <h3>${esc(t('sample.metals'))}</h3>
    ${metals.length
      ? `<table class="ledger-table" id="sample-metals"><tbody>${metals.map(([m, v]) => `<tr><td>${esc(m)}</td><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`
      : `<p class="muted">–</p>`}
    <div class="card-actions"><button type="button" class="secondary" data-action="zoom">${esc(t('card.zoom'))}</button></div>`;
  el.querySelectorAll('[data-action]').forEach((b) => b.addEventListener('click', () => actions[b.dataset.action]?.()));
}
