// The feature card (properties, then history) of the feature clicked or searched for, as of the map's
// as-of date (the search box is app/workspace.js).

import { createEmpty, extend, isEmpty } from 'ol/extent.js';
import {
  COLLECTIONS,
  RequestError,
  buildMeasuresRequest,
  fetchJson,
  historyUrl,
  itemUrl,
  measuresUrl,
  nearbySourcesUrl,
} from '../api.js';
import { getLang, t } from '../i18n.js';
import { fieldLabel as schemaLabel } from '../forms.js';
import { geojson } from '../map.js';
import { renderCard } from '../ui/card.js';
import { isSampleCollection, renderSampleCard } from '../ui/samples.js';
import {
  buildRecordBody,
  COUNTY_SUBJECT,
  countyLine,
  countyRecordsUrl,
  dutiesUrl,
  isSourceCollection,
  recordsUrl,
  renderCountyCard,
  renderSourceCard,
  sourceRows,
} from '../ui/duties.js';
import { printNow } from './print.js';

const $ = (sel) => document.querySelector(sel);

/**
 * The card over the map `m`. `onCheck(card)` runs when the card's check button is pressed. `writer()` says
 * whether the person signed in may write; then the card offers `onEdit(collection, id)` and, for a collection
 * with a lifecycle, `onStep(collection, id)`; a farmland unit's card shows its measures ledger and offers the
 * "record measures" form, after which `onMeasures(id)` runs (the indicators may have changed).
 * `fieldLabel(collection, name)` names changed properties.
 * A farmland unit's card also traces the sources near it (溯源). Returns { open, close, reopen, render,
 * fetchFeature, trace }. A source, pond or key unit's site shows its duties and records (ui/duties.js), the
 * names of its properties from `sourceSchema(collection)`; after a record, `onRecord(card)` runs.
 */
