import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setLang } from '../../src/i18n.js';
import {
  ID_PROPERTY,
  RECORD_KINDS,
  addDays,
  buildRecordBody,
  countyRecordsUrl,
  dutiesPanelHtml,
  dutiesUrl,
  panelDuties,
  recordFormHtml,
  recordsUrl,
  renderCountyCard,
  sourceRows,
} from '../../src/ui/duties.js';

setLang('zh');

test('URLs of records and duties', () => {
  assert.equal(recordsUrl('http://h/api/', 'tailings_ponds', 'WK 1'), 'http://h/api/collections/tailings_ponds/items/WK%201/records');
  assert.equal(dutiesUrl('http://h', {}), 'http://h/duties');
  assert.equal(
    dutiesUrl('http://h', { county_code: '4502', as_of: '2026-06-30', status: 'overdue,due', ics: true }),
    'http://h/duties.ics?county_code=4502&as_of=2026-06-30&status=overdue%2Cdue',
  );
});

test('every register has its kinds and id property', () => {
  for (const c of ['key_supervised_units', 'pollution_sources', 'tailings_ponds']) {
    assert.ok(RECORD_KINDS[c].length > 0, c);
    assert.ok(ID_PROPERTY[c], c);
  }
  assert.deepEqual(RECORD_KINDS.tailings_ponds.map(([k]) => k), ['inspection']);
});

test('the record body: kind of the register and a date required, empty text left out', () => {
  assert.deepEqual(buildRecordBody('tailings_ponds', { kind: 'inspection', date: '2026-03-20', document: ' 融环检〔2026〕7号 ', result: '', note: '  ' }), {
    kind: 'inspection',
    date: '2026-03-20',
    document: '融环检〔2026〕7号',
  });
  assert.throws(() => buildRecordBody('tailings_ponds', { kind: 'hazard_check', date: '2026-03-20' }), /duty.need_kind/);
  assert.throws(() => buildRecordBody('key_supervised_units', { kind: 'hazard_check', date: '20.3.2026' }), /duty.need_date/);
});

test('addDays crosses months and years', () => {
  assert.equal(addDays('2026-12-15', 30), '2027-01-14');
  assert.equal(addDays('2026-02-27', 2), '2026-03-01');
});

test('the panel: overdue first, then due within 30 days, each by due_by', () => {
  const answer = {
    duties: [
      { collection: 'tailings_ponds', id: 'B', status: 'overdue', due_by: '2026-05-31', name_zh: 'x' },
      { collection: 'tailings_ponds', id: 'A', status: 'overdue', due_by: '2026-03-31', name_zh: 'x' },
      { collection: 'tailings_ponds', id: 'C', status: 'due', due_by: '2026-07-30', name_zh: 'x' },
      { collection: 'tailings_ponds', id: 'D', status: 'due', due_by: '2026-07-31', name_zh: 'x' },
      { collection: 'key_supervised_units', id: 'E', status: 'due', due_by: null, name_zh: 'x' },
      { collection: 'tailings_ponds', id: 'F', status: 'done', due_by: '2026-07-01', name_zh: 'x' },
    ],
  };
  const lines = panelDuties(answer, '2026-06-30');
  assert.deepEqual(lines.overdue.map((d) => d.id), ['A', 'B']);
  assert.deepEqual(lines.due.map((d) => d.id), ['E', 'C']);
  assert.equal(lines.until, '2026-07-30');
  const html = dutiesPanelHtml(lines, 'http://h/duties.ics');
  assert.match(html, /id="duties-ics" href="http:\/\/h\/duties.ics"/);
  assert.match(html, /data-feature="tailings_ponds\/A"/);
  assert.ok(html.indexOf('tailings_ponds/A') < html.indexOf('tailings_ponds/C'));
  assert.match(dutiesPanelHtml({ overdue: [], due: [], until: '2026-07-30' }, ''), /id="duties-overdue-none"/);
});

