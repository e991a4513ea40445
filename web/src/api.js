// URLs and request bodies for the landguard HTTP API (docs/contract.md), and one fetch helper that turns
// problem+json answers into errors. The builders are pure, so node's test runner checks them.

import { getLang } from './i18n.js';
import { problemMessage } from './problem.js';

export const COLLECTIONS = {
  farmland: 'farmland_units',
  parcels: 'construction_parcels',
};

export const CHECK_KINDS = ['rezoning', 'eia-site', 'land-supply'];
export const PROJECT_KINDS = ['other', 'remediation', 'heavy_metal', 'soil_polluting'];
export const SUPPLY_KINDS = ['transfer', 'allocation'];

export function trimBase(base) {
  return String(base || '').replace(/\/+$/, '');
}

function enc(s) {
  return encodeURIComponent(String(s));
}

/**
 * The API root for a viewer page: the viewer lives at {root}/map/, so a page at
 * http://host/landguard/map/?lang=en has the root http://host/landguard.
 */
export function apiRootFromLocation(loc) {
  const path = String(loc.pathname || '/').replace(/\/map(\/.*)?$/, '');
  return trimBase(`${loc.origin}${path}`);
}

/** XYZ template of a collection's vector tiles (OGC API Tiles, WebMercatorQuad: z/y/x). */
export function tileUrlTemplate(base, collection, { datetime } = {}) {
  const q = datetime ? `?datetime=${enc(datetime)}` : '';
  return `${trimBase(base)}/collections/${enc(collection)}/tiles/WebMercatorQuad/{z}/{y}/{x}${q}`;
}

export function tileJsonUrl(base, collection) {
  return `${trimBase(base)}/collections/${enc(collection)}/tiles/WebMercatorQuad`;
}

export function itemUrl(base, collection, id) {
  return `${trimBase(base)}/collections/${enc(collection)}/items/${enc(id)}`;
}

export function historyUrl(base, collection, id) {
  return `${itemUrl(base, collection, id)}/history`;
}

export function itemsUrl(base, collection, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const qs = q.toString();
  return `${trimBase(base)}/collections/${enc(collection)}/items${qs ? `?${qs}` : ''}`;
}

/** Scope codes: '' or 'all' for everything, 4 digits for a city, 6 for a county. */
export function isScopeCode(code) {
  return code === '' || code === 'all' || /^\d{4}$/.test(code) || /^\d{6}$/.test(code);
}

/** GET /indicators for a county (6 digits), a city (4 digits) or everything ('' / 'all'). */
export function indicatorsUrl(base, { county_code, as_of } = {}) {
  const q = new URLSearchParams();
  const code = county_code === undefined || county_code === null ? '' : String(county_code).trim();
  if (!isScopeCode(code)) throw new Error(`not a county (6 digits) or city (4 digits) code: ${county_code}`);
  if (code && code !== 'all') q.set('county_code', code);
  if (as_of) q.set('as_of', as_of);
  const qs = q.toString();
  return `${trimBase(base)}/indicators${qs ? `?${qs}` : ''}`;
}

/** A request the UI refused to build, with the i18n key of the reason. */
export class RequestError extends Error {
  constructor(key) {
    super(key);
    this.key = key;
  }
}

/**
 * The URL and JSON body of a check (POST /checks/{kind}). Exactly one of `geometry` (GeoJSON Polygon
 * or MultiPolygon in CRS84) and `parcel_code`; `project_kind` only for eia-site, `supply` only for
 * land-supply; empty values are left out so the server applies its defaults.
 */
export function buildCheckRequest(base, kind, opts = {}) {
  if (!CHECK_KINDS.includes(kind)) throw new Error(`unknown check kind: ${kind}`);
  const body = {};
  const { geometry, parcel_code: parcel, proposed_use: proposed, current_use: current, project_kind, supply, as_of } = opts;
  if (parcel) body.parcel_code = String(parcel).trim();
  else if (geometry && (geometry.type === 'Polygon' || geometry.type === 'MultiPolygon')) body.geometry = geometry;
  else throw new RequestError('check.need_area');
  if (proposed) body.proposed_use = String(proposed);
  else if (kind === 'rezoning') throw new RequestError('check.need_use');
  if (current) body.current_use = String(current);
  if (proposed || current) body.use_code_system = 'ydyh2023';
  if (kind === 'eia-site') body.project_kind = PROJECT_KINDS.includes(project_kind) ? project_kind : 'other';
  if (kind === 'land-supply' && supply) {
    if (!SUPPLY_KINDS.includes(supply)) throw new Error(`unknown supply kind: ${supply}`);
    body.supply = supply;
  }
  if (as_of) body.as_of = as_of;
  return { url: `${trimBase(base)}/checks/${kind}`, method: 'POST', body };
}

/** An error answer from the API, with its problem details; its message is the server's explanation in the
 * viewer's language (problem.js). */
export class ApiError extends Error {
  constructor(status, problem, opts = {}) {
    super(problemMessage(status, problem, { lang: getLang(), ...opts }));
    this.status = status;
    this.problem = problem;
  }
}

