import { test } from 'node:test';
import assert from 'node:assert/strict';
import { counts, fieldsParam, importUrl, problemFeatures, readAnswer } from '../../src/ui/upload.js';

test('the import URL carries only what was chosen', () => {
  assert.equal(importUrl('http://h/lg/', 'construction_parcels'), 'http://h/lg/collections/construction_parcels/import?dry_run=true');
  const u = new URL(
    importUrl('http://h', 'construction_parcels', {
      dryRun: false,
      filename: '地块.zip',
      sourceCrs: ' EPSG:4545 ',
      encoding: 'GBK',
      repair: true,
      fields: { parcel_code: '宗地号', name: '' },
    }),
  );
  assert.equal(u.searchParams.get('dry_run'), 'false');
  assert.equal(u.searchParams.get('filename'), '地块.zip');
  assert.equal(u.searchParams.get('source_crs'), 'EPSG:4545');
  assert.equal(u.searchParams.get('on_invalid'), 'repair');
  assert.equal(u.searchParams.get('fields'), '宗地号:parcel_code');
  assert.equal(fieldsParam({ a: 'X', b: 'Y' }), 'X:a,Y:b');
});

test('answers: ready, written, problems with where they lie, unmapped fields, outside, errors', () => {
  const report = { read: 3, created: 2, changed: 1, unchanged: 0, repairs: [{}], written: false };
  assert.equal(readAnswer(200, report).kind, 'ready');
  assert.equal(readAnswer(201, { ...report, written: true }).kind, 'written');
  assert.deepEqual(counts(report), [['read', 3], ['created', 2], ['changed', 1], ['unchanged', 0], ['repaired', 1]]);

  const geometry = { type: 'Polygon', coordinates: [[[109.41, 24.33], [109.42, 24.33], [109.41, 24.34], [109.41, 24.33]]] };
  const refused = {
    type: 'https://landguard.dev/problems/import-refused',
    detail: 'x.zip refused: 2 problems',
    detail_zh: '3 个要素中有 1 个有问题',
    report: {
      problems: [
        { ordinal: 2, code: 'LZ-2', pointer: '/geometry', detail: 'self-intersection', geometry },
        { ordinal: 2, code: 'LZ-2', pointer: '/properties/county_code', detail: '县区代码无效 — bad county', geometry },
        { ordinal: 3, code: null, pointer: '/properties/name', detail: 'missing' },
      ],
    },
  };
  const a = readAnswer(422, refused, { lang: 'zh', fieldLabel: (n) => ({ county_code: '县级行政区划代码', geometry: '几何' })[n] || n });
  assert.equal(a.kind, 'problems');
  assert.equal(a.message, '3 个要素中有 1 个有问题');
  assert.deepEqual(a.rows.map((r) => [r.ordinal, r.field, r.text]), [
    [2, '几何', '几何无效：边界自相交（可勾选“自动修复无效几何”）（self-intersection）'],
    [2, '县级行政区划代码', '县区代码无效'],
    [3, 'name', '缺少必填属性（missing）'],
  ]);
  const fc = problemFeatures(a.rows);
  assert.equal(fc.features.length, 1, 'one feature per problem feature with a geometry');
  assert.equal(fc.features[0].id, 'import-2');

  const unmapped = readAnswer(422, {
    type: 'https://landguard.dev/problems/unmapped-fields',
    detail: '文件中没有字段对应 parcel_code — no field gives parcel_code',
    missing_properties: ['parcel_code'],
    file_fields: ['宗地号', '行政区代码'],
  });
  assert.deepEqual([unmapped.kind, unmapped.missing, unmapped.fileFields, unmapped.message], [
    'unmapped',
    ['parcel_code'],
    ['宗地号', '行政区代码'],
    '文件中没有字段对应 parcel_code',
  ]);
  assert.equal(readAnswer(403, { type: 'x/out-of-scope', report: { problems: [{ ordinal: 1, code: 'GL-1' }] } }).kind, 'outside');
  assert.equal(readAnswer(422, refused, { lang: 'en' }).rows[0].text, 'self-intersection');
  const other = readAnswer(415, { type: 'x/unsupported-file', detail: '可导入：… — import takes …' }, { lang: 'en' });
  assert.deepEqual([other.kind, other.message], ['error', 'import takes …']);
});
