// The plan panel in the browser against a running landguard with the demo data (scripts/test-web.sh):
// each target of Liuzhou's 2025 plan with the status GET /targets gives, the rate's chart from
// GET /indicators/series, and the report's links (HTML, PDF, XLSX) answering. Debian's Chromium, driven by playwright-core.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch } from './browser.mjs';

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

before(async () => {
  assert.ok(BASE, 'set LANDGUARD_URL to a running landguard with the demo data');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400 && !/\/tiles\//.test(r.url())) problems.push(`HTTP ${r.status()} ${r.url()}`);
  });
});

after(async () => {
  if (context) await context.close();
});

test('the plan panel shows each target, its status and the rate over the year', { timeout: 90000 }, async () => {
  const resp = await page.goto(`${BASE}/map/`);
  assert.equal(resp.status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
  const expected = await api('/targets?city=4502&year=2025&as_of=2025-12-31');
  const series = await api('/indicators/series?county_code=4502&from=2025-01-01&to=2025-12-31&step=month');

  await page.locator('#tab-plan').click();
  assert.equal((await page.locator('#tab-plan').textContent()).trim(), '规划');
  await page.locator('#plan-city').selectOption('4502');
  await page.locator('#plan-year').selectOption('2025');
  await page.locator('#plan-body[data-city="4502"][data-year="2025"]').waitFor();

  const rows = page.locator('.plan-target-row');
  assert.equal(await rows.count(), expected.targets.length);
  const names = { met: '已完成', not_met: '未完成', in_progress: '进行中', not_computable: '无法计算' };
  for (const x of expected.targets) {
    const row = page.locator(`.plan-target-row[data-id="${x.id}"]`);
    assert.equal(await row.getAttribute('data-status'), x.status, x.id);
    assert.equal((await row.locator('.plan-status').textContent()).trim(), names[x.status], x.id);
  }
  // the demo's Liuzhou 2025 has both met and missed targets: both colours are on the page
  const statuses = new Set(expected.targets.map((x) => x.status));
  assert.ok(statuses.has('met') && statuses.has('not_computable'), [...statuses].join(' '));

  // the chart: a dot a month with a rate, and the plan's figure as a line
  const chart = page.locator('svg.plan-chart');
  await chart.waitFor();
  const withRate = series.points.filter((p) => p.indicators.safe_utilisation.rate_percent !== null).length;
  assert.equal(withRate, 12);
  assert.equal(await chart.locator('circle.plan-dot').count(), withRate);
  assert.equal(await chart.locator('line.plan-target').count(), 1);
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 200 && box.height > 80, JSON.stringify(box));
  const last = series.points[11].indicators.safe_utilisation.rate_percent;
  assert.match(await chart.locator('circle.plan-dot').last().locator('title').textContent(), new RegExp(`2025-12-31: ${last}%`));

  // the report's buttons answer: the HTML page and the workbook
  const html = await page.locator('#plan-report-html').getAttribute('href');
  const xlsx = await page.locator('#plan-report-xlsx').getAttribute('href');
  const r1 = await fetch(new URL(html, page.url()));
  assert.equal(r1.status, 200);
  assert.match(await r1.text(), /年度土壤污染防治工作报告/);
  const r2 = await fetch(new URL(xlsx, page.url()));
  assert.equal(r2.status, 200);
  assert.equal(r2.headers.get('content-type'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const pdf = await page.locator('#plan-report-pdf').getAttribute('href');
  const r3 = await fetch(new URL(pdf, page.url()));
  assert.equal(r3.status, 200);
  assert.equal(r3.headers.get('content-type'), 'application/pdf');
  assert.equal(Buffer.from(await r3.arrayBuffer()).subarray(0, 4).toString(), '%PDF');

  await page.locator('#panel-plan').screenshot({ path: join(ARTIFACTS, '20-plan-4502-2025.png') });
  await page.screenshot({ path: join(ARTIFACTS, '21-plan-page.png') });
  assert.deepEqual(problems, []);
});
