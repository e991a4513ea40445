// CGCS2000 3-degree Gauss-Krüger zones (docs/domain.md §5) with proj4: the zone of a longitude, its EPSG code
// (the variant without the zone number in the easting: 4534 for CM 75°E ... 4554 for CM 135°E; 4545 is
// CM 108°E, zone 36, Liuzhou's core; 4546 is CM 111°E, zone 37, Guilin), and the projection both ways.
// In GK systems X is the northing; this module names them northing/easting to avoid the confusion.

import proj4 from 'proj4';

export const CGCS2000 = 'EPSG:4490';
proj4.defs(CGCS2000, '+proj=longlat +ellps=GRS80 +no_defs +type=crs');

const FIRST_CM = 75;
const LAST_CM = 135;
const FIRST_EPSG = 4534;

/** proj4 definition of the CGCS2000 3° GK zone with this central meridian (no zone prefix in E). */
export function gkDefinition(cm) {
  return `+proj=tmerc +lat_0=0 +lon_0=${cm} +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m +no_defs +type=crs`;
}

/** Central meridian of the 3° zone a longitude falls in: CM = 3·round(lon/3). */
export function centralMeridian(lon) {
  return 3 * Math.round(lon / 3);
}

/** The 3° zone number (CM / 3): 36 for CM 108°E, 37 for CM 111°E. */
export function zoneNumber(cm) {
  return Math.round(cm / 3);
}

/** EPSG code of "CGCS2000 / 3-degree Gauss-Kruger CM {cm}E", or null outside China's 75°E–135°E. */
export function gkEpsg(cm) {
  if (cm < FIRST_CM || cm > LAST_CM || cm % 3 !== 0) return null;
  return FIRST_EPSG + (cm - FIRST_CM) / 3;
}

// Every zone China uses is registered once, under its EPSG code, so proj4('EPSG:4545') works anywhere.
for (let cm = FIRST_CM; cm <= LAST_CM; cm += 3) proj4.defs(`EPSG:${gkEpsg(cm)}`, gkDefinition(cm));

function crsFor(cm) {
  const epsg = gkEpsg(cm);
  return epsg ? `EPSG:${epsg}` : gkDefinition(cm);
}

/**
 * CGCS2000 lon/lat → the local 3° GK zone: { zone, cm, epsg, easting, northing } (metres), the zone
 * chosen from the longitude unless `cm` is given.
 */
export function toGK(lon, lat, cm = centralMeridian(lon)) {
  const [easting, northing] = proj4(CGCS2000, crsFor(cm), [lon, lat]);
  return { zone: zoneNumber(cm), cm, epsg: gkEpsg(cm), easting, northing };
}

/** GK easting/northing in the zone with central meridian `cm` → CGCS2000 [lon, lat]. */
export function fromGK(easting, northing, cm) {
  return proj4(crsFor(cm), CGCS2000, [easting, northing]);
}

/** Metres with two decimals and a thin space every three digits: 3791876.427 → "3 791 876.43". */
export function formatMetres(x) {
  const [int, frac] = Math.abs(x).toFixed(2).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, '\u2009');
  return `${x < 0 ? '-' : ''}${grouped}.${frac}`;
}

/** Degrees with 6 decimals and a hemisphere letter: "109.414382°E". */
export function formatLonLat(lon, lat) {
  const f = (v, pos, neg) => `${Math.abs(v).toFixed(6)}°${v >= 0 ? pos : neg}`;
  return { lon: f(lon, 'E', 'W'), lat: f(lat, 'N', 'S') };
}
