// <fl-progress label="Getting your photos ready" value="3" max="10" detail="…">: a labelled progress bar.
export class FlProgress extends HTMLElement {
  static observedAttributes = ['label', 'value', 'max', 'detail'];

  connectedCallback() {
    if (!this.firstChild) {
      this.innerHTML = '<div class="progress-text"><span class="progress-label"></span> <span class="progress-detail"></span></div><progress></progress>';
    }
    this.render();
  }

  attributeChangedCallback() { if (this.isConnected && this.firstChild) this.render(); }

  set({ label, value, max, detail }) {
    if (label !== undefined) this.setAttribute('label', label);
    if (value !== undefined) this.setAttribute('value', String(value));
    if (max !== undefined) this.setAttribute('max', String(max));
    if (detail !== undefined) this.setAttribute('detail', detail);
  }

  render() {
    const bar = this.querySelector('progress');
    const max = Number(this.getAttribute('max') || 0);
    if (max > 0) { bar.max = max; bar.value = Number(this.getAttribute('value') || 0); } else { bar.removeAttribute('value'); }
    const label = this.getAttribute('label') || '';
    bar.setAttribute('aria-label', label);
    this.querySelector('.progress-label').textContent = label;
    this.querySelector('.progress-detail').textContent = this.getAttribute('detail') || '';
  }
}
customElements.define('fl-progress', FlProgress);
