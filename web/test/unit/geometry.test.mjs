import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toGK } from '../../src/gk.js';
import { geometryKind, parseGeometry } from '../../src/ui/geometry.js';

// A small square near Liuzhou (109.41°E, 24.31°N: zone 36, CM 108°E) and its vertices in EPSG:4545.
const SQUARE = [
  [109.41, 24.31],
  [109.412, 24.31],
  [109.412, 24.312],
  [109.41, 24.312],
];
const GK = SQUARE.map(([lon, lat]) => toGK(lon, lat, 108));
const near = (a, b, eps = 1e-7) => Math.abs(a - b) < eps;
const sameRing = (ring, expected) => {
  assert.equal(ring.length, expected.length + 1, 'the ring is closed');
  assert.deepEqual(ring[0], ring[ring.length - 1]);
  expected.forEach(([lon, lat], i) => assert.ok(near(ring[i][0], lon) && near(ring[i][1], lat), `vertex ${i}: ${ring[i]} ≠ ${lon},${lat}`));
};

test('kind from the schema format, else from the feature', () => {
  const schema = (format) => ({ properties: { geometry: { 'x-ogc-role': 'primary-geometry', format } } });
  assert.equal(geometryKind(schema('geometry-multipolygon')), 'polygon');
  assert.equal(geometryKind(schema('geometry-point')), 'point');
  assert.equal(geometryKind(null, { geometry: { type: 'Point', coordinates: [1, 2] } }), 'point');
  assert.equal(geometryKind({}, { geometry: { type: 'MultiPolygon', coordinates: [] } }), 'polygon');
});

test('GeoJSON: a geometry, a feature, a collection of one; an open ring is closed', () => {
  const poly = { type: 'Polygon', coordinates: [SQUARE] };
  for (const doc of [poly, { type: 'Feature', properties: {}, geometry: poly }, { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: poly }] }]) {
    const r = parseGeometry(JSON.stringify(doc));
    assert.equal(r.error, undefined);
    assert.equal(r.geometry.type, 'Polygon');
    sameRing(r.geometry.coordinates[0], SQUARE);
    assert.equal(r.vertices, 4);
  }
  const multi = parseGeometry(JSON.stringify({ type: 'MultiPolygon', coordinates: [[[...SQUARE, SQUARE[0]]]] }));
  assert.equal(multi.geometry.type, 'MultiPolygon');
  const pt = parseGeometry('{"type":"Point","coordinates":[109.41,24.31]}', { kind: 'point' });
  assert.deepEqual(pt.geometry, { type: 'Point', coordinates: [109.41, 24.31] });
});

test('lon/lat list, comma or space, with point ids and a header, in either order', () => {
  const lines = ['点号,X,Y', ...SQUARE.map(([lon, lat], i) => `J${i + 1},${lon},${lat}`)].join('\n');
  sameRing(parseGeometry(lines).geometry.coordinates[0], SQUARE);
  sameRing(parseGeometry(SQUARE.map(([lon, lat]) => `${lat} ${lon}`).join('\n')).geometry.coordinates[0], SQUARE);
  sameRing(parseGeometry(SQUARE.map(([lon, lat]) => `${lon}，${lat}`).join('\r\n')).geometry.coordinates[0], SQUARE);
});

test('Gauss-Krüger list: X (northing) first or easting first, zone in the easting or chosen', () => {
  const xy = GK.map((g, i) => `J${i + 1} ${g.northing.toFixed(3)} ${g.easting.toFixed(3)}`).join('\n');
  sameRing(parseGeometry(xy, { zone: 36 }).geometry.coordinates[0], SQUARE);
  const prefixed = GK.map((g) => `${g.northing.toFixed(3)},${(36e6 + g.easting).toFixed(3)}`).join('\n');
  sameRing(parseGeometry(prefixed).geometry.coordinates[0], SQUARE);
  const en = GK.map((g) => `${(36e6 + g.easting).toFixed(3)} ${g.northing.toFixed(3)}`).join('\n');
  sameRing(parseGeometry(en, { zone: 37 }).geometry.coordinates[0], SQUARE, 'the zone in the easting wins');
  const closed = [...GK, GK[0]].map((g) => `${g.northing},${g.easting}`).join('\n');
  const r = parseGeometry(closed, { zone: '36' });
  assert.equal(r.geometry.coordinates[0].length, 5, 'a closed ring is not closed twice');
});

test('a point collection takes one vertex, as lon/lat or GK', () => {
  assert.deepEqual(parseGeometry('109.41,24.31', { kind: 'point' }).geometry, { type: 'Point', coordinates: [109.41, 24.31] });
  const p = parseGeometry(`${GK[0].northing} ${GK[0].easting}`, { kind: 'point', zone: 36 }).geometry;
  assert.ok(near(p.coordinates[0], 109.41) && near(p.coordinates[1], 24.31));
});

const refused = (text, opts, code) => {
  const r = parseGeometry(text, opts);
  assert.equal(r.geometry, undefined, `${text} is refused`);
  assert.equal(r.error.code, code, r.error.zh);
  assert.match(r.error.zh, /[\u4e00-\u9fff]/, 'the message is in Chinese');
  assert.ok(r.error.en.length > 0);
  return r.error;
};

test('errors, each with a Chinese message', () => {
  refused('   ', {}, 'empty');
  refused('{"type": "Polygon", ', {}, 'json');
  refused(JSON.stringify({ type: 'FeatureCollection', features: [] }), {}, 'collection');
  refused('{"type":"Point","coordinates":[109.41,24.31]}', { kind: 'polygon' }, 'type');
  refused(JSON.stringify({ type: 'Polygon', coordinates: [[SQUARE[0], SQUARE[1]]] }), {}, 'ring');
  refused('{"type":"Polygon","coordinates":[["a","b"]]}', {}, 'coordinates');
  refused('109.41,24.31\n109.412,24.31\n109.412,24.312,5,6', {}, 'line');
  refused('109.41,24.31\n109.412,abc', {}, 'number');
  refused('109.41,24.31\n109.412,24.31\n109.41,24.31', {}, 'ring');
  assert.match(refused('109.41,24.31\n109.412,24.31', {}, 'ring').zh, /至少需要 3 个/);
  refused(GK.map((g) => `${g.northing},${g.easting}`).join('\n'), {}, 'zone');
  refused(GK.map((g) => `${g.northing},${g.easting}`).join('\n'), { zone: 60 }, 'zone_range');
  refused('1234567.1 2345678.2\n1234567.1 2345679.2\n1234568.1 2345679.2', { zone: 36 }, 'axes');
  refused(`109.41,24.31\n${GK[1].northing},${GK[1].easting}\n109.41,24.312`, { zone: 36 }, 'mixed');
  refused('2.35,48.85\n2.36,48.85\n2.36,48.86', {}, 'outside');
  refused(GK.map((g) => `${g.northing},${(45e6 + g.easting).toFixed(2)}`).join('\n'), {}, 'outside');
  refused('109.41,24.31\n109.42,24.31', { kind: 'point' }, 'point');
  refused('Infinity,24.31\n109.42,24.31\n109.42,24.32', {}, 'number');
});
