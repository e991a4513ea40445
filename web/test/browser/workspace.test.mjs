// The keepers' workspace, as a person uses it: withdraw a lifecycle step recorded by mistake (with a reason;
// the timeline keeps it, marked), search by name and by coordinates, and read the audit log as an admin
// (filters, the CSV). Runs after map.test.mjs; it leaves the register's current state as it found it.
//   LANDGUARD_URL=... LANDGUARD_PASSWORD=... node --test test/browser/workspace.test.mjs
// scripts/test-web.sh creates the people: web.editor, web.other and web.admin (an admin).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, signIn as signInAs } from './browser.mjs';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const PASSWORD = process.env.LANDGUARD_PASSWORD || '';
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);
const PARCELS = 'construction_parcels';

let context;
let page;
const problems = [];
let target;

async function api(path, init = {}) {
  const r = await fetch(`${BASE}${path}`, init);
  const text = await r.text();
  return { status: r.status, etag: r.headers.get('etag'), body: text ? JSON.parse(text) : null };
}

async function shot(name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

async function signIn(name) {
  await signInAs(page, name, PASSWORD);
}

async function signOut() {
  const answered = page.waitForResponse((r) => r.url().endsWith('/session') && r.request().method() === 'DELETE');
  await page.locator('#sign-out-button').click();
  assert.equal((await answered).status(), 204);
  await page.locator('#sign-in-button').waitFor();
}

async function search(q) {
  await page.locator('#search-input').fill(q);
  const answered = page.waitForResponse((r) => r.url().includes('/search?q='));
  await page.locator('#search-form button[type="submit"]').click();
  const resp = await answered;
  assert.equal(resp.status(), 200);
  return (await resp.json()).results;
}

before(async () => {
  assert.ok(BASE, 'set LANDGUARD_URL to a running landguard with the demo data');
  assert.ok(PASSWORD, 'set LANDGUARD_PASSWORD to the password of the people scripts/test-web.sh creates');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
  const resp = await page.goto(`${BASE}/map/`);
  assert.equal(resp.status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
  const all = (await api(`/collections/${PARCELS}/items?limit=500`)).body.features;
  target = all.find((f) => f.properties.state === 'suspected' && f.properties.county_code.startsWith('4503'));
  assert.ok(target, 'a suspected parcel in Guilin');
});

after(async () => {
  if (context) await context.close();
});

test('an editor withdraws a step recorded by mistake, with a reason; the timeline keeps it', { timeout: 60000 }, async () => {
  // The mistake: a step recorded by another person's session.
  const login = await fetch(`${BASE}/session`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'web.other', password: PASSWORD }),
  });
  const cookie = login.headers.get('set-cookie').split(';')[0];
  const { csrf } = await login.json();
  const step = await api(`/collections/${PARCELS}/items/${target.id}/transitions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Cookie: cookie, 'X-CSRF-Token': csrf },
    body: JSON.stringify({ to: 'surveying', document: '桂环函〔2026〕误1号' }),
  });
  assert.equal(step.status, 200, JSON.stringify(step.body));

  await signIn('web.editor');
  // The code as a person types it: lower case.
  const results = await search(target.id.toLowerCase());
  assert.equal(results[0].id, target.id);
  if (results.length > 1) await page.locator('#search-results .search-result').first().click();
  await page.locator('#card code', { hasText: target.id }).waitFor();
  await page.locator('#card-step').click();
  const dlg = page.locator('#step-dialog');
  await dlg.waitFor();
  await dlg.locator('#undo-reason').fill('文件未签发，误录');
  await shot('40-withdraw-step');
  const posted = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}/transitions/withdraw`));
  await dlg.locator('#withdraw-step').click();
  assert.equal((await posted).status(), 200);
  await dlg.waitFor({ state: 'detached' });
  assert.equal((await api(`/collections/${PARCELS}/items/${target.id}`)).body.properties.state, 'suspected');
  const withdrawn = page.locator('#card .timeline li.tl-withdrawn');
  await withdrawn.waitFor();
  const text = await withdrawn.textContent();
  assert.match(text, /已撤回：web\.editor/);
  assert.match(text, /文件未签发，误录/);
  assert.match(text, /桂环函〔2026〕误1号/);
  await shot('41-step-withdrawn');
  assert.deepEqual(problems, []);
});

