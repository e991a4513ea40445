// Every colour and line style of the map, in one place: the legend, the layer styles and the
// browser tests (which look for these exact pixels in screenshots) all read them from here.
// Pure data and functions: no OpenLayers import, so node's test runner loads it as is.

/** Map background outside the county outlines, and the county fill (a light paper tone). */
export const BACKGROUND = '#e9edf0';
export const COUNTY_FILL = '#fbfaf6';
export const COUNTY_STROKE = '#8a96a3';
export const CITY_LABEL = '#4a5561';

/**
 * Farmland soil-environment classes (农用地分类管理). Fills are opaque so that a screenshot pixel
 * inside a unit is exactly `fill`.
 */
export const FARMLAND_CLASSES = {
  priority_protection: { fill: '#4caf50', stroke: '#2e7d32' }, // 优先保护类: green
  safe_use: { fill: '#f5a623', stroke: '#b9770e' }, // 安全利用类: amber
  strict_control: { fill: '#d7263d', stroke: '#8e1325' }, // 严格管控类: red
};
export const FARMLAND_UNKNOWN = { fill: '#bdbdbd', stroke: '#757575' };
export const FARMLAND_CLASS_ORDER = ['priority_protection', 'safe_use', 'strict_control'];

/** Lifecycle states in lifecycle order, and the states that put a parcel on the RCR list. */
export const PARCEL_STATES = [
  'suspected',
  'surveying',
  'risk_assessment',
  'cleared',
  'listed',
  'under_control',
  'under_remediation',
  'effect_evaluation',
  'delisted',
  'post_management',
];
export const RCR_STATES = ['listed', 'under_control', 'under_remediation', 'effect_evaluation'];

/**
 * Construction parcels by lifecycle state. Parcels are drawn as a translucent fill with a hatch and a
 * solid outline in the state colour, so they never read as farmland (which is a flat opaque fill).
 * Phases: investigation (blue-violet, dashed outline), risk management on the RCR list (magenta to
 * purple, thick outline, cross-hatch), done (teal to slate, thin outline).
 */
export const PARCEL_STATE_COLOURS = {
  suspected: '#7b8794',
  surveying: '#3f7fd1',
  risk_assessment: '#3949ab',
  cleared: '#1f9e89',
  listed: '#c2185b',
  under_control: '#8e24aa',
  under_remediation: '#e0561b',
  effect_evaluation: '#6a3fd6',
  delisted: '#26867a',
  post_management: '#4e6a7d',
};
export const PARCEL_UNKNOWN_COLOUR = '#616161';

/** Marks on parcels that are on a list (drawn at the parcel's interior point). */
export const MARKS = {
  priority_supervision: { colour: '#b71c1c', symbol: '★' }, // 优先监管地块
  key_unit_land: { colour: '#0d47a1', symbol: '■' }, // 重点监管单位用地
};

/** Decisions of a check, strongest last. */
export const DECISION_COLOURS = {
  allowed: { fg: '#ffffff', bg: '#2e7d32' },
  conditional: { fg: '#3b2a00', bg: '#f2b705' },
  denied: { fg: '#ffffff', bg: '#c62828' },
};

/** Highlights: the feature whose card is open, check results, the drawn query area. */
export const HIGHLIGHT = {
  selected: { stroke: '#00b8d4', width: 4, halo: 'rgba(255,255,255,0.9)' },
  result: { stroke: '#ffd600', width: 4, halo: 'rgba(33,33,33,0.85)', fill: 'rgba(255,214,0,0.18)' },
  query: { stroke: '#0d47a1', width: 2.5, fill: 'rgba(13,71,161,0.12)', dash: [8, 6] },
};

/** `#rrggbb` → [r, g, b]. */
export function hexToRgb(hex) {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(String(hex).trim());
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)];
}

/** `#rrggbb` and an opacity → `rgba(r,g,b,a)`. */
export function withAlpha(hex, alpha) {
  const [r, g, b] = hexToRgb(hex);
  return `rgba(${r},${g},${b},${alpha})`;
}

/** The style description of a farmland unit of this class (unknown classes are grey, never hidden). */
export function farmlandStyleSpec(cls) {
  const c = FARMLAND_CLASSES[cls] || FARMLAND_UNKNOWN;
  return { fill: c.fill, stroke: c.stroke, strokeWidth: 1 };
}

export function isRcrListed(props) {
  if (props && typeof props.rcr_listed === 'boolean') return props.rcr_listed;
  return RCR_STATES.includes(props && props.state);
}

function truthy(v) {
  return v === true || v === 'true' || v === 1 || v === 't';
}

/**
 * The style description of a construction parcel from its properties: state colour, outline width
 * and dash by phase, hatch (diagonal for most, cross-hatch on the RCR list) and list marks.
 */
export function parcelStyleSpec(props) {
  const state = props && props.state;
  const colour = PARCEL_STATE_COLOURS[state] || PARCEL_UNKNOWN_COLOUR;
  const rcr = isRcrListed(props);
  const investigating = ['suspected', 'surveying', 'risk_assessment'].includes(state);
  const marks = [];
  if (truthy(props && props.priority_supervision)) marks.push('priority_supervision');
  if (truthy(props && props.key_unit_land)) marks.push('key_unit_land');
  return {
    state,
    colour,
    fill: withAlpha(colour, rcr ? 0.28 : 0.16),
    hatch: rcr ? 'cross' : 'diagonal',
    stroke: colour,
    strokeWidth: rcr ? 3.5 : investigating ? 1.75 : 1.5,
    dash: investigating ? [6, 4] : null,
    casing: rcr ? '#ffffff' : null, // a white line under the thick outline keeps it legible on red farmland
    rcr,
    marks,
  };
}

