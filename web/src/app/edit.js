// Writing from the map, for a person signed in with a role that writes: a feature's properties in a form
// made from the collection's schema, saved with PUT and If-Match (the ETag of the version the form was filled
// from), and a 412 shown as their version beside yours; and a lifecycle step, offered only the steps the
// lifecycle allows from the current state (the schema's x-lifecycle, the table the server enforces).

import { fetchDoc, fetchJson, historyUrl, itemUrl, schemaUrl, transitionsUrl } from '../api.js';
import { esc, formatTimestamp } from '../format.js';
import { getLang, t } from '../i18n.js';
import { changedFields, editable, fieldLabel, formFields, inputValue, nextSteps, putBody, sameGeometry, stepBody, vertexCount } from '../forms.js';
import { openDialog } from './dialog.js';
import { addDelete, addUndoStep } from './workspace.js';
import { geometrySection } from './geometry.js';

const schemas = new Map();

/** The collection's schema, read once per page. */
export async function loadSchema(config, collection) {
  if (!schemas.has(collection)) {
    const p = fetchJson(schemaUrl(config.apiBase, collection), { config });
    schemas.set(collection, p);
    p.catch(() => schemas.delete(collection));
  }
  return schemas.get(collection);
}

/** How a value reads in the form's language: a code with its name, yes/no, or '–'. */
function shown(field, v) {
  if (v === null || v === undefined || v === '') return '–';
  const o = field.options.find((x) => inputValue(x.value) === inputValue(v));
  return o ? o.name : String(v);
}

function inputHtml(f, value, today) {
  const id = `edit-${f.name}`;
  if (!editable(f)) {
    const hint = f.lifecycle ? t('edit.state_hint') : f.readOnly ? t('edit.read_only') : '';
    return `<output id="${id}" class="read-only" title="${esc(hint)}">${esc(shown(f, value))}</output>`;
  }
  const req = f.required ? 'required' : '';
  if (f.input === 'select') {
    const opts = f.options
      .map((o) => `<option value="${esc(inputValue(o.value))}" ${inputValue(o.value) === inputValue(value) ? 'selected' : ''}>${esc(o.name)}</option>`)
      .join('');
    const unset = f.unset ? `<option value="" ${inputValue(value) === '' ? 'selected' : ''}>${esc(t('edit.unset'))}</option>` : '';
    return `<select id="${id}" name="${esc(f.name)}" ${req}>${unset}${opts}</select>`;
  }
  if (f.input === 'date') return `<input id="${id}" name="${esc(f.name)}" type="date" max="${esc(today)}" value="${esc(inputValue(value))}" ${req}>`;
  const type = f.input === 'text' ? 'text' : 'number';
  const step = f.input === 'number' ? 'step="any"' : '';
  return `<input id="${id}" name="${esc(f.name)}" type="${type}" ${step} value="${esc(inputValue(value))}" ${req}>`;
}

function formValues(form, fields) {
  const values = {};
  for (const f of fields) {
    const el = form.elements.namedItem(f.name);
    if (el && editable(f)) values[f.name] = el.value;
  }
  return values;
}

