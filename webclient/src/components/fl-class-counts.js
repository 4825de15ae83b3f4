// <fl-class-counts>: one chip per class with how many confirmed photos it has.
export class FlClassCounts extends HTMLElement {
  set counts(counts) { this._counts = counts; this.render(); }
  get counts() { return this._counts || {}; }

  render() {
    this.replaceChildren(...Object.entries(this.counts).map(([name, n]) => {
      const chip = document.createElement('span');
      chip.className = 'chip' + (n === 0 ? ' chip-empty' : '');
      chip.dataset.class = name;
      chip.textContent = `${name} · ${n}`;
      return chip;
    }));
  }
}
customElements.define('fl-class-counts', FlClassCounts);
