// <fl-image-card>: one photo with its suggested label, a class picker and delete.
// Data in through properties (record, classes, suggestion, prediction, thumbnailUrl, status);
// out through events: `label-change` {id, label} and `delete-image` {id}.
export class FlImageCard extends HTMLElement {
  constructor() {
    super();
    this._state = { record: null, classes: [], suggestion: null, prediction: null, thumbnailUrl: '', status: '' };
  }

  update(partial) { Object.assign(this._state, partial); if (this.isConnected) this.render(); }

  connectedCallback() {
    if (!this.firstChild) this.build();
    this.render();
  }

  build() {
    this.innerHTML = `
      <img class="thumb" alt="" loading="lazy" decoding="async">
      <div class="card-body">
        <div class="card-name"></div>
        <div class="card-hint"></div>
        <select class="label-select"></select>
        <div class="card-actions">
          <button type="button" class="accept">Accept</button>
          <button type="button" class="delete" aria-label="Delete photo" title="Delete photo">✕</button>
        </div>
      </div>`;
    this.querySelector('select').addEventListener('change', (e) => {
      if (e.target.value) this.emit('label-change', { id: this._state.record.id, label: e.target.value });
    });
    this.querySelector('.accept').addEventListener('click', () => {
      const label = this._state.suggestion?.label;
      if (label) this.emit('label-change', { id: this._state.record.id, label });
    });
    this.querySelector('.delete').addEventListener('click', () => this.emit('delete-image', { id: this._state.record.id }));
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true })); }

  render() {
    const { record, classes, suggestion, prediction, thumbnailUrl, status } = this._state;
    if (!record) return;
    this.dataset.id = record.id;
    this.dataset.number = String(record.number ?? '');
    this.dataset.name = record.name;
    this.dataset.role = record.role;
    this.dataset.confirmed = String(record.labelConfirmed);
    this.dataset.label = record.label || '';
    const img = this.querySelector('img');
    if (thumbnailUrl && img.getAttribute('src') !== thumbnailUrl) img.src = thumbnailUrl;
    img.alt = record.name;
    this.querySelector('.card-name').textContent = record.name;

    const hint = this.querySelector('.card-hint');
    const isTest = record.role === 'test';
    if (status) hint.textContent = status;
    else if (isTest && prediction) hint.textContent = `Model says ${prediction.label} ${prediction.correct ? '✓' : '✗'}`;
    else if (isTest) hint.textContent = record.labelConfirmed ? 'True label set' : 'Pick the true label';
    else if (record.labelConfirmed) hint.textContent = suggestion && suggestion.label !== record.label ? `Corrected (model said ${suggestion.label})` : 'Label confirmed';
    else if (suggestion) hint.textContent = `Suggested: ${suggestion.label} (${Math.round(suggestion.confidence * 100)}%)`;
    else hint.textContent = 'Pick a label';
    this.classList.toggle('confirmed', record.labelConfirmed);
    this.classList.toggle('wrong', !!(isTest && prediction && !prediction.correct));

    const select = this.querySelector('select');
    select.setAttribute('aria-label', `${isTest ? 'True label' : 'Label'} of ${record.name}`);
    const wanted = ['', ...classes].join('\u0000');
    if (select.dataset.options !== wanted) {
      select.replaceChildren(
        Object.assign(document.createElement('option'), { value: '', textContent: isTest ? 'True label…' : 'Choose label…' }),
        ...classes.map((c) => Object.assign(document.createElement('option'), { value: c, textContent: c })));
      select.dataset.options = wanted;
    }
    // Unconfirmed photos show the placeholder, so picking any class (the suggested one too) confirms it.
    select.value = record.labelConfirmed && record.label ? record.label : '';
    const accept = this.querySelector('.accept');
    accept.hidden = isTest || record.labelConfirmed || !suggestion;
    accept.setAttribute('aria-label', suggestion ? `Accept ${suggestion.label} for ${record.name}` : 'Accept');
  }
}
customElements.define('fl-image-card', FlImageCard);
