// Importing a file from the map (POST /collections/{id}/import, docs/api.md "Import by upload"): the request's
// URL, what an answer means for the page (a summary to commit, problems to show on the map, fields to map,
// features outside the person's counties) and the mapping as the request sends it. Pure: node's test runner
// checks it.

import { pickLang } from '../problem.js';

/** Files the import reads, for the file input's `accept`. */
export const ACCEPT = '.zip,.gpkg,.geojson,.json,.csv,.xlsx,.ods,.kml';

/** The URL of an import; empty options are left out so that the server's defaults apply. */
export function importUrl(base, collection, { dryRun = true, filename, sourceCrs, encoding, repair, fields } = {}) {
  const q = new URLSearchParams();
  q.set('dry_run', dryRun ? 'true' : 'false');
  if (filename) q.set('filename', filename);
  if (sourceCrs && sourceCrs.trim()) q.set('source_crs', sourceCrs.trim());
  if (encoding) q.set('encoding', encoding);
  if (repair) q.set('on_invalid', 'repair');
  const f = fieldsParam(fields);
  if (f) q.set('fields', f);
  return `${String(base || '').replace(/\/+$/, '')}/collections/${encodeURIComponent(collection)}/import?${q}`;
}

/** { property: file field } chosen in the page → `宗地号:parcel_code,…` (unchosen ones left out). */
export function fieldsParam(mapping) {
  return Object.entries(mapping || {})
    .filter(([, field]) => field)
    .map(([property, field]) => `${field}:${property}`)
    .join(',');
}

// The checks' own texts are English (docs/api.md lists them); the commonest are told in Chinese, with the
// server's text kept after them.
const ZH_REASONS = [
  [/self-intersection/, '几何无效：边界自相交（可勾选“自动修复无效几何”）'],
  [/outside China's extent|coordinates cannot be in/, '坐标不在中国范围内：请检查坐标系或经纬度顺序'],
  [/is required|missing/, '缺少必填属性'],
  [/appears twice in the file/, '编码在文件中重复'],
  [/must be a 6-digit county code|county code/, '县级行政区划代码无效'],
  [/not one of|must be one of|unknown/, '取值不在代码表内'],
  [/must be a date/, '日期格式应为 YYYY-MM-DD'],
  [/outside the counties/, '不在您可写的县区内'],
];

/** A problem's text in `lang`: for Chinese, the reason in Chinese (when it is a known one) and the server's text. */
export function reasonText(detail, lang = 'zh') {
  const text = pickLang(detail || '', lang);
  if (lang !== 'zh' || /[\u4e00-\u9fff]/.test(text)) return text;
  const known = ZH_REASONS.find(([re]) => re.test(text));
  return known ? `${known[1]}（${text}）` : text;
}

/**
 * What an answer of the import means: { kind, report, rows, missing, fileFields, message } where kind is
 * 'ready' (a dry run that would write: commit may follow), 'written', 'problems' (features refused, each with
 * where it lies), 'outside' (features outside the person's counties), 'unmapped' (required properties with no
 * field: choose them) or 'error'.
 */
export function readAnswer(status, body, { lang = 'zh', fieldLabel = (n) => n } = {}) {
  const b = body && typeof body === 'object' ? body : {};
  const kind = String(b.type || '').slice(String(b.type || '').lastIndexOf('/') + 1);
  const rowsOf = (report) =>
    (report && Array.isArray(report.problems) ? report.problems : []).map((p) => {
      const name = String(p.pointer || '').replace(/^\/properties\//, '').replace(/^\//, '');
      return {
        ordinal: p.ordinal,
        code: p.code || '',
        field: name === 'geometry' ? fieldLabel('geometry') : name ? fieldLabel(name) : '',
        text: reasonText(p.detail, lang),
        geometry: p.geometry || null,
      };
    });
  const message = lang === 'zh' && b.detail_zh ? b.detail_zh : pickLang(b.detail || '', lang);
  if (status === 200 || status === 201) {
    return { kind: b.written ? 'written' : 'ready', report: b, rows: [], message: '' };
  }
  if (status === 422 && kind === 'unmapped-fields') {
    return { kind: 'unmapped', missing: b.missing_properties || [], fileFields: b.file_fields || [], rows: [], message };
  }
  if (status === 422 && b.report) return { kind: 'problems', report: b.report, rows: rowsOf(b.report), message };
  if (status === 403 && b.report) return { kind: 'outside', report: b.report, rows: rowsOf(b.report), message };
  return { kind: 'error', rows: [], message: message || String(b.title || `HTTP ${status}`) };
}

/** The counts of a report as [key, value] pairs in the order a person reads them. */
export function counts(report) {
  const r = report || {};
  return [
    ['read', r.read ?? 0],
    ['created', r.created ?? 0],
    ['changed', r.changed ?? 0],
    ['unchanged', r.unchanged ?? 0],
    ['repaired', Array.isArray(r.repairs) ? r.repairs.length : 0],
  ];
}

/** The problem rows with a geometry, as a GeoJSON FeatureCollection (one feature per problem feature). */
export function problemFeatures(rows) {
  const seen = new Map();
  for (const r of rows || []) {
    if (!r.geometry || seen.has(r.ordinal)) continue;
    seen.set(r.ordinal, {
      type: 'Feature',
      id: `import-${r.ordinal}`,
      geometry: r.geometry,
      properties: { ordinal: r.ordinal, code: r.code, reason: r.text },
    });
  }
  return { type: 'FeatureCollection', features: [...seen.values()] };
}
