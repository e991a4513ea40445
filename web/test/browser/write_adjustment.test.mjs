// A class adjustment batch approved from the map: an editor computes and submits a batch over 柳城 (450222)
// from the demo samples (outside the browser, as the county would); an approver signs in on the map, opens
// the batch, sees the units that would change drawn and listed with their evidence (picked from the list and
// by a click on the map), approves it, and the indicators panel then shows the county's new rate, the one the
// batch said it would be. Runs last (after
// write.test.mjs): it changes classes.
//   LANDGUARD_URL=... LANDGUARD_PASSWORD=... node --test test/browser/write_adjustment.test.mjs
// scripts/test-web.sh creates web.editor and web.approver with the password LANDGUARD_PASSWORD.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, signIn } from './browser.mjs';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const PASSWORD = process.env.LANDGUARD_PASSWORD || '';
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);
const COUNTY = '450222';

let context;
let page;
const problems = [];

/** A session outside the browser, and a JSON request made with it. */
async function session(name) {
  const r = await fetch(`${BASE}/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, password: PASSWORD }),
  });
  assert.equal(r.status, 200, `${name} signs in`);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf } = await r.json();
  return async (method, path, body) => {
    const resp = await fetch(`${BASE}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: resp.status, body: await resp.json() };
  };
}

before(async () => {
  assert.ok(BASE, 'set LANDGUARD_URL to a running landguard with the demo data');
  assert.ok(PASSWORD, 'set LANDGUARD_PASSWORD to the password of the people scripts/test-web.sh creates');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  const resp = await page.goto(`${BASE}/map/`);
  assert.equal(resp.status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
});

after(async () => {
  if (context) await context.close();
});

test('an approver approves a batch on the map and the indicators show the new rate', { timeout: 120000 }, async () => {
  const editor = await session('web.editor');
  const created = await editor('POST', '/adjustments', { county_code: COUNTY, trigger: 'monitoring', note: '一张图测试' });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const batch = created.body;
  const changed = batch.summary.changed;
  assert.ok(changed > 0, `the demo samples move some units of ${COUNTY}: ${JSON.stringify(batch.summary)}`);
  assert.equal((await editor('POST', `/adjustments/${batch.id}/submit`)).status, 200);

  await signIn(page, 'web.approver', PASSWORD);

  await page.locator('#tab-adjust').click();
  await page.locator(`#adjust-batch option[value="${batch.id}"]`).waitFor({ state: 'attached' });
  await page.locator('#adjust-batch').selectOption(String(batch.id));
  await page.locator('#adjust-units li').first().waitFor();
  assert.equal(await page.locator('#adjust-units li').count(), changed, 'every unit that would change is listed');
  const drawn = await page.evaluate(() => window.landguard.adjust.layer.getSource().getFeatures().length);
  assert.equal(drawn, changed, 'and drawn on the map');
  // picked from the list while the map looks elsewhere: the map goes to the unit and marks its outline
  await page.evaluate(() => window.landguard.map.getView().setCenter(window.landguard.map.getView().getCenter().map((v) => v + 50000)));
  await page.locator('#adjust-units li').first().click();
  const picked = await page.locator('#adjust-units li.active').getAttribute('data-unit');
  await page.waitForFunction((code) => {
    const { map, adjust } = window.landguard;
    const f = adjust.layer.getSource().getFeatures().find((x) => x.get('unit_code') === code);
    const [a, b, c, d] = f.getGeometry().getExtent();
    const [w, s, e, n] = map.getView().calculateExtent();
    const styles = adjust.layer.getStyleFunction()(f);
    return a >= w && b >= s && c <= e && d <= n && Array.isArray(styles) && styles.length === 3;
  }, picked);
  const evidence = await page.locator('#adjust-evidence').textContent();
  assert.match(evidence, /→/);
  assert.match(evidence, /土壤样品/);
  await page.screenshot({ path: join(ARTIFACTS, '40-adjustment-batch.png') });

  // a click on a changed unit on the map shows its proposal and evidence too, as the list does
  const target = await page.evaluate(() => {
    const { map, adjust } = window.landguard;
    const fs = adjust.layer.getSource().getFeatures();
    const f = fs[fs.length - 1];
    const g = f.getGeometry();
    const at = g.getType() === 'MultiPolygon' ? g.getInteriorPoints().getFirstCoordinate() : g.getInteriorPoint().getCoordinates();
    const done = new Promise((resolve) => map.once('rendercomplete', resolve));
    map.getView().setCenter(at.slice(0, 2));
    map.getView().setZoom(15);
    return done.then(() => ({ code: f.get('unit_code'), pixel: map.getPixelFromCoordinate(at.slice(0, 2)) }));
  });
  await page.locator('#tab-layers').click();
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + target.pixel[0], box.y + target.pixel[1]);
  await page.locator('#adjust-evidence', { hasText: target.code }).waitFor();
  assert.ok(await page.locator('#tab-adjust.active').count(), 'the batch panel comes forward');
  assert.equal(await page.locator(`#adjust-units li.active[data-unit="${target.code}"]`).count(), 1);
  assert.ok(await page.locator('#card').isHidden(), 'no farmland card opens over it');
  await page.screenshot({ path: join(ARTIFACTS, '40b-adjustment-unit-clicked.png') });

  await page.locator('#adjust-document').fill('柳政函〔2026〕99号');
  await page.locator('#adjust-effective').fill(batch.as_of);
  const answered = page.waitForResponse((r) => r.url().endsWith(`/adjustments/${batch.id}/approve`));
  await page.locator('#adjust-approve').click();
  assert.equal((await answered).status(), 200);
  await page.locator('#adjust-state', { hasText: '已批准' }).waitFor();

  // the indicators of the county, as of today: the rate the batch computed for "after"
  await page.evaluate((c) => {
    window.landguard.showTab('indicators');
    return window.landguard.loadIndicators(c);
  }, COUNTY);
  await page.locator(`#ind-body[data-scope="${COUNTY}"]`).waitFor();
  const shown = Number((await page.locator('#ind-rate').textContent()).replace('%', ''));
  assert.ok(Math.abs(shown - batch.summary.rate_after.rate_percent) < 0.006, `${shown} vs ${JSON.stringify(batch.summary.rate_after)}`);
  await page.screenshot({ path: join(ARTIFACTS, '41-adjustment-approved.png') });
  assert.deepEqual(problems, []);
});
