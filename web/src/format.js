// Formatting of areas, numbers, dates and decisions for display. Pure functions of their arguments
// (the language is passed in or taken from i18n), so node's test runner checks them directly.

import { DECISION_COLOURS } from './palette.js';
import { getLang, t } from './i18n.js';

/** 1 亩 (mu) = 10000/15 m² ≈ 666.67 m² (docs/domain.md §1). */
export const M2_PER_MU = 10000 / 15;
export const M2_PER_HA = 10000;

export function m2ToMu(m2) {
  return m2 / M2_PER_MU;
}

export function m2ToHa(m2) {
  return m2 / M2_PER_HA;
}

const LOCALES = { zh: 'zh-CN', en: 'en-GB' };

/** A number with thousands separators and at most `digits` decimals (trailing zeros kept to `min`). */
export function formatNumber(x, digits = 2, lang = getLang(), min = 0) {
  if (x === null || x === undefined || Number.isNaN(Number(x))) return '–';
  return new Intl.NumberFormat(LOCALES[lang] || 'zh-CN', {
    maximumFractionDigits: digits,
    minimumFractionDigits: Math.min(min, digits),
  }).format(Number(x));
}

/** "61,893.6 平方米（92.84 亩）" / "61,893.6 m² (92.84 mu)". */
export function formatArea(m2, lang = getLang()) {
  if (m2 === null || m2 === undefined || Number.isNaN(Number(m2))) return '–';
  const sq = `${formatNumber(m2, 1, lang)} ${t('units.m2', null, lang)}`;
  const mu = `${formatNumber(m2ToMu(m2), 2, lang)} ${t('units.mu', null, lang)}`;
  return lang === 'zh' ? `${sq}（${mu}）` : `${sq} (${mu})`;
}

/** Large areas in 亩 and hectares: "3,283.83 亩（218.92 公顷）". */
export function formatAreaMu(m2, lang = getLang()) {
  if (m2 === null || m2 === undefined || Number.isNaN(Number(m2))) return '–';
  const mu = `${formatNumber(m2ToMu(m2), 2, lang)} ${t('units.mu', null, lang)}`;
  const ha = `${formatNumber(m2ToHa(m2), 2, lang)} ${t('units.ha', null, lang)}`;
  return lang === 'zh' ? `${mu}（${ha}）` : `${mu} (${ha})`;
}

/** A ratio 0..1 as a percentage: 0.4199 → "42.0%". */
export function formatRatio(ratio, digits = 1) {
  if (ratio === null || ratio === undefined || Number.isNaN(Number(ratio))) return '–';
  return `${(Number(ratio) * 100).toFixed(digits)}%`;
}

/** A value already in percent: 92.15 → "92.15%". */
export function formatPercent(pct, digits = 2) {
  if (pct === null || pct === undefined || Number.isNaN(Number(pct))) return '–';
  return `${Number(Number(pct).toFixed(digits))}%`;
}

/** Metres: "156 米" / "1.2 km". */
export function formatDistance(m, lang = getLang()) {
  if (m === null || m === undefined || Number.isNaN(Number(m))) return '–';
  if (m >= 1000) return `${formatNumber(m / 1000, 2, lang)} ${t('units.km', null, lang)}`;
  return `${formatNumber(m, 0, lang)} ${t('units.m', null, lang)}`;
}

const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A calendar date "2025-03-01" → "2025年3月1日" / "1 Mar 2025"; anything else is returned as is. */
export function formatDate(iso, lang = getLang()) {
  if (!iso) return '–';
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso));
  if (!m) return String(iso);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return String(iso);
  return lang === 'zh' ? `${y}年${mo}月${d}日` : `${d} ${MONTHS_EN[mo - 1]} ${y}`;
}

function pad(n) {
  return String(n).padStart(2, '0');
}

/**
 * An instant (RFC 3339) shown in China Standard Time (UTC+8, no daylight saving), where the staff
 * are: "2026-11-22T20:11:29+00:00" → "2026-11-23 04:11".
 */
export function formatTimestamp(iso) {
  if (!iso) return '–';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return String(iso);
  const d = new Date(ms + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** Today's date in China Standard Time as YYYY-MM-DD (the day documents are dated in). */
export function todayCst(now = Date.now()) {
  const d = new Date(now + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

export const DECISIONS = ['allowed', 'conditional', 'denied'];

/** How a decision is shown: its label, colours and a CSS class. Unknown decisions are shown as denied-grey. */
export function decisionBadge(decision, lang = getLang()) {
  const colours = DECISION_COLOURS[decision] || { fg: '#ffffff', bg: '#616161' };
  return {
    decision,
    text: DECISIONS.includes(decision) ? t(`decision.${decision}`, null, lang) : String(decision),
    fg: colours.fg,
    bg: colours.bg,
    className: `decision decision-${DECISIONS.includes(decision) ? decision : 'unknown'}`,
  };
}

/** The stronger of two decisions: denied > conditional > allowed. */
export function strongerDecision(a, b) {
  return DECISIONS.indexOf(a) >= DECISIONS.indexOf(b) ? a : b;
}

/** A boolean property: 是/否/未知. */
export function formatBool(v, lang = getLang()) {
  if (v === true || v === 'true') return t('card.yes', null, lang);
  if (v === false || v === 'false') return t('card.no', null, lang);
  return t('card.unknown', null, lang);
}

/** The message of a check reason in the current language (falls back to the other). */
export function reasonMessage(reason, lang = getLang()) {
  if (!reason) return '';
  return (lang === 'en' ? reason.message_en || reason.message_zh : reason.message_zh || reason.message_en) || '';
}

/** HTML-escape text for innerHTML templates. */
export function esc(s) {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
