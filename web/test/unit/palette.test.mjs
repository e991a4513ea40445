import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FARMLAND_CLASSES,
  FARMLAND_CLASS_ORDER,
  PARCEL_STATES,
  PARCEL_STATE_COLOURS,
  RCR_STATES,
  farmlandStyleSpec,
  hexToRgb,
  parcelStyleSpec,
  withAlpha,
} from '../../src/palette.js';

function hue([r, g, b]) {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max === min) return 0;
  let h;
  if (max === r) h = ((g - b) / (max - min)) % 6;
  else if (max === g) h = (b - r) / (max - min) + 2;
  else h = (r - g) / (max - min) + 4;
  return (h * 60 + 360) % 360;
}

test('farmland classes: priority protection green, safe use amber, strict control red', () => {
  const h = (cls) => hue(hexToRgb(farmlandStyleSpec(cls).fill));
  assert.ok(h('priority_protection') > 90 && h('priority_protection') < 150, 'green');
  assert.ok(h('safe_use') > 30 && h('safe_use') < 50, 'amber');
  assert.ok(h('strict_control') > 340 || h('strict_control') < 10, 'red');
  assert.deepEqual(FARMLAND_CLASS_ORDER, Object.keys(FARMLAND_CLASSES));
});

test('farmland fills are exact #rrggbb (the browser test looks for these pixels)', () => {
  for (const cls of FARMLAND_CLASS_ORDER) assert.match(farmlandStyleSpec(cls).fill, /^#[0-9a-f]{6}$/);
  assert.equal(farmlandStyleSpec('no_such_class').fill, '#bdbdbd');
});

test('every lifecycle state has its own colour', () => {
  assert.equal(PARCEL_STATES.length, 10);
  const colours = PARCEL_STATES.map((s) => PARCEL_STATE_COLOURS[s]);
  assert.ok(colours.every((c) => /^#[0-9a-f]{6}$/.test(c)));
  assert.equal(new Set(colours).size, colours.length);
  // no parcel state is drawn in a farmland class colour
  const farm = new Set(Object.values(FARMLAND_CLASSES).map((c) => c.fill));
  assert.ok(colours.every((c) => !farm.has(c)));
});

test('RCR-listed parcels: thick outline, cross-hatch, white casing', () => {
  for (const state of RCR_STATES) {
    const s = parcelStyleSpec({ state });
    assert.equal(s.rcr, true, state);
    assert.equal(s.hatch, 'cross');
    assert.ok(s.strokeWidth >= 3);
    assert.equal(s.casing, '#ffffff');
  }
  const cleared = parcelStyleSpec({ state: 'cleared' });
  assert.equal(cleared.rcr, false);
  assert.equal(cleared.hatch, 'diagonal');
  assert.ok(cleared.strokeWidth < 2);
  // the server's rcr_listed flag wins over the state
  assert.equal(parcelStyleSpec({ state: 'delisted', rcr_listed: true }).rcr, true);
});

test('parcels under investigation are dashed; the others are not', () => {
  for (const state of ['suspected', 'surveying', 'risk_assessment']) assert.ok(parcelStyleSpec({ state }).dash);
  for (const state of ['cleared', 'listed', 'delisted', 'post_management']) assert.equal(parcelStyleSpec({ state }).dash, null);
});

test('state → colour, translucent fill of the same colour', () => {
  const s = parcelStyleSpec({ state: 'listed' });
  assert.equal(s.stroke, PARCEL_STATE_COLOURS.listed);
  assert.equal(s.fill, withAlpha(PARCEL_STATE_COLOURS.listed, 0.28));
  assert.equal(withAlpha('#c2185b', 0.5), 'rgba(194,24,91,0.5)');
  assert.equal(parcelStyleSpec({ state: 'nonsense' }).stroke, '#616161');
});

test('list marks: priority supervision and key unit land, from booleans or MVT strings', () => {
  assert.deepEqual(parcelStyleSpec({ state: 'listed', priority_supervision: true, key_unit_land: false }).marks, ['priority_supervision']);
  assert.deepEqual(parcelStyleSpec({ state: 'suspected', priority_supervision: 'true', key_unit_land: true }).marks, [
    'priority_supervision',
    'key_unit_land',
  ]);
  assert.deepEqual(parcelStyleSpec({ state: 'suspected' }).marks, []);
});

test('hexToRgb', () => {
  assert.deepEqual(hexToRgb('#4caf50'), [76, 175, 80]);
  assert.throws(() => hexToRgb('green'));
});
