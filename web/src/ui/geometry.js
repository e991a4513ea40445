// A feature's new geometry as a person pastes it into the edit form: GeoJSON (a Geometry, a Feature or a
// FeatureCollection of one feature), or a 界址点 list, one vertex a line ("x,y", "x y" or "点号,x,y"), in
// lon/lat or in CGCS2000 3° Gauss-Krüger metres. The register's own answer (PUT bodies are GeoJSON in CRS84
// lon/lat, docs/api.md "Registry writes") is what this returns; the server still checks validity (a bow-tie
// is refused there, with its reason). Pure: node's test runner checks it.
//
// Axis order of a GK pair is read from magnitudes, so both "X(northing), Y(easting)" as 界址点 tables print
// them and "E, N" are accepted: an easting with its zone number in front (37 512 345.67) has 8 integer
// digits; without it, an easting lies within ±~350 km of 500 000 (6 digits) while a northing in China is
// ≥ 1 000 000 north of ~9°N (7 digits).

import { fromGK } from '../gk.js';

/** China's lon/lat extent, with a margin for the islands: what a converted vertex must fall in. */
export const CHINA = { minLon: 73, maxLon: 136, minLat: 3, maxLat: 54 };
/** The 3° zones China uses: 25 (75°E) to 45 (135°E). */
export const ZONES = { first: 25, last: 45 };

const MESSAGES = {
  empty: ['没有粘贴任何坐标', 'nothing was pasted'],
  json: ['GeoJSON 无法解析：{detail}', 'the GeoJSON cannot be read: {detail}'],
  collection: ['FeatureCollection 须只含一个要素（现有 {n} 个）', 'the FeatureCollection must hold exactly one feature ({n} found)'],
  type: ['几何类型应为{want}，粘贴的是 {got}', 'the geometry must be a {wantEn}; {got} was pasted'],
  coordinates: ['GeoJSON 的坐标不是数字对', 'the GeoJSON coordinates are not pairs of numbers'],
  line: ['第 {line} 行无法读取：“{text}”（应为“x,y”“x y”或“点号,x,y”）', 'line {line} cannot be read: "{text}" (expected "x,y", "x y" or "id,x,y")'],
  number: ['第 {line} 行的坐标不是有限数字：“{text}”', 'line {line}: the coordinates are not finite numbers: "{text}"'],
  axes: ['第 {line} 行：无法判断哪个是 X（北坐标）哪个是 Y（东坐标）：{a}, {b}', 'line {line}: cannot tell the northing from the easting: {a}, {b}'],
  zone: ['第 {line} 行：高斯-克吕格东坐标没有带号，请选择带号', 'line {line}: the Gauss-Krüger easting has no zone number; choose the zone'],
  zone_range: ['带号 {zone} 不在中国使用的 3° 带 25–45 之内', 'zone {zone} is not one of the 3° zones China uses (25–45)'],
  mixed: ['经纬度与高斯-克吕格坐标混在一起（第 {line} 行）', 'lon/lat and Gauss-Krüger coordinates are mixed (line {line})'],
  outside: ['第 {line} 个点（{lon}, {lat}）不在中国境内，请检查坐标系、带号和 X/Y 顺序', 'vertex {line} ({lon}, {lat}) is outside China; check the CRS, the zone and the X/Y order'],
  ring: ['面至少需要 3 个不同的界址点（闭合后 4 个），现有 {n} 个', 'a polygon needs at least 3 distinct vertices (4 once closed); {n} given'],
  point: ['点要素只能有一个坐标，现有 {n} 个', 'a point feature takes one coordinate; {n} given'],
};

function problem(code, vars = {}) {
  const fill = (s) => s.replace(/\{(\w+)\}/g, (_, k) => (k in vars ? String(vars[k]) : `{${k}}`));
  const [zh, en] = MESSAGES[code];
  return { code, zh: fill(zh), en: fill(en) };
}

