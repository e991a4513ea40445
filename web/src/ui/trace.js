// Tracing (溯源) in the farmland unit's card: the sources, tailings ponds and key units' sites near the unit,
// nearest first, as the API lists them (GET …/nearby-sources). Pure: node's test runner renders it.

import { POND_LEVELS, SOURCE_STATE_COLOURS, KEY_UNIT_SITE } from '../palette.js';
import { esc, formatDistance } from '../format.js';
import { getLang, label, t } from '../i18n.js';

/** One line per feature of the answer: what it is, what it emits or how it is supervised, how far, which way. */
export function traceItems(fc) {
  return ((fc && fc.features) || []).map((f) => {
    const p = f.properties || {};
    let what = '';
    let colour = '#9e9e9e';
    if (p.collection === 'pollution_sources') {
      what = [(p.pollutants || []).join('、'), p.state ? label('srcstate', p.state) : ''].filter(Boolean).join(' · ');
      colour = SOURCE_STATE_COLOURS[p.state] || colour;
    } else if (p.collection === 'tailings_ponds') {
      what = t('trace.pond_level', { level: label('pondlevel', p.level) });
      colour = (POND_LEVELS[p.level] || POND_LEVELS[3]).fill;
    } else {
      what = p.industry ? `GB/T 4754 ${p.industry}` : '';
      colour = KEY_UNIT_SITE.stroke;
    }
    return {
      collection: p.collection,
      id: p.id,
      name: p.name || p.id,
      kind: t(`trace.of.${p.collection}`),
      what,
      colour,
      distance_m: p.distance_m,
      direction: (getLang() === 'zh' ? p.direction_zh : p.direction) || '',
    };
  });
}

/** The trace section: 'loading', an Error, or the FeatureCollection the API answered. */
export function traceHtml(trace) {
  if (trace === undefined || trace === null) return '';
  if (trace === 'loading') return `<p class="muted">${esc(t('trace.loading'))}</p>`;
  if (trace instanceof Error) return `<p class="error">${esc(t('app.error', { detail: trace.message }))}</p>`;
  const distance = trace.distance_m;
  const noteText = getLang() === 'zh' ? trace.note_zh : trace.note_en;
  const note = noteText ? `<p class="trace-note" id="trace-note">${esc(noteText)}</p>` : '';
  const items = traceItems(trace);
  if (!items.length) return `${note}<p class="muted" id="trace-none">${esc(t('trace.none', { distance }))}</p>`;
  const rows = items
    .map(
      (i) => `<li class="trace-item" data-trace="${esc(i.collection)}/${esc(i.id)}">
        <span class="trace-dot" style="background:${i.colour}"></span>
        <span class="trace-name"><strong>${esc(i.name)}</strong> <span class="muted">${esc(i.kind)}</span><br>
          <span class="trace-what">${esc(i.what)}</span></span>
        <span class="trace-dist">${esc(formatDistance(i.distance_m))}${i.direction ? ` ${esc(i.direction)}` : ''}</span>
      </li>`,
    )
    .join('');
  return `${note}<h3>${esc(t('trace.title', { distance }))}</h3><ol class="trace-list" id="trace-list">${rows}</ol>`;
}
