// A parcel's geometry replaced from the map's edit form, as a person does it: sign in as an editor, paste
// the parcel's 界址点 list in CGCS2000 Gauss-Krüger (X northing first, no zone number in the easting, the zone
// chosen), preview it, save with If-Match, and read the parcel back moved there; then a bow-tie, which the
// server refuses with its Chinese reason, and a list the page itself cannot read. The parcel's geometry is put
// back at the end (map.test.mjs and others read the demo data).
//   LANDGUARD_URL=... LANDGUARD_PASSWORD=... node --test test/browser/write_geometry.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, signIn } from './browser.mjs';
import { fromGK, toGK } from '../../src/gk.js';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const PASSWORD = process.env.LANDGUARD_PASSWORD || '';
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);
const PARCELS = 'construction_parcels';
const SHIFT = 25; // metres north and east

let context;
let page;
let target;
let original;
const problems = [];
const expected = [];

async function api(path, init = {}) {
  const r = await fetch(`${BASE}${path}`, init);
  const text = await r.text();
  return { status: r.status, etag: r.headers.get('etag'), body: text ? JSON.parse(text) : null };
}

const shot = (name) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });

async function openForm(id) {
  await page.evaluate((id) => window.landguard.openCard('construction_parcels', id), id);
  await page.locator('#card code', { hasText: id }).waitFor();
  await page.locator('#card-edit').click();
  await page.locator('#edit-dialog').waitFor();
  await page.locator('#edit-geometry').waitFor();
}

before(async () => {
  assert.ok(BASE, 'set LANDGUARD_URL to a running landguard with the demo data');
  assert.ok(PASSWORD, 'set LANDGUARD_PASSWORD');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (400|412|422)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !expected.includes(r.status())) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  assert.equal((await page.goto(`${BASE}/map/`)).status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
  await signIn(page, 'web.editor', PASSWORD);
  const all = (await api(`/collections/${PARCELS}/items?limit=500`)).body.features;
  // The last suspected parcel of Liuzhou (write.test.mjs edits the first one's properties).
  target = all.filter((f) => f.properties.state === 'suspected' && f.properties.county_code.startsWith('4502')).at(-1);
  assert.ok(target, 'a suspected parcel in Liuzhou');
  original = (await api(`/collections/${PARCELS}/items/${target.id}`)).body;
});

after(async () => {
  if (context) await context.close();
  if (!original) return;
  // Put the demo parcel's outline back, as web.editor over HTTP: the current version with the old geometry.
  const r = await fetch(`${BASE}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'web.editor', password: PASSWORD }) });
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf } = await r.json();
  const now = await api(`/collections/${PARCELS}/items/${target.id}`);
  const body = { ...now.body, geometry: original.geometry, properties: { ...now.body.properties } };
  delete body.properties.state;
  const put = await api(`/collections/${PARCELS}/items/${target.id}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf, 'If-Match': now.etag },
    body: JSON.stringify(body),
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
});

test('a 界址点 list in Gauss-Krüger replaces a parcel\'s outline, previewed and saved with If-Match', { timeout: 60000 }, async () => {
  const g = original.geometry;
  const outer = g.type === 'MultiPolygon' ? g.coordinates[0][0] : g.coordinates[0];
  const cm = 3 * Math.round(outer[0][0] / 3);
  const zone = cm / 3;
  // The ring as a 界址点 table prints it: 点号, X (northing), Y (easting, no zone number), the closing vertex left out.
  const moved = outer.slice(0, -1).map(([lon, lat]) => {
    const p = toGK(lon, lat, cm);
    return { x: p.northing + SHIFT, y: p.easting + SHIFT };
  });
  const list = ['点号,X,Y', ...moved.map((p, i) => `J${i + 1},${p.x.toFixed(3)},${p.y.toFixed(3)}`)].join('\n');
  const before = await api(`/collections/${PARCELS}/items/${target.id}`);

  await openForm(target.id);
  await page.locator('#edit-geometry').fill(list);
  assert.equal(await page.locator('#edit-geometry-zone').inputValue(), String(zone), 'the zone of the parcel is chosen');
  await page.locator('#edit-geometry-zone').selectOption(String(zone));
  await page.locator('#edit-geometry-preview').click();
  await page.locator('#edit-geometry-status', { hasText: `已读取 ${moved.length} 个界址点` }).waitFor();
  await shot('60-geometry-pasted');
  // off the dialog, it fades and the purple preview shows on the map
  await page.mouse.move(720, 885);
  await page.waitForTimeout(400);
  await shot('60b-geometry-preview-on-map');

  const put = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await page.locator('#edit-save').click();
  const resp = await put;
  assert.equal(resp.status(), 200);
  assert.equal(resp.request().headers()['if-match'], before.etag);
  assert.equal(resp.request().postDataJSON().geometry.type, 'Polygon');
  await page.locator('#edit-dialog').waitFor({ state: 'detached' });
  await page.locator('#toast', { hasText: `已保存 ${target.id}` }).waitFor();
  // the card's timeline says the outline changed, though no property did
  await page.locator('#card .tl-changed', { hasText: '边界（几何）' }).first().waitFor();
  await shot('61-geometry-saved');

  const now = (await api(`/collections/${PARCELS}/items/${target.id}`)).body;
  const ring = now.geometry.type === 'MultiPolygon' ? now.geometry.coordinates[0][0] : now.geometry.coordinates[0];
  assert.equal(ring.length, moved.length + 1, 'the ring was closed');
  // Each stored vertex is where its GK coordinates say (the ring may start elsewhere or turn the other way).
  for (const p of moved) {
    const [lon, lat] = fromGK(p.y, p.x, cm);
    assert.ok(ring.some(([a, b]) => Math.abs(a - lon) < 1e-6 && Math.abs(b - lat) < 1e-6), `vertex ${lon},${lat} is stored`);
  }
  // and it moved: about 25 m north of the old one
  const dLat = ring.reduce((s, v) => s + v[1], 0) / ring.length - outer.reduce((s, v) => s + v[1], 0) / outer.length;
  assert.ok(dLat > 0.0002 && dLat < 0.0003, `moved north by ${dLat}°`);
  assert.equal(now.properties.name, before.body.properties.name);
  assert.deepEqual(problems, []);
});

