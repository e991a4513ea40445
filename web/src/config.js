// Deployment settings: `window.LANDGUARD_CONFIG` (set in config.js next to index.html), then query
// parameters, which win. See docs/api.md, section "Map".
//
//   window.LANDGUARD_CONFIG = {
//     apiBase: 'https://gis.example.gov.cn/landguard',    // default: the path the viewer is served under, less /map/
//     lang: 'zh',                                          // 'zh' (default) or 'en'
//     basemap: { url: 'https://.../{z}/{x}/{y}.png', attribution: '...', maxZoom: 18 },  // any XYZ tiles in EPSG:3857
//     tianditu: 'KEY',                                     // 天地图 vector basemap + labels with this key
//     token: '...',                                        // bearer token for servers that do not allow anonymous reads
//   };
//
// Query parameters: ?lang=en, ?basemap=<URL-encoded XYZ template>, ?tk=<天地图 key>, ?source=features
// (draw from the items endpoint instead of vector tiles, for servers without tiles), ?datetime=2024-06-30
// (the registry as it stood on that day).

import { apiRootFromLocation } from './api.js';

/** 天地图 (Tianditu) vector map and its annotation layer, Web Mercator ("_w") tile matrix set. */
export function tiandituLayers(key) {
  const k = encodeURIComponent(key);
  const wmts = (layer) =>
    `https://t{0-7}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=${layer}` +
    `&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${k}`;
  const attribution = '© 天地图 (国家地理信息公共服务平台)';
  return [
    { url: wmts('vec'), attribution, maxZoom: 18 },
    { url: wmts('cva'), attribution, maxZoom: 18 },
  ];
}

/** Normalise the basemap setting to a list of XYZ layers. */
export function basemapLayers(cfg) {
  if (cfg.tianditu) return tiandituLayers(cfg.tianditu);
  const b = cfg.basemap;
  if (!b) return [];
  const list = Array.isArray(b) ? b : [b];
  return list
    .map((x) => (typeof x === 'string' ? { url: x } : x))
    .filter((x) => x && typeof x.url === 'string' && /^https?:\/\//.test(x.url));
}

/** The settings in force for a page location and a window config object (both passed in for tests). */
export function resolveConfig(loc, windowConfig = {}, stored = {}) {
  const q = new URLSearchParams(loc.search || '');
  const cfg = { ...windowConfig };
  cfg.apiBase = (cfg.apiBase || apiRootFromLocation(loc)).replace(/\/+$/, '');
  const lang = q.get('lang') || stored.lang || cfg.lang || 'zh';
  cfg.lang = lang === 'en' ? 'en' : 'zh';
  if (q.get('basemap')) cfg.basemap = { url: q.get('basemap') };
  if (q.get('tk')) cfg.tianditu = q.get('tk');
  cfg.basemaps = basemapLayers(cfg);
  cfg.source = q.get('source') === 'features' ? 'features' : cfg.source === 'features' ? 'features' : 'tiles';
  cfg.datetime = q.get('datetime') || cfg.datetime || null;
  return cfg;
}
