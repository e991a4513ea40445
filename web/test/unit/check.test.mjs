// The check panel's pure parts: which proposed use a check starts from, and the receipt in the answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposedForKind, renderCheckResult } from '../../src/ui/check.js';

test('EIA and land supply never inherit the housing start of a rezoning', () => {
  // (kind, proposed before the switch, chosen by the user?) -> proposed after
  const table = [
    ['eia-site', '070101', false, ''],
    ['land-supply', '070101', false, ''],
    ['eia-site', '100102', true, '100102'],
    ['land-supply', '', true, ''],
    ['rezoning', '', false, '070101'],
    ['rezoning', '080403', true, '080403'],
  ];
  for (const [kind, proposed, chosen, after] of table) {
    assert.equal(proposedForKind(kind, proposed, chosen), after, `${kind} ${proposed} ${chosen}`);
  }
});

test('an answer shows its receipt id, linked to the answer as kept, and its counties', () => {
  const el = { innerHTML: '', querySelectorAll: () => [] };
  const id = '0123456789abcdef0123456789abcdef';
  const answer = {
    id,
    check: 'rezoning',
    decision: 'denied',
    reasons: [],
    as_of: '2026-06-30',
    query_area_m2: 1000,
    links: [{ rel: 'self', href: `/checks/rezoning/${id}` }],
    location: { counties: [{ code: '450202', name: '城中区' }] },
  };
  renderCheckResult(el, answer, null, () => {}, 'http://127.0.0.1:8080/');
  assert.match(el.innerHTML, new RegExp(`id="check-receipt" data-id="${id}"`));
  assert.match(el.innerHTML, new RegExp(`href="http://127.0.0.1:8080/checks/rezoning/${id}"`));
  assert.match(el.innerHTML, /城中区（450202）/);
  // an answer without a receipt (an older server) shows none
  renderCheckResult(el, { ...answer, id: undefined }, null, () => {});
  assert.doesNotMatch(el.innerHTML, /check-receipt/);
});
