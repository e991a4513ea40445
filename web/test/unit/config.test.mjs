import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basemapLayers, resolveConfig, tiandituLayers } from '../../src/config.js';
import { indicatorsHtml, scopesFromCounties } from '../../src/ui/indicators.js';

const loc = (search = '', pathname = '/map/') => ({ origin: 'http://127.0.0.1:8080', pathname, search });

test('defaults: Chinese, vector tiles, API root from the page, no basemap', () => {
  const c = resolveConfig(loc());
  assert.equal(c.lang, 'zh');
  assert.equal(c.source, 'tiles');
  assert.equal(c.apiBase, 'http://127.0.0.1:8080');
  assert.deepEqual(c.basemaps, []);
  assert.equal(c.datetime, null);
});

test('query parameters win over window.LANDGUARD_CONFIG, which wins over the stored language', () => {
  assert.equal(resolveConfig(loc(), { lang: 'en' }, { lang: 'zh' }).lang, 'zh');
  assert.equal(resolveConfig(loc(), { lang: 'en' }).lang, 'en');
  assert.equal(resolveConfig(loc('?lang=en'), { lang: 'zh' }).lang, 'en');
  assert.equal(resolveConfig(loc('?lang=fr')).lang, 'zh');
  const c = resolveConfig(loc('?basemap=' + encodeURIComponent('https://tiles.example/{z}/{x}/{y}.png') + '&datetime=2024-06-30&source=features'), {
    apiBase: 'https://gis.example/landguard/',
  });
  assert.equal(c.apiBase, 'https://gis.example/landguard');
  assert.deepEqual(c.basemaps, [{ url: 'https://tiles.example/{z}/{x}/{y}.png' }]);
  assert.equal(c.datetime, '2024-06-30');
  assert.equal(c.source, 'features');
});

test('天地图: a key gives the vector map and its labels in Web Mercator', () => {
  const layers = tiandituLayers('abc 123');
  assert.equal(layers.length, 2);
  assert.match(layers[0].url, /vec_w\/wmts\?.*LAYER=vec.*TILEMATRIXSET=w.*TILEMATRIX=\{z\}&TILEROW=\{y\}&TILECOL=\{x\}&tk=abc%20123$/);
  assert.match(layers[1].url, /cva_w\/wmts\?.*LAYER=cva/);
  assert.equal(resolveConfig(loc('?tk=KEY')).basemaps.length, 2);
  // only http(s) templates are accepted as basemaps
  assert.deepEqual(basemapLayers({ basemap: 'javascript:alert(1)' }), []);
  assert.equal(basemapLayers({ basemap: ['https://a/{z}/{x}/{y}.png', { url: 'https://b/{z}/{x}/{y}.png', attribution: 'B' }] }).length, 2);
});

test('the scope select lists both cities and every county of the outlines', () => {
  const counties = JSON.parse(readFileSync(new URL('../../../fixtures/counties.geojson', import.meta.url)));
  const cities = scopesFromCounties(counties);
  assert.deepEqual(cities.map((c) => [c.code, c.name]), [['4502', '柳州市'], ['4503', '桂林市']]);
  const all = cities.flatMap((c) => c.counties.map((k) => k.code));
  assert.equal(all.length, counties.features.length);
  assert.ok(all.includes('450222') && all.includes('450323'));
  assert.ok(cities[0].counties.every((k) => k.code.startsWith('4502')));
});

test('the indicator panel shows the rate against the target and says when it is missed', () => {
  const html = indicatorsHtml({
    as_of: '2026-11-23',
    scope: { code: '450222', level: 'county' },
    safe_utilisation: { rate_percent: 92.15, target_percent: 93.0, meets_target: false, polluted_m2: 2189216.7, safely_used_m2: 2017254.3 },
    priority_parcels: { total: 3, under_control: 3, share_percent: 100.0, target_percent: null, meets_target: null },
    rcr_listed_by_state: { listed: 0, under_control: 2, under_remediation: 1, effect_evaluation: 0, total: 3 },
    farmland_by_class: { total: { area_m2: 100 }, priority_protection: { area_m2: 75, area_mu: 0.1, units: 3 } },
  });
  assert.match(html, /id="ind-rate"[^>]*>92\.15%</);
  assert.match(html, /未达标/);
  assert.match(html, /目标 93%/);
  assert.match(html, /3 \/ 3 块已纳入管控/);
});
