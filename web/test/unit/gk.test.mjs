import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { centralMeridian, formatLonLat, formatMetres, fromGK, gkEpsg, toGK, zoneNumber } from '../../src/gk.js';

// A known point in EPSG:4545 (CGCS2000 / 3-degree Gauss-Kruger CM 108E) and its CGCS2000 lon/lat,
// from PROJ: echo "3791876.427 586679.251" | cs2cs EPSG:4545 EPSG:4490 → 34.2507500 108.9410000.
const KNOWN = { easting: 586679.251, northing: 3791876.427, lon: 108.941, lat: 34.25075 };

test('zone from longitude: CM = 3·round(lon/3), zone = CM/3, EPSG 4534 + (CM − 75)/3', () => {
  assert.equal(centralMeridian(109.41), 108);
  assert.equal(centralMeridian(109.6), 111); // 柳州 east of 109.5°E is in the 111°E zone
  assert.equal(centralMeridian(110.29), 111);
  assert.equal(zoneNumber(108), 36);
  assert.equal(zoneNumber(111), 37);
  assert.equal(gkEpsg(108), 4545);
  assert.equal(gkEpsg(111), 4546);
  assert.equal(gkEpsg(75), 4534);
  assert.equal(gkEpsg(135), 4554);
  assert.equal(gkEpsg(138), null);
});

test('the known point: lon/lat → EPSG:4545 gives E 586679.251, N 3791876.427', () => {
  const gk = toGK(KNOWN.lon, KNOWN.lat);
  assert.equal(gk.epsg, 4545);
  assert.equal(gk.zone, 36);
  assert.ok(Math.abs(gk.easting - KNOWN.easting) < 0.002, `E ${gk.easting}`);
  assert.ok(Math.abs(gk.northing - KNOWN.northing) < 0.002, `N ${gk.northing}`);
});

test('the inverse gives the lon/lat back, and the round trip closes to a millimetre', () => {
  const [lon, lat] = fromGK(KNOWN.easting, KNOWN.northing, 108);
  assert.ok(Math.abs(lon - KNOWN.lon) < 1e-7 && Math.abs(lat - KNOWN.lat) < 1e-7, `${lon} ${lat}`);
  const back = toGK(lon, lat, 108);
  assert.ok(Math.abs(back.easting - KNOWN.easting) < 0.001 && Math.abs(back.northing - KNOWN.northing) < 0.001);
});

test('agrees with PROJ (cs2cs) in Liuzhou and Guilin, when cs2cs is installed', (t) => {
  let ok = true;
  try {
    execFileSync('cs2cs', [], { stdio: 'ignore' });
  } catch (e) {
    ok = e.code !== 'ENOENT';
  }
  if (!ok) {
    t.skip('cs2cs (proj-bin) is not installed');
    return;
  }
  const points = [
    [109.4143816, 24.3270064], // 柳州 城中区
    [110.1554129, 25.2434577], // 桂林 临桂区
    [110.9467666, 25.8273628], // 全州县
  ];
  for (const [lon, lat] of points) {
    const gk = toGK(lon, lat);
    const out = execFileSync('cs2cs', ['-f', '%.4f', 'EPSG:4490', `EPSG:${gk.epsg}`], { input: `${lat} ${lon}\n` }).toString();
    const [n, e] = out.trim().split(/\s+/).map(Number); // GK axis order: northing (X), easting (Y)
    assert.ok(Math.abs(gk.northing - n) < 0.002, `${lon},${lat}: N ${gk.northing} vs ${n}`);
    assert.ok(Math.abs(gk.easting - e) < 0.002, `${lon},${lat}: E ${gk.easting} vs ${e}`);
  }
});

test('display of metres and degrees', () => {
  assert.equal(formatMetres(3791876.427), '3\u2009791\u2009876.43');
  assert.equal(formatMetres(586679.251), '586\u2009679.25');
  assert.deepEqual(formatLonLat(109.4143816, 24.3270064), { lon: '109.414382°E', lat: '24.327006°N' });
});
