// The OpenLayers map: optional basemap, county outlines, the two registry layers from landguard's
// vector tiles (or, with ?source=features, from the items endpoint), and the highlight layers.

import Map from 'ol/Map.js';
import View from 'ol/View.js';
import TileLayer from 'ol/layer/Tile.js';
import XYZ from 'ol/source/XYZ.js';
import VectorLayer from 'ol/layer/Vector.js';
import VectorSource from 'ol/source/Vector.js';
import VectorTileLayer from 'ol/layer/VectorTile.js';
import VectorTileSource from 'ol/source/VectorTile.js';
import MVT from 'ol/format/MVT.js';
import GeoJSON from 'ol/format/GeoJSON.js';
import ScaleLine from 'ol/control/ScaleLine.js';
import Zoom from 'ol/control/Zoom.js';
import Attribution from 'ol/control/Attribution.js';
import { bbox as bboxStrategy } from 'ol/loadingstrategy.js';
import { fromLonLat, transformExtent } from 'ol/proj.js';
import { createEmpty, extend, isEmpty } from 'ol/extent.js';
import { COLLECTIONS, SAMPLE_COLLECTIONS, SOURCE_COLLECTIONS, headersFor, itemsUrl, tileUrlTemplate } from './api.js';
import { BACKGROUND } from './palette.js';
import {
  DOT_RESOLUTION,
  countyStyle,
  cropSampleStyle,
  farmlandStyle,
  interiorPoint,
  keyUnitStyle,
  parcelMarkStyle,
  parcelStyle,
  pondStyle,
  queryStyle,
  resultStyle,
  scopeStyle,
  selectedStyle,
  soilSampleStyle,
  sourceStyle,
  traceStyle,
} from './styles.js';

export const geojson = new GeoJSON({ dataProjection: 'EPSG:4326', featureProjection: 'EPSG:3857' });

/** Tile loader that sends the configured bearer token and counts what arrives (for the status line). */
function tileLoader(config, stats, key) {
  return (tile, url) => {
    tile.setLoader((extent, resolution, projection) => {
      fetch(url, { headers: headersFor(config, { Accept: 'application/vnd.mapbox-vector-tile' }) })
        .then(async (resp) => {
          if (resp.status === 204) {
            tile.setFeatures([]);
            stats[key].ok += 1;
            return;
          }
          if (!resp.ok) throw new Error(`HTTP ${resp.status}`);
          const data = await resp.arrayBuffer();
          const features = tile.getFormat().readFeatures(data, { extent, featureProjection: projection });
          tile.setFeatures(features);
          stats[key].ok += 1;
          stats[key].features += features.length;
        })
        .catch(() => {
          stats[key].failed += 1;
          tile.onError();
        });
    });
  };
}

function registryLayer(config, asOf, stats, key, collection, style, zIndex) {
  if (config.source === 'features') {
    // Fallback for servers without vector tiles: GeoJSON pages of the visible extent.
    const source = new VectorSource({
      format: geojson,
      strategy: bboxStrategy,
      loader(extent, resolution, projection, success, failure) {
        const bbox = transformExtent(extent, projection, 'EPSG:4326').map((v) => v.toFixed(6));
        const url = itemsUrl(config.apiBase, collection, { bbox: bbox.join(','), limit: 10000, datetime: asOf.datetime });
        fetch(url, { headers: headersFor(config) })
          .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
          .then((fc) => {
            const features = geojson.readFeatures(fc);
            source.addFeatures(features);
            stats[key].ok += 1;
            stats[key].features += features.length;
            success(features);
          })
          .catch(() => {
            stats[key].failed += 1;
            source.removeLoadedExtent(extent);
            failure();
          });
      },
    });
    return new VectorLayer({ source, style, zIndex, minZoom: 10, properties: { key, collection } });
  }
  const source = new VectorTileSource({
    format: new MVT({ layers: [collection] }),
    url: tileUrlTemplate(config.apiBase, collection, { datetime: asOf.datetime }),
    // WebMercatorQuad (OGC 2D TMS) has 256-pixel tiles: the server simplifies each zoom for that size.
    tileSize: 256,
    maxZoom: 16, // deeper zooms overzoom the z16 tiles
    tileLoadFunction: tileLoader(config, stats, key),
    transition: 0,
  });
  return new VectorTileLayer({
    source,
    style,
    zIndex,
    declutter: key === 'parcels',
    renderBuffer: 64,
    properties: { key, collection },
  });
}

