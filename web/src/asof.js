// The one owner of the map's as-of date: the day the register is shown as it stood (YYYY-MM-DD), or
// null for now. The registry layers, the feature card, the banner, the layers panel and the page URL
// read it here, and a change goes through set(), which tells every subscriber in the order they
// subscribed. It also owns today's date in China Standard Time, the latest day any as-of input takes.

import { todayCst } from './format.js';

export function createAsOf(datetime = null, now = Date.now()) {
  let current = datetime || null;
  const subscribers = [];
  return {
    today: todayCst(now),
    get datetime() {
      return current;
    },
    set(next) {
      current = next || null;
      for (const fn of subscribers) fn(current);
    },
    subscribe(fn) {
      subscribers.push(fn);
    },
    /** `?datetime=…` for a request of the register on the as-of day, or '' for now. */
    query() {
      return current ? `?datetime=${encodeURIComponent(current)}` : '';
    },
  };
}

/** `href` with its `datetime` parameter set to `datetime`, or without it for now (the permalink). */
export function hrefWithDatetime(href, datetime) {
  const url = new URL(href);
  if (datetime) url.searchParams.set('datetime', datetime);
  else url.searchParams.delete('datetime');
  return url.toString();
}