test("a county's own duty (its quarterly report) is a line of the panel, opening the county", () => {
  const answer = {
    duties: [{ collection: 'tailings_ponds', id: 'A', status: 'overdue', due_by: '2026-06-30', name_zh: 'x' }],
    county_duties: [
      { county_code: '450312', name: '临桂区', duty: 'county_quarterly_report', name_zh: '县（市、区）季度工作进展报送', period: '2026-Q1', status: 'overdue', due_by: '2026-03-31' },
      { county_code: '450302', name: '秀峰区', duty: 'county_quarterly_report', period: '2026-Q3', status: 'due', due_by: '2026-09-30' },
      { county_code: '450303', name: '叠彩区', duty: 'county_quarterly_report', period: '2026-Q2', status: 'done', due_by: '2026-09-30' },
    ],
  };
  const lines = panelDuties(answer, '2026-09-01');
  assert.deepEqual(lines.overdue.map((d) => `${d.collection}/${d.id}`), ['counties/450312', 'tailings_ponds/A']);
  assert.deepEqual(lines.due.map((d) => `${d.collection}/${d.id}`), ['counties/450302']);
  const html = dutiesPanelHtml(lines, '');
  assert.match(html, /data-feature="counties\/450312" data-duty="county_quarterly_report" data-status="overdue"/);
  assert.match(html, /临桂区[\s\S]*县（市、区）季度工作进展报送/);
  // the county's record: its one kind, posted to the county
  assert.equal(countyRecordsUrl('http://h/', '450312'), 'http://h/counties/450312/records');
  assert.deepEqual(buildRecordBody('counties', { kind: 'quarterly_report', date: '2026-09-28', document: '临桂区报告' }), {
    kind: 'quarterly_report',
    date: '2026-09-28',
    document: '临桂区报告',
  });
  assert.throws(() => buildRecordBody('counties', { kind: 'inspection', date: '2026-09-28' }), /duty.need_kind/);
  assert.match(recordFormHtml('counties', {}), /<option value="quarterly_report"[^>]*>季度工作进展报告/);
});

test("the county's card: its duty, its records and the form only for who may write", () => {
  const el = { innerHTML: '', querySelectorAll: () => [], querySelector: () => null };
  const data = { id: '450312', name: '临桂区', asOf: '2026-09-01', records: [], duties: [{ collection: 'counties', id: '450312', duty: 'county_quarterly_report', status: 'overdue', name_zh: '县（市、区）季度工作进展报送' }] };
  renderCountyCard(el, data, { close() {} });
  assert.match(el.innerHTML, /class="card-title">临桂区</);
  assert.match(el.innerHTML, /id="card-duties"[\s\S]*data-status="overdue"/);
  assert.doesNotMatch(el.innerHTML, /record-form/);
  renderCountyCard(el, data, { close() {}, record() {} });
  assert.match(el.innerHTML, /id="record-form"/);
});

test("source rows follow the schema's order and names; lists are joined", () => {
  const schema = { properties: { name: { title: '名称', 'x-ogc-propertySeq': 2 }, pond_code: { title: '尾矿库编码', 'x-ogc-propertySeq': 1 }, pollutants: { title: '污染物' } } };
  const rows = sourceRows(schema, { pond_code: 'W1', name: '某库', pollutants: ['Cd', 'Pb'], extra: 1 }, (n) => schema.properties[n].title);
  assert.deepEqual(rows, [
    ['尾矿库编码', 'W1'],
    ['名称', '某库'],
    ['污染物', 'Cd、Pb'],
  ]);
});

test('the record form offers only the kinds of the register, in Chinese', () => {
  const html = recordFormHtml('pollution_sources', { values: { kind: 'rectified' }, error: '日期晚于明天' });
  assert.match(html, /<option value="rectified" selected>整治完成<\/option>/);
  assert.doesNotMatch(html, /inspection/);
  assert.match(html, /id="record-error"[^>]*>日期晚于明天/);
});

test('code lists show their Chinese names', () => {
  const schema = { properties: { safety_rating: { title: '安全度', 'x-names': { normal: '正常库' } } } };
  assert.deepEqual(sourceRows(schema, { safety_rating: 'normal' }, (n) => schema.properties[n].title), [['安全度', '正常库']]);
});
