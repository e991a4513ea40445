// The layers panel: layer switches and the legend, whose entries also filter the map by class or state.

import {
  CROP_STATUS_ORDER,
  FARMLAND_CLASS_ORDER,
  MARKS,
  PARCEL_STATES,
  POND_LEVEL_ORDER,
  SOIL_GRADE_ORDER,
  SOURCE_STATES,
  cropSampleStyleSpec,
  farmlandStyleSpec,
  keyUnitStyleSpec,
  parcelStyleSpec,
  pondStyleSpec,
  soilSampleStyleSpec,
  sourceStyleSpec,
} from '../palette.js';
import { esc } from '../format.js';
import { label, t } from '../i18n.js';

/** A small SVG swatch of a parcel style: translucent fill, hatch, outline (dashed while investigating). */
export function parcelSwatch(state) {
  const s = parcelStyleSpec({ state });
  const id = `h-${state}`;
  const cross = s.hatch === 'cross' ? '<path d="M0 0L8 8M-4 4L4 12M4 -4L12 4" />' : '';
  const dash = s.dash ? `stroke-dasharray="${s.dash.join(' ')}"` : '';
  return `<svg class="swatch" width="28" height="18" viewBox="0 0 28 18" aria-hidden="true">
    <defs><pattern id="${id}" width="8" height="8" patternUnits="userSpaceOnUse">
      <g stroke="${s.colour}" stroke-opacity="0.55" stroke-width="1.25"><path d="M0 8L8 0M-4 4L4 -4M4 12L12 4" />${cross}</g>
    </pattern></defs>
    <rect x="2" y="2" width="24" height="14" fill="${s.fill}" />
    <rect x="2" y="2" width="24" height="14" fill="url(#${id})" />
    ${s.casing ? `<rect x="2" y="2" width="24" height="14" fill="none" stroke="${s.casing}" stroke-width="${Math.min(s.strokeWidth + 2.5, 5)}" />` : ''}
    <rect x="2" y="2" width="24" height="14" fill="none" stroke="${s.stroke}" stroke-width="${Math.min(s.strokeWidth, 3)}" ${dash} />
  </svg>`;
}

export function farmlandSwatch(cls) {
  const s = farmlandStyleSpec(cls);
  return `<svg class="swatch" width="28" height="18" viewBox="0 0 28 18" aria-hidden="true">
    <rect x="2" y="2" width="24" height="14" rx="1.5" fill="${s.fill}" stroke="${s.stroke}" stroke-width="1" /></svg>`;
}

/** A pollution source's dot (on the remediation list: dark rim). */
export function sourceSwatch(state, list = 'remediation') {
  const s = sourceStyleSpec({ state, list });
  return `<svg class="swatch" width="28" height="18" viewBox="0 0 28 18" aria-hidden="true">
    <circle cx="14" cy="9" r="${s.radius}" fill="${s.fill}" stroke="${s.ring}" stroke-width="${s.ringWidth}" /></svg>`;
}

/** A tailings pond's triangle, sized by level. */
export function pondSwatch(level) {
  const s = pondStyleSpec({ level });
  const r = s.size;
  const pts = [0, 1, 2].map((i) => {
    const a = -Math.PI / 2 + (i * 2 * Math.PI) / 3;
    return `${(14 + r * Math.cos(a)).toFixed(1)},${(10 + r * Math.sin(a)).toFixed(1)}`;
  });
  return `<svg class="swatch" width="28" height="18" viewBox="0 0 28 18" aria-hidden="true">
    <polygon points="${pts.join(' ')}" fill="${s.fill}" stroke="${s.stroke}" stroke-width="1.5" /></svg>`;
}

/** A key unit's site: an outline, dashed once the unit has stopped. */
export function keyUnitSwatch(status = 'operating') {
  const s = keyUnitStyleSpec({ status });
  const dash = s.dash ? `stroke-dasharray="${s.dash.join(' ')}"` : '';
  return `<svg class="swatch" width="28" height="18" viewBox="0 0 28 18" aria-hidden="true">
    <rect x="3" y="3" width="22" height="12" fill="${s.fill}" stroke="${s.stroke}" stroke-width="${s.width}" ${dash} /></svg>`;
}

/** A soil sample's circle in its grade's colour. */
export function soilSampleSwatch(grade) {
  const s = soilSampleStyleSpec({ grade });
  return `<svg class="swatch" width="28" height="18" viewBox="0 0 28 18" aria-hidden="true">
    <circle cx="14" cy="9" r="${s.radius}" fill="${s.fill}" stroke="${s.rim}" stroke-width="1.5" /></svg>`;
}

/** A crop sample's square in its compliance colour ('compliant', 'exceeds' or 'unjudged'). */
export function cropSampleSwatch(status) {
  const compliant = { compliant: true, exceeds: false }[status];
  const s = cropSampleStyleSpec({ compliant: compliant === undefined ? null : compliant });
  const half = s.size / Math.SQRT2;
  return `<svg class="swatch" width="28" height="18" viewBox="0 0 28 18" aria-hidden="true">
    <rect x="${(14 - half).toFixed(2)}" y="${(9 - half).toFixed(2)}" width="${(2 * half).toFixed(2)}" height="${(2 * half).toFixed(2)}" fill="${s.fill}" stroke="${s.rim}" stroke-width="1.5" /></svg>`;
}