// The CSRF value of the open session (POST /session gives it); sent on every write, as the server wants of a
// request that carries the session cookie. The cookie itself is HttpOnly: the page never sees it.
let csrf = null;

export function setCsrf(value) {
  csrf = value || null;
}

/** Headers for a request (a bearer token when the deployment configures one for reads; the CSRF value on
 * writes while a session is open). */
export function headersFor(config, extra = {}, method = 'GET') {
  const h = { Accept: 'application/json, application/geo+json;q=0.9', ...extra };
  if (config && config.token) h.Authorization = `Bearer ${config.token}`;
  else if (csrf && !['GET', 'HEAD', 'OPTIONS'].includes(method)) h['X-CSRF-Token'] = csrf;
  return h;
}

/**
 * fetch + JSON, problem+json → ApiError; also the answer's ETag. `ifMatch` makes a conditional write;
 * `labels(name)` names the properties an error points at.
 */
export async function fetchDoc(url, { config, method = 'GET', body, signal, ifMatch, labels } = {}) {
  const extra = ifMatch ? { 'If-Match': ifMatch } : {};
  const init = { method, headers: headersFor(config, extra, method), signal, credentials: 'same-origin' };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const resp = await fetch(url, init);
  const text = await resp.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!resp.ok) throw new ApiError(resp.status, json, labels ? { fieldLabel: labels } : {});
  return { json, etag: resp.headers.get('ETag'), status: resp.status };
}

/** fetch + JSON, problem+json → ApiError. */
export async function fetchJson(url, opts = {}) {
  return (await fetchDoc(url, opts)).json;
}

export function sessionUrl(base) {
  return `${trimBase(base)}/session`;
}

export function schemaUrl(base, collection) {
  return `${trimBase(base)}/collections/${enc(collection)}/schema`;
}

export function transitionsUrl(base, collection, id) {
  return `${itemUrl(base, collection, id)}/transitions`;
}

// ---- The measures ledger of a farmland unit (docs/api.md#measures-ledger) ----

/** The kinds of measure, safe-use first, then strict-control (the server's names; labels: i18n `measure.*`). */
export const MEASURE_KINDS = {
  safe_use: ['variety', 'lime', 'water', 'foliar', 'deep_plough', 'other'],
  strict_control: ['planting_structure', 'strict_zone', 'forest_grass', 'fallow', 'non_farmland'],
};

export function measuresUrl(base, unitCode) {
  return `${itemUrl(base, COLLECTIONS.farmland, unitCode)}/measures`;
}

/**
 * The URL and body of `POST .../measures` for one measure from the card's form (strings as typed). Refuses,
 * with the i18n key of the reason, what the server would refuse anyway: it checks again (and the area
 * against the unit's), and its explanation is shown then.
 */
export function buildMeasuresRequest(base, unitCode, { year, kind, area_m2, document, note } = {}) {
  const kinds = [...MEASURE_KINDS.safe_use, ...MEASURE_KINDS.strict_control];
  if (!kinds.includes(kind)) throw new RequestError('ledger.need_kind');
  const area = Number(String(area_m2 ?? '').trim().replace(/,/g, ''));
  if (String(area_m2 ?? '').trim() === '' || !Number.isFinite(area) || area <= 0) throw new RequestError('ledger.need_area');
  const y = Number(String(year ?? '').trim());
  if (!Number.isInteger(y) || y < 2000 || y > 2100) throw new RequestError('ledger.need_year');
  const doc = String(document ?? '').trim();
  if (!doc) throw new RequestError('ledger.need_document');
  const measure = { kind, area_m2: area };
  const body = { year: y, measures: [measure], document: doc };
  const n = String(note ?? '').trim();
  if (n) body.note = n;
  return { url: measuresUrl(base, unitCode), method: 'POST', body };
}

/** The source-control registers (源头防控) drawn as map layers, by layer key. */
export const SOURCE_COLLECTIONS = {
  sources: 'pollution_sources',
  ponds: 'tailings_ponds',
  keyunits: 'key_supervised_units',
};

/** The samples (采样点) drawn as map layers, by layer key (docs/adjustment.md). */
export const SAMPLE_COLLECTIONS = {
  soilsamples: 'soil_samples',
  cropsamples: 'crop_samples',
};

function traceQuery({ distance_m, as_of } = {}) {
  const q = new URLSearchParams();
  if (distance_m !== undefined && distance_m !== null && distance_m !== '') q.set('distance_m', String(distance_m));
  if (as_of) q.set('as_of', String(as_of));
  const qs = q.toString();
  return qs ? `?${qs}` : '';
}

/** Tracing (溯源) from a farmland unit: the sources, ponds and key units' sites near it, nearest first. */
export function nearbySourcesUrl(base, unitCode, opts) {
  return `${itemUrl(base, 'farmland_units', unitCode)}/nearby-sources${traceQuery(opts)}`;
}

/** Tracing from a source, pond or key unit's site: the farmland near it, with areas by class. */
export function nearbyFarmlandUrl(base, collection, id, opts) {
  return `${itemUrl(base, collection, id)}/nearby-farmland${traceQuery(opts)}`;
}