test('search finds a parcel by a part of its name, and moves the map to typed coordinates', { timeout: 60000 }, async () => {
  const part = [...target.properties.name].slice(-7, -2).join('');
  const results = await search(part);
  assert.ok(results.some((r) => r.id === target.id), JSON.stringify(results));
  if (results.length > 1) {
    const i = results.findIndex((r) => r.id === target.id);
    await page.locator('#search-results .search-result').nth(i).click();
  }
  await page.locator('#card code', { hasText: target.id }).waitFor();

  // Many results (the city's counties and the parcels named after it) are listed to choose from.
  const many = await search('桂林');
  assert.ok(many.length > 1 && many[0].kind === 'county', JSON.stringify(many.slice(0, 3)));
  await page.locator('#search-results .search-result').first().waitFor();
  assert.equal(await page.locator('#search-results .search-result').count(), many.length);
  await shot('42-search-results');
  await page.locator('#search-results .search-result').first().click();
  assert.ok(await page.locator('#search-results').isHidden());

  const moved = await search('109.40,24.31');
  assert.equal(moved[0].kind, 'coordinate');
  await page.waitForFunction(() => {
    const [x, y] = window.landguard.map.getView().getCenter();
    const lon = (x / 6378137) * (180 / Math.PI);
    const lat = (2 * Math.atan(Math.exp(y / 6378137)) - Math.PI / 2) * (180 / Math.PI);
    return Math.abs(lon - 109.4) < 0.001 && Math.abs(lat - 24.31) < 0.001;
  });
  await page.locator('#toast', { hasText: '已定位到' }).waitFor();
  await page.locator('#search-pin').waitFor({ state: 'visible' });
  await shot('43-search-by-coordinates');
  assert.deepEqual(problems, []);
});

test('an admin reads the audit log in the map, filters it and downloads it as CSV', { timeout: 60000 }, async () => {
  assert.equal(await page.locator('#audit-button').count(), 0, 'an editor has no audit log');
  await signOut();
  await signIn('web.admin');
  await page.locator('#audit-button').click();
  const dlg = page.locator('#audit-dialog');
  await dlg.waitFor();
  await dlg.locator('#audit-table tbody tr').first().waitFor();
  await dlg.locator('#audit-actor').fill('web.editor');
  await dlg.locator('#audit-collection').selectOption('construction_parcels');
  await dlg.locator('#audit-feature_id').fill(target.id);
  const answered = page.waitForResponse((r) => r.url().includes('/audit?'));
  await dlg.locator('#audit-search').click();
  assert.equal((await answered).status(), 200);
  const row = dlg.locator('#audit-table tbody tr[data-action="withdraw"]');
  await row.waitFor();
  assert.match(await row.textContent(), /文件未签发，误录/);
  assert.equal(await dlg.locator('#audit-table tbody tr').count(), 1);
  await shot('44-audit-log');
  const href = await dlg.locator('#audit-csv').getAttribute('href');
  assert.match(href, /f=csv/);
  const csv = await page.evaluate((h) => fetch(h, { credentials: 'same-origin' }).then((r) => r.text()), href);
  const lines = csv.replace(/^\uFEFF/, '').trim().split(/\r\n/);
  assert.match(lines[0], /^编号 id,时间 at,操作人 actor/);
  assert.equal(lines.length, 2, csv);
  assert.match(lines[1], /,web\.editor,withdraw,construction_parcels,/);
  await dlg.locator('[data-close]').click();
  await signOut();
  assert.deepEqual(problems, []);
});