/** Parcels as points (marks and codes) for the visible extent, from the items endpoint. */
function parcelMarksLayer(config, asOf, parcelsLayer) {
  const source = new VectorSource({
    strategy: bboxStrategy,
    loader(extent, resolution, projection, success, failure) {
      const bbox = transformExtent(extent, projection, 'EPSG:4326').map((v) => v.toFixed(6));
      const url = itemsUrl(config.apiBase, COLLECTIONS.parcels, { bbox: bbox.join(','), limit: 10000, datetime: asOf.datetime });
      fetch(url, { headers: headersFor(config) })
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((fc) => {
          const features = geojson.readFeatures(fc).filter((f) => !source.getFeatureById(f.getId()));
          for (const f of features) f.setGeometry(interiorPoint(f));
          source.addFeatures(features);
          success(features);
        })
        .catch(() => {
          source.removeLoadedExtent(extent);
          failure();
        });
    },
  });
  const layer = new VectorLayer({
    source,
    style: parcelMarkStyle,
    zIndex: 25,
    // Only over the parcel polygons: at dot zooms a mark would hide the dots.
    maxResolution: DOT_RESOLUTION,
    properties: { key: 'marks' },
  });
  // Marks follow the parcel layer's switch.
  parcelsLayer.on('change:visible', () => layer.setVisible(parcelsLayer.getVisible()));
  return layer;
}

/**
 * Builds the map in `target`. `counties` is the FeatureCollection of county outlines (already fetched);
 * `asOf` (asof.js) owns the day the registry layers show, and the layers reload when it changes.
 * Returns the map and its layers by key, and helpers used by the panels.
 */
