// The few things every part of the page shares: finding an element, the banner under the top bar,
// and putting the catalogue's words (lib/messages.js) into the page's own markup (index.html).
import { t } from '../lib/messages.js';

export const $ = (selector) => document.querySelector(selector);

/** One sentence in the banner; an empty text hides it. */
export function showBanner(text) {
  const banner = $('#banner');
  banner.textContent = text || '';
  banner.hidden = !text;
}

/**
 * Text from the catalogue for every element under `root` with `data-i18n="entry"`, and attributes
 * for `data-i18n-attr="attribute:entry;attribute:entry"`.
 */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attribute, key] = pair.split(':').map((s) => s.trim());
      if (attribute && key) el.setAttribute(attribute, t(key));
    }
  }
}
