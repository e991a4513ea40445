// Browser tests of the viewer against a running landguard with the demo data (scripts/test-web.sh
// starts one and sets LANDGUARD_URL). Debian's Chromium, driven by playwright-core.
//   LANDGUARD_URL=http://127.0.0.1:8080 node --test --test-concurrency=1 test/browser/
// Screenshots go to ARTIFACTS (default ../test-artifacts).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch } from './browser.mjs';
import { FARMLAND_CLASSES, FARMLAND_CLASS_ORDER, PARCEL_STATE_COLOURS, hexToRgb } from '../../src/palette.js';
import { toGK } from '../../src/gk.js';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);
const TILE_RE = /\/collections\/(farmland_units|construction_parcels)\/tiles\/WebMercatorQuad\/(\d+)\/(\d+)\/(\d+)(\?|$)/;

let context;
let page;
const problems = []; // console errors, page errors, failed requests: none are allowed
const tileResponses = []; // {collection, status, url}

async function api(path) {
  const r = await fetch(`${BASE}${path}`);
  assert.equal(r.status, 200, `${path} → ${r.status}`);
  return r.json();
}

function ring(geometry) {
  return geometry.type === 'Polygon' ? geometry.coordinates[0] : geometry.coordinates[0][0];
}

function bboxOf(geometry) {
  const xs = [];
  const ys = [];
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  for (const p of polys) for (const [x, y] of p[0]) xs.push(x), ys.push(y);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** A point well inside a (convex-ish) polygon: the centroid of its exterior ring's vertices. */
function insidePoint(geometry) {
  const r = ring(geometry).slice(0, -1);
  return [r.reduce((s, p) => s + p[0], 0) / r.length, r.reduce((s, p) => s + p[1], 0) / r.length];
}

async function shot(name, opts = {}) {
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, ...opts });
  return path;
}

/** Counts the screenshot's pixels within `tol` of each named colour (decoded in the page). */
async function countColours(png, colours, tol = 3) {
  return page.evaluate(
    async ({ b64, colours, tol }) => {
      const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
      const bmp = await createImageBitmap(blob);
      const canvas = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(bmp, 0, 0);
      const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
      const out = Object.fromEntries(Object.keys(colours).map((k) => [k, 0]));
      for (let i = 0; i < d.length; i += 4) {
        for (const [k, [r, g, b]] of Object.entries(colours)) {
          if (Math.abs(d[i] - r) <= tol && Math.abs(d[i + 1] - g) <= tol && Math.abs(d[i + 2] - b) <= tol) out[k] += 1;
        }
      }
      return out;
    },
    { b64: png.toString('base64'), colours, tol },
  );
}

async function mapBox() {
  return page.locator('#map').boundingBox();
}

/** Viewport pixel of a lon/lat (page coordinates). */
async function pagePixel(lon, lat) {
  const [x, y] = await page.evaluate(([lon, lat]) => window.landguard.pixelOf(lon, lat), [lon, lat]);
  const box = await mapBox();
  return [box.x + x, box.y + y];
}

before(async () => {
  assert.ok(BASE, 'set LANDGUARD_URL to a running landguard with the demo data');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    const m = TILE_RE.exec(r.url());
    if (m) tileResponses.push({ collection: m[1], status: r.status(), url: r.url() });
    else if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
});

after(async () => {
  if (context) await context.close();
});

