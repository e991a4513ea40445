// Common proposed uses for a check, in the 2023 classification (国土空间调查、规划、用途管制用地用海分类指南,
// `ydyh2023`, the service's default). Grouped as the select shows them; the Chinese names are the
// official ones (the service answers with the same), the English ones are glosses.

export const USE_GROUPS = [
  {
    code: '07',
    zh: '居住用地',
    en: 'Residential',
    uses: [
      ['070101', '一类城镇住宅用地', 'Class-1 urban residential'],
      ['070102', '二类城镇住宅用地', 'Class-2 urban residential'],
      ['070103', '三类城镇住宅用地', 'Class-3 urban residential'],
      ['0702', '城镇社区服务设施用地', 'Urban community services'],
      ['0703', '农村宅基地', 'Rural homesteads'],
    ],
  },
  {
    code: '08',
    zh: '公共管理与公共服务用地',
    en: 'Public administration and services',
    uses: [
      ['0801', '机关团体用地', 'Government and organisations'],
      ['0802', '科研用地', 'Research'],
      ['0803', '文化用地', 'Culture'],
      ['080401', '高等教育用地', 'Higher education'],
      ['080403', '中小学用地', 'Primary and secondary schools'],
      ['080404', '幼儿园用地', 'Kindergartens'],
      ['0805', '体育用地', 'Sports'],
      ['080601', '医院用地', 'Hospitals'],
      ['0807', '社会福利用地', 'Social welfare'],
    ],
  },
  {
    code: '09',
    zh: '商业服务业用地',
    en: 'Commercial',
    uses: [
      ['0901', '商业用地', 'Commercial'],
      ['090104', '旅馆用地', 'Hotels'],
      ['0902', '商务金融用地', 'Business and finance'],
      ['0903', '娱乐康体用地', 'Recreation'],
    ],
  },
  {
    code: '10',
    zh: '工矿用地',
    en: 'Industrial and mining',
    uses: [
      ['100101', '一类工业用地', 'Class-1 industrial'],
      ['100102', '二类工业用地', 'Class-2 industrial'],
      ['100103', '三类工业用地', 'Class-3 industrial'],
      ['1002', '采矿用地', 'Mining'],
    ],
  },
  {
    code: '11',
    zh: '仓储用地',
    en: 'Storage',
    uses: [['1101', '物流仓储用地', 'Logistics and storage']],
  },
  {
    code: '12-14',
    zh: '交通、公用设施与绿地',
    en: 'Transport, utilities and green space',
    uses: [
      ['1207', '城镇村道路用地', 'Roads'],
      ['1208', '交通场站用地', 'Transport stations'],
      ['13', '公用设施用地', 'Utilities'],
      ['1401', '公园绿地', 'Parks'],
      ['1402', '防护绿地', 'Buffer green space'],
      ['1403', '广场用地', 'Squares'],
    ],
  },
  {
    code: '01-03',
    zh: '农林用地',
    en: 'Agriculture and forest',
    uses: [
      ['0101', '水田', 'Paddy'],
      ['0103', '旱地', 'Dry land'],
      ['0201', '果园', 'Orchards'],
      ['0301', '乔木林地', 'Forest'],
    ],
  },
  {
    code: '16',
    zh: '留白用地',
    en: 'Reserved',
    uses: [['16', '留白用地', 'Reserved land']],
  },
];

export const USES = USE_GROUPS.flatMap((g) => g.uses.map(([code, zh, en]) => ({ code, zh, en, group: g.code })));

/** 一住两公 in ydyh2023: residential (07…) and public administration and services (08…). */
export function isHousingOrPublic(code) {
  return /^0[78]/.test(String(code));
}

/** "070101 一类城镇住宅用地" (zh) / "070101 一类城镇住宅用地 · Class-1 urban residential" (en). */
export function useLabel(code, lang) {
  const u = USES.find((x) => x.code === code);
  if (!u) return String(code);
  return lang === 'en' ? `${u.code} ${u.zh} · ${u.en}` : `${u.code} ${u.zh}`;
}