/** `card` the card (reopened after a write), `toast`, `today` (YYYY-MM-DD, China), `refresh()` the map. */
export function createEditor({ config, card, toast, today, refresh, m }) {
  const labelOf = (schema) => (name) => fieldLabel(schema, name, getLang());

  async function edit(collection, id) {
    const schema = await loadSchema(config, collection);
    const { json: feature, etag } = await fetchDoc(itemUrl(config.apiBase, collection, id), { config });
    showForm(collection, id, schema, feature, etag, null);
  }

  /** The form, filled from `feature` (read with `etag`), or with `values` a person typed before. */
  function showForm(collection, id, schema, feature, etag, values) {
    const fields = formFields(schema, getLang());
    const props = { ...feature.properties };
    // A change takes effect from the day it is recorded unless the person says otherwise.
    if ('valid_from' in props) props.valid_from = today;
    const value = (f) => (values && f.name in values ? values[f.name] : props[f.name]);
    const rows = fields
      .map(
        (f) => `<label class="field ${editable(f) ? '' : 'field-ro'}" data-field="${esc(f.name)}">
          <span class="field-label">${esc(f.label)}${f.required && editable(f) ? ' *' : ''}</span>${inputHtml(f, value(f), today)}</label>`,
      )
      .join('');
    const geom = m ? geometrySection(m, schema, feature) : null;
    const dlg = openDialog(
      'edit-dialog',
      `<h2>${esc(t('edit.title', { id }))}</h2>
      <form id="edit-form" class="dialog-form edit-form" novalidate>
        <div class="form-grid">${rows}</div>${geom ? geom.html : ''}
        <p class="error" id="edit-error" role="alert" hidden></p>
        <div class="button-row">
          <button type="submit" class="primary" id="edit-save">${esc(t('edit.save'))}</button>
          <button type="button" class="ghost" data-close>${esc(t('edit.cancel'))}</button>
        </div>
      </form>`,
    );
    addDelete(dlg, { config, collection, id, etag, saved: (message) => deleted(message) });
    if (geom) geom.attach(dlg);
    const form = dlg.querySelector('#edit-form');
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const err = dlg.querySelector('#edit-error');
      const save = dlg.querySelector('#edit-save');
      err.hidden = true;
      // A pasted geometry that cannot be read stops the save; its reason is shown in the section.
      const pasted = geom && geom.value();
      if (pasted && pasted.error) return;
      save.disabled = true;
      save.textContent = t('edit.saving');
      const mine = formValues(form, fields);
      try {
        await fetchDoc(itemUrl(config.apiBase, collection, id), {
          config,
          method: 'PUT',
          body: { ...putBody(feature, fields, mine), ...(pasted ? { geometry: pasted.geometry } : {}) },
          ifMatch: etag,
          labels: labelOf(schema),
        });
        dlg.close();
        saved(collection, id, t('edit.saved', { id }));
      } catch (e) {
        save.disabled = false;
        save.textContent = t('edit.save');
        if (e.status === 412) {
          dlg.close();
          await conflict(collection, id, schema, feature, mine, pasted ? pasted.geometry : null);
          return;
        }
        err.textContent = e.message;
        err.hidden = false;
      }
    });
  }

  /** The version saved in between, beside the person's own change (`geometry`: the one they pasted or drew,
   * or null); apply one's changes over theirs, or start again from theirs (`again`, the form by default). */
  async function conflict(collection, id, schema, original, mine, geometry, again = null) {
    const fields = formFields(schema, getLang());
    const [{ json: theirs, etag }, history] = await Promise.all([
      fetchDoc(itemUrl(config.apiBase, collection, id), { config }),
      fetchJson(historyUrl(config.apiBase, collection, id), { config }).catch(() => null),
    ]);
    const latest = history && history.versions && history.versions[history.versions.length - 1];
    const mineProps = putBody(original, fields, mine).properties;
    // What this person changed goes over their version; what they changed and this person did not stays.
    const onlyMine = Object.fromEntries(changedFields(fields, original.properties, mineProps).map((n) => [n, mine[n]]));
    const differ = new Set([
      ...changedFields(fields, original.properties, theirs.properties),
      ...changedFields(fields, original.properties, mineProps),
    ]);
    const rows = fields
      .filter((f) => differ.has(f.name))
      .map((f) => {
        const a = theirs.properties[f.name];
        const b = mineProps[f.name];
        const clash = inputValue(a) !== inputValue(b);
        return `<tr data-field="${esc(f.name)}" class="${clash ? 'clash' : ''}"><th>${esc(f.label)}</th>
          <td class="theirs">${esc(shown(f, a))}</td><td class="yours">${esc(shown(f, b))}</td></tr>`;
      })
      .join('');
    // A pasted outline is part of the change: shown as a row of its own and sent again over theirs.
    const geometryRow = geometry
      ? `<tr data-field="geometry" class="clash"><th>${esc(t('conflict.geometry'))}</th>
          <td class="theirs">${esc(t(sameGeometry(original.geometry, theirs.geometry) ? 'conflict.geometry_same' : 'conflict.geometry_changed'))}</td>
          <td class="yours">${esc(t('conflict.geometry_yours', { n: vertexCount(geometry) }))}</td></tr>`
      : '';
    const dlg = openDialog(
      'conflict-dialog',
      `<h2>${esc(t('conflict.title'))}</h2>
      <p>${esc(t('conflict.intro', { who: latest ? latest.recorded_by : '–', when: latest ? formatTimestamp(latest.recorded_at) : '–' }))}</p>
      <table class="conflict"><thead><tr><th>${esc(t('conflict.field'))}</th><th>${esc(t('conflict.theirs'))}</th><th>${esc(
        t('conflict.yours'),
      )}</th></tr></thead><tbody>${rows}${geometryRow}</tbody></table>
      <p class="error" id="conflict-error" role="alert" hidden></p>
      <div class="button-row">
        <button type="button" class="primary" id="conflict-overwrite">${esc(t('conflict.overwrite'))}</button>
        <button type="button" class="secondary" id="conflict-reload">${esc(t('conflict.reload'))}</button>
        <button type="button" class="ghost" data-close>${esc(t('conflict.close'))}</button>
      </div>`,
    );
    dlg.querySelector('#conflict-overwrite').addEventListener('click', async () => {
      try {
        await fetchDoc(itemUrl(config.apiBase, collection, id), {
          config,
          method: 'PUT',
          body: { ...putBody(theirs, fields, onlyMine), ...(geometry ? { geometry } : {}) },
          ifMatch: etag,
          labels: labelOf(schema),
        });
        dlg.close();
        saved(collection, id, t('edit.saved', { id }));
      } catch (e) {
        const err = dlg.querySelector('#conflict-error');
        err.textContent = e.message;
        err.hidden = false;
      }
    });
    dlg.querySelector('#conflict-reload').addEventListener('click', () => {
      dlg.close();
      if (again) again();
      else showForm(collection, id, schema, theirs, etag, null);
    });
  }

  async function step(collection, id) {
    const schema = await loadSchema(config, collection);
    const l = schema['x-lifecycle'];
    if (!l) return;
    const { json: feature, etag } = await fetchDoc(itemUrl(config.apiBase, collection, id), { config });
    const state = feature.properties[l.property];
    const stateName = (v) => (l.states.find((s) => s.value === v) || { name: v }).name;
    const steps = nextSteps(schema, state);
    const classField = l.step_property && formFields(schema, getLang()).find((f) => f.name === l.step_property);
    const classOptions = classField
      ? classField.options.map((o) => `<option value="${esc(inputValue(o.value))}">${esc(o.name)}</option>`).join('')
      : '';
    const dlg = openDialog(
      'step-dialog',
      `<h2>${esc(t('step.title', { id }))}</h2>
      <form id="step-form" class="dialog-form" novalidate>
        <div class="field"><span class="field-label">${esc(t('step.current'))}</span>
          <output id="step-current" data-state="${esc(state)}">${esc(stateName(state))}</output></div>
        ${
          steps.length
            ? `<label class="field"><span class="field-label">${esc(t('step.to'))}</span>
          <select id="step-to" name="to">${steps.map((s) => `<option value="${esc(s.value)}">${esc(s.name)}</option>`).join('')}</select></label>
        <label class="field" id="step-class-field" hidden><span class="field-label">${esc(classField ? classField.label : t('step.class'))}</span>
          <select id="step-class" name="step_value"><option value="">${esc(t('edit.unset'))}</option>${classOptions}</select></label>
        <label class="field"><span class="field-label">${esc(t('step.date'))}</span>
          <input id="step-date" name="date" type="date" value="${esc(today)}" max="${esc(today)}"></label>
        <label class="field"><span class="field-label">${esc(t('step.document'))}</span>
          <input id="step-document" name="document" placeholder="${esc(t('step.document_placeholder'))}"></label>
        <label class="field"><span class="field-label">${esc(t('step.note'))}</span>
          <textarea id="step-note" name="note" rows="2"></textarea></label>`
            : `<p class="muted" id="step-none">${esc(t('step.none'))}</p>`
        }
        <p class="error" id="step-error" role="alert" hidden></p>
        <div class="button-row">
          ${steps.length ? `<button type="submit" class="primary" id="step-save">${esc(t('step.save'))}</button>` : ''}
          <button type="button" class="ghost" data-close>${esc(t('edit.cancel'))}</button>
        </div>
      </form>`,
    );
    addUndoStep(dlg, { config, collection, id, etag, saved: (message) => saved(collection, id, message) });
    if (!steps.length) return;
    const form = dlg.querySelector('#step-form');
    const to = dlg.querySelector('#step-to');
    // The class the remediation met is asked for on the step that records it (delisting).
    const showClass = () => (dlg.querySelector('#step-class-field').hidden = !(classField && to.value === l.step_property_on));
    to.addEventListener('change', showClass);
    showClass();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const err = dlg.querySelector('#step-error');
      err.hidden = true;
      const body = stepBody(schema, {
        to: to.value,
        date: form.elements.namedItem('date').value,
        document: form.elements.namedItem('document').value,
        note: form.elements.namedItem('note').value,
        stepValue: form.elements.namedItem('step_value').value,
      });
      try {
        const stepLabels = { to: t('step.to'), date: t('step.date'), document: t('step.document'), note: t('step.note') };
        await fetchDoc(transitionsUrl(config.apiBase, collection, id), {
          config,
          method: 'POST',
          body,
          ifMatch: etag,
          labels: (name) => stepLabels[name] || labelOf(schema)(name),
        });
        dlg.close();
        saved(collection, id, t('step.saved', { id, state: stateName(to.value) }));
      } catch (e) {
        err.textContent = e.message;
        err.hidden = false;
      }
    });
  }

  function deleted(message) {
    toast(message);
    refresh();
    card.close();
  }

  function saved(collection, id, message) {
    toast(message);
    refresh();
    card.reopen();
  }

  /** Errors of opening a form (the feature or its schema could not be read) go to the toast. */
  const guard = (fn) => (collection, id) =>
    fn(collection, id).catch((e) => toast(t('app.error', { detail: e.message }), 'error'));
  /** A geometry moved on the map (modify.js) that met a 412: the same dialog, the person's change being the
   * geometry alone; "start again" moves theirs (`again`). */
  async function geometryConflict(collection, id, original, geometry, again) {
    const schema = await loadSchema(config, collection);
    await conflict(collection, id, schema, original, {}, geometry, again);
  }

  return {
    edit: guard(edit),
    step: guard(step),
    geometryConflict,
    loadSchema: (c) => loadSchema(config, c),
  };
}
