// Browser test of the samples on the map (scripts/test-web.sh runs it against the demo data): the soil and
// crop sample layers are off until switched on, then every sample is drawn in its grade's or compliance's
// symbol (circles for soil, squares for crops), the legend lists each grade, and a click on a sample opens
// its card with the grade and the metals the laboratory reported.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch } from './browser.mjs';
import { CROP_STATUS_COLOURS, SOIL_GRADE_COLOURS, cropSampleStatus, hexToRgb } from '../../src/palette.js';

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

/** What the layer's style function gives each feature drawn in the view: its key property, fill and shape. */
function drawn(key, property) {
  return page.evaluate(
    ([key, property]) => {
      const { map, layers } = window.landguard;
      const layer = layers[key];
      const res = map.getView().getResolution();
      return layer.getFeaturesInExtent(map.getView().calculateExtent(map.getSize())).map((f) => {
        const s = layer.getStyleFunction()(f, res);
        const style = Array.isArray(s) ? s[0] : s;
        const image = style && style.getImage();
        return {
          code: f.get('sample_code'),
          value: property === 'grade' ? f.get('grade') : { compliant: f.get('compliant'), worst_ratio: f.get('worst_ratio') },
          fill: image ? image.getFill().getColor() : null,
          points: image ? image.getPoints() : null,
        };
      });
    },
    [key, property],
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

test('soil samples by grade and crop samples by compliance, switchable, with a card', { timeout: 120000 }, async () => {
  // The demo's samples in 柳城 and 全州: the strict-control-looking ones are grade C.
  const soil = (await api('/collections/soil_samples/items?limit=1000')).features;
  const crops = (await api('/collections/crop_samples/items?limit=1000')).features;
  const worst = soil.find((f) => f.properties.grade === 'C');
  assert.ok(worst, 'a grade C soil sample in the demo');
  const county = worst.properties.county_code;
  const here = soil.filter((f) => f.properties.county_code === county);
  const grades = new Set(here.map((f) => f.properties.grade));
  assert.deepEqual([...grades].sort(), ['A', 'B', 'C'], `every grade among ${county}'s samples`);

  const resp = await page.goto(`${BASE}/map/`);
  assert.equal(resp.status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready') || document.body.classList.contains('failed'));
  assert.equal(await page.evaluate(() => window.landguard.layers.soilsamples.getVisible()), false, 'off until switched on');
  assert.equal(await page.locator('.legend-row[data-legend^="soilgrade:"]').count(), 3);
  assert.equal(await page.locator('.legend-row[data-legend^="cropstatus:"]').count(), 3);

  // the county's samples in view, before and after the two layers are switched on
  const xs = here.map((f) => f.geometry.coordinates[0]);
  const ys = here.map((f) => f.geometry.coordinates[1]);
  await page.evaluate((b) => window.landguard.fitLonLat(b, 13), [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
  const colours = {
    A: hexToRgb(SOIL_GRADE_COLOURS.A),
    B: hexToRgb(SOIL_GRADE_COLOURS.B),
    C: hexToRgb(SOIL_GRADE_COLOURS.C),
    compliant: hexToRgb(CROP_STATUS_COLOURS.compliant),
    exceeds: hexToRgb(CROP_STATUS_COLOURS.exceeds),
  };
  const off = await countColours(colours);
  await page.locator('#layer-soilsamples').evaluate((el) => el.click());
  await page.locator('#layer-cropsamples').evaluate((el) => el.click());
  await page.evaluate(() => window.landguard.whenRendered());
  const stats = await page.evaluate(() => window.landguard.stats);
  assert.ok(stats.soilsamples.features > 0 && stats.cropsamples.features > 0, `sample tiles decoded: ${JSON.stringify(stats)}`);
  assert.equal(stats.soilsamples.failed + stats.cropsamples.failed, 0);

  // each rendered soil sample is a circle in its grade's colour; each crop sample a square in its status's
  const soilDrawn = await drawn('soilsamples', 'grade');
  assert.ok(soilDrawn.length >= here.length * 0.9, `${soilDrawn.length} of ${here.length} soil samples in view`);
  const byGrade = {};
  for (const d of soilDrawn) {
    assert.equal(d.fill, SOIL_GRADE_COLOURS[d.value], `${d.code} (grade ${d.value})`);
    assert.equal(d.points, Infinity, `${d.code} is a circle`);
    byGrade[d.value] = (byGrade[d.value] || 0) + 1;
  }
  assert.deepEqual(Object.keys(byGrade).sort(), ['A', 'B', 'C'], JSON.stringify(byGrade));
  const cropDrawn = await drawn('cropsamples', 'compliance');
  assert.ok(cropDrawn.length > 0);
  for (const d of cropDrawn) {
    assert.equal(d.fill, CROP_STATUS_COLOURS[cropSampleStatus(d.value)], `${d.code} ${JSON.stringify(d.value)}`);
    assert.equal(d.points, 4, `${d.code} is a square`);
  }
  const statuses = new Set(cropDrawn.map((d) => cropSampleStatus(d.value)));
  const expected = new Set(crops.filter((f) => f.properties.county_code === county).map((f) => cropSampleStatus(f.properties)));
  assert.deepEqual([...statuses].sort(), [...expected].sort());

  // and the screenshot has those colours where it had none before
  const on = await countColours(colours);
  for (const k of ['A', 'B', 'C', 'compliant']) assert.ok(on[k] > off[k] + 10, `${k}: ${on[k]} pixels on, ${off[k]} off`);
  await page.screenshot({ path: join(ARTIFACTS, 'samples-01-layers.png') });

  // a legend entry hides its grade
  await page.locator('input[data-filter="soilgrade:A"]').evaluate((el) => el.click());
  await page.evaluate(() => window.landguard.whenRendered());
  const hidden = await countColours({ A: colours.A });
  assert.ok(hidden.A < on.A / 4, `grade A hidden: ${hidden.A} pixels (was ${on.A})`);
  await page.locator('input[data-filter="soilgrade:A"]').evaluate((el) => el.click());

  // a click on the grade C sample opens its card: the grade, and cadmium as the laboratory reported it
  const [lon, lat] = worst.geometry.coordinates;
  await page.evaluate(([lon, lat]) => window.landguard.goTo(lon, lat, 15), [lon, lat]);
  const [x, y] = await page.evaluate(([lon, lat]) => window.landguard.pixelOf(lon, lat), [lon, lat]);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + x, box.y + y);
  await page.locator('#sample-props').waitFor();
  const card = await page.locator('#card').textContent();
  assert.match(card, new RegExp(worst.id));
  assert.match(card, /C 风险管制值以上/);
  assert.match(card, /镉 Cd/);
  assert.match(await page.locator('#sample-metals').textContent(), new RegExp(String(worst.properties.cd)));
  await page.screenshot({ path: join(ARTIFACTS, 'samples-02-card.png') });

  // switched off, the symbols are gone
  await page.locator('#layer-soilsamples').evaluate((el) => el.click());
  await page.locator('#layer-cropsamples').evaluate((el) => el.click());
  assert.equal(await page.evaluate(() => window.landguard.layers.cropsamples.getVisible()), false);
  assert.deepEqual(problems, []);
});
