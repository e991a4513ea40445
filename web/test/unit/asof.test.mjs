import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAsOf, hrefWithDatetime } from '../../src/asof.js';

test('the as-of date starts as given, changes through set and tells subscribers in order', () => {
  const asOf = createAsOf('2024-06-30', Date.UTC(2025, 2, 1, 17, 0));
  assert.equal(asOf.datetime, '2024-06-30');
  assert.equal(asOf.today, '2025-03-02'); // 17:00 UTC is the next day in China Standard Time
  assert.equal(asOf.query(), '?datetime=2024-06-30');
  const seen = [];
  asOf.subscribe((d) => seen.push(['first', d]));
  asOf.subscribe((d) => seen.push(['second', d, asOf.datetime]));
  asOf.set('');
  assert.equal(asOf.datetime, null);
  assert.equal(asOf.query(), '');
  asOf.set('2023-01-01');
  assert.deepEqual(seen, [['first', null], ['second', null, null], ['first', '2023-01-01'], ['second', '2023-01-01', '2023-01-01']]);
});

test('no as-of date means now', () => {
  assert.equal(createAsOf().datetime, null);
  assert.equal(createAsOf(undefined).query(), '');
});

test('the permalink carries the as-of date and keeps the rest', () => {
  const base = 'http://h/map/?lang=en#map=12.00/110.00000/25.00000';
  assert.equal(hrefWithDatetime(base, '2022-06-30'), 'http://h/map/?lang=en&datetime=2022-06-30#map=12.00/110.00000/25.00000');
  assert.equal(hrefWithDatetime('http://h/map/?datetime=2022-06-30&lang=en', null), 'http://h/map/?lang=en');
});
