// OpenLayers styles built from the descriptions in palette.js. Style objects are cached by their key,
// so a tile with thousands of units allocates a handful of styles.

import Style from 'ol/style/Style.js';
import Fill from 'ol/style/Fill.js';
import Stroke from 'ol/style/Stroke.js';
import Text from 'ol/style/Text.js';
import CircleStyle from 'ol/style/Circle.js';
import RegularShape from 'ol/style/RegularShape.js';
import Point from 'ol/geom/Point.js';
import {
  COUNTY_FILL,
  COUNTY_STROKE,
  CITY_LABEL,
  HIGHLIGHT,
  MARKS,
  TRACE,
  farmlandStyleSpec,
  keyUnitStyleSpec,
  parcelStyleSpec,
  pondStyleSpec,
  sourceStyleSpec,
  soilSampleStyleSpec,
  cropSampleStyleSpec,
} from './palette.js';

const FONT = '"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",sans-serif';
const cache = new Map();

function cached(key, make) {
  let s = cache.get(key);
  if (!s) {
    s = make();
    cache.set(key, s);
  }
  return s;
}

/** A small repeating hatch (diagonal or cross) in a colour, as a canvas pattern. */
function hatchPattern(colour, kind) {
  return cached(`pattern|${colour}|${kind}`, () => {
    const size = 8;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext('2d');
    ctx.strokeStyle = colour;
    ctx.globalAlpha = 0.55;
    ctx.lineWidth = 1.25;
    ctx.beginPath();
    ctx.moveTo(0, size);
    ctx.lineTo(size, 0);
    ctx.moveTo(-size / 2, size / 2);
    ctx.lineTo(size / 2, -size / 2);
    ctx.moveTo(size / 2, size * 1.5);
    ctx.lineTo(size * 1.5, size / 2);
    if (kind === 'cross') {
      ctx.moveTo(0, 0);
      ctx.lineTo(size, size);
      ctx.moveTo(-size / 2, size / 2);
      ctx.lineTo(size / 2, size * 1.5);
      ctx.moveTo(size / 2, -size / 2);
      ctx.lineTo(size * 1.5, size / 2);
    }
    ctx.stroke();
    return ctx.createPattern(canvas, 'repeat');
  });
}

/**
 * Below this resolution (metres per pixel, about zoom 12.6) polygons are drawn; above it a unit or a
 * parcel would be a pixel or two, so it is drawn as a dot at its interior point instead.
 */
export const DOT_RESOLUTION = 25;

/** A point inside a polygon feature (a tile's RenderFeature or a GeoJSON Feature). */
export function interiorPoint(feature) {
  if (typeof feature.getFlatInteriorPoint === 'function') {
    const flat = feature.getType() === 'MultiPolygon' ? feature.getFlatInteriorPoints() : feature.getFlatInteriorPoint();
    return new Point([flat[0], flat[1]]);
  }
  const g = feature.getGeometry();
  if (!g) return undefined;
  if (g.getType() === 'Polygon') return new Point(g.getInteriorPoint().getCoordinates().slice(0, 2));
  if (g.getType() === 'MultiPolygon') return new Point(g.getInteriorPoints().getFirstCoordinate().slice(0, 2));
  return g;
}

/** Farmland units by class; outlines only once units are more than a few pixels wide, dots below that. */
export function farmlandStyle(feature, resolution) {
  const cls = feature.get('class');
  if (resolution >= DOT_RESOLUTION) {
    return cached(`farmdot|${cls}`, () => {
      const spec = farmlandStyleSpec(cls);
      return new Style({
        geometry: interiorPoint,
        image: new CircleStyle({ radius: 2.5, fill: new Fill({ color: spec.fill }) }),
      });
    });
  }
  const outline = resolution < 20;
  return cached(`farm|${cls}|${outline}`, () => {
    const spec = farmlandStyleSpec(cls);
    return new Style({
      fill: new Fill({ color: spec.fill }),
      stroke: outline ? new Stroke({ color: spec.stroke, width: spec.strokeWidth }) : undefined,
    });
  });
}

function markStyle(mark, offsetX, size = 15) {
  const m = MARKS[mark];
  return new Style({
    text: new Text({
      text: m.symbol,
      font: `bold ${size}px ${FONT}`,
      fill: new Fill({ color: m.colour }),
      stroke: new Stroke({ color: '#ffffff', width: size > 12 ? 3 : 2 }),
      offsetX,
      overflow: true,
      placement: 'point',
    }),
  });
}

function codeLabel(code) {
  return new Style({
    text: new Text({
      text: code,
      font: `600 11px ${FONT}`,
      fill: new Fill({ color: '#263238' }),
      stroke: new Stroke({ color: 'rgba(255,255,255,0.95)', width: 3 }),
      offsetY: 16,
      overflow: true,
    }),
  });
}