export function createMap(target, config, counties, asOf) {
  const stats = { farmland: { ok: 0, failed: 0, features: 0 }, parcels: { ok: 0, failed: 0, features: 0 } };
  const layers = {};

  const basemaps = (config.basemaps || []).map(
    (b, i) =>
      new TileLayer({
        source: new XYZ({ url: b.url, attributions: b.attribution, maxZoom: b.maxZoom || 18, crossOrigin: 'anonymous' }),
        zIndex: i,
        properties: { key: 'basemap' },
      }),
  );

  const countySource = new VectorSource({ features: geojson.readFeatures(counties) });
  layers.counties = new VectorLayer({
    source: countySource,
    style: countyStyle,
    zIndex: 5,
    declutter: true,
    // Over a basemap the outlines stay but the paper fill would hide it.
    opacity: basemaps.length ? 0.55 : 1,
    properties: { key: 'counties' },
  });
  layers.farmland = registryLayer(config, asOf, stats, 'farmland', COLLECTIONS.farmland, farmlandStyle, 10);
  layers.parcels = registryLayer(config, asOf, stats, 'parcels', COLLECTIONS.parcels, parcelStyle, 20);

  layers.marks = parcelMarksLayer(config, asOf, layers.parcels);
  // Source control (源头防控): key units' sites over the parcels, ponds and sources above both.
  const sourceStyles = { keyunits: [keyUnitStyle, 22], ponds: [pondStyle, 27], sources: [sourceStyle, 28] };
  for (const [key, [style, z]] of Object.entries(sourceStyles)) {
    stats[key] = { ok: 0, failed: 0, features: 0 };
    layers[key] = registryLayer(config, asOf, stats, key, SOURCE_COLLECTIONS[key], style, z);
  }
  // Samples (采样点): off until switched on; over the registers and key units, under ponds and sources.
  const sampleStyles = { soilsamples: [soilSampleStyle, 26], cropsamples: [cropSampleStyle, 26.5] };
  for (const [key, [style, z]] of Object.entries(sampleStyles)) {
    stats[key] = { ok: 0, failed: 0, features: 0 };
    layers[key] = registryLayer(config, asOf, stats, key, SAMPLE_COLLECTIONS[key], style, z);
    layers[key].setVisible(false);
  }
  const traceSource = new VectorSource();
  layers.trace = new VectorLayer({ source: traceSource, style: traceStyle, zIndex: 45, properties: { key: 'trace' } });
  const scopeSource = new VectorSource();
  layers.scope = new VectorLayer({ source: scopeSource, style: scopeStyle, zIndex: 6, properties: { key: 'scope' } });

  const querySource = new VectorSource();
  const resultSource = new VectorSource();
  const selectedSource = new VectorSource();
  layers.query = new VectorLayer({ source: querySource, style: queryStyle, zIndex: 30, properties: { key: 'query' } });
  layers.result = new VectorLayer({ source: resultSource, style: resultStyle, zIndex: 40, properties: { key: 'result' } });
  layers.selected = new VectorLayer({ source: selectedSource, style: selectedStyle, zIndex: 50, properties: { key: 'selected' } });

  const countyExtent = countySource.getExtent();
  const home = isEmpty(countyExtent) ? transformExtent([108.8, 23.9, 111.3, 26.1], 'EPSG:4326', 'EPSG:3857') : countyExtent;

  const map = new Map({
    target,
    layers: [
      ...basemaps,
      layers.counties,
      layers.scope,
      layers.farmland,
      layers.parcels,
      layers.marks,
      layers.keyunits,
      layers.soilsamples,
      layers.cropsamples,
      layers.ponds,
      layers.sources,
      layers.query,
      layers.result,
      layers.trace,
      layers.selected,
    ],
    view: new View({ center: fromLonLat([110.0, 25.0]), zoom: 8, minZoom: 5, maxZoom: 20, constrainResolution: false }),
    controls: [
      new Zoom({ zoomInTipLabel: '+', zoomOutTipLabel: '−' }),
      new ScaleLine({ units: 'metric', bar: true, steps: 4, text: false, minWidth: 140 }),
      new Attribution({ collapsible: false }),
    ],
  });
  target.style.background = BACKGROUND;
  layers.basemaps = basemaps;

  function fitHome(opts = {}) {
    map.getView().fit(home, { padding: [30, 30, 30, 30], duration: opts.duration || 0 });
  }

  function fitExtent(extent, opts = {}) {
    if (!extent || isEmpty(extent)) return;
    map.getView().fit(extent, { padding: [80, 80, 80, 80], maxZoom: opts.maxZoom || 17, duration: opts.duration ?? 300 });
  }

  function fitFeatures(features, opts) {
    const ext = createEmpty();
    for (const f of features) if (f.getGeometry()) extend(ext, f.getGeometry().getExtent());
    fitExtent(ext, opts);
  }

  // Shows the registry as it stood on the as-of day, or as it is now.
  asOf.subscribe((datetime) => {
    const registries = [
      ['farmland', COLLECTIONS.farmland],
      ['parcels', COLLECTIONS.parcels],
      ...Object.entries(SOURCE_COLLECTIONS),
      ...Object.entries(SAMPLE_COLLECTIONS),
    ];
    for (const [key, collection] of registries) {
      const source = layers[key].getSource();
      if (typeof source.setUrl === 'function') source.setUrl(tileUrlTemplate(config.apiBase, collection, { datetime }));
      else source.refresh();
    }
    layers.marks.getSource().refresh();
  });

  /** Tiles again after a write (the register changed under them). */
  function refresh() {
    for (const key of ['farmland', 'parcels', 'marks', ...Object.keys(SOURCE_COLLECTIONS), ...Object.keys(SAMPLE_COLLECTIONS)]) {
      layers[key].getSource().refresh();
    }
  }

  return {
    map,
    refresh,
    layers,
    stats,
    home,
    countySource,
    scopeSource,
    querySource,
    resultSource,
    selectedSource,
    traceSource,
    fitHome,
    fitExtent,
    fitFeatures,
  };
}
