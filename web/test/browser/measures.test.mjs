// The measures ledger from the map, as an editor keeps it: sign in, open a farmland unit's card, record a
// measure in the "record measures" form (sent with the session's CSRF value), see it in the ledger and the
// indicators panel switch to the ledger for that unit; a measure larger than the unit is refused with the
// server's explanation in Chinese. Runs after map.test.mjs (it changes the data).
//   LANDGUARD_URL=... LANDGUARD_PASSWORD=... node --test test/browser/measures.test.mjs
// scripts/test-web.sh creates web.editor, an editor of every county.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, signIn } from './browser.mjs';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const PASSWORD = process.env.LANDGUARD_PASSWORD || '';
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);

let context;
let page;
const problems = [];
// The 400 the test provokes on purpose; anything else of 400 or more is a problem.
const expected = [400];

async function api(path) {
  const r = await fetch(`${BASE}${path}`);
  return { status: r.status, body: await r.json() };
}

before(async () => {
  assert.ok(BASE, 'set LANDGUARD_URL to a running landguard with the demo data');
  assert.ok(PASSWORD, 'set LANDGUARD_PASSWORD to the password of the people scripts/test-web.sh creates');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of 400/.test(m.text())) {
      problems.push(`console: ${m.text()}`);
    }
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !expected.includes(r.status())) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
  const resp = await page.goto(`${BASE}/map/`);
  assert.equal(resp.status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
});

after(async () => {
  if (context) await context.close();
});

test('an editor records a measure in a farmland unit\'s card; the ledger and the rate follow', { timeout: 90000 }, async () => {
  // A safe-use unit in Liuzhou without measures flagged: recording lime on all of it adds it to the rate.
  const units = (await api('/collections/farmland_units/items?limit=1000')).body.features;
  const unit = units.find((f) => f.properties.class === 'safe_use' && f.properties.county_code === '450222' && !f.properties.measures_in_place)
    || units.find((f) => f.properties.class === 'safe_use' && f.properties.county_code.startsWith('4502'));
  assert.ok(unit, 'a safe-use unit in Liuzhou');
  const id = unit.id;
  const county = unit.properties.county_code;
  const area = unit.properties.area_m2;
  const before = (await api(`/indicators?county_code=${county}`)).body.safe_utilisation;

  // A reader sees the ledger and no form.
  await page.evaluate((id) => window.landguard.openCard('farmland_units', id), id);
  await page.locator('#card-ledger').waitFor();
  await page.locator('#ledger-empty').waitFor();
  assert.equal(await page.locator('#ledger-form').count(), 0);

  await signIn(page, 'web.editor', PASSWORD);
  await page.locator('#ledger-form').waitFor();
  // the kinds as choices with their Chinese names, grouped
  const kinds = await page.locator('#ledger-kind option').allTextContents();
  assert.ok(kinds.includes('石灰调酸') && kinds.includes('休耕'), kinds.join('|'));

  // Too large: the server refuses, and the card shows its explanation in Chinese.
  await page.locator('#ledger-kind').selectOption('lime');
  await page.locator('#ledger-area').fill(String(Math.ceil(area * 10)));
  await page.locator('#ledger-document').fill('柳城县2026年受污染耕地安全利用措施台账');
  let answered = page.waitForResponse((r) => r.url().endsWith(`/items/${id}/measures`) && r.request().method() === 'POST');
  await page.locator('#ledger-save').click();
  assert.equal((await answered).status(), 400);
  const error = await page.locator('#ledger-error').textContent();
  assert.match(error, /大于单元自身面积/, error);
  assert.doesNotMatch(error, /more than the unit/, error);
  await page.screenshot({ path: join(ARTIFACTS, '30-ledger-refused.png') });

  // Right: 201, with the session's CSRF value; the ledger lists it in Chinese, m² and 亩.
  await page.locator('#ledger-area').fill(String(Math.floor(area)));
  answered = page.waitForResponse((r) => r.url().endsWith(`/items/${id}/measures`) && r.request().method() === 'POST');
  await page.locator('#ledger-save').click();
  const resp = await answered;
  assert.equal(resp.status(), 201);
  assert.ok(resp.request().headers()['x-csrf-token'], 'the CSRF value of the session');
  const row = page.locator('#card-ledger tbody tr', { hasText: '石灰调酸' });
  await row.waitFor();
  assert.match(await row.textContent(), /平方米（[\d,.]+ 亩）/);
  assert.match(await row.textContent(), /柳城县2026年受污染耕地安全利用措施台账/);
  assert.equal(await page.locator('#ledger-error').count(), 0);
  await page.screenshot({ path: join(ARTIFACTS, '31-ledger-recorded.png') });

  // The rate of the county now counts that unit from the ledger, and the panel says so.
  const now = (await api(`/indicators?county_code=${county}`)).body.safe_utilisation;
  assert.equal(now.units_from_ledger, (before.units_from_ledger || 0) + 1);
  assert.ok(now.rate_percent >= before.rate_percent, `${before.rate_percent} → ${now.rate_percent}`);
  await page.locator('#tab-indicators').click();
  await page.locator('#ind-scope').selectOption(county);
  await page.locator(`#ind-body[data-scope="${county}"]`).waitFor();
  const source = page.locator('#ind-source');
  await source.waitFor();
  assert.equal(await source.getAttribute('data-source'), now.source);
  assert.match(await source.textContent(), /措施台账/);
  await page.screenshot({ path: join(ARTIFACTS, '32-indicators-ledger.png') });
  assert.deepEqual(problems, []);
});
