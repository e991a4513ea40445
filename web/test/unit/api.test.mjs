import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiError,
  RequestError,
  apiRootFromLocation,
  buildCheckRequest,
  historyUrl,
  indicatorsUrl,
  itemUrl,
  itemsUrl,
  tileUrlTemplate,
} from '../../src/api.js';

const BASE = 'http://127.0.0.1:8080';
const square = {
  type: 'Polygon',
  coordinates: [[[109.41, 24.33], [109.42, 24.33], [109.42, 24.34], [109.41, 24.34], [109.41, 24.33]]],
};

test('the API root is where /map/ is served from', () => {
  assert.equal(apiRootFromLocation({ origin: 'http://h:8080', pathname: '/map/' }), 'http://h:8080');
  assert.equal(apiRootFromLocation({ origin: 'http://h:8080', pathname: '/map' }), 'http://h:8080');
  assert.equal(apiRootFromLocation({ origin: 'https://gis.gov', pathname: '/landguard/map/index.html' }), 'https://gis.gov/landguard');
});

test('tile, item, history and items URLs', () => {
  assert.equal(
    tileUrlTemplate(BASE + '/', 'farmland_units'),
    'http://127.0.0.1:8080/collections/farmland_units/tiles/WebMercatorQuad/{z}/{y}/{x}',
  );
  assert.equal(
    tileUrlTemplate(BASE, 'construction_parcels', { datetime: '2024-06-30' }),
    'http://127.0.0.1:8080/collections/construction_parcels/tiles/WebMercatorQuad/{z}/{y}/{x}?datetime=2024-06-30',
  );
  assert.equal(itemUrl(BASE, 'construction_parcels', 'LZ-2019-003'), `${BASE}/collections/construction_parcels/items/LZ-2019-003`);
  assert.equal(historyUrl(BASE, 'farmland_units', '450222-GD-000003'), `${BASE}/collections/farmland_units/items/450222-GD-000003/history`);
  assert.equal(itemUrl(BASE, 'construction_parcels', 'a/b c'), `${BASE}/collections/construction_parcels/items/a%2Fb%20c`);
  assert.equal(
    itemsUrl(BASE, 'construction_parcels', { limit: 200, bbox: [109, 24, 110, 25], datetime: null }),
    `${BASE}/collections/construction_parcels/items?limit=200&bbox=109%2C24%2C110%2C25`,
  );
});

test('indicator URLs for a county, a city and everything', () => {
  assert.equal(indicatorsUrl(BASE, { county_code: '450222' }), `${BASE}/indicators?county_code=450222`);
  assert.equal(indicatorsUrl(BASE, { county_code: '4503' }), `${BASE}/indicators?county_code=4503`);
  assert.equal(indicatorsUrl(BASE, { county_code: '' }), `${BASE}/indicators`);
  assert.equal(indicatorsUrl(BASE, { county_code: 'all' }), `${BASE}/indicators`);
  assert.equal(indicatorsUrl(BASE), `${BASE}/indicators`);
  assert.equal(indicatorsUrl(BASE, { county_code: '450222', as_of: '2025-12-31' }), `${BASE}/indicators?county_code=450222&as_of=2025-12-31`);
  assert.throws(() => indicatorsUrl(BASE, { county_code: '45022' }));
  assert.throws(() => indicatorsUrl(BASE, { county_code: '4502; drop' }));
});

test('a rezoning check of a drawn area', () => {
  const r = buildCheckRequest(BASE, 'rezoning', { geometry: square, proposed_use: '070101', current_use: '', project_kind: 'heavy_metal', supply: 'transfer' });
  assert.equal(r.url, `${BASE}/checks/rezoning`);
  assert.equal(r.method, 'POST');
  // project_kind and supply belong to other checks and are left out; empty current use too
  assert.deepEqual(r.body, { geometry: square, proposed_use: '070101', use_code_system: 'ydyh2023' });
});

test('a check of a registered parcel sends its code, not a geometry', () => {
  const r = buildCheckRequest(BASE, 'rezoning', { parcel_code: ' LZ-2019-003 ', geometry: square, proposed_use: '080403' });
  assert.deepEqual(r.body, { parcel_code: 'LZ-2019-003', proposed_use: '080403', use_code_system: 'ydyh2023' });
});

test('an EIA site check always states the project kind', () => {
  assert.deepEqual(buildCheckRequest(BASE, 'eia-site', { geometry: square }).body, { geometry: square, project_kind: 'other' });
  assert.deepEqual(buildCheckRequest(BASE, 'eia-site', { geometry: square, project_kind: 'heavy_metal', as_of: '2024-06-30' }).body, {
    geometry: square,
    project_kind: 'heavy_metal',
    as_of: '2024-06-30',
  });
});

test('a land-supply check carries the supply kind', () => {
  const r = buildCheckRequest(BASE, 'land-supply', { parcel_code: 'GL-2021-003', supply: 'allocation', proposed_use: '0901' });
  assert.equal(r.url, `${BASE}/checks/land-supply`);
  assert.deepEqual(r.body, { parcel_code: 'GL-2021-003', proposed_use: '0901', use_code_system: 'ydyh2023', supply: 'allocation' });
  assert.throws(() => buildCheckRequest(BASE, 'land-supply', { parcel_code: 'x', supply: 'gift' }));
});

test('requests the UI must not send', () => {
  assert.throws(() => buildCheckRequest(BASE, 'rezoning', { proposed_use: '070101' }), (e) => e instanceof RequestError && e.key === 'check.need_area');
  assert.throws(() => buildCheckRequest(BASE, 'rezoning', { geometry: square }), (e) => e instanceof RequestError && e.key === 'check.need_use');
  assert.throws(() => buildCheckRequest(BASE, 'rezoning', { geometry: { type: 'Point', coordinates: [1, 2] }, proposed_use: '070101' }), RequestError);
  assert.throws(() => buildCheckRequest(BASE, 'demolition', { geometry: square }));
});

test('problem+json answers become errors with the server\'s own explanation, in Chinese', () => {
  // as the server sends a refused check: detail, detail_zh, title_zh and errors[] with pointer and detail
  const e = new ApiError(400, {
    type: 'https://landguard.dev/problems/invalid-check',
    title: 'The check request was refused',
    title_zh: '核查请求未被受理',
    detail: '1 problem(s) in the request; see errors',
    detail_zh: '请求中有 1 处问题，详见 errors；未作任何更改',
    errors: [{ pointer: '/proposed_use', detail: "unknown land-use code '9999'" }],
  });
  assert.equal(e.status, 400);
  assert.equal(e.message, "核查请求未被受理：请求中有 1 处问题，详见 errors；未作任何更改；proposed_use：unknown land-use code '9999'");
  assert.equal(new ApiError(502, null).message, '请求未成功（HTTP 502）');
});