/** Construction parcels by lifecycle state, RCR-listed ones thick and cross-hatched. */
export function parcelStyle(feature, resolution) {
  const props = {
    state: feature.get('state'),
    rcr_listed: feature.get('rcr_listed'),
    priority_supervision: feature.get('priority_supervision'),
    key_unit_land: feature.get('key_unit_land'),
  };
  const spec = parcelStyleSpec(props);
  if (resolution >= DOT_RESOLUTION) {
    return cached(`parceldot|${spec.state}|${spec.rcr}`, () => [
      new Style({
        geometry: interiorPoint,
        image: new CircleStyle({
          radius: spec.rcr ? 6 : 4.5,
          fill: new Fill({ color: spec.colour }),
          stroke: new Stroke({ color: spec.rcr ? '#212121' : '#ffffff', width: spec.rcr ? 2 : 1.5 }),
        }),
        zIndex: spec.rcr ? 2 : 1,
      }),
    ]);
  }
  const base = cached(`parcel|${spec.state}|${spec.rcr}`, () => {
    const styles = [];
    if (spec.casing) {
      styles.push(new Style({ stroke: new Stroke({ color: spec.casing, width: spec.strokeWidth + 2.5 }) }));
    }
    styles.push(new Style({ fill: new Fill({ color: spec.fill }) }));
    styles.push(new Style({ fill: new Fill({ color: hatchPattern(spec.colour, spec.hatch) }) }));
    styles.push(
      new Style({ stroke: new Stroke({ color: spec.stroke, width: spec.strokeWidth, lineDash: spec.dash || undefined }) }),
    );
    return styles;
  });
  return base;
}

/**
 * List marks (★ priority supervision, ■ key unit land) and, close in, the parcel code, drawn once per
 * parcel at its interior point. They come from a point layer rather than from the tiles: a parcel cut
 * by a tile edge would get a mark in each tile.
 */
export function parcelMarkStyle(feature, resolution) {
  const spec = parcelStyleSpec(feature.getProperties());
  const out = [];
  // Smaller marks while parcels are only a few dozen pixels wide.
  const size = resolution < 8 ? 15 : 10;
  spec.marks.forEach((mark, i) => {
    const dx = (i - (spec.marks.length - 1) / 2) * (size + 1);
    out.push(cached(`mark|${mark}|${dx}|${size}`, () => markStyle(mark, dx, size)));
  });
  if (resolution < 4) {
    const code = feature.get('parcel_code');
    if (code) out.push(cached(`code|${code}`, () => codeLabel(code)));
  }
  return out;
}

/** The counties of the chosen indicator scope: a strong outline. */
export const scopeStyle = new Style({
  stroke: new Stroke({ color: '#1d3a57', width: 3 }),
  fill: new Fill({ color: 'rgba(29,58,87,0.04)' }),
});

/** County outlines with their names; the city a county belongs to tints its label. */
export function countyStyle(feature, resolution) {
  const name = feature.get('name') || '';
  const labelled = resolution < 400;
  return cached(`county|${name}|${labelled}`, () => {
    return new Style({
      fill: new Fill({ color: COUNTY_FILL }),
      stroke: new Stroke({ color: COUNTY_STROKE, width: 1.2, lineDash: [10, 4, 2, 4] }),
      text: labelled
        ? new Text({
            text: name,
            font: `500 13px ${FONT}`,
            fill: new Fill({ color: CITY_LABEL }),
            stroke: new Stroke({ color: 'rgba(255,255,255,0.9)', width: 3 }),
            overflow: false,
          })
        : undefined,
    });
  });
}

/** The selected feature (open card): a bright outline over a white halo; a point (a sample) gets a ring. */
const selectedRing = (colour, width) => new CircleStyle({ radius: 11, stroke: new Stroke({ color: colour, width }) });
export const selectedStyle = [
  new Style({
    stroke: new Stroke({ color: HIGHLIGHT.selected.halo, width: HIGHLIGHT.selected.width + 3 }),
    image: selectedRing(HIGHLIGHT.selected.halo, HIGHLIGHT.selected.width + 3),
  }),
  new Style({
    stroke: new Stroke({ color: HIGHLIGHT.selected.stroke, width: HIGHLIGHT.selected.width }),
    image: selectedRing(HIGHLIGHT.selected.stroke, HIGHLIGHT.selected.width),
  }),
];

/** Features a check reported: yellow over a dark halo, with a light yellow wash. */
export const resultStyle = [
  new Style({ stroke: new Stroke({ color: HIGHLIGHT.result.halo, width: HIGHLIGHT.result.width + 3 }) }),
  new Style({
    fill: new Fill({ color: HIGHLIGHT.result.fill }),
    stroke: new Stroke({ color: HIGHLIGHT.result.stroke, width: HIGHLIGHT.result.width }),
  }),
];

