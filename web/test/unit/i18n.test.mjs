import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRINGS, getLang, label, onLangChange, setLang, t } from '../../src/i18n.js';
import { PARCEL_STATES, FARMLAND_CLASS_ORDER } from '../../src/palette.js';
import { CHECK_KINDS, PROJECT_KINDS, SUPPLY_KINDS } from '../../src/api.js';
import { USES, isHousingOrPublic, useLabel } from '../../src/landuse.js';

test('Chinese by default; both languages have the same keys', () => {
  assert.equal(getLang(), 'zh');
  assert.deepEqual(Object.keys(STRINGS.en).sort(), Object.keys(STRINGS.zh).sort());
  for (const [k, v] of Object.entries(STRINGS.en)) {
    const zhVars = (STRINGS.zh[k].match(/\{\w+\}/g) || []).sort();
    assert.deepEqual((v.match(/\{\w+\}/g) || []).sort(), zhVars, `placeholders of ${k}`);
  }
});

test('every state, class, check, project and supply kind and decision has a label', () => {
  for (const lang of ['zh', 'en']) {
    for (const s of PARCEL_STATES) assert.notEqual(label('state', s, lang), s);
    for (const c of FARMLAND_CLASS_ORDER) assert.notEqual(label('class', c, lang), c);
    for (const k of CHECK_KINDS) assert.ok(STRINGS[lang][`check.kind.${k}`]);
    for (const k of PROJECT_KINDS) assert.ok(STRINGS[lang][`check.project_kind.${k}`]);
    for (const k of SUPPLY_KINDS) assert.ok(STRINGS[lang][`check.supply.${k}`]);
    for (const d of ['allowed', 'conditional', 'denied']) assert.ok(STRINGS[lang][`decision.${d}`]);
  }
  assert.equal(label('state', 'listed', 'zh'), '已列入名录');
  assert.equal(label('class', 'strict_control', 'en'), 'Strict control');
  assert.equal(label('state', 'unheard_of', 'zh'), 'unheard_of');
});

test('placeholders are filled; switching the language notifies', () => {
  assert.equal(t('check.area_parcel', { code: 'LZ-1' }, 'zh'), '地块 LZ-1');
  assert.equal(t('no.such.key'), 'no.such.key');
  const seen = [];
  const off = onLangChange((l) => seen.push(l));
  setLang('en');
  assert.equal(t('decision.denied'), 'Denied');
  setLang('en'); // no change, no event
  setLang('zh');
  off();
  assert.deepEqual(seen, ['en', 'zh']);
});

test('the proposed-use list: known ydyh2023 codes, 一住两公 recognised', () => {
  const codes = USES.map((u) => u.code);
  for (const c of ['070101', '080403', '100101', '0901']) assert.ok(codes.includes(c), c);
  assert.equal(new Set(codes).size, codes.length);
  assert.ok(isHousingOrPublic('070101') && isHousingOrPublic('080403'));
  assert.ok(!isHousingOrPublic('0901') && !isHousingOrPublic('100101'));
  assert.equal(useLabel('070101', 'zh'), '070101 一类城镇住宅用地');
  assert.equal(useLabel('080403', 'en'), '080403 中小学用地 · Primary and secondary schools');
});