class Refusal extends Error {
  constructor(p) {
    super(p.zh);
    this.problem = p;
  }
}
const refuse = (code, vars) => {
  throw new Refusal(problem(code, vars));
};

/** 'point' or 'polygon': from the schema's geometry format (geometry-point / geometry-multipolygon), else the feature's. */
export function geometryKind(schema, feature) {
  const props = (schema && schema.properties) || {};
  const g = Object.values(props).find((p) => p && p['x-ogc-role'] === 'primary-geometry');
  if (g && typeof g.format === 'string') return g.format.includes('point') ? 'point' : 'polygon';
  const type = feature && feature.geometry && feature.geometry.type;
  return type === 'Point' || type === 'MultiPoint' ? 'point' : 'polygon';
}

const inChina = ([lon, lat]) => lon >= CHINA.minLon && lon <= CHINA.maxLon && lat >= CHINA.minLat && lat <= CHINA.maxLat;
const round = (v) => Math.round(v * 1e9) / 1e9;

/** One vertex [a, b] as typed → { lonlat } or { gk: { easting, northing, zone } } (zone null when not in the easting). */
function classify(a, b, line) {
  const lonLat = (lon, lat) => lon >= CHINA.minLon && lon <= CHINA.maxLon && lat >= CHINA.minLat && lat <= CHINA.maxLat;
  if (Math.abs(a) <= 180 && Math.abs(b) <= 180) {
    if (lonLat(a, b)) return { lonlat: [a, b] };
    if (lonLat(b, a)) return { lonlat: [b, a] };
    // Degrees, but not in China in either order.
    return { lonlat: [a, b] };
  }
  const digits = (v) => Math.floor(Math.abs(v)).toString().length;
  const da = digits(a);
  const db = digits(b);
  // An easting with its zone number (8 digits) is unmistakable; otherwise the 6-digit value is the easting.
  let easting;
  let northing;
  if (db === 8 && da <= 7) [easting, northing] = [b, a];
  else if (da === 8 && db <= 7) [easting, northing] = [a, b];
  else if (db === 6 && da === 7) [easting, northing] = [b, a];
  else if (da === 6 && db === 7) [easting, northing] = [a, b];
  else refuse('axes', { line, a, b });
  if (digits(easting) === 8) return { gk: { easting: easting % 1e6, northing, zone: Math.floor(easting / 1e6) } };
  return { gk: { easting, northing, zone: null } };
}

function toLonLat(v, zone, line) {
  if (v.lonlat) return v.lonlat;
  const z = v.gk.zone ?? zone;
  if (z === null || z === undefined || z === '') refuse('zone', { line });
  if (!Number.isInteger(Number(z)) || Number(z) < ZONES.first || Number(z) > ZONES.last) refuse('zone_range', { zone: z });
  return fromGK(v.gk.easting, v.gk.northing, Number(z) * 3);
}

const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** The vertices of a 界址点 list as [lon, lat], a header line (no numbers) skipped. */
function parseList(text, zone) {
  const rows = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (!s || s.startsWith('#')) return;
    const parts = s.split(/[\s,，;；\t]+/).filter(Boolean);
    const numeric = parts.filter((p) => NUMBER.test(p));
    if (!numeric.length && rows.length === 0) return; // a header: 点号 X Y
    let pair;
    if (parts.length === 2) pair = parts;
    else if (parts.length === 3) pair = parts.slice(1);
    else refuse('line', { line, text: s });
    if (!pair.every((p) => NUMBER.test(p))) refuse('number', { line, text: s });
    const [a, b] = pair.map(Number);
    if (!Number.isFinite(a) || !Number.isFinite(b)) refuse('number', { line, text: s });
    rows.push({ line, v: classify(a, b, line) });
  });
  const kinds = new Set(rows.map((r) => (r.v.lonlat ? 'lonlat' : 'gk')));
  if (kinds.size > 1) refuse('mixed', { line: rows.find((r) => (r.v.lonlat ? 'lonlat' : 'gk') !== (rows[0].v.lonlat ? 'lonlat' : 'gk')).line });
  return rows.map((r) => ({ line: r.line, lonlat: toLonLat(r.v, zone, r.line) }));
}

