// URLs and request bodies for the landguard HTTP API (docs/contract.md), and one fetch helper that turns
// problem+json answers into errors. The builders are pure, so node's test runner checks them.

export const COLLECTIONS = {
  farmland: 'farmland_units',
  parcels: 'construction_parcels',
};

export const CHECK_KINDS = ['rezoning', 'eia-site', 'land-supply'];
export const PROJECT_KINDS = ['other', 'remediation', 'heavy_metal', 'soil_polluting'];
export const SUPPLY_KINDS = ['transfer', 'allocation'];

function trimBase(base) {
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

/** An error answer from the API, with its problem details. */
export class ApiError extends Error {
  constructor(status, problem) {
    const detail = problem && (problem.detail || problem.title);
    const extra = problem && Array.isArray(problem.errors) ? problem.errors.map((e) => `${e.pointer || ''} ${e.message || ''}`.trim()) : [];
    super([detail || `HTTP ${status}`, ...extra].join('; '));
    this.status = status;
    this.problem = problem;
  }
}

/** Headers for a request (a bearer token when the deployment configures one for reads). */
export function headersFor(config, extra = {}) {
  const h = { Accept: 'application/json, application/geo+json;q=0.9', ...extra };
  if (config && config.token) h.Authorization = `Bearer ${config.token}`;
  return h;
}

/** fetch + JSON, problem+json → ApiError. */
export async function fetchJson(url, { config, method = 'GET', body, signal } = {}) {
  const init = { method, headers: headersFor(config), signal };
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
  if (!resp.ok) throw new ApiError(resp.status, json);
  return json;
}
