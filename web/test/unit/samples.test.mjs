// Samples on the map (采样点): the symbols by grade and compliance, and what a sample's card shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CROP_STATUS_COLOURS,
  CROP_STATUS_ORDER,
  FARMLAND_CLASSES,
  SOIL_GRADE_COLOURS,
  SOIL_GRADE_ORDER,
  cropSampleStatus,
  cropSampleStyleSpec,
  soilSampleStyleSpec,
} from '../../src/palette.js';
import { metalRows, sampleRows, sampleVerdict } from '../../src/ui/samples.js';
import { setLang } from '../../src/i18n.js';

test('soil samples: one colour per GB 15618 grade, none a farmland fill; an unknown grade is grey', () => {
  const fills = SOIL_GRADE_ORDER.map((g) => soilSampleStyleSpec({ grade: g }).fill);
  assert.equal(new Set(fills).size, 3);
  const farmland = Object.values(FARMLAND_CLASSES).map((c) => c.fill);
  for (const f of fills) assert.ok(!farmland.includes(f), f);
  assert.deepEqual(fills, SOIL_GRADE_ORDER.map((g) => SOIL_GRADE_COLOURS[g]));
  assert.equal(soilSampleStyleSpec({ grade: 'Z' }).grade, null);
  assert.equal(soilSampleStyleSpec({}).fill, '#9e9e9e');
});

test('crop samples: compliance from the flag (boolean or tile text), else from the worst ratio', () => {
  const table = [
    [{ compliant: true, worst_ratio: 0.4 }, 'compliant'],
    [{ compliant: 'true' }, 'compliant'],
    [{ compliant: false, worst_ratio: 2.1 }, 'exceeds'],
    [{ compliant: 'false' }, 'exceeds'],
    [{ worst_ratio: 1 }, 'compliant'],
    [{ worst_ratio: 1.0001 }, 'exceeds'],
    [{ worst_ratio: '1.5' }, 'exceeds'],
    [{ compliant: null, worst_ratio: null }, 'unjudged'],
    [{}, 'unjudged'],
  ];
  for (const [props, status] of table) assert.equal(cropSampleStatus(props), status, JSON.stringify(props));
  assert.equal(new Set(CROP_STATUS_ORDER.map((s) => CROP_STATUS_COLOURS[s])).size, 3);
  assert.equal(cropSampleStyleSpec({ compliant: false }).fill, CROP_STATUS_COLOURS.exceeds);
});

test("a sample's card: the verdict after the code, the metals it reports in mg/kg", () => {
  setLang('zh');
  const soil = { sample_code: 'S-1', county_code: '450222', grade: 'C', land: 'paddy', ph: 6, cd: 2.6, pb: 45, cu: null };
  const rows = sampleRows('soil_samples', soil, () => '柳城县');
  assert.equal(rows[1][0], 'GB 15618 等级');
  assert.match(rows[1][1], /C 风险管制值以上/);
  assert.match(rows[1][1], new RegExp(SOIL_GRADE_COLOURS.C));
  assert.deepEqual(metalRows('soil_samples', soil).map((r) => r[0]), ['镉 Cd', '铅 Pb']);
  const crop = { sample_code: 'C-1', crop: 'rice', compliant: false, worst_ratio: 2.1, cd: 0.42 };
  assert.deepEqual(sampleVerdict('crop_samples', crop), ['超标（最大比值 > 1）', CROP_STATUS_COLOURS.exceeds]);
  assert.ok(sampleRows('crop_samples', crop, () => '').some(([k, v]) => k === '最大超标倍数（检测值/限量）' && v === '2.10'));
});
