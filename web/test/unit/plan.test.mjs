import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRINGS, setLang } from '../../src/i18n.js';
import {
  TARGET_STATUS,
  TARGET_STATUS_ORDER,
  planHtml,
  planUrls,
  planYears,
  ratePoints,
  rateChartSvg,
  statusBadge,
} from '../../src/ui/plan.js';

test('the plan requests a city and year up to the year end, or today in the year in progress', () => {
  const u = planUrls('http://h/api/', '4502', 2025, '2026-12-05');
  assert.equal(u.targets, 'http://h/api/targets?city=4502&year=2025&as_of=2025-12-31');
  assert.equal(u.series, 'http://h/api/indicators/series?county_code=4502&from=2025-01-01&to=2025-12-31&step=month');
  assert.equal(u.reportHtml, 'http://h/api/reports/annual?city=4502&year=2025');
  assert.equal(u.reportXlsx, 'http://h/api/reports/annual?city=4502&year=2025&f=xlsx');
  assert.equal(u.reportPdf, 'http://h/api/reports/annual?city=4502&year=2025&f=pdf');
  const now = planUrls('', '4503', 2026, '2026-12-05');
  assert.equal(now.targets, '/targets?city=4503&year=2026&as_of=2026-12-05');
  assert.match(now.series, /to=2026-12-05&/);
  for (const [city, year] of [['45', 2025], ['450222', 2025], ['4502', 'next'], ['4502&x=1', 2025]]) {
    assert.throws(() => planUrls('', city, year), /not a/, `${city} ${year}`);
  }
});

test('years from the first plan to this one, latest first', () => {
  assert.deepEqual(planYears('2026-12-05'), [2026, 2025, 2024, 2023]);
  assert.deepEqual(planYears('2023-01-01'), [2023]);
  assert.deepEqual(planYears(''), [2023]);
});

test('every status has a colour and a name in both languages', () => {
  assert.deepEqual(Object.keys(TARGET_STATUS).sort(), [...TARGET_STATUS_ORDER].sort());
  const zh = { met: '已完成', not_met: '未完成', in_progress: '进行中', not_computable: '无法计算' };
  for (const s of TARGET_STATUS_ORDER) {
    assert.equal(STRINGS.zh[`plan.status.${s}`], zh[s], s);
    assert.ok(STRINGS.en[`plan.status.${s}`], s);
    assert.match(TARGET_STATUS[s].colour, /^#[0-9a-f]{6}$/);
  }
  setLang('zh');
  assert.match(statusBadge('not_met'), /data-status="not_met".*#c62828.*未完成/);
  // an unknown status is never shown as met
  assert.match(statusBadge('bogus'), /data-status="not_computable".*无法计算/);
});

const series = {
  points: [
    { label_zh: '2025年1月', as_of: '2025-01-31', indicators: { safe_utilisation: { rate_percent: 91.5, target_percent: 93 } } },
    { label_zh: '2025年2月', as_of: '2025-02-28', indicators: { safe_utilisation: { rate_percent: null, target_percent: 93 } } },
    { label_zh: '2025年3月', as_of: '2025-03-31', indicators: { safe_utilisation: { rate_percent: 94.2, target_percent: 93 } } },
    { label_zh: '2025年4月', as_of: '2025-04-30', indicators: { safe_utilisation: { rate_percent: 95, target_percent: 93 } } },
  ],
};

test('the chart draws a dot a rate, a gap where there is none, and the target line', () => {
  const { points, target } = ratePoints(series);
  assert.equal(target, 93);
  assert.deepEqual(
    points.map((p) => p.rate),
    [91.5, null, 94.2, 95],
  );
  const svg = rateChartSvg(points, target);
  assert.ok(svg.startsWith('<svg') && svg.endsWith('</svg>'));
  assert.equal((svg.match(/<circle/g) || []).length, 3);
  assert.equal((svg.match(/<polyline/g) || []).length, 2, 'the month without a rate breaks the line');
  assert.match(svg, /class="plan-target"/);
  // higher rates are drawn higher (smaller y)
  const ys = [...svg.matchAll(/<circle class="plan-dot" cx="[\d.]+" cy="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.ok(ys[0] > ys[1] && ys[1] > ys[2], ys.join(' '));
  assert.doesNotMatch(rateChartSvg([], null), /<circle|<polyline|plan-target/);
  assert.deepEqual(ratePoints(null), { points: [], target: null });
});

test('the panel lists each target with its status and links the report', () => {
  setLang('zh');
  const targets = {
    summary: { met: 1, not_met: 1, in_progress: 0, not_computable: 1 },
    targets: [
      { id: 'a', title_zh: '受污染耕地安全利用率', status: 'met', value: 93.85, unit: 'percent', comparison: { kind: 'at_least', threshold: 93 }, plan: { title_zh: '柳州市2025年度土壤污染防治工作实施方案', doc_no: null } },
      { id: 'b', title_zh: '严格管控类耕地<落实>措施', status: 'not_met', value: 92.02, unit: 'percent', comparison: { kind: 'at_least', threshold: 100 } },
      { id: 'c', title_zh: '资金执行率', status: 'not_computable', value: null, unit: 'percent', comparison: { kind: 'at_least', threshold: 52 }, missing_zh: '录入的数值' },
    ],
  };
  const html = planHtml(targets, series, planUrls('', '4502', 2025, '2026-01-01'));
  assert.equal((html.match(/class="plan-target-row"/g) || []).length, 3);
  assert.match(html, /data-id="a" data-status="met"/);
  assert.match(html, /data-id="c" data-status="not_computable"/);
  assert.match(html, /严格管控类耕地&lt;落实&gt;措施/, 'titles are escaped');
  assert.match(html, /缺少：录入的数值/);
  assert.match(html, /柳州市2025年度土壤污染防治工作实施方案/);
  assert.match(html, /<svg class="plan-chart"/);
  assert.match(html, /id="plan-report-html" href="\/reports\/annual\?city=4502&amp;year=2025"/);
  assert.match(html, /id="plan-report-xlsx" href="\/reports\/annual\?city=4502&amp;year=2025&amp;f=xlsx"/);
  assert.match(html, /id="plan-report-pdf" href="\/reports\/annual\?city=4502&amp;year=2025&amp;f=pdf"/);
  assert.match(planHtml({ targets: [] }, null, planUrls('', '4501', 2025)), /id="plan-none"/);
});
