// The measures ledger in a farmland unit's card: the request the "record measures" form sends, and the
// ledger and form as the card shows them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MEASURE_KINDS, RequestError, buildMeasuresRequest, measuresUrl } from '../../src/api.js';
import { STRINGS, label } from '../../src/i18n.js';
import { ledgerSection } from '../../src/ui/card.js';

test('the form becomes POST .../measures with one measure; what the server would refuse is refused first', () => {
  const req = buildMeasuresRequest('http://h/lg/', 'LZ-GD-1', { year: '2026', kind: 'lime', area_m2: '5,200', document: ' 台账 ', note: '' });
  assert.equal(req.url, 'http://h/lg/collections/farmland_units/items/LZ-GD-1/measures');
  assert.equal(req.method, 'POST');
  assert.deepEqual(req.body, { year: 2026, measures: [{ kind: 'lime', area_m2: 5200 }], document: '台账' });
  assert.equal(buildMeasuresRequest('', 'U', { year: 2026, kind: 'fallow', area_m2: 1, document: 'd', note: '晚稻' }).body.note, '晚稻');
  assert.equal(measuresUrl('', 'a b'), '/collections/farmland_units/items/a%20b/measures');
  const ok = { year: '2026', kind: 'lime', area_m2: '10', document: 'd' };
  for (const [bad, key] of [
    [{ kind: 'liming' }, 'ledger.need_kind'],
    [{ area_m2: '-5' }, 'ledger.need_area'],
    [{ area_m2: '' }, 'ledger.need_area'],
    [{ area_m2: '0' }, 'ledger.need_area'],
    [{ year: '26' }, 'ledger.need_year'],
    [{ year: '2026.5' }, 'ledger.need_year'],
    [{ document: '  ' }, 'ledger.need_document'],
  ]) {
    assert.throws(() => buildMeasuresRequest('', 'U', { ...ok, ...bad }), (e) => e instanceof RequestError && e.key === key, key);
  }
});

test('every kind has a name in both languages, the server\'s Chinese one in Chinese', () => {
  const kinds = [...MEASURE_KINDS.safe_use, ...MEASURE_KINDS.strict_control];
  assert.equal(kinds.length, 11);
  for (const k of kinds) for (const lang of ['zh', 'en']) assert.ok(STRINGS[lang][`measure.${k}`], `${lang} ${k}`);
  assert.equal(label('measure', 'lime', 'zh'), '石灰调酸');
  assert.equal(label('measure', 'strict_zone', 'zh'), '特定农产品严格管控区');
});

test('the ledger: year (and season), the measure in Chinese, m² and 亩, the document; withdrawn struck through', () => {
  const html = ledgerSection(
    [
      { id: 2, year: 2026, season: 1, kind: 'fallow', area_m2: 6666.67, document: '柳城县台账' },
      { id: 1, year: 2025, kind: 'lime', area_m2: 1000, document: '旧台账', withdrawn_at: '2026-01-01T00:00:00Z', withdrawn_reason: '录错' },
    ],
    null,
  );
  assert.match(html, /2026 第1季/);
  assert.match(html, /休耕/);
  assert.match(html, /6,666\.7 平方米（10 亩）/);
  assert.match(html, /1,000 平方米（1\.5 亩）/);
  assert.match(html, /柳城县台账/);
  assert.match(html, /<tr class="withdrawn" title="已撤回：录错" data-id="1">/);
  assert.doesNotMatch(html, /ledger-form/, 'no form for a reader');
  assert.match(ledgerSection([], null), /尚无措施记录/);
  assert.match(ledgerSection(new Error('boom'), null), /boom/);
});

test('the form for an editor: kinds as choices by group, the values kept, the server\'s explanation shown', () => {
  const html = ledgerSection([], { values: { year: '2026', kind: 'water', area_m2: '12', document: 'doc<1>' }, error: '措施未被受理：面积过大' });
  assert.match(html, /<optgroup label="安全利用类">/);
  assert.match(html, /<optgroup label="严格管控类">/);
  assert.match(html, /<option value="water" selected>水分调控<\/option>/);
  assert.match(html, /id="ledger-year"[^>]*value="2026"/);
  assert.match(html, /value="doc&lt;1&gt;"/);
  assert.match(html, /<p class="error" id="ledger-error" role="alert">措施未被受理：面积过大<\/p>/);
  assert.match(ledgerSection([], { saving: true }), /<button type="submit" id="ledger-save" disabled>正在保存…/);
});
