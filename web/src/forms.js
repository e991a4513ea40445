// Forms made from a collection's schema (GET /collections/{id}/schema, docs/api.md): which properties a
// person may edit and with what input, the values read back from a form, the lifecycle steps allowed from a
// state, and which properties changed between two versions. Pure: node's test runner checks it.

/** A property's label in `lang`: the schema's title is Chinese, its description English. */
export function fieldLabel(schema, name, lang = 'zh') {
  const p = schema && schema.properties && schema.properties[name];
  if (!p) return name;
  return (lang === 'en' ? p.description : p.title) || p.title || name;
}

/**
 * The fields of an edit form, in the schema's order (x-ogc-propertySeq), without the geometry:
 * { name, label, input: 'select'|'date'|'number'|'integer'|'text', options: [{ value, name }], required,
 *   readOnly, lifecycle }. Code lists and booleans are choices; a choice that may be left unset offers ''.
 */
export function formFields(schema, lang = 'zh') {
  const required = new Set(schema.required || []);
  const out = [];
  const seq = ([, p]) => (Number.isFinite(p['x-ogc-propertySeq']) ? p['x-ogc-propertySeq'] : Infinity);
  const entries = Object.entries(schema.properties || {}).sort((a, b) => seq(a) - seq(b));
  for (const [name, p] of entries) {
    if (p['x-ogc-role'] === 'primary-geometry') continue;
    const f = {
      name,
      label: fieldLabel(schema, name, lang),
      required: required.has(name),
      readOnly: Boolean(p.readOnly),
      lifecycle: Boolean(p['x-lifecycle-state']),
      id: p['x-ogc-role'] === 'id',
      type: p.type,
      options: [],
    };
    if (Array.isArray(p.enum)) {
      f.input = 'select';
      const names = p['x-names'] || {};
      f.options = p.enum.map((v) => ({ value: v, name: names[String(v)] ? `${v} ${names[String(v)]}` : String(v) }));
    } else if (p.type === 'boolean') {
      f.input = 'select';
      f.options = [
        { value: true, name: lang === 'en' ? 'yes' : '是' },
        { value: false, name: lang === 'en' ? 'no' : '否' },
      ];
    } else if (p.format === 'date') f.input = 'date';
    else if (p.type === 'integer') f.input = 'integer';
    else if (p.type === 'number') f.input = 'number';
    else f.input = 'text';
    // Unset is a choice when nothing requires a value and nothing defaults it.
    f.unset = f.input === 'select' && !f.required && p.default === undefined;
    out.push(f);
  }
  return out;
}

/** Whether a person may change this field in the form (never the id, computed values or the state). */
export function editable(field) {
  return !field.readOnly && !field.lifecycle && !field.id;
}

/** The string an input shows for a value. */
export function inputValue(v) {
  return v === null || v === undefined ? '' : String(v);
}

/** A form string back into the property's JSON value ('' is null). */
export function parseValue(field, s) {
  const text = String(s ?? '').trim();
  if (text === '') return null;
  if (field.type === 'boolean') return text === 'true';
  if (field.type === 'integer') return /^-?\d+$/.test(text) ? Number(text) : text;
  if (field.type === 'number') return Number.isFinite(Number(text)) ? Number(text) : text;
  return text;
}

/**
 * The body of a PUT: the feature as read (`feature`, GeoJSON), its properties replaced by the edited ones
 * (`values`: name → form string). The state is left out: it changes only by lifecycle steps.
 */
export function putBody(feature, fields, values) {
  const properties = { ...(feature.properties || {}) };
  for (const f of fields) {
    if (f.lifecycle) delete properties[f.name];
    else if (editable(f) && f.name in values) properties[f.name] = parseValue(f, values[f.name]);
  }
  return { type: 'Feature', id: feature.id, geometry: feature.geometry, properties };
}

/** The editable properties whose values differ between two property objects. */
export function changedFields(fields, a, b) {
  return fields.filter((f) => editable(f) && inputValue(a[f.name]) !== inputValue(b[f.name])).map((f) => f.name);
}

/** The lifecycle steps allowed from `state` (the schema's x-lifecycle.next), each with its Chinese name. */
export function nextSteps(schema, state) {
  const l = schema && schema['x-lifecycle'];
  if (!l) return [];
  const names = new Map((l.states || []).map((s) => [s.value, s.name]));
  return ((l.next || {})[state] || []).map((value) => ({ value, name: names.get(value) || value }));
}

/** The body of a lifecycle step; the step property (remediated_for_class) only on the step that takes it. */
export function stepBody(schema, { to, date, document, note, stepValue }) {
  const body = { to };
  if (date) body.date = date;
  if (document && document.trim()) body.document = document.trim();
  if (note && note.trim()) body.note = note.trim();
  const l = schema && schema['x-lifecycle'];
  if (l && l.step_property && to === l.step_property_on && stepValue !== '' && stepValue !== undefined && stepValue !== null) {
    const f = formFields(schema).find((x) => x.name === l.step_property);
    body[l.step_property] = f ? parseValue(f, stepValue) : stepValue;
  }
  return body;
}

/**
 * The properties that changed from one history version to the next (the step's own members, the dates and
 * the area left out; a lifecycle step shows its states itself).
 */
export function versionChanges(prev, next) {
  if (!prev) return [];
  const skip = new Set(['document', 'note', 'from_state', 'valid_from', 'valid_to', 'area_m2', 'area_mu']);
  const a = prev.properties || {};
  const b = next.properties || {};
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const changed = [...keys].filter((k) => !skip.has(k) && JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null)).sort();
  // the service says whether the outline moved (GET …/history: geometry_changed)
  return next.geometry_changed ? [...changed, 'geometry'] : changed;
}

/** Whether two GeoJSON geometries are the same, vertex for vertex. */
export function sameGeometry(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** The number of points in a GeoJSON geometry, a ring's closing repeat not counted (as a 界址点 list counts them). */
export function vertexCount(g) {
  const same = (a, b) => a[0] === b[0] && a[1] === b[1];
  const count = (c) => {
    if (typeof c[0] === 'number') return 1;
    if (typeof c[0][0] === 'number') return c.length > 1 && same(c[0], c[c.length - 1]) ? c.length - 1 : c.length;
    return c.reduce((n, x) => n + count(x), 0);
  };
  return g && g.coordinates ? count(g.coordinates) : 0;
}
