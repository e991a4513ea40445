import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOT_RESOLUTION, farmlandStyle, parcelMarkStyle, parcelStyle } from '../../src/styles.js';
import { FARMLAND_CLASSES, MARKS, PARCEL_STATE_COLOURS } from '../../src/palette.js';

const feature = (props) => ({ get: (k) => props[k], getProperties: () => ({ ...props }) });

test('farmland polygons are filled with the class colour, outlined close in', () => {
  for (const [cls, c] of Object.entries(FARMLAND_CLASSES)) {
    const s = farmlandStyle(feature({ class: cls }), 5);
    assert.equal(s.getFill().getColor(), c.fill);
    assert.equal(s.getStroke().getColor(), c.stroke);
    assert.ok(!farmlandStyle(feature({ class: cls }), 22).getStroke(), 'no outline when units are a few pixels wide');
  }
});

test('zoomed out, farmland units and parcels are dots in their colours', () => {
  const r = DOT_RESOLUTION * 2;
  const unit = farmlandStyle(feature({ class: 'strict_control' }), r);
  assert.equal(unit.getImage().getFill().getColor(), FARMLAND_CLASSES.strict_control.fill);
  const [listed] = parcelStyle(feature({ state: 'listed', rcr_listed: true }), r);
  const [cleared] = parcelStyle(feature({ state: 'cleared', rcr_listed: false }), r);
  assert.equal(listed.getImage().getFill().getColor(), PARCEL_STATE_COLOURS.listed);
  assert.ok(listed.getImage().getRadius() > cleared.getImage().getRadius(), 'RCR-listed dots are larger');
});

test('list marks and parcel codes', () => {
  const styles = parcelMarkStyle(feature({ parcel_code: 'LZ-2019-003', state: 'under_control', priority_supervision: true, key_unit_land: true }), 2);
  const texts = styles.map((s) => s.getText().getText());
  assert.deepEqual(texts, [MARKS.priority_supervision.symbol, MARKS.key_unit_land.symbol, 'LZ-2019-003']);
  assert.deepEqual(parcelMarkStyle(feature({ parcel_code: 'X', state: 'suspected' }), 10), []);
});