test('the page loads with no console error', { timeout: 90000 }, async () => {
  const resp = await page.goto(`${BASE}/map/`);
  assert.equal(resp.status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready') || document.body.classList.contains('failed'));
  assert.ok(await page.evaluate(() => document.body.classList.contains('ready')), 'the viewer started');
  await page.evaluate(() => window.landguard.whenRendered());
  assert.equal(await page.locator('h1').textContent(), '土壤污染风险管控一张图');
  // 3 classes, 10 parcel states, 4 source states, 3 pond levels, 2 key unit sites, 3 soil grades, 3 crop statuses, 2 marks
  assert.equal(await page.locator('.legend-row').count(), 30);
  await shot('01-overview');
  assert.deepEqual(problems, []);
});

test('tiles of both layers arrive and are drawn in the class colours', { timeout: 90000 }, async () => {
  // A strict-control unit: its valley has all three classes around it.
  const units = await api('/collections/farmland_units/items?limit=10000');
  const strict = units.features.find((f) => f.properties.class === 'strict_control' && f.properties.county_code === '450222');
  assert.ok(strict, 'a strict_control unit in 柳城县');
  const [lon, lat] = insidePoint(strict.geometry);
  tileResponses.length = 0;
  await page.evaluate(([lon, lat]) => window.landguard.goTo(lon, lat, 14), [lon, lat]);

  const byCollection = (c) => tileResponses.filter((r) => r.collection === c);
  assert.ok(byCollection('farmland_units').length > 0, 'farmland tiles were requested');
  assert.ok(byCollection('construction_parcels').length > 0, 'parcel tiles were requested');
  assert.deepEqual(tileResponses.filter((r) => r.status !== 200), [], 'every tile answered 200');
  const stats = await page.evaluate(() => window.landguard.stats);
  assert.ok(stats.farmland.features > 50, `farmland features decoded: ${JSON.stringify(stats)}`);
  assert.equal(stats.farmland.failed + stats.parcels.failed, 0);

  const box = await mapBox();
  const png = await page.screenshot({ clip: box });
  await shot('02-farmland-z14');
  const colours = Object.fromEntries(FARMLAND_CLASS_ORDER.map((c) => [c, hexToRgb(FARMLAND_CLASSES[c].fill)]));
  const counts = await countColours(png, colours);
  for (const c of FARMLAND_CLASS_ORDER) assert.ok(counts[c] > 200, `pixels of ${c}: ${JSON.stringify(counts)}`);

  // Parcels: a listed one, drawn with its state colour outline.
  const parcels = await api('/collections/construction_parcels/items?limit=200');
  const listed = parcels.features.find((f) => f.properties.state === 'listed');
  const [plon, plat] = insidePoint(listed.geometry);
  tileResponses.length = 0;
  await page.evaluate(([lon, lat]) => window.landguard.goTo(lon, lat, 15.5), [plon, plat]);
  assert.ok(byCollection('construction_parcels').length > 0);
  assert.deepEqual(tileResponses.filter((r) => r.status !== 200), []);
  const png2 = await page.screenshot({ clip: await mapBox() });
  await shot('03-listed-parcel');
  const pc = await countColours(png2, { listed: hexToRgb(PARCEL_STATE_COLOURS.listed) }, 4);
  assert.ok(pc.listed > 100, `outline pixels of the listed parcel: ${pc.listed}`);
  assert.deepEqual(problems, []);
});

test('a click on a farmland unit and on a parcel shows a card with area and history', { timeout: 90000 }, async () => {
  const units = await api('/collections/farmland_units/items?limit=10000');
  const unit = units.features.find((f) => f.properties.class === 'safe_use' && f.properties.area_m2 > 20000);
  const [lon, lat] = insidePoint(unit.geometry);
  await page.evaluate(([lon, lat]) => window.landguard.goTo(lon, lat, 16), [lon, lat]);
  const [x, y] = await pagePixel(lon, lat);
  await page.mouse.click(x, y);
  const card = page.locator('#card');
  await card.waitFor({ state: 'visible' });
  await page.locator('#card .card-kind', { hasText: '耕地类别单元' }).waitFor();
  await page.locator('#card code', { hasText: unit.id }).waitFor();
  await page.locator('#card-area', { hasText: '亩' }).waitFor();
  await page.locator('#card .timeline li').first().waitFor();
  assert.match(await page.locator('#card-area').textContent(), /平方米（[\d,.]+ 亩）/);
  assert.match(await card.textContent(), /安全利用类/);
  await shot('04-card-farmland');

  const parcels = await api('/collections/construction_parcels/items?limit=200');
  const parcel = parcels.features.find((f) => f.properties.state === 'under_remediation' && f.properties.priority_supervision);
  const history = await api(`/collections/construction_parcels/items/${parcel.id}/history`);
  const [plon, plat] = insidePoint(parcel.geometry);
  await page.evaluate(([lon, lat]) => window.landguard.goTo(lon, lat, 16), [plon, plat]);
  const [px, py] = await pagePixel(plon, plat);
  await page.mouse.click(px, py);
  await page.locator('#card .card-title', { hasText: parcel.properties.name }).waitFor();
  await page.locator('#card .timeline li').nth(history.versions.length - 1).waitFor();
  assert.equal(await page.locator('#card .timeline li').count(), history.versions.length);
  assert.match(await card.textContent(), /修复中/);
  assert.match(await card.textContent(), /优先监管地块/);
  await shot('05-card-parcel');
  await page.locator('#card [data-action="close"]').click();
  await card.waitFor({ state: 'hidden' });
  assert.deepEqual(problems, []);
});

test('a polygon drawn over a listed parcel, proposed for housing, is denied under Art. 61', { timeout: 90000 }, async () => {
  const parcels = await api('/collections/construction_parcels/items?limit=200');
  const listed = parcels.features.find((f) => f.properties.state === 'listed');
  assert.ok(listed, 'a listed parcel in the demo data');
  const [x0, y0, x1, y1] = bboxOf(listed.geometry);
  await page.evaluate((b) => window.landguard.fitLonLat(b, 17), [x0, y0, x1, y1]);

  await page.locator('#tab-check').click();
  await page.locator('#check-kind-rezoning').click();
  await page.locator('#check-proposed').selectOption('070101');
  await page.locator('#check-draw').click();
  await page.locator('#draw-hint').waitFor({ state: 'visible' });
  // A quadrilateral around the parcel's bounding box, a little larger than it.
  const dx = (x1 - x0) * 0.15;
  const dy = (y1 - y0) * 0.15;
  const corners = [
    [x0 - dx, y0 - dy],
    [x1 + dx, y0 - dy],
    [x1 + dx, y1 + dy],
    [x0 - dx, y1 + dy],
  ];
  const pixels = [];
  for (const [lon, lat] of corners) pixels.push(await pagePixel(lon, lat));
  for (const [x, y] of pixels) {
    await page.mouse.click(x, y);
    await page.waitForTimeout(350);
  }
  await page.mouse.click(pixels[0][0], pixels[0][1]); // back on the first vertex closes the ring
  await page.locator('#check-area.set').waitFor();
  assert.match(await page.locator('#check-area').textContent(), /已绘制范围/);

  const answered = page.waitForResponse((r) => r.url().endsWith('/checks/rezoning') && r.request().method() === 'POST');
  await page.locator('#check-run').click();
  const resp = await answered;
  assert.equal(resp.status(), 200);
  const sent = resp.request().postDataJSON();
  assert.equal(sent.proposed_use, '070101');
  assert.equal(sent.geometry.type, 'Polygon');
  assert.equal(sent.geometry.coordinates[0].length, 5);

  const decision = page.locator('#check-decision');
  await decision.waitFor();
  assert.equal(await decision.getAttribute('data-decision'), 'denied');
  assert.equal((await decision.textContent()).trim(), '不予准许');
  const reason = page.locator('.reason[data-rule="rcr_listed_no_housing_public"]');
  await reason.waitFor();
  assert.equal(await reason.getAttribute('data-decision'), 'denied');
  assert.match(await reason.locator('.basis').textContent(), /第六十一条/);
  assert.match(await reason.locator('.message').textContent(), new RegExp(listed.id));
  await reason.locator(`.feature-link[data-id="${listed.id}"]`).waitFor();
  // the overlapping parcel is fetched and drawn highlighted
  await page.waitForFunction(
    (id) => window.landguard.layers.result.getSource().getFeatures().some((f) => f.getId() === id),
    listed.id,
  );
  await page.evaluate(() => window.landguard.whenRendered());
  await shot('06-check-denied');
  assert.deepEqual(problems, []);
});

test('the indicator panel shows the safe-utilisation rate of a county against its target', { timeout: 90000 }, async () => {
  const expected = await api('/indicators?county_code=450222');
  await page.locator('#tab-indicators').click();
  await page.locator('#ind-scope').selectOption('450222');
  await page.locator('#ind-body[data-scope="450222"]').waitFor();
  const rate = expected.safe_utilisation.rate_percent;
  assert.equal((await page.locator('#ind-rate').textContent()).trim(), `${Number(rate.toFixed(2))}%`);
  assert.match(await page.locator('#ind-target').textContent(), new RegExp(`${expected.safe_utilisation.target_percent}%`));
  const meets = await page.locator('#ind-meets').getAttribute('data-meets');
  assert.equal(meets, String(expected.safe_utilisation.meets_target));
  await page.evaluate(() => window.landguard.whenRendered());
  await shot('07-indicators-450222');

  await page.locator('#ind-scope').selectOption('4503');
  await page.locator('#ind-body[data-scope="4503"]').waitFor();
  assert.match(await page.locator('#ind-rate').textContent(), /^\d+(\.\d+)?%$/);

  // Guilin's 2023 target, as of the end of 2023
  const end2023 = await api('/indicators?county_code=4503&as_of=2023-12-31');
  const asked = page.waitForResponse((r) => r.url().includes('/indicators?county_code=4503&as_of=2023-12-31'));
  await page.locator('#ind-asof').fill('2023-12-31');
  assert.equal((await asked).status(), 200);
  await page.locator('.as-of', { hasText: '2023年12月31日' }).waitFor();
  const r23 = end2023.safe_utilisation.rate_percent;
  assert.equal((await page.locator('#ind-rate').textContent()).trim(), `${Number(r23.toFixed(2))}%`);
  assert.deepEqual(problems, []);
});

test('the register as of a past day: the tiles are asked for with datetime', { timeout: 90000 }, async () => {
  await page.locator('#tab-layers').click();
  // tiles still loading from the previous test would otherwise arrive after the reset and be counted
  await page.evaluate(() => window.landguard.whenRendered());
  tileResponses.length = 0;
  await page.locator('#map-asof').fill('2022-06-30');
  await page.locator('#asof-banner', { hasText: '2022年6月30日' }).waitFor();
  await page.evaluate(() => window.landguard.whenRendered());
  assert.ok(tileResponses.length > 0, 'tiles were reloaded');
  assert.deepEqual(tileResponses.filter((r) => !r.url.includes('datetime=2022-06-30') || r.status !== 200), []);
  assert.match(page.url(), /datetime=2022-06-30/);
  await shot('08a-as-of-2022-06-30');
  await page.locator('#map-asof-now').click();
  await page.locator('#asof-banner').waitFor({ state: 'hidden' });
  assert.doesNotMatch(page.url(), /datetime=/);
  assert.deepEqual(problems, []);
});

test('the cursor position is shown in CGCS2000 and the local Gauss-Krüger zone', { timeout: 90000 }, async () => {
  const box = await mapBox();
  const x = box.x + box.width / 2;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.move(x + 1, y + 1);
  await page.locator('#coord-n').waitFor();
  const [lon, lat] = await page.evaluate(([px, py]) => {
    const m = window.landguard.map;
    const rect = m.getViewport().getBoundingClientRect();
    const c = m.getCoordinateFromPixel([px - rect.left, py - rect.top]);
    const r = 6378137;
    return [(c[0] / r) * (180 / Math.PI), (2 * Math.atan(Math.exp(c[1] / r)) - Math.PI / 2) * (180 / Math.PI)];
  }, [x + 1, y + 1]);
  const gk = toGK(lon, lat);
  const shown = (await page.locator('#coords').textContent()).replace(/\s+/g, ' ');
  assert.match(shown, new RegExp(`EPSG:${gk.epsg}`));
  const n = Number((await page.locator('#coord-n').textContent()).replace(/[^\d.]/g, ''));
  const e = Number((await page.locator('#coord-e').textContent()).replace(/[^\d.]/g, ''));
  assert.ok(Math.abs(n - gk.northing) < 0.01 && Math.abs(e - gk.easting) < 0.01, `${shown} vs ${JSON.stringify(gk)}`);
  assert.deepEqual(problems, []);
});

test('the English switch translates the interface and the check answer', { timeout: 90000 }, async () => {
  await page.locator('#lang-button').click();
  assert.equal(await page.locator('h1').textContent(), 'Soil Pollution Risk One Map');
  await page.locator('#tab-check').click();
  assert.equal((await page.locator('#check-decision').textContent()).trim(), 'Denied');
  assert.match(await page.locator('.reason .message').first().textContent(), /risk-control and remediation list/);
  await shot('08-english');
  await page.locator('#lang-button').click();
  assert.equal(await page.locator('h1').textContent(), '土壤污染风险管控一张图');
  assert.deepEqual(problems, []);
});

test('screenshot for the README: a valley in 柳城县 with the heavy-metal site checked for an EIA', { timeout: 90000 }, async () => {
  await page.goto(`${BASE}/map/`);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
  const p = await api('/collections/construction_parcels/items/LZ-2020-015');
  const [x0, y0, x1, y1] = bboxOf(p.geometry);
  await page.locator('#tab-check').click();
  await page.locator('#check-kind-eia-site').click();
  await page.locator('#check-proposed').selectOption('100102');
  await page.locator('#check-project-kind').selectOption('heavy_metal');
  await page.evaluate((b) => window.landguard.fitLonLat(b, 15), [x0, y0, x1, y1]);
  const [px, py] = await pagePixel((x0 + x1) / 2, (y0 + y1) / 2);
  await page.locator('#check-pick').click();
  await page.mouse.click(px, py);
  await page.locator('#check-area.set', { hasText: 'LZ-2020-015' }).waitFor();
  await page.locator('#card .timeline li').first().waitFor();
  await page.locator('#check-run').click();
  await page.locator('#check-decision').waitFor();
  await page.waitForFunction(() => window.landguard.layers.result.getSource().getFeatures().length > 0);
  await page.locator('#card [data-action="close"]').click();
  await page.evaluate(() => window.landguard.goTo(109.3005, 24.5995, 14.6));
  await page.mouse.move(900, 500);
  await page.waitForTimeout(300);
  await shot('09-readme');
  assert.deepEqual(problems, []);
});
