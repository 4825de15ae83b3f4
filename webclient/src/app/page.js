// The few things every part of the page shares: finding an element, and the banner under the top bar.
export const $ = (selector) => document.querySelector(selector);

/** One sentence in the banner; an empty text hides it. */
export function showBanner(text) {
  const banner = $('#banner');
  banner.textContent = text || '';
  banner.hidden = !text;
}
