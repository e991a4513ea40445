// Importing a file from the map, as a county's editor does it: a zipped GBK Shapefile in CGCS2000
// Gauss-Krüger (EPSG:4545) with Chinese field names and one bow-tie polygon. The dry run asks which field
// holds the code, then lists the bow-tie and draws it on the map; with repair on, the dry run passes and
// the commit writes the parcels.
//   LANDGUARD_URL=... LANDGUARD_PASSWORD=... node --test test/browser/upload.test.mjs
// scripts/test-web.sh creates lz.editor, an editor of Liuzhou (4502).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launch, signIn } from './browser.mjs';

const BASE = (process.env.LANDGUARD_URL || '').replace(/\/+$/, '');
const PASSWORD = process.env.LANDGUARD_PASSWORD || '';
const ARTIFACTS = resolve(process.env.ARTIFACTS || new URL('../../../test-artifacts', import.meta.url).pathname);

let context;
let page;
const problems = [];

function square(lon, lat, d) {
  return { type: 'Polygon', coordinates: [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]] };
}

function row(code, geometry) {
  return {
    type: 'Feature',
    geometry,
    properties: {
      宗地号: code, 行政区代码: '450205', 地块名称: `${code} 原电镀厂`, 优先监管: 'true', 重点监管单位用地: 'false',
      现状用途: '100102', 用途分类体系: 'ydyh2023', 原行业: '电镀', 生效日期: '2024-05-01',
    },
  };
}

/** The zipped Shapefile, made by ogr2ogr as a desktop GIS would and zipped by Python's zipfile. */
function zippedShapefile() {
  const dir = mkdtempSync(join(tmpdir(), 'landguard-upload-'));
  const d = 0.002;
  const bowtie = { type: 'Polygon', coordinates: [[[109.43, 24.35], [109.43 + d, 24.35 + d], [109.43 + d, 24.35], [109.43, 24.35 + d], [109.43, 24.35]]] };
  const fc = { type: 'FeatureCollection', features: [row('LZ-WEB-U1', square(109.42, 24.35, d)), row('LZ-WEB-U2', bowtie), row('LZ-WEB-U3', square(109.44, 24.35, d))] };
  writeFileSync(join(dir, 'in.geojson'), JSON.stringify(fc));
  execFileSync('ogr2ogr', ['-f', 'ESRI Shapefile', join(dir, '地块.shp'), join(dir, 'in.geojson'), '-s_srs', 'EPSG:4490', '-t_srs', 'EPSG:4545', '-lco', 'ENCODING=GBK']);
  const zip = join(dir, '地块.zip');
  execFileSync('python3', ['-c', `import sys, zipfile, glob, os
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for f in glob.glob(os.path.join(sys.argv[2], '地块.*')):
        if not f.endswith('.zip'): z.write(f, os.path.basename(f))`, zip, dir]);
  return zip;
}

async function shot(name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

before(async () => {
  assert.ok(BASE, 'set LANDGUARD_URL to a running landguard with the demo data');
  assert.ok(PASSWORD, 'set LANDGUARD_PASSWORD to the password of the people scripts/test-web.sh creates');
  mkdirSync(ARTIFACTS, { recursive: true });
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // the refused dry runs answer 422 on purpose; Chromium logs them
    if (m.type() === 'error' && !/status of 422/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  const resp = await page.goto(`${BASE}/map/`);
  assert.equal(resp.status(), 200);
  await page.waitForFunction(() => document.body.classList.contains('ready'));
});

after(async () => {
  if (context) await context.close();
});

test('an editor imports a GBK Shapefile: maps the code field, sees the bow-tie on the map, repairs and commits', { timeout: 120000 }, async () => {
  const zip = zippedShapefile();
  assert.equal(await page.locator('#tab-import').isHidden(), true, 'no import for a visitor');
  await signIn(page, 'lz.editor', PASSWORD);
  await page.locator('#tab-import').click();
  await page.locator('#import-collection').selectOption('construction_parcels');
  await page.locator('#import-file').setInputFiles(zip);
  await page.locator('#import-file-name', { hasText: '地块.zip' }).waitFor();

  // 宗地号 is nobody's name for the code: the page asks which field holds it
  await page.locator('#import-dry-run').click();
  await page.locator('#import-mapping').waitFor();
  assert.match(await page.locator('#import-unmapped').textContent(), /parcel_code/);
  await page.locator('#import-mapping select[data-property="parcel_code"]').selectOption('宗地号');
  await page.locator('#import-remap').click();

  // the bow-tie, listed with its reason and drawn on the map
  await page.locator('#import-problems').waitFor();
  const rows = await page.locator('#import-problems tr[data-ordinal]').allTextContents();
  assert.ok(rows.length >= 1 && rows.every((r) => r.includes('LZ-WEB-U2')), rows.join('|'));
  assert.match(await page.locator('#import-refused').textContent(), /未写入/);
  const drawn = await page.evaluate(() => {
    const layer = window.landguard.map.getLayers().getArray().find((l) => l.get('key') === 'import-problems');
    return layer ? layer.getSource().getFeatures().map((f) => f.getId()) : null;
  });
  assert.deepEqual(drawn, ['import-2']);
  await page.waitForTimeout(600); // the map's fit to the problem
  await shot('40-import-dry-run-problem-on-map');

  // repaired, the dry run passes; the commit writes the three parcels in the editor's name
  await page.locator('#import-repair').check();
  await page.locator('#import-dry-run').click();
  await page.locator('#import-ready').waitFor();
  assert.equal(await page.locator('#import-summary tr', { hasText: '新增' }).locator('td').textContent(), '3');
  await shot('41-import-ready');
  const committed = page.waitForResponse((r) => r.url().includes('/import?dry_run=false'));
  await page.locator('#import-commit').click();
  assert.equal((await committed).status(), 201);
  await page.locator('#import-done').waitFor();
  await shot('42-import-committed');
  const item = await fetch(`${BASE}/collections/construction_parcels/items/LZ-WEB-U3`, { headers: { Accept: 'application/geo+json' } });
  // parcels need a reader's token or session unless the deployment makes them public: 200 or 401, never 404
  assert.notEqual(item.status, 404);
  assert.deepEqual(problems, []);
});
