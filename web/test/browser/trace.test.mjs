// Browser test of source control on the map (scripts/test-web.sh runs it against the demo data): the three
// layers drawn with their symbols and switchable, and tracing (溯源) from a farmland unit's card, which lists
// the sources near the unit and rings them on the map.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch } from './browser.mjs';
import { SOURCE_STATE_COLOURS, TRACE, hexToRgb } from '../../src/palette.js';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);

let context;
let page;
const problems = [];

async function api(path) {
  const r = await fetch(`${BASE}${path}`);
  assert.equal(r.status, 200, `${path} → ${r.status}`);
  return r.json();
}

/** Pixels of the map within `tol` of each colour. */
async function countColours(colours, tol = 3) {
  const box = await page.locator('#map').boundingBox();
  const png = await page.screenshot({ clip: box });
  return page.evaluate(
    async ({ b64, colours, tol }) => {
      const bmp = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
      const ctx = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
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
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
});

after(async () => {
  if (context) await context.close();
});

test('the source layers are drawn, switchable, and a unit traces the sources around it', { timeout: 120000 }, async () => {
  // A demo source on the remediation list in 柳城, and a polluted unit near it.
  const sources = await api('/collections/pollution_sources/items?limit=100');
  const source = sources.features.find((f) => f.properties.county_code === '450222');
  assert.ok(source, 'a demo source in 柳城县');
  const around = await api(`/collections/pollution_sources/items/${source.id}/nearby-farmland?distance_m=2000`);
  const unit = around.features.find((f) => f.properties.class !== 'priority_protection');
  assert.ok(unit, `a polluted unit within 2 km of ${source.id}`);
  const expected = await api(`/collections/farmland_units/items/${unit.id}/nearby-sources`);
  assert.ok(expected.features.some((f) => f.properties.id === source.id));

  const resp = await page.goto(`${BASE}/map/`);
  assert.equal(resp.status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready') || document.body.classList.contains('failed'));
  const [lon, lat] = source.geometry.coordinates;
  await page.evaluate(([lon, lat]) => window.landguard.goTo(lon, lat, 14), [lon, lat]);
  const stats = await page.evaluate(() => window.landguard.stats);
  assert.ok(stats.sources.features > 0, `source tiles decoded: ${JSON.stringify(stats)}`);
  assert.equal(stats.sources.failed + stats.ponds.failed + stats.keyunits.failed, 0);
  // the source's dot in its state's colour, gone when its layer is switched off
  const colour = { dot: hexToRgb(SOURCE_STATE_COLOURS[source.properties.state]) };
  const on = await countColours(colour);
  assert.ok(on.dot > 20, `pixels of the ${source.properties.state} dot: ${JSON.stringify(on)}`);
  await page.screenshot({ path: join(ARTIFACTS, 'trace-01-layers.png') });
  await page.locator('#layer-sources').evaluate((el) => el.click());
  await page.evaluate(() => window.landguard.whenRendered());
  const off = await countColours(colour);
  assert.ok(off.dot < on.dot / 4, `after switching sources off: ${JSON.stringify(off)} (was ${JSON.stringify(on)})`);
  await page.locator('#layer-sources').evaluate((el) => el.click());
  assert.equal(await page.locator('.legend-row[data-legend^="srcstate:"]').count(), 4);
  assert.equal(await page.locator('.legend-row[data-legend^="pondlevel:"]').count(), 3);

  // 溯源 from the unit's card: the list follows the API's order, and the map rings what it lists
  await page.evaluate((id) => window.landguard.openCard('farmland_units', id), unit.id);
  await page.locator('#card-trace').click();
  await page.waitForSelector('#trace-list');
  const listed = await page.locator('#trace-list [data-trace]').evaluateAll((els) => els.map((e) => e.dataset.trace));
  assert.deepEqual(listed, expected.features.map((f) => `${f.properties.collection}/${f.properties.id}`));
  const ringed = await page.evaluate(() => window.landguard.layers.trace.getSource().getFeatures().length);
  assert.equal(ringed, expected.features.length);
  await page.evaluate(() => window.landguard.whenRendered());
  const rings = await countColours({ ring: hexToRgb(TRACE.stroke) });
  assert.ok(rings.ring > 30, `cyan rings around what was found: ${JSON.stringify(rings)}`);
  await page.screenshot({ path: join(ARTIFACTS, 'trace-02-card.png') });
  // closing the card takes the rings away
  await page.locator('#card [data-action="close"]').click();
  assert.equal(await page.evaluate(() => window.landguard.layers.trace.getSource().getFeatures().length), 0);
  assert.deepEqual(problems, []);
});
