import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeProblem, pickLang, problemMessage } from '../../src/problem.js';

test('a "中文 — English" detail shows the half in the viewer\'s language', () => {
  const s = "'wang.li' 只能修改 4502 的要素 — 'wang.li' may write only in 4502";
  assert.equal(pickLang(s, 'zh'), "'wang.li' 只能修改 4502 的要素");
  assert.equal(pickLang(s, 'en'), "'wang.li' may write only in 4502");
  assert.equal(pickLang('a — b', 'zh'), 'a — b', 'no Chinese half: the whole text');
  assert.equal(pickLang('If-Match does not match', 'zh'), 'If-Match does not match');
});

test('each kind of problem has a Chinese title; the server\'s detail follows it', () => {
  const stale = { type: 'https://landguard.dev/problems/stale-etag', title: 'The feature has changed', detail: 'If-Match does not match' };
  assert.equal(describeProblem(412, stale).title, '要素已被他人修改');
  assert.equal(describeProblem(412, stale, { lang: 'en' }).title, 'The feature was changed by someone else');
  const scope = {
    type: 'https://landguard.dev/problems/out-of-scope',
    detail: "'wang.li' 只能修改 4502 的要素，construction_parcels 'GL-1' 属于 450321 — 'wang.li' may write only in 4502",
  };
  assert.equal(problemMessage(403, scope), "超出可编辑的县区：'wang.li' 只能修改 4502 的要素，construction_parcels 'GL-1' 属于 450321");
  assert.equal(describeProblem(418, { type: 'x/teapot' }).title, '请求未成功（HTTP 418）');
});

test('errors name the field by its label; a refused step lists the allowed ones', () => {
  const d = describeProblem(
    400,
    { type: '.../invalid-feature', detail: '1 problem found; nothing was stored', errors: [{ pointer: '/properties/county_code', detail: 'must be a 6-digit code' }] },
    { fieldLabel: (n) => ({ county_code: '县级行政区划代码' })[n] || n },
  );
  assert.deepEqual(d.items, [{ pointer: '/properties/county_code', field: '县级行政区划代码', text: 'must be a 6-digit code' }]);
  const life = describeProblem(409, {
    type: 'https://landguard.dev/problems/lifecycle',
    detail: "a parcel in state 'listed' cannot move to 'delisted'; allowed next states: under_control, under_remediation",
    current_state: 'listed',
    allowed_next_states: ['under_control', 'under_remediation'],
  });
  assert.equal(life.title, '生命周期不允许此步骤');
  assert.equal(life.detail, '当前阶段“已列入名录”之后只能进入：风险管控中、修复中');
});
