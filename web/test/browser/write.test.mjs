// Keeping the register from the map, as a person does it: sign in, edit a parcel's properties in the form
// made from the schema and save, the 412 dialog when another session saved in between, a lifecycle step
// (delisting, which asks for the class the remediation met), the server's explanation of a refused write in
// Chinese, and a check of a parcel as of the map's past day. Runs after map.test.mjs (it changes the data).
//   LANDGUARD_URL=... LANDGUARD_PASSWORD=... node --test test/browser/write.test.mjs
// scripts/test-web.sh creates the people: web.editor and web.other (editors of every county) and lz.editor
// (an editor of Liuzhou, 4502), all with the password LANDGUARD_PASSWORD.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { launch, otherSession, signIn as signInAs } from './browser.mjs';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const PASSWORD = process.env.LANDGUARD_PASSWORD || '';
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);
const PARCELS = 'construction_parcels';

let context;
let page;
const problems = [];
// Answers the tests provoke on purpose (the 412 and the 403); anything else of 400 or more is a problem.
const expected = [];

async function api(path, init = {}) {
  const r = await fetch(`${BASE}${path}`, init);
  const text = await r.text();
  return { status: r.status, etag: r.headers.get('etag'), headers: r.headers, body: text ? JSON.parse(text) : null };
}

