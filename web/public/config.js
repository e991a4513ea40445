// Deployment settings for the landguard viewer. This file is copied to dist/config.js by the build
// (web/config.local.js instead, when it exists: keep keys there, it is not committed). See
// docs/api.md, section "Map". Every setting is optional.
window.LANDGUARD_CONFIG = window.LANDGUARD_CONFIG || {
  // apiBase: 'https://gis.example.gov.cn/landguard', // default: where /map/ is served from
  // lang: 'zh',                                       // 'zh' or 'en'
  // tianditu: 'YOUR_TIANDITU_KEY',                    // 天地图 vector basemap with labels
  // basemap: { url: 'https://tiles.example/{z}/{x}/{y}.png', attribution: '...', maxZoom: 18 },
  // token: '...',                                     // only where anonymous reads are switched off
};