test('a bow-tie is refused by the server with its Chinese reason; a list the page cannot read is not sent', { timeout: 60000 }, async () => {
  const [lon, lat] = (original.geometry.type === 'MultiPolygon' ? original.geometry.coordinates[0][0] : original.geometry.coordinates[0])[0];
  await openForm(target.id);

  // Not enough vertices: the page says why and sends nothing.
  let sent = 0;
  const count = (r) => r.url().endsWith(`/items/${target.id}`) && r.method() === 'PUT' && sent++;
  page.on('request', count);
  await page.locator('#edit-geometry').fill(`${lon},${lat}\n${lon + 0.001},${lat}`);
  await page.locator('#edit-save').click();
  await page.locator('#edit-geometry-status.error', { hasText: '至少需要 3 个' }).waitFor();
  page.off('request', count);
  assert.equal(sent, 0, 'nothing was sent');

  // A bow-tie: the edges 1–2 and 3–4 cross.
  const d = 0.001;
  const bowTie = [
    [lon, lat],
    [lon + d, lat + d],
    [lon + d, lat],
    [lon, lat + d],
  ];
  await page.locator('#edit-geometry').fill(bowTie.map(([a, b]) => `${a.toFixed(6)} ${b.toFixed(6)}`).join('\n'));
  expected.push(400, 422);
  const put = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await page.locator('#edit-save').click();
  const status = (await put).status();
  assert.ok(status === 400 || status === 422, `refused: ${status}`);
  const err = page.locator('#edit-error');
  await err.waitFor({ state: 'visible' });
  const text = await err.textContent();
  assert.match(text, /[\u4e00-\u9fff]/, `a Chinese reason: ${text}`);
  assert.match(text, /处问题，未保存任何内容/, text);
  assert.match(text, /几何无效（如边界自相交、部件重叠）/, text);
  assert.doesNotMatch(text, /problem found|geometry is invalid/, 'not the English half');
  await page.locator('#edit-geometry-status', { hasText: '已读取 4 个界址点' }).waitFor();
  await shot('62-geometry-bow-tie-refused');
  expected.length = 0;
  // the parcel was not changed
  const now = (await api(`/collections/${PARCELS}/items/${target.id}`)).body;
  assert.notEqual(JSON.stringify(now.geometry), JSON.stringify({ type: 'Polygon', coordinates: [bowTie] }));
  await page.locator('#edit-dialog [data-close]').first().click();
  assert.deepEqual(problems, []);
});

test('a 412 keeps the pasted outline: shown beside their version and saved over it', { timeout: 60000 }, async () => {
  const before = await api(`/collections/${PARCELS}/items/${target.id}`);
  const g = before.body.geometry;
  const outer = g.type === 'MultiPolygon' ? g.coordinates[0][0] : g.coordinates[0];
  // back to the original outline, pasted as lon/lat
  const back = (original.geometry.type === 'MultiPolygon' ? original.geometry.coordinates[0][0] : original.geometry.coordinates[0]).slice(0, -1);
  await openForm(target.id);
  await page.locator('#edit-geometry').fill(back.map(([a, b]) => `${a.toFixed(7)},${b.toFixed(7)}`).join('\n'));

  // meanwhile another person renames the parcel
  const r = await fetch(`${BASE}/session`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'web.other', password: PASSWORD }) });
  assert.equal(r.status, 200);
  const cookie = r.headers.get('set-cookie').split(';')[0];
  const { csrf } = await r.json();
  const newName = `${before.body.properties.name.replace(/ \d+$/, '')} ${Date.now() % 100000}`;
  const renamed = { ...before.body, properties: { ...before.body.properties, name: newName } };
  delete renamed.properties.state;
  const other = await api(`/collections/${PARCELS}/items/${target.id}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf, 'If-Match': before.etag },
    body: JSON.stringify(renamed),
  });
  assert.equal(other.status, 200, JSON.stringify(other.body));

  expected.push(412);
  const put = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await page.locator('#edit-save').click();
  assert.equal((await put).status(), 412);
  const dlg = page.locator('#conflict-dialog');
  await dlg.waitFor();
  assert.equal((await dlg.locator('tr[data-field="geometry"] td.theirs').textContent()).trim(), '未改动');
  assert.match(await dlg.locator('tr[data-field="geometry"] td.yours').textContent(), new RegExp(`${back.length} 个点`));
  await shot('64-geometry-conflict-412');

  const again = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await dlg.locator('#conflict-overwrite').click();
  assert.equal((await again).status(), 200);
  await dlg.waitFor({ state: 'detached' });
  expected.pop();
  const now = (await api(`/collections/${PARCELS}/items/${target.id}`)).body;
  assert.equal(now.properties.name, newName, 'their name stays');
  const ring = now.geometry.type === 'MultiPolygon' ? now.geometry.coordinates[0][0] : now.geometry.coordinates[0];
  assert.notDeepEqual(ring, outer, 'the pasted outline replaced the moved one');
  for (const [lon, lat] of back) {
    assert.ok(ring.some(([a, b]) => Math.abs(a - lon) < 1e-6 && Math.abs(b - lat) < 1e-6), `vertex ${lon},${lat} is stored`);
  }
  assert.deepEqual(problems, []);
});
