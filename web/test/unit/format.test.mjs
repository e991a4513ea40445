import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  M2_PER_MU,
  decisionBadge,
  formatArea,
  formatAreaMu,
  formatBool,
  formatDate,
  formatDistance,
  formatPercent,
  formatRatio,
  formatTimestamp,
  m2ToMu,
  reasonMessage,
  strongerDecision,
  todayCst,
  esc,
} from '../../src/format.js';
import { DECISION_COLOURS } from '../../src/palette.js';

test('1 亩 is 10000/15 m² (≈ 666.67 m²)', () => {
  assert.equal(M2_PER_MU, 10000 / 15);
  assert.ok(Math.abs(m2ToMu(666.67) - 1) < 1e-5);
  assert.equal(m2ToMu(10000), 15); // one hectare is 15 亩
});

test('areas are shown in m² and 亩, in the language of the interface', () => {
  assert.equal(formatArea(61893.62, 'zh'), '61,893.6 平方米（92.84 亩）');
  assert.equal(formatArea(61893.62, 'en'), '61,893.6 m² (92.84 mu)');
  assert.equal(formatArea(666.67, 'en'), '666.7 m² (1 mu)');
  assert.equal(formatArea(0, 'zh'), '0 平方米（0 亩）');
  assert.equal(formatArea(null, 'zh'), '–');
  assert.equal(formatArea(undefined, 'en'), '–');
  assert.equal(formatAreaMu(2189216.7, 'zh'), '3,283.83 亩（218.92 公顷）');
  assert.equal(formatAreaMu(2189216.7, 'en'), '3,283.83 mu (218.92 ha)');
});

test('percentages and ratios', () => {
  assert.equal(formatPercent(92.15), '92.15%');
  assert.equal(formatPercent(93), '93%');
  assert.equal(formatPercent(93.8), '93.8%');
  assert.equal(formatPercent(100.0), '100%');
  assert.equal(formatPercent(null), '–');
  assert.equal(formatRatio(0.4199), '42.0%');
  assert.equal(formatRatio(1), '100.0%');
});

test('distances in metres and kilometres', () => {
  assert.equal(formatDistance(156.4, 'zh'), '156 米');
  assert.equal(formatDistance(1234, 'en'), '1.23 km');
});

test('dates: Chinese and English forms, and garbage passed through', () => {
  assert.equal(formatDate('2025-03-01', 'zh'), '2025年3月1日');
  assert.equal(formatDate('2025-03-01', 'en'), '1 Mar 2025');
  assert.equal(formatDate('2024-12-31T00:00:00Z', 'zh'), '2024年12月31日');
  assert.equal(formatDate('sometime', 'en'), 'sometime');
  assert.equal(formatDate(null, 'en'), '–');
});

test('instants are shown in China Standard Time (UTC+8)', () => {
  assert.equal(formatTimestamp('2026-11-22T20:11:29.671506+00:00'), '2026-11-23 04:11');
  assert.equal(formatTimestamp('2026-01-01T00:00:00+08:00'), '2026-01-01 00:00');
  assert.equal(formatTimestamp('not a time'), 'not a time');
  assert.equal(todayCst(Date.parse('2026-11-22T17:00:00Z')), '2026-11-23');
  assert.equal(todayCst(Date.parse('2026-11-22T15:59:59Z')), '2026-11-22');
});

test('decisions are labelled and colour-coded from the palette', () => {
  const d = decisionBadge('denied', 'zh');
  assert.equal(d.text, '不予准许');
  assert.equal(d.bg, DECISION_COLOURS.denied.bg);
  assert.equal(d.className, 'decision decision-denied');
  assert.equal(decisionBadge('conditional', 'en').text, 'Conditional');
  assert.equal(decisionBadge('allowed', 'zh').text, '准许');
  assert.equal(decisionBadge('maybe', 'en').className, 'decision decision-unknown');
  // every decision has a distinct colour
  const bgs = ['allowed', 'conditional', 'denied'].map((x) => decisionBadge(x).bg);
  assert.equal(new Set(bgs).size, 3);
});

test('the stronger decision wins: denied > conditional > allowed', () => {
  assert.equal(strongerDecision('allowed', 'conditional'), 'conditional');
  assert.equal(strongerDecision('denied', 'conditional'), 'denied');
  assert.equal(strongerDecision('allowed', 'allowed'), 'allowed');
});

test('reason messages follow the language, falling back to the other', () => {
  const r = { message_zh: '不予准许', message_en: 'refused' };
  assert.equal(reasonMessage(r, 'zh'), '不予准许');
  assert.equal(reasonMessage(r, 'en'), 'refused');
  assert.equal(reasonMessage({ message_zh: '仅中文' }, 'en'), '仅中文');
});

test('booleans and escaping', () => {
  assert.equal(formatBool(true, 'zh'), '是');
  assert.equal(formatBool(false, 'en'), 'no');
  assert.equal(formatBool(null, 'zh'), '未知');
  assert.equal(esc('<b a="1">&\'</b>'), '&lt;b a=&quot;1&quot;&gt;&amp;&#39;&lt;/b&gt;');
});