function checkPositions(positions) {
  positions.forEach((p, i) => {
    if (!Array.isArray(p) || p.length < 2 || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) refuse('coordinates');
    if (!inChina(p)) refuse('outside', { line: i + 1, lon: p[0].toFixed(6), lat: p[1].toFixed(6) });
  });
}

function closeRing(ring) {
  const out = ring.map((p) => [round(p[0]), round(p[1])]);
  const [f, l] = [out[0], out[out.length - 1]];
  if (out.length && (f[0] !== l[0] || f[1] !== l[1])) out.push([...f]);
  if (out.length < 4) refuse('ring', { n: Math.max(0, out.length - 1) });
  return out;
}

function fromGeoJson(text, kind) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    refuse('json', { detail: e.message });
  }
  if (doc && doc.type === 'FeatureCollection') {
    const n = Array.isArray(doc.features) ? doc.features.length : 0;
    if (n !== 1) refuse('collection', { n });
    doc = doc.features[0];
  }
  if (doc && doc.type === 'Feature') doc = doc.geometry;
  const got = (doc && doc.type) || typeof doc;
  const want = kind === 'point' ? ['Point'] : ['Polygon', 'MultiPolygon'];
  if (!want.includes(got)) refuse('type', { want: kind === 'point' ? '点（Point）' : '面（Polygon）', wantEn: kind === 'point' ? 'Point' : 'Polygon', got });
  const c = doc.coordinates;
  if (got === 'Point') {
    checkPositions([c]);
    return { type: 'Point', coordinates: [round(c[0]), round(c[1])] };
  }
  const polys = got === 'Polygon' ? [c] : c;
  if (!Array.isArray(polys) || !polys.length || !polys.every((p) => Array.isArray(p) && p.length && p.every(Array.isArray))) refuse('coordinates');
  const closed = polys.map((rings) =>
    rings.map((ring) => {
      checkPositions(ring);
      return closeRing(ring);
    }),
  );
  return got === 'Polygon' ? { type: 'Polygon', coordinates: closed[0] } : { type: 'MultiPolygon', coordinates: closed };
}

/**
 * `text` as pasted → { geometry, vertices } (GeoJSON in lon/lat, the number of distinct vertices) or
 * { error: { code, zh, en } }. `kind` is 'polygon' or 'point'; `zone` the 3° zone number (e.g. 36) for
 * Gauss-Krüger eastings that do not carry it.
 */
export function parseGeometry(text, { kind = 'polygon', zone = null } = {}) {
  try {
    const s = String(text ?? '').trim();
    if (!s) refuse('empty');
    let geometry;
    if (s.startsWith('{')) geometry = fromGeoJson(s, kind);
    else {
      const rows = parseList(s, zone);
      if (!rows.length) refuse('empty');
      rows.forEach((r) => {
        if (!inChina(r.lonlat)) refuse('outside', { line: r.line, lon: r.lonlat[0].toFixed(6), lat: r.lonlat[1].toFixed(6) });
      });
      if (kind === 'point') {
        if (rows.length !== 1) refuse('point', { n: rows.length });
        const [lon, lat] = rows[0].lonlat;
        geometry = { type: 'Point', coordinates: [round(lon), round(lat)] };
      } else geometry = { type: 'Polygon', coordinates: [closeRing(rows.map((r) => r.lonlat))] };
    }
    const vertices =
      geometry.type === 'Point' ? 1 : (geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates).reduce((n, p) => n + p[0].length - 1, 0);
    return { geometry, vertices };
  } catch (e) {
    if (e instanceof Refusal) return { error: e.problem };
    throw e;
  }
}
