import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changedFields, editable, formFields, nextSteps, parseValue, putBody, sameGeometry, stepBody, versionChanges, vertexCount } from '../../src/forms.js';

// A schema as GET /collections/construction_parcels/schema answers it (abridged; members in JSON's order).
const schema = {
  properties: {
    area_mu: { type: 'number', title: '面积（亩）', description: 'area mu', readOnly: true, 'x-ogc-propertySeq': 6 },
    key_unit_land: { type: 'boolean', title: '重点监管单位用地', description: 'key supervised unit land', default: false, 'x-ogc-propertySeq': 4 },
    crops: { type: 'boolean', title: '农产品达标', description: 'crops compliant', 'x-ogc-propertySeq': 7 },
    name: { type: 'string', title: '地块名称', description: 'name', 'x-ogc-propertySeq': 2 },
    parcel_code: { type: 'string', title: '地块编码', description: 'parcel code', 'x-ogc-role': 'id', 'x-ogc-propertySeq': 1 },
    remediated_for_class: {
      type: 'integer', title: '修复目标用地类别', description: 'remediated for class', enum: [1, 2],
      'x-names': { 1: '第一类用地', 2: '第二类用地' }, 'x-ogc-propertySeq': 5,
    },
    state: { type: 'string', title: '所处阶段', enum: ['listed', 'delisted'], 'x-lifecycle-state': true, 'x-ogc-propertySeq': 3 },
    valid_from: { type: 'string', format: 'date', title: '生效日期', 'x-default': 'today', 'x-ogc-propertySeq': 8 },
    geometry: { 'x-ogc-role': 'primary-geometry' },
  },
  required: ['parcel_code', 'name'],
  'x-lifecycle': {
    property: 'state',
    states: [{ value: 'effect_evaluation', name: '效果评估中' }, { value: 'delisted', name: '移出名录' }, { value: 'under_control', name: '风险管控中' }],
    next: { effect_evaluation: ['under_control', 'delisted'], post_management: [] },
    step_property: 'remediated_for_class',
    step_property_on: 'delisted',
  },
};

test('the form lists the properties in the published order, with inputs by kind', () => {
  const f = formFields(schema);
  assert.deepEqual(f.map((x) => x.name), ['parcel_code', 'name', 'state', 'key_unit_land', 'remediated_for_class', 'area_mu', 'crops', 'valid_from']);
  const by = Object.fromEntries(f.map((x) => [x.name, x]));
  assert.equal(by.name.label, '地块名称');
  assert.equal(formFields(schema, 'en').find((x) => x.name === 'name').label, 'name');
  assert.equal(by.valid_from.input, 'date');
  assert.deepEqual(by.remediated_for_class.options, [{ value: 1, name: '1 第一类用地' }, { value: 2, name: '2 第二类用地' }]);
  assert.equal(by.remediated_for_class.unset, true, 'optional: may be left unset');
  assert.equal(by.key_unit_land.unset, false, 'defaulted: yes or no');
  assert.equal(by.crops.unset, true, 'optional boolean: unknown is a choice');
  assert.equal(by.name.required, true);
  assert.deepEqual(f.filter((x) => !editable(x)).map((x) => x.name), ['parcel_code', 'state', 'area_mu']);
});

test('form strings become JSON values; a PUT keeps the rest and leaves the state out', () => {
  const f = formFields(schema);
  const by = Object.fromEntries(f.map((x) => [x.name, x]));
  assert.equal(parseValue(by.remediated_for_class, '2'), 2);
  assert.equal(parseValue(by.key_unit_land, 'false'), false);
  assert.equal(parseValue(by.crops, ''), null);
  assert.equal(parseValue(by.name, '  新名 '), '新名');
  const feature = { type: 'Feature', id: 'LZ-1', geometry: { type: 'Polygon', coordinates: [] }, properties: { parcel_code: 'LZ-1', name: '旧名', state: 'listed', area_mu: 3, key_unit_land: false } };
  const body = putBody(feature, f, { name: '新名', key_unit_land: 'true', parcel_code: 'HACK', area_mu: '9' });
  assert.deepEqual(body.properties, { parcel_code: 'LZ-1', name: '新名', area_mu: 3, key_unit_land: true });
  assert.equal(body.geometry, feature.geometry);
  assert.deepEqual(changedFields(f, feature.properties, body.properties), ['name', 'key_unit_land']);
});

test('lifecycle steps: only those allowed, and the class only when delisting', () => {
  assert.deepEqual(nextSteps(schema, 'effect_evaluation'), [{ value: 'under_control', name: '风险管控中' }, { value: 'delisted', name: '移出名录' }]);
  assert.deepEqual(nextSteps(schema, 'post_management'), []);
  assert.deepEqual(nextSteps({ properties: {} }, 'listed'), []);
  assert.deepEqual(stepBody(schema, { to: 'delisted', date: '2026-01-02', document: ' 柳环函〔2026〕1号 ', note: '', stepValue: '1' }), {
    to: 'delisted', date: '2026-01-02', document: '柳环函〔2026〕1号', remediated_for_class: 1,
  });
  assert.deepEqual(stepBody(schema, { to: 'under_control', document: 'x', stepValue: '1' }), { to: 'under_control', document: 'x' });
});

test('a version\'s changes: the properties that differ from the version before', () => {
  const a = { properties: { name: '甲', former_industry: null, note: 'n1', area_m2: 1 } };
  const b = { properties: { name: '乙', former_industry: '化工', note: 'n2', area_m2: 2 } };
  assert.deepEqual(versionChanges(a, b), ['former_industry', 'name']);
  assert.deepEqual(versionChanges(undefined, b), []);
});

test('a version whose outline alone moved names the geometry as its change', () => {
  const a = { properties: { name: '甲' } };
  assert.deepEqual(versionChanges(a, { properties: { name: '甲' }, geometry_changed: true }), ['geometry']);
  assert.deepEqual(versionChanges(a, { properties: { name: '乙' }, geometry_changed: true }), ['name', 'geometry']);
  assert.deepEqual(versionChanges(a, { properties: { name: '甲' }, geometry_changed: false }), []);
});

test('a pasted outline: the same as another, and how many points it has', () => {
  const square = { type: 'Polygon', coordinates: [[[0, 0], [1, 0], [1, 1], [0, 0]]] };
  assert.ok(sameGeometry(square, JSON.parse(JSON.stringify(square))));
  assert.ok(!sameGeometry(square, { ...square, coordinates: [[[0, 0], [2, 0], [1, 1], [0, 0]]] }));
  assert.equal(vertexCount(square), 3, 'the closing vertex is not a point of its own');
  assert.equal(vertexCount({ type: 'MultiPolygon', coordinates: [square.coordinates, square.coordinates] }), 6);
  assert.equal(vertexCount({ type: 'LineString', coordinates: [[0, 0], [1, 1]] }), 2);
  assert.equal(vertexCount({ type: 'Point', coordinates: [109.4, 24.3] }), 1);
  assert.equal(vertexCount(null), 0);
});
