// Source control (源头防控) on the map: the symbols of the three layers, the tracing URLs, and the list the
// farmland unit's card shows after "溯源".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  POND_LEVELS,
  SOURCE_STATES,
  SOURCE_STATE_COLOURS,
  keyUnitStyleSpec,
  pondStyleSpec,
  sourceStyleSpec,
} from '../../src/palette.js';
import { SOURCE_COLLECTIONS, nearbyFarmlandUrl, nearbySourcesUrl } from '../../src/api.js';
import { STRINGS, label, setLang } from '../../src/i18n.js';
import { traceHtml, traceItems } from '../../src/ui/trace.js';
import { keyUnitSwatch, pondSwatch, sourceSwatch } from '../../src/ui/legend.js';

test('sources are dots by state, ringed dark on the remediation list', () => {
  const colours = new Set(SOURCE_STATES.map((s) => sourceStyleSpec({ state: s }).fill));
  assert.equal(colours.size, SOURCE_STATES.length, 'each state its own colour');
  assert.equal(sourceStyleSpec({ state: 'listed', list: 'remediation' }).ring, '#212121');
  assert.equal(sourceStyleSpec({ state: 'listed', list: 'screened' }).ring, '#ffffff');
  assert.equal(sourceStyleSpec({ state: 'nonsense' }).fill, '#9e9e9e', 'unknown states are grey, never hidden');
  assert.match(sourceSwatch('rectifying'), new RegExp(SOURCE_STATE_COLOURS.rectifying));
});

test('ponds are triangles, larger and darker the higher the level; tiles may send the level as text', () => {
  assert.ok(pondStyleSpec({ level: 1 }).size > pondStyleSpec({ level: 2 }).size);
  assert.ok(pondStyleSpec({ level: 2 }).size > pondStyleSpec({ level: 3 }).size);
  assert.deepEqual(pondStyleSpec({ level: '1' }), pondStyleSpec({ level: 1 }));
  assert.equal(pondStyleSpec({ level: 7 }).level, null);
  assert.equal(pondStyleSpec({ level: 7 }).fill, POND_LEVELS[3].fill);
  assert.match(pondSwatch(1), /<polygon points="[^"]+ [^"]+ [^"]+"/, 'three corners');
});

test("key units' sites are outlines, dashed once the unit stopped", () => {
  assert.equal(keyUnitStyleSpec({ status: 'operating' }).dash, null);
  for (const s of ['stopped', 'closed', 'relocated']) assert.ok(keyUnitStyleSpec({ status: s }).dash, s);
  assert.ok(!/stroke-dasharray/.test(keyUnitSwatch('operating')));
  assert.ok(/stroke-dasharray/.test(keyUnitSwatch('closed')));
});

test('every source state and pond level has a label in both languages', () => {
  for (const lang of ['zh', 'en']) {
    for (const s of SOURCE_STATES) assert.notEqual(label('srcstate', s, lang), s);
    for (const l of [1, 2, 3]) assert.notEqual(label('pondlevel', l, lang), String(l));
    for (const c of Object.values(SOURCE_COLLECTIONS)) assert.ok(STRINGS[lang][`trace.of.${c}`], c);
  }
});

test('tracing URLs', () => {
  assert.equal(
    nearbySourcesUrl('http://h/lg/', '450222-GD-000005'),
    'http://h/lg/collections/farmland_units/items/450222-GD-000005/nearby-sources',
  );
  assert.equal(
    nearbySourcesUrl('http://h', 'U 1', { distance_m: 5000, as_of: '2025-06-30' }),
    'http://h/collections/farmland_units/items/U%201/nearby-sources?distance_m=5000&as_of=2025-06-30',
  );
  assert.equal(
    nearbyFarmlandUrl('http://h', 'pollution_sources', 'S-1', { as_of: null }),
    'http://h/collections/pollution_sources/items/S-1/nearby-farmland',
  );
});

const ANSWER = {
  type: 'FeatureCollection',
  distance_m: 3000,
  features: [
    { type: 'Feature', properties: { collection: 'pollution_sources', id: 'S-1', name: '某废渣堆', pollutants: ['Cd', 'Pb'], state: 'rectifying', distance_m: 0, direction: 'NW', direction_zh: '西北' } },
    { type: 'Feature', properties: { collection: 'key_supervised_units', id: '91450222MA5000020D', name: '某冶炼有限公司', industry: '3216', distance_m: 536.2, direction: 'N', direction_zh: '北' } },
    { type: 'Feature', properties: { collection: 'tailings_ponds', id: 'P-1', name: '某尾矿库', level: 1, distance_m: 1380, direction: 'SW', direction_zh: '西南' } },
  ],
};

test('the traced sources are listed nearest first, with what they emit and how far', () => {
  setLang('zh');
  const items = traceItems(ANSWER);
  assert.deepEqual(items.map((i) => i.id), ['S-1', '91450222MA5000020D', 'P-1'], 'in the order the API gave');
  assert.equal(items[0].what, 'Cd、Pb · 整治中');
  assert.equal(items[0].colour, SOURCE_STATE_COLOURS.rectifying);
  assert.equal(items[1].what, 'GB/T 4754 3216');
  assert.equal(items[2].what, '一级尾矿库');
  const html = traceHtml(ANSWER);
  assert.match(html, /周边 3000 米内的污染源/);
  assert.match(html, /1\.38 千米 西南/);
  assert.match(html, /data-trace="pollution_sources\/S-1"/);
  setLang('en');
  assert.match(traceHtml(ANSWER), /1\.38 km SW/);
  assert.match(traceHtml({ ...ANSWER, features: [] }), /No pollution source, tailings pond or key unit on the register within 3000 m/);
  assert.match(traceHtml({ ...ANSWER, note_zh: '优先保护类', note_en: 'priority-protection' }), /trace-note[^>]*>priority-protection/);
  assert.match(traceHtml(new Error('HTTP 500')), /HTTP 500/);
  assert.equal(traceHtml(undefined), '');
  setLang('zh');
});
