// Printing a check answer or a feature card on one A4 page: the map of the extent shown, then the answer
// (decision, every reason, the receipt id) or the card. The map is drawn at the printed size before the
// browser's print dialog opens, and at the screen's size again after it (app.css, "printing").

const CLASSES = ['print-check', 'print-card'];

/** Lays the page out for printing `what` ('check' | 'card'), or back for the screen (null); resolves once drawn. */
export function printLayout(map, what) {
  document.body.classList.remove(...CLASSES);
  if (what) document.body.classList.add(`print-${what}`);
  const done = new Promise((resolve) => map.once('rendercomplete', resolve));
  map.updateSize();
  map.render();
  return done;
}

/** The print button: lay out, print, lay back. */
export async function printNow(map, what) {
  await printLayout(map, what);
  window.addEventListener('afterprint', () => printLayout(map, null), { once: true });
  window.print();
}
