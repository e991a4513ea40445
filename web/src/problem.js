// The server's errors (RFC 9457 problem+json, docs/api.md) told in the viewer's language with the server's own
// explanation: its `detail` (or `detail_zh`), each of its `errors[]` (a JSON pointer and a detail) under the
// field's label, and for a refused lifecycle step the steps that are allowed. The server writes most details
// as "中文 — English"; the half in the viewer's language is shown. Pure: node's test runner checks it.

import { label, t } from './i18n.js';

/** The Chinese half (lang 'zh') or the English half of a "中文 — English" text; other texts whole. */
export function pickLang(text, lang = 'zh') {
  const s = String(text ?? '');
  const i = s.indexOf(' — ');
  if (i < 0) return s;
  const zh = s.slice(0, i).trim();
  const en = s.slice(i + 3).trim();
  // only when the first half really is the Chinese one
  if (!/[\u4e00-\u9fff]/.test(zh)) return s;
  return lang === 'zh' ? zh : en;
}

function kindOf(problem) {
  const type = problem && typeof problem.type === 'string' ? problem.type : '';
  return type.slice(type.lastIndexOf('/') + 1);
}

/**
 * What an error answer says, in `lang`: { title, detail, items: [{ pointer, field, text }] }.
 * `fieldLabel(name)` names a property (from the collection's schema), `stateLabel(value)` a lifecycle state.
 */
export function describeProblem(status, problem, { lang = 'zh', fieldLabel = (n) => n, stateLabel } = {}) {
  const p = problem && typeof problem === 'object' ? problem : {};
  const kind = kindOf(p);
  const known = t(`problem.${kind}`, null, lang);
  let title;
  if (lang === 'zh' && p.title_zh) title = p.title_zh;
  else if (kind && known !== `problem.${kind}`) title = known;
  else if (lang === 'en' && p.title) title = p.title;
  else title = t('problem.http', { status }, lang);
  let detail = lang === 'zh' && p.detail_zh ? p.detail_zh : pickLang(p.detail || '', lang);
  if (Array.isArray(p.allowed_next_states)) {
    const name = stateLabel || ((s) => label('state', s, lang));
    const allowed = p.allowed_next_states.map(name).join(lang === 'zh' ? '、' : ', ');
    detail = t('problem.allowed_next', { from: name(p.current_state), allowed: allowed || t('card.none', null, lang) }, lang);
  }
  const items = (Array.isArray(p.errors) ? p.errors : []).map((e) => {
    const pointer = String(e.pointer || '');
    const name = pointer.replace(/^\/properties\//, '').replace(/^\//, '').split('/')[0];
    return { pointer, field: name ? fieldLabel(name) : '', text: pickLang(e.detail || e.message || '', lang) };
  });
  return { title, detail, items };
}

/** The same as one line: "title：detail；field：text；…". */
export function problemMessage(status, problem, opts = {}) {
  const lang = opts.lang || 'zh';
  const d = describeProblem(status, problem, opts);
  const sep = lang === 'zh' ? '：' : ': ';
  const parts = [d.detail ? `${d.title}${sep}${d.detail}` : d.title];
  for (const i of d.items) parts.push(i.field ? `${i.field}${sep}${i.text}` : i.text);
  return parts.join(lang === 'zh' ? '；' : '; ');
}
