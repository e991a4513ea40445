// Source control on the map: a tailings pond's symbol opens its card (properties, duties, records); the
// duties panel (履职) lists a county's overdue duties; an editor records the duty from the feature's card and
// it leaves the overdue list. It adds a record (to a key unit no other browser test reads).
//   LANDGUARD_URL=... LANDGUARD_PASSWORD=... node --test test/browser/duties.test.mjs
// The demo (fixtures/duty_records.json): 柳城县某冶炼有限公司 (450222) has no hazard check since it was listed,
// so its 土壤污染隐患排查 is overdue; 融水县某锡矿尾矿库 (a level-1 pond) missed its before-flood-season inspection.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, signIn } from './browser.mjs';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const PASSWORD = process.env.LANDGUARD_PASSWORD || '';
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);
const UNIT = '91450222MA5000020D';
const LINE = `#duties-overdue [data-feature="key_supervised_units/${UNIT}"][data-duty="hazard_check"]`;

let context;
let page;
const problems = [];

async function shot(name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
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

test("a pond's symbol opens its card with its duties and records", { timeout: 60000 }, async () => {
  await page.evaluate(() => window.landguard.goTo(109.08, 25.09, 15));
  await page.evaluate(() => window.landguard.whenRendered());
  const [x, y] = await page.evaluate(() => window.landguard.pixelOf(109.08, 25.09));
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + x, box.y + y);
  await page.locator('#card .card-title', { hasText: '融水县某锡矿尾矿库' }).waitFor();
  await page.locator('#card-duties [data-duty="tailings_level1_before_flood_season"][data-status="overdue"]').waitFor();
  // labels from the schema, in Chinese
  assert.ok((await page.locator('#card dl.props dt').allTextContents()).some((s) => /[\u4e00-\u9fff]/.test(s)));
  // not signed in: no form
  assert.equal(await page.locator('#record-form').count(), 0);
  await shot('60-pond-card');
  assert.deepEqual(problems, []);
});

test('the duties panel lists the overdue duties; recording one from the card removes it', { timeout: 90000 }, async () => {
  await signIn(page, 'web.editor', PASSWORD);

  await page.locator('#tab-duties').click();
  await page.locator('#duties-scope').selectOption('450222');
  await page.locator('#duties-body[data-scope="450222"]').waitFor();
  await page.locator(LINE).waitFor();
  assert.match(await page.locator(LINE).textContent(), /柳城县某冶炼有限公司[\s\S]*土壤污染隐患排查/);
  assert.match(await page.locator('#duties-ics').getAttribute('href'), /\/duties\.ics\?county_code=450222/);
  await shot('61-duties-panel');

  await page.locator(LINE).click();
  await page.locator('#card .card-title', { hasText: '柳城县某冶炼有限公司' }).waitFor();
  await page.locator('#record-form').waitFor();
  await page.locator('#record-kind').selectOption('hazard_check');
  await page.locator('#record-document').fill('柳城环〔2026〕99号');
  await page.locator('#record-result').fill('未发现隐患');
  const posted = page.waitForResponse((r) => r.url().endsWith(`/${UNIT}/records`) && r.request().method() === 'POST');
  await page.locator('#record-save').click();
  assert.equal((await posted).status(), 201);
  await page.locator('#card-records [data-kind="hazard_check"]').first().waitFor();
  await page.locator(`${LINE}`).waitFor({ state: 'detached' });
  await page.locator('#duties-body[data-scope="450222"]:not(.loading)').waitFor();
  assert.equal(await page.locator(LINE).count(), 0);
  await shot('62-recorded');
  assert.deepEqual(problems, []);
});

// The county's own duty: 临桂区 (450312) has no report for 2026-Q3 in the demo (fixtures/county_records.json),
// so its quarterly report to the city bureau is overdue; recording this quarter's from the county's card
// settles it. Runs after the test above, signed in as the editor.
test("a county's overdue report is listed; recording it from the county's card removes it", { timeout: 90000 }, async () => {
  const line = '#duties-overdue [data-feature="counties/450312"][data-duty="county_quarterly_report"]';
  await page.locator('#tab-duties').click();
  await page.locator('#duties-scope').selectOption('450312');
  await page.locator('#duties-body[data-scope="450312"]').waitFor();
  await page.locator(line).waitFor();
  assert.match(await page.locator(line).textContent(), /季度工作进展报送/);

  await page.locator(line).click();
  await page.locator('#card .card-kind', { hasText: '县（市、区）履职' }).waitFor();
  await page.locator('#card-duties [data-duty="county_quarterly_report"][data-status="overdue"]').waitFor();
  await page.locator('#record-form').waitFor();
  assert.deepEqual(await page.locator('#record-kind option').evaluateAll((os) => os.map((o) => o.value)), ['quarterly_report']);
  await page.locator('#record-document').fill('临桂区2026年第四季度土壤污染防治工作进展报告');
  const posted = page.waitForResponse((r) => r.url().endsWith('/counties/450312/records') && r.request().method() === 'POST');
  await page.locator('#record-save').click();
  assert.equal((await posted).status(), 201);
  await page.locator('#card-records [data-kind="quarterly_report"]').first().waitFor();
  await page.locator(line).waitFor({ state: 'detached' });
  await page.locator('#duties-body[data-scope="450312"]:not(.loading)').waitFor();
  assert.equal(await page.locator(line).count(), 0);
  await shot('63-county-report-recorded');
  assert.deepEqual(problems, []);
});