// ---- Source control (源头防控): pollution sources, tailings ponds, key supervised units' sites ----------

/**
 * Heavy-metal pollution sources, drawn as filled circles coloured by their remediation state (from red,
 * listed, to grey, closed out); a source on the remediation list (整治清单) gets a dark ring, the others a
 * white one.
 */
export const SOURCE_STATE_COLOURS = {
  listed: '#c62828', // 列入清单
  rectifying: '#ef6c00', // 整治中
  rectified: '#1b5e20', // 整治完成 (darker than every farmland green)
  closed_out: '#78909c', // 已销号
};
export const SOURCE_STATES = ['listed', 'rectifying', 'rectified', 'closed_out'];
export const SOURCE_LISTS = ['full', 'screened', 'remediation'];

/** Tailings ponds, drawn as triangles (the usual mine-waste symbol), larger and darker the higher the level. */
export const POND_LEVELS = {
  1: { fill: '#6a1b9a', size: 11 }, // 一级
  2: { fill: '#8e6cc0', size: 9 }, // 二级
  3: { fill: '#b9a6d9', size: 7.5 }, // 三级
};
export const POND_LEVEL_ORDER = [1, 2, 3];

/** Key supervised units' sites: outlines only (the land under them stays readable), a dash once stopped. */
export const KEY_UNIT_SITE = { stroke: '#0d47a1', width: 2.5, casing: '#ffffff', fill: 'rgba(13,71,161,0.06)' };

/** A source's symbol from its properties; an unknown state is grey, never hidden. */
export function sourceStyleSpec(props) {
  const state = props && props.state;
  const remediation = props && props.list === 'remediation';
  return {
    state,
    fill: SOURCE_STATE_COLOURS[state] || '#9e9e9e',
    ring: remediation ? '#212121' : '#ffffff',
    ringWidth: remediation ? 2.5 : 1.5,
    radius: 6.5,
  };
}

/** A pond's symbol from its level (a number, or its text in a tile); an unknown level is drawn as level 3. */
export function pondStyleSpec(props) {
  const level = Number(props && props.level);
  const l = POND_LEVELS[level] || POND_LEVELS[3];
  return { level: POND_LEVELS[level] ? level : null, fill: l.fill, size: l.size, stroke: '#ffffff' };
}

/** A key unit's site: a solid outline while it operates, dashed once it has stopped, closed or moved. */
export function keyUnitStyleSpec(props) {
  const status = props && props.status;
  return { ...KEY_UNIT_SITE, dash: status && status !== 'operating' ? [8, 5] : null };
}

/** Features found by tracing (溯源): a cyan ring over a dark halo, so they stand out over every layer. */
export const TRACE = { stroke: '#00e5ff', halo: 'rgba(33,33,33,0.85)', width: 3 };

/**
 * Samples (采样点), small symbols over the farmland: soil samples are circles coloured by their GB 15618
 * grade (A at or below the risk screening value, B between screening and intervention, C above the
 * intervention value), crop samples are squares coloured by GB 2762 compliance (the worst ratio to the limit
 * at most 1, or over 1; grey when the crop has no limit in the settings and was not judged), drawn beside
 * their point so that a soil sample at the same place stays visible. Both have a dark rim, and colours
 * that are none of the farmland classes' fills, so that a symbol reads over any unit.
 */
export const SOIL_GRADE_COLOURS = {
  A: '#66bb6a', // 筛选值以下
  B: '#ffd600', // 筛选值与管制值之间
  C: '#6a1b9a', // 管制值以上
};
export const SOIL_GRADE_ORDER = ['A', 'B', 'C'];
export const CROP_STATUS_COLOURS = {
  compliant: '#29b6f6', // 达标
  exceeds: '#e53935', // 超标
  unjudged: '#9e9e9e', // 无限量，未判定
};
export const CROP_STATUS_ORDER = ['compliant', 'exceeds', 'unjudged'];
export const SAMPLE_RIM = '#212121';

/** A soil sample's circle from its grade; a grade the palette does not know is grey, never hidden. */
export function soilSampleStyleSpec(props) {
  const grade = props && props.grade;
  const known = Object.prototype.hasOwnProperty.call(SOIL_GRADE_COLOURS, grade);
  return { grade: known ? grade : null, fill: known ? SOIL_GRADE_COLOURS[grade] : '#9e9e9e', rim: SAMPLE_RIM, radius: 5 };
}

/**
 * A crop sample's status from its properties: `compliant` (a boolean, or its text in a tile) decides, and
 * failing that the worst ratio (over 1 exceeds the limit); neither: not judged.
 */
export function cropSampleStatus(props) {
  const c = props && props.compliant;
  if (c === true || c === 'true') return 'compliant';
  if (c === false || c === 'false') return 'exceeds';
  const r = props && props.worst_ratio !== null && props.worst_ratio !== undefined && props.worst_ratio !== '' ? Number(props.worst_ratio) : NaN;
  if (Number.isFinite(r)) return r > 1 ? 'exceeds' : 'compliant';
  return 'unjudged';
}

/** A crop sample's square from its compliance. */
export function cropSampleStyleSpec(props) {
  const status = cropSampleStatus(props);
  return { status, fill: CROP_STATUS_COLOURS[status], rim: SAMPLE_RIM, size: 5.5, displacement: [6, 5] };
}
