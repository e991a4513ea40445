// Moving a parcel's vertex on the map, as an editor does it: the card's 在地图上修改, a vertex dragged with
// the mouse, 保存几何; the PUT carries If-Match and the parcel read back has the vertex where it was dropped,
// its properties unchanged; and when someone else saved the parcel meanwhile, the 412 opens the conflict
// dialog, and the moved outline goes over their version.
//   LANDGUARD_URL=... LANDGUARD_PASSWORD=... node --test test/browser/write_modify.test.mjs
// scripts/test-web.sh creates web.editor, an editor of every county.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, otherSession, signIn } from './browser.mjs';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const PASSWORD = process.env.LANDGUARD_PASSWORD || '';
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);
const PARCELS = 'construction_parcels';

let context;
let page;
const problems = [];

async function item(id) {
  const r = await fetch(`${BASE}/collections/${PARCELS}/items/${id}`, { headers: { Accept: 'application/geo+json' } });
  return { status: r.status, body: await r.json() };
}

before(async () => {
  assert.ok(BASE && PASSWORD, 'set LANDGUARD_URL and LANDGUARD_PASSWORD');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  // the browser logs a failed request as a console error: the one 412 the second test provokes is expected
  page.on('console', (m) => m.type() === 'error' && !/412/.test(m.text()) && problems.push(`console: ${m.text()}`));
  assert.equal((await page.goto(`${BASE}/map/`)).status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
});

after(async () => {
  if (context) await context.close();
});

/** Opens the parcel's card, puts its outline in the modify bar, and drags its second vertex 40 px right and
 * 30 px down; answers the vertex before the drag. */
async function dragSecondVertex(id, ring, screenshot) {
  await page.evaluate((i) => window.landguard.openCard('construction_parcels', i), id);
  await page.locator('#card code', { hasText: id }).waitFor();
  await page.locator('#card-modify').click();
  await page.locator('#modify-bar').waitFor();
  await page.evaluate(() => window.landguard.whenRendered());
  await page.waitForTimeout(500);
  const [lon, lat] = ring[1];
  const [x, y] = await page.evaluate(([a, b]) => window.landguard.pixelOf(a, b), [lon, lat]);
  const box = await page.locator('#map').boundingBox();
  await page.mouse.move(box.x + x, box.y + y);
  await page.mouse.down();
  await page.mouse.move(box.x + x + 20, box.y + y + 15, { steps: 5 });
  await page.mouse.move(box.x + x + 40, box.y + y + 30, { steps: 5 });
  await page.mouse.up();
  await page.screenshot({ path: join(ARTIFACTS, screenshot) });
  return [lon, lat];
}

test('an editor drags a vertex of a parcel on the map and saves it with If-Match', { timeout: 90000 }, async () => {
  await signIn(page, 'web.editor', PASSWORD);

  const list = await (await fetch(`${BASE}/collections/${PARCELS}/items?limit=500`)).json();
  const target = list.features.find((f) => f.properties.state === 'surveying' && f.properties.county_code.startsWith('4502'));
  assert.ok(target, 'a Liuzhou parcel being surveyed');
  const before = (await item(target.id)).body;
  const ring = before.geometry.coordinates[0][0];

  const [lon, lat] = await dragSecondVertex(target.id, ring, '63-vertex-dragged.png');

  const put = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await page.locator('#modify-save').click();
  const resp = await put;
  assert.equal(resp.status(), 200, await resp.text());
  assert.ok(resp.request().headers()['if-match'], 'the ETag of the version read');
  await page.locator('#modify-bar').waitFor({ state: 'detached' });
  await page.locator('#toast', { hasText: target.id }).waitFor();

  const after = (await item(target.id)).body;
  const moved = after.geometry.coordinates[0][0][1];
  assert.ok(moved[0] > lon && moved[1] < lat, `the vertex moved east and south: ${JSON.stringify([lon, lat])} → ${JSON.stringify(moved)}`);
  assert.deepEqual(after.geometry.coordinates[0][0][0], ring[0], 'the other vertices stay');
  for (const k of ['name', 'state', 'former_industry', 'current_use']) assert.deepEqual(after.properties[k], before.properties[k], k);
  await page.screenshot({ path: join(ARTIFACTS, '64-vertex-saved.png') });
  assert.deepEqual(problems, []);
});

test('a parcel saved by someone else meanwhile: the 412 opens the conflict dialog, the outline goes over theirs', { timeout: 90000 }, async () => {
  const list = await (await fetch(`${BASE}/collections/${PARCELS}/items?limit=500`)).json();
  const target = list.features.filter((f) => f.properties.state === 'surveying' && f.properties.county_code.startsWith('4502')).at(-1);
  assert.ok(target, 'a Liuzhou parcel being surveyed');
  const r0 = await fetch(`${BASE}/collections/${PARCELS}/items/${target.id}`, { headers: { Accept: 'application/geo+json' } });
  const theirs = await r0.json();
  const ring = theirs.geometry.coordinates[0][0];
  const [lon, lat] = await dragSecondVertex(target.id, ring, '65-vertex-dragged-before-conflict.png');

  // meanwhile another person renames the parcel
  const other = await otherSession(BASE, 'web.other', PASSWORD);
  const newName = `柳北旧厂区 ${Date.now() % 100000}`;
  const renamed = { ...theirs, properties: { ...theirs.properties, name: newName } };
  delete renamed.properties.state;
  const r = await fetch(`${BASE}/collections/${PARCELS}/items/${target.id}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: other.cookie, 'X-CSRF-Token': other.csrf, 'If-Match': r0.headers.get('etag') },
    body: JSON.stringify(renamed),
  });
  assert.equal(r.status, 200, await r.text());

  const put = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await page.locator('#modify-save').click();
  assert.equal((await put).status(), 412);
  const dlg = page.locator('#conflict-dialog');
  await dlg.waitFor();
  await page.locator('#modify-bar').waitFor({ state: 'detached' });
  assert.match(await dlg.textContent(), /web\.other/);
  assert.equal((await dlg.locator('tr[data-field="name"] td.theirs').textContent()).trim(), newName);
  assert.ok(await dlg.locator('tr[data-field="geometry"]').count(), 'the moved outline is a row of its own');
  await page.screenshot({ path: join(ARTIFACTS, '66-vertex-conflict-412.png') });

  const again = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await dlg.locator('#conflict-overwrite').click();
  assert.equal((await again).status(), 200);
  await dlg.waitFor({ state: 'detached' });
  const after = (await item(target.id)).body;
  assert.equal(after.properties.name, newName, 'their new name stays');
  const moved = after.geometry.coordinates[0][0][1];
  assert.ok(moved[0] > lon && moved[1] < lat, `the vertex moved east and south: ${JSON.stringify([lon, lat])} → ${JSON.stringify(moved)}`);
  assert.deepEqual(problems, []);
});
