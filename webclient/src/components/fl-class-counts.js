// <fl-class-counts>: one chip per class with how many labelled photos it has.
import { t } from '../lib/messages.js';

export class FlClassCounts extends HTMLElement {
  set counts(counts) { this._counts = counts; this.render(); }
  get counts() { return this._counts || {}; }

  render() {
    this.setAttribute('role', 'list');
    this.setAttribute('aria-label', t('countsLabel'));
    this.replaceChildren(...Object.entries(this.counts).map(([name, n]) => {
      const chip = document.createElement('span');
      chip.setAttribute('role', 'listitem');
      chip.className = 'chip' + (n === 0 ? ' chip-empty' : '');
      chip.dataset.class = name;
      chip.textContent = t('countChip', { label: name, n });
      return chip;
    }));
  }
}
customElements.define('fl-class-counts', FlClassCounts);