async function parcels() {
  return (await api(`/collections/${PARCELS}/items?limit=500`)).body.features;
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

async function openCard(id) {
  await page.evaluate((id) => window.landguard.openCard('construction_parcels', id), id);
  await page.locator('#card code', { hasText: id }).waitFor();
}

before(async () => {
  assert.ok(BASE, 'set LANDGUARD_URL to a running landguard with the demo data');
  assert.ok(PASSWORD, 'set LANDGUARD_PASSWORD to the password of the people scripts/test-web.sh creates');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('console', (m) => {
    // Chromium logs every answer of 400 or more; those the tests provoke are checked by status below.
    if (m.type() === 'error' && !/Failed to load resource: the server responded with a status of (403|412)/.test(m.text())) {
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

test('a person signs in from the map and is shown as signed in', { timeout: 60000 }, async () => {
  await signIn('web.editor');
  assert.equal((await page.locator('#session-who').textContent()).trim(), 'web.editor（编辑）');
  await shot('20-signed-in');
  // a reload keeps the session (the cookie) and asks who it is
  await page.reload();
  await page.waitForFunction(() => document.body.classList.contains('ready'));
  await page.locator('#session-who', { hasText: 'web.editor' }).waitFor();
  assert.deepEqual(problems, []);
});

test('an editor changes a parcel\'s properties in the form made from the schema, saved with If-Match', { timeout: 60000 }, async () => {
  const target = (await parcels()).find((f) => f.properties.state === 'suspected' && f.properties.county_code.startsWith('4502'));
  assert.ok(target, 'a suspected parcel in Liuzhou');
  const before = await api(`/collections/${PARCELS}/items/${target.id}`);
  await openCard(target.id);
  await page.locator('#card-edit').click();
  await page.locator('#edit-dialog').waitFor();
  // labels in Chinese, code lists as choices with their names, dates as dates, computed values not editable
  assert.match(await page.locator('#edit-dialog [data-field="name"] .field-label').textContent(), /地块名称/);
  const systems = await page.locator('#edit-use_code_system option').allTextContents();
  assert.ok(systems.includes('ydyh2023 用地用海分类（2023）'), systems.join('|'));
  assert.equal(await page.locator('#edit-valid_from').getAttribute('type'), 'date');
  assert.equal(await page.locator('#edit-area_mu').evaluate((e) => e.tagName), 'OUTPUT');
  assert.equal(await page.locator('#edit-state').evaluate((e) => e.tagName), 'OUTPUT');
  assert.equal(await page.locator('#edit-parcel_code').evaluate((e) => e.tagName), 'OUTPUT');

  await page.locator('#edit-former_industry').fill('电镀（地图编辑测试）');
  await page.locator('#edit-key_unit_land').selectOption('true');
  await shot('21-edit-form');
  const put = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await page.locator('#edit-save').click();
  const resp = await put;
  assert.equal(resp.status(), 200);
  const headers = resp.request().headers();
  assert.equal(headers['if-match'], before.etag, 'the ETag of the version the form was filled from');
  assert.ok(headers['x-csrf-token'], 'the CSRF value of the session');
  await page.locator('#edit-dialog').waitFor({ state: 'detached' });
  await page.locator('#toast', { hasText: `已保存 ${target.id}` }).waitFor();

  const now = await api(`/collections/${PARCELS}/items/${target.id}`);
  assert.equal(now.body.properties.former_industry, '电镀（地图编辑测试）');
  assert.equal(now.body.properties.key_unit_land, true);
  assert.equal(now.body.properties.name, before.body.properties.name);
  assert.equal(now.body.properties.state, 'suspected');
  const history = await api(`/collections/${PARCELS}/items/${target.id}/history`);
  assert.equal(history.body.versions.at(-1).recorded_by, 'web.editor');
  // the card's timeline names what changed
  await page.locator('#card .tl-changed', { hasText: '原行业' }).first().waitFor();
  await shot('22-edit-saved');
  assert.deepEqual(problems, []);
});

test('a 412 opens a dialog with their version beside yours, and the change can be made over theirs', { timeout: 60000 }, async () => {
  const target = (await parcels()).find((f) => f.properties.state === 'surveying' && f.properties.county_code.startsWith('4502'));
  await openCard(target.id);
  await page.locator('#card-edit').click();
  await page.locator('#edit-dialog').waitFor();

  // meanwhile another person renames the parcel
  const other = await otherSession(BASE, 'web.other', PASSWORD);
  const theirs = await api(`/collections/${PARCELS}/items/${target.id}`);
  const newName = `新柳化工片区 ${Date.now() % 100000}`;
  const renamed = { ...theirs.body, properties: { ...theirs.body.properties, name: newName } };
  delete renamed.properties.state;
  const r = await api(`/collections/${PARCELS}/items/${target.id}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', Cookie: other.cookie, 'X-CSRF-Token': other.csrf, 'If-Match': theirs.etag },
    body: JSON.stringify(renamed),
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  const industry = `印染 ${Date.now() % 100000}`;
  await page.locator('#edit-former_industry').fill(industry);
  expected.push(412);
  const put = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await page.locator('#edit-save').click();
  assert.equal((await put).status(), 412);
  const dlg = page.locator('#conflict-dialog');
  await dlg.waitFor();
  assert.match(await dlg.locator('h2').textContent(), /已被他人修改/);
  assert.match(await dlg.textContent(), /web\.other/);
  assert.equal((await dlg.locator('tr[data-field="name"] td.theirs').textContent()).trim(), newName);
  assert.equal((await dlg.locator('tr[data-field="name"] td.yours').textContent()).trim(), theirs.body.properties.name);
  assert.equal((await dlg.locator('tr[data-field="former_industry"] td.yours').textContent()).trim(), industry);
  await shot('23-conflict-412');

  // my change goes over their version: their new name stays, my former industry is added
  const again = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}`) && r.request().method() === 'PUT');
  await dlg.locator('#conflict-overwrite').click();
  assert.equal((await again).status(), 200);
  await dlg.waitFor({ state: 'detached' });
  const now = await api(`/collections/${PARCELS}/items/${target.id}`);
  assert.equal(now.body.properties.former_industry, industry);
  assert.equal(now.body.properties.name, newName);
  expected.pop();
  assert.deepEqual(problems, []);
});

test('a lifecycle step is offered only the steps allowed; delisting asks for the class met', { timeout: 60000 }, async () => {
  const target = (await parcels()).find((f) => f.properties.state === 'effect_evaluation');
  assert.ok(target, 'a parcel in effect evaluation');
  await openCard(target.id);
  await page.locator('#card-step').click();
  const dlg = page.locator('#step-dialog');
  await dlg.waitFor();
  assert.equal(await dlg.locator('#step-current').getAttribute('data-state'), 'effect_evaluation');
  const offered = await dlg.locator('#step-to option').evaluateAll((os) => os.map((o) => o.value));
  assert.deepEqual(offered, ['under_control', 'under_remediation', 'delisted']);
  assert.ok(await dlg.locator('#step-class-field').isHidden(), 'the class is asked only when delisting');
  await dlg.locator('#step-to').selectOption('delisted');
  await dlg.locator('#step-class-field').waitFor({ state: 'visible' });
  await dlg.locator('#step-class').selectOption('1');
  await dlg.locator('#step-document').fill('柳环函〔2026〕88号');
  await dlg.locator('#step-note').fill('效果评估报告评审通过，移出名录');
  await shot('24-step-delist');
  const posted = page.waitForResponse((r) => r.url().endsWith(`/items/${target.id}/transitions`));
  await dlg.locator('#step-save').click();
  const resp = await posted;
  assert.equal(resp.status(), 200);
  const sent = resp.request().postDataJSON();
  assert.equal(sent.to, 'delisted');
  assert.equal(sent.remediated_for_class, 1);
  assert.equal(sent.document, '柳环函〔2026〕88号');
  await dlg.waitFor({ state: 'detached' });
  const now = await api(`/collections/${PARCELS}/items/${target.id}`);
  assert.equal(now.body.properties.state, 'delisted');
  assert.equal(now.body.properties.remediated_for_class, 1);
  // the timeline shows the step first, with its document and note
  const first = page.locator('#card .timeline li').first();
  await first.locator('.tl-doc', { hasText: '柳环函〔2026〕88号' }).waitFor();
  assert.match(await first.textContent(), /已移出名录/);
  assert.match(await first.textContent(), /web\.editor/);
  await shot('25-step-recorded');

  // from post-management nothing follows: no step is offered
  await page.locator('#toast').evaluate((e) => (e.hidden = true));
  const done = (await parcels()).find((f) => f.properties.state === 'post_management');
  await openCard(done.id);
  await page.locator('#card-step').click();
  await page.locator('#step-dialog #step-none').waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#step-dialog').waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
});

test('a refused write shows the server\'s own explanation, in Chinese', { timeout: 60000 }, async () => {
  await signOut();
  await signIn('lz.editor');
  const guilin = (await parcels()).find((f) => f.properties.county_code.startsWith('4503') && f.properties.state === 'cleared');
  await openCard(guilin.id);
  await page.locator('#card-edit').click();
  await page.locator('#edit-dialog').waitFor();
  await page.locator('#edit-former_industry').fill('化工');
  expected.push(403);
  const put = page.waitForResponse((r) => r.url().endsWith(`/items/${guilin.id}`) && r.request().method() === 'PUT');
  await page.locator('#edit-save').click();
  const resp = await put;
  assert.equal(resp.status(), 403);
  const problem = await resp.json();
  const err = page.locator('#edit-error');
  await err.waitFor({ state: 'visible' });
  const text = await err.textContent();
  // the title in Chinese, then the Chinese half of the server's detail, not the English one
  assert.ok(text.startsWith('超出可编辑的县区：'), text);
  assert.ok(text.includes(problem.detail.split(' — ')[0]), `${text} / ${problem.detail}`);
  assert.match(text, /只能修改 4502 的要素/);
  assert.doesNotMatch(text, /may write only/);
  await shot('26-error-in-chinese');
  await page.keyboard.press('Escape');
  expected.pop();
  await signOut();
  assert.deepEqual(problems, []);
});

test('with the map on a past day, "check this parcel" asks as of that day and says so', { timeout: 60000 }, async () => {
  await page.locator('#tab-layers').click();
  await page.locator('#map-asof').fill('2023-06-30');
  await page.locator('#asof-banner', { hasText: '2023年6月30日' }).waitFor();
  const p = await api(`/collections/${PARCELS}/items/LZ-2020-015?datetime=2023-06-30`);
  await openCard('LZ-2020-015');
  const asked = page.waitForResponse((r) => r.url().endsWith('/checks/rezoning') && r.request().method() === 'POST');
  await page.locator('#card [data-action="check"]').click();
  await page.locator('#check-run').click();
  const resp = await asked;
  assert.equal(resp.status(), 200);
  assert.equal(resp.request().postDataJSON().as_of, '2023-06-30');
  assert.equal((await resp.json()).as_of, '2023-06-30');
  const said = page.locator('#check-asof-answer');
  await said.waitFor();
  assert.equal((await said.textContent()).trim(), '按 2023年6月30日 的登记状态核查');
  assert.equal(p.status, 200);
  await shot('27-check-as-of-past-day');
  await page.locator('#tab-layers').click();
  await page.locator('#map-asof-now').click();
  await page.locator('#asof-banner').waitFor({ state: 'hidden' });
  assert.deepEqual(problems, []);
});

/** The number of pages of a PDF (its page objects). */
function pdfPages(pdf) {
  return (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length;
}

test('a check answer and a card each print on one A4 page, with the map', { timeout: 60000 }, async () => {
  await page.locator('#tab-check').click();
  await page.locator('#check-asof').fill('');
  await page.locator('#check-run').click();
  await page.locator('#check-receipt').waitFor();
  const reasons = await page.locator('#check-result .reason').count();
  await page.evaluate(() => window.landguard.printLayout('check'));
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.locator('.topbar').isHidden(), 'no top bar on paper');
  assert.ok(await page.locator('#check-decision').isVisible());
  assert.ok(await page.locator('#check-receipt').isVisible(), 'the receipt id is printed');
  assert.equal(await page.locator('#check-result .reason:visible').count(), reasons, 'every reason is printed');
  assert.ok(await page.locator('#check-kind-rezoning').isHidden(), 'not the form');
  assert.ok(await page.locator('#map canvas').first().isVisible(), 'the map is printed');
  await shot('28-print-check');
  assert.equal(pdfPages(await page.pdf({ format: 'A4', printBackground: true })), 1, 'one A4 page');

  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => window.landguard.printLayout(null));
  await openCard('LZ-2020-015');
  await page.locator('#card .timeline li').first().waitFor();
  await page.evaluate(() => window.landguard.printLayout('card'));
  await page.emulateMedia({ media: 'print' });
  assert.ok(await page.locator('#card').isVisible());
  assert.ok(await page.locator('#panel-check').isHidden());
  await shot('29-print-card');
  assert.equal(pdfPages(await page.pdf({ format: 'A4', printBackground: true })), 1, 'one A4 page');
  await page.emulateMedia({ media: 'screen' });
  await page.evaluate(() => window.landguard.printLayout(null));
  assert.deepEqual(problems, []);
});