/**
 * Renders the panel into `el`. `state` = { visible: {farmland, parcels, counties, basemap},
 * hidden: Set of "class:x" / "state:x" keys, hasBasemap, datetime, today }. `onChange` is called after
 * each toggle, `onDatetime(date|null)` when the as-of date changes.
 */
export function renderLayersPanel(el, state, onChange, onDatetime = () => {}) {
  const layerRow = (key, text) => `
    <label class="switch-row">
      <input type="checkbox" data-layer="${key}" id="layer-${key}" ${state.visible[key] ? 'checked' : ''}>
      <span class="switch" aria-hidden="true"></span><span>${esc(text)}</span>
    </label>`;
  const entry = (kind, value, swatch, text, extra = '') => `
    <label class="legend-row ${state.hidden.has(`${kind}:${value}`) ? 'off' : ''}" data-legend="${kind}:${value}">
      <input type="checkbox" ${state.hidden.has(`${kind}:${value}`) ? '' : 'checked'} data-filter="${kind}:${value}">
      ${swatch}<span class="legend-text">${esc(text)}</span>${extra}
    </label>`;
  el.innerHTML = `
    <h3>${esc(t('panel.layers'))}</h3>
    <div class="layer-switches">
      ${layerRow('farmland', t('layer.farmland'))}
      ${layerRow('parcels', t('layer.parcels'))}
      ${layerRow('sources', t('layer.sources'))}
      ${layerRow('ponds', t('layer.ponds'))}
      ${layerRow('keyunits', t('layer.keyunits'))}
      ${layerRow('soilsamples', t('layer.soilsamples'))}
      ${layerRow('cropsamples', t('layer.cropsamples'))}
      ${layerRow('counties', t('layer.counties'))}
      ${state.hasBasemap ? layerRow('basemap', t('layer.basemap')) : ''}
    </div>
    <label class="field asof-field">
      <span class="field-label">${esc(t('layer.as_of'))}</span>
      <span class="asof-row">
        <input type="date" id="map-asof" value="${esc(state.datetime || '')}" max="${esc(state.today || '')}">
        <button type="button" class="ghost" id="map-asof-now" ${state.datetime ? '' : 'disabled'}>${esc(t('layer.as_of_now'))}</button>
      </span>
    </label>
    <h3>${esc(t('legend.title'))}</h3>
    <div class="legend" id="legend">
      <h4>${esc(t('legend.farmland'))}</h4>
      ${FARMLAND_CLASS_ORDER.map((c) => entry('class', c, farmlandSwatch(c), label('class', c))).join('')}
      <h4>${esc(t('legend.parcels'))}</h4>
      ${PARCEL_STATES.map((s) => entry('state', s, parcelSwatch(s), label('state', s))).join('')}
      <p class="legend-note">${esc(t('legend.investigating'))}<br>${esc(t('legend.rcr'))}<br>${esc(t('legend.dots'))}</p>
      <h4>${esc(t('legend.sources'))}</h4>
      ${SOURCE_STATES.map((s) => entry('srcstate', s, sourceSwatch(s), label('srcstate', s))).join('')}
      <h4>${esc(t('legend.ponds'))}</h4>
      ${POND_LEVEL_ORDER.map((l) => entry('pondlevel', l, pondSwatch(l), label('pondlevel', l))).join('')}
      <h4>${esc(t('legend.keyunits'))}</h4>
      <div class="legend-row static">${keyUnitSwatch('operating')}<span class="legend-text">${esc(t('legend.keyunit_site'))}</span></div>
      <div class="legend-row static">${keyUnitSwatch('closed')}<span class="legend-text">${esc(t('legend.keyunit_stopped'))}</span></div>
      <h4>${esc(t('legend.soilsamples'))}</h4>
      ${SOIL_GRADE_ORDER.map((g) => entry('soilgrade', g, soilSampleSwatch(g), label('soilgrade', g))).join('')}
      <h4>${esc(t('legend.cropsamples'))}</h4>
      ${CROP_STATUS_ORDER.map((c) => entry('cropstatus', c, cropSampleSwatch(c), label('cropstatus', c))).join('')}
      <h4>${esc(t('legend.marks'))}</h4>
      ${Object.entries(MARKS)
        .map(
          ([k, m]) => `<div class="legend-row static"><span class="mark" style="color:${m.colour}">${m.symbol}</span>
            <span class="legend-text">${esc(t(`mark.${k}`))}</span></div>`,
        )
        .join('')}
    </div>`;
  el.querySelectorAll('input[data-layer]').forEach((input) =>
    input.addEventListener('change', () => {
      state.visible[input.dataset.layer] = input.checked;
      onChange();
    }),
  );
  el.querySelector('#map-asof').addEventListener('change', (ev) => onDatetime(ev.target.value || null));
  el.querySelector('#map-asof-now').addEventListener('click', () => onDatetime(null));
  el.querySelectorAll('input[data-filter]').forEach((input) =>
    input.addEventListener('change', () => {
      const key = input.dataset.filter;
      if (input.checked) state.hidden.delete(key);
      else state.hidden.add(key);
      input.closest('.legend-row').classList.toggle('off', !input.checked);
      onChange();
    }),
  );
}