/** The area being checked (drawn or picked). */
export const queryStyle = new Style({
  fill: new Fill({ color: HIGHLIGHT.query.fill }),
  stroke: new Stroke({ color: HIGHLIGHT.query.stroke, width: HIGHLIGHT.query.width, lineDash: HIGHLIGHT.query.dash }),
});

// ---- Source control (源头防控) ---------------------------------------------------------------------------

/** A pollution source: a dot in its state's colour, with a dark rim when it is on the remediation list. */
export function sourceStyle(feature) {
  const spec = sourceStyleSpec({ state: feature.get('state'), list: feature.get('list') });
  return cached(`source|${spec.fill}|${spec.ring}`, () =>
    new Style({
      image: new CircleStyle({
        radius: spec.radius,
        fill: new Fill({ color: spec.fill }),
        stroke: new Stroke({ color: spec.ring, width: spec.ringWidth }),
      }),
      zIndex: 2,
    }),
  );
}

/** A triangle: the shape of a tailings pond symbol. */
export function triangle(fill, size, stroke = '#ffffff', width = 1.5) {
  return new RegularShape({
    points: 3,
    radius: size,
    fill: new Fill({ color: fill }),
    stroke: new Stroke({ color: stroke, width }),
  });
}

/** A tailings pond: a triangle, larger and darker the higher its supervision level. */
export function pondStyle(feature) {
  const spec = pondStyleSpec({ level: feature.get('level') });
  return cached(`pond|${spec.level}`, () => new Style({ image: triangle(spec.fill, spec.size, spec.stroke), zIndex: 3 }));
}

/** A key supervised unit's site: an outline over a white casing, dashed once the unit has stopped. */
export function keyUnitStyle(feature) {
  const spec = keyUnitStyleSpec({ status: feature.get('status') });
  return cached(`keyunit|${spec.dash ? 'dash' : 'solid'}`, () => [
    new Style({ stroke: new Stroke({ color: spec.casing, width: spec.width + 2.5 }) }),
    new Style({
      fill: new Fill({ color: spec.fill }),
      stroke: new Stroke({ color: spec.stroke, width: spec.width, lineDash: spec.dash || undefined }),
    }),
  ]);
}

/** What tracing found: polygons and points ringed in cyan over a dark halo. */
export function traceStyle(feature) {
  const type = feature.getGeometry() && feature.getGeometry().getType();
  if (type === 'Point') {
    return cached('trace|point', () => [
      new Style({ image: new CircleStyle({ radius: 13, stroke: new Stroke({ color: TRACE.halo, width: TRACE.width + 3 }) }) }),
      new Style({ image: new CircleStyle({ radius: 13, stroke: new Stroke({ color: TRACE.stroke, width: TRACE.width }) }) }),
    ]);
  }
  return cached('trace|area', () => [
    new Style({ stroke: new Stroke({ color: TRACE.halo, width: TRACE.width + 3 }) }),
    new Style({ stroke: new Stroke({ color: TRACE.stroke, width: TRACE.width }) }),
  ]);
}

// ---- Samples (采样点) -------------------------------------------------------------------------------------

/** A soil sample: a small circle in its GB 15618 grade's colour, with a dark rim. */
export function soilSampleStyle(feature) {
  const spec = soilSampleStyleSpec({ grade: feature.get('grade') });
  return cached(`soilsample|${spec.fill}`, () =>
    new Style({
      image: new CircleStyle({ radius: spec.radius, fill: new Fill({ color: spec.fill }), stroke: new Stroke({ color: spec.rim, width: 1.5 }) }),
      zIndex: spec.grade === 'C' ? 3 : spec.grade === 'B' ? 2 : 1,
    }),
  );
}

/** A crop sample: a small square in its compliance colour, with a dark rim, beside the point; over the limit on top. */
export function cropSampleStyle(feature) {
  const spec = cropSampleStyleSpec({ compliant: feature.get('compliant'), worst_ratio: feature.get('worst_ratio') });
  return cached(`cropsample|${spec.status}`, () =>
    new Style({
      image: new RegularShape({
        points: 4,
        radius: spec.size,
        angle: Math.PI / 4,
        // Up and to the right of the point: a crop sample taken where a soil sample was leaves the circle seen.
        displacement: spec.displacement,
        fill: new Fill({ color: spec.fill }),
        stroke: new Stroke({ color: spec.rim, width: 1.5 }),
      }),
      zIndex: spec.status === 'exceeds' ? 3 : 1,
    }),
  );
}