export function createCard({ m, config, asOf, countyName, onCheck, writer = () => false, onEdit, onModify, onStep, onMeasures, onRecord, fieldLabel, sourceSchema = () => null, toast }) {
  let card = null;
  let cardSeq = 0;
  const cardEl = $('#card');
  function render() {
    if (!card) {
      cardEl.hidden = true;
      cardEl.innerHTML = '';
      return;
    }
    cardEl.hidden = false;
    const { collection, id } = card;
    // Writes change the register as it is now: offered only on the current map, not on a past day's.
    const write = writer() && !asOf.datetime;
    if (isSampleCollection(collection)) {
      renderSampleCard(cardEl, card, countyName, { close, zoom: () => m.fitFeatures(m.selectedSource.getFeatures(), { maxZoom: 17 }) });
      return;
    }
    if (collection === COUNTY_SUBJECT) {
      renderCountyCard(cardEl, card, { close, record: write ? (values) => recordDuty(card, values) : undefined });
      return;
    }
    if (isSourceCollection(collection)) {
      const schema = sourceSchema(collection);
      renderSourceCard(cardEl, card, sourceRows(schema, card.properties || {}, (n) => schemaLabel(schema, n, getLang())), {
        close,
        zoom: () => m.fitFeatures(m.selectedSource.getFeatures(), { maxZoom: 17 }),
        record: write ? (values) => recordDuty(card, values) : undefined,
      });
      return;
    }
    renderCard(cardEl, card, countyName, {
      close,
      zoom: () => m.fitFeatures(m.selectedSource.getFeatures(), { maxZoom: 17 }),
      check: () => onCheck(card),
      print: () => printNow(m.map, 'card'),
      edit: write ? () => onEdit(collection, id) : undefined,
      modify: write && onModify ? () => onModify(collection, id) : undefined,
      step: write && collection === COLLECTIONS.parcels ? () => onStep(collection, id) : undefined,
      fieldLabel: fieldLabel ? (name) => fieldLabel(collection, name) : undefined,
      recordMeasures: write && collection === COLLECTIONS.farmland ? (values) => recordMeasures(card, values) : undefined,
      trace: collection === COLLECTIONS.farmland ? trace : undefined,
      traceItem: (key) => {
        const f = m.traceSource.getFeatures().find((x) => `${x.get('collection')}/${x.get('id')}` === key);
        if (f) m.fitFeatures([f], { maxZoom: 16 });
      },
    });
  }
  function loadLedger(c, seq) {
    c.ledger = 'loading';
    return fetchJson(measuresUrl(config.apiBase, c.id), { config })
      .then((l) => {
        c.ledger = l.measures || [];
      })
      .catch((e) => {
        c.ledger = e;
      })
      .then(() => {
        if (seq === cardSeq) render();
      });
  }
  async function recordMeasures(c, values) {
    const seq = cardSeq;
    c.ledgerForm = { values, saving: false, error: null };
    let req;
    try {
      req = buildMeasuresRequest(config.apiBase, c.id, values);
    } catch (e) {
      c.ledgerForm.error = e instanceof RequestError ? t(e.key) : e.message;
      render();
      return;
    }
    c.ledgerForm.saving = true;
    render();
    try {
      const answer = await fetchJson(req.url, { config, method: 'POST', body: req.body });
      if (seq !== cardSeq) return;
      // A fresh form for the next measure, keeping the year and the document, which usually repeat.
      c.ledgerForm = { values: { year: values.year, document: values.document } };
      if (toast) toast(t('ledger.saved', { n: (answer.measures || []).length, id: c.id }));
      await loadLedger(c, seq);
      if (onMeasures) onMeasures(c.id);
    } catch (e) {
      if (seq !== cardSeq) return;
      // The server's explanation, in the viewer's language (problem.js): its `detail`.
      c.ledgerForm = { values, saving: false, error: e.message };
      render();
    }
  }
  /** Where a card's records are: a feature's, or a county's own. */
  const recordsOf = (c) => (c.collection === COUNTY_SUBJECT ? countyRecordsUrl(config.apiBase, c.id) : recordsUrl(config.apiBase, c.collection, c.id));
  /**
   * A source feature's records (newest first) and its duties as of the map's date (GET /duties of its county);
   * for a county's card, the county's records and its own duties (`county_duties`, given with every register).
   */
  function loadDuties(c, seq) {
    c.asOf = asOf.datetime ? asOf.datetime.slice(0, 10) : asOf.today;
    c.records = 'loading';
    c.duties = 'loading';
    const county = String(c.properties.county_code || '');
    const ofCounty = c.collection === COUNTY_SUBJECT;
    const q = { county_code: /^\d{6}$/.test(county) ? county : '', as_of: c.asOf, collection: ofCounty ? '' : c.collection };
    return Promise.all([
      fetchJson(recordsOf(c), { config })
        .then((r) => (c.records = r.records || []))
        .catch((e) => (c.records = e)),
      fetchJson(dutiesUrl(config.apiBase, q), { config })
        .then((r) => {
          c.duties = ofCounty ? (r.county_duties || []).filter((d) => d.county_code === c.id).map(countyLine) : (r.duties || []).filter((d) => d.id === c.id);
        })
        .catch((e) => (c.duties = e)),
    ]).then(() => {
      if (seq === cardSeq) render();
    });
  }
  async function recordDuty(c, values) {
    const seq = cardSeq;
    let body;
    try {
      body = buildRecordBody(c.collection, values);
    } catch (e) {
      c.recordForm = { values, error: t(e.key || e.message) };
      render();
      return;
    }
    c.recordForm = { values, saving: true };
    render();
    try {
      await fetchJson(recordsOf(c), { config, method: 'POST', body });
      if (seq !== cardSeq) return;
      c.recordForm = { values: { kind: values.kind, date: values.date } };
      if (toast) toast(t('duty.saved', { id: c.id }));
      await loadDuties(c, seq);
      if (onRecord) onRecord(c);
    } catch (e) {
      if (seq !== cardSeq) return;
      // the server's explanation (problem.js picks its Chinese or English `detail`)
      c.recordForm = { values, saving: false, error: e.message };
      render();
    }
  }
  /** Tracing (溯源): the sources near the open farmland unit, listed in the card and ringed on the map. */
  async function trace() {
    if (!card) return;
    const seq = cardSeq;
    card.trace = 'loading';
    render();
    try {
      const fc = await fetchJson(nearbySourcesUrl(config.apiBase, card.id, { as_of: asOf.datetime }), { config });
      if (seq !== cardSeq) return;
      card.trace = fc;
      m.traceSource.clear();
      m.traceSource.addFeatures(geojson.readFeatures(fc));
      // The card covers the map's right side: keep what was found to the left of it.
      const ext = createEmpty();
      for (const f of [...m.selectedSource.getFeatures(), ...m.traceSource.getFeatures()]) extend(ext, f.getGeometry().getExtent());
      if (!isEmpty(ext)) m.map.getView().fit(ext, { padding: [80, 440, 80, 80], maxZoom: 16, duration: 300 });
    } catch (e) {
      if (seq !== cardSeq) return;
      card.trace = e;
    }
    render();
  }
  function close() {
    card = null;
    cardSeq += 1;
    m.selectedSource.clear();
    m.traceSource.clear();
    render();
  }
  async function fetchFeature(collection, id) {
    const json = await fetchJson(itemUrl(config.apiBase, collection, id) + asOf.query(), { config });
    return geojson.readFeature(json);
  }
  async function open(collection, id, props = {}) {
    const seq = ++cardSeq;
    const year = String(Number((asOf.datetime || new Date().toISOString()).slice(0, 4)));
    card = { collection, id, properties: { ...props }, history: 'loading', ledgerForm: { values: { year } } };
    render();
    m.selectedSource.clear();
    m.traceSource.clear();
    try {
      const feature = await fetchFeature(collection, id);
      if (seq !== cardSeq) return feature;
      const p = feature.getProperties();
      delete p.geometry;
      card.properties = p;
      card.feature = feature;
      m.selectedSource.clear();
      m.selectedSource.addFeature(feature);
      render();
      if (isSampleCollection(collection)) return feature; // a sample's card has no history or ledger
      if (collection === COLLECTIONS.farmland) loadLedger(card, seq);
      if (isSourceCollection(collection)) {
        card.recordForm = { values: { date: asOf.today } };
        loadDuties(card, seq);
        return feature;
      }
      fetchJson(historyUrl(config.apiBase, collection, id), { config })
        .then((h) => {
          if (seq === cardSeq) {
            card.history = h.versions || [];
            render();
          }
        })
        .catch((e) => {
          if (seq === cardSeq) {
            card.history = e;
            render();
          }
        });
      return feature;
    } catch (e) {
      if (seq === cardSeq) {
        card.history = e;
        render();
      }
      return null;
    }
  }
  /** A county's own duty (its quarterly report), its records and, for people who may write, "record the report". */
  function openCounty(code) {
    const seq = ++cardSeq;
    const name = (countyName && countyName(code)) || code;
    card = { collection: COUNTY_SUBJECT, id: code, name, properties: { county_code: code, name }, recordForm: { values: { kind: 'quarterly_report', date: asOf.today } } };
    m.selectedSource.clear();
    m.traceSource.clear();
    render();
    loadDuties(card, seq);
  }
  /** The open card again, as of the (new) as-of date. */
  function reopen() {
    if (card && card.collection === COUNTY_SUBJECT) openCounty(card.id);
    else if (card) open(card.collection, card.id, card.properties);
  }
  return { open, openCounty, close, reopen, render, fetchFeature, trace };
}
