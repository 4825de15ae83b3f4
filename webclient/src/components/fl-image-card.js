// <fl-image-card>: one photo, named by its number ("Photo 3"), with the class model's suggestion (when
// one is offered), a label picker, Accept, and delete — in the photo's corner, away from Accept, and
// only after "Delete this photo?" is answered.
// Data in through properties (record, classes, suggestion, unsure, prediction, thumbnailUrl, status, unusable,
// explainable: whether "Why?" is offered, reusable: whether copying it to another session is); out through
// events: `label-change` {id, label}, `delete-image` {id}, `explain-image` {id} ("Why?", app/why_dialog.js)
// and `reuse-image` {id} ("Use this photo in another class too", app/reuse_dialog.js).
// What tests read: data-id, data-number, data-name (the file's name, never shown), data-role,
// data-confirmed, data-label, data-suggestion (the offered class, or absent), data-predicted (the class
// model's answer on a test photo) and data-unusable (the photo cannot be used; its hint says why).
import { t } from '../lib/messages.js';

export class FlImageCard extends HTMLElement {
  constructor() {
    super();
    this._state = {
      record: null, classes: [], suggestion: null, unsure: false, prediction: null, thumbnailUrl: '', status: '', unusable: false, explainable: false, reusable: false,
    };
    this.confirming = false;
  }

  update(partial) { Object.assign(this._state, partial); if (this.isConnected) this.render(); }

  connectedCallback() {
    if (!this.firstChild) this.build();
    this.render();
  }

  build() {
    this.innerHTML = `
      <div class="thumb-wrap">
        <img class="thumb" alt="" loading="lazy" decoding="async">
        <button type="button" class="delete">✕</button>
      </div>
      <div class="card-body">
        <div class="card-name"></div>
        <div class="card-hint"></div>
        <select class="label-select"></select>
        <button type="button" class="accept"></button>
        <button type="button" class="why"></button>
        <button type="button" class="reuse"></button>
        <div class="confirm-box" role="group" hidden>
          <p class="confirm-question"></p>
          <button type="button" class="danger confirm-delete"></button>
          <button type="button" class="keep-photo"></button>
        </div>
      </div>`;
    this.querySelector('select').addEventListener('change', (e) => {
      if (e.target.value) this.emit('label-change', { id: this._state.record.id, label: e.target.value });
    });
    this.querySelector('.accept').addEventListener('click', () => {
      const label = this._state.suggestion?.label;
      if (label) this.emit('label-change', { id: this._state.record.id, label });
    });
    this.querySelector('.why').addEventListener('click', () => this.emit('explain-image', { id: this._state.record.id }));
    this.querySelector('.reuse').addEventListener('click', () => this.emit('reuse-image', { id: this._state.record.id }));
    this.querySelector('.delete').addEventListener('click', () => this.askToDelete(true));
    this.querySelector('.keep-photo').addEventListener('click', () => this.askToDelete(false));
    this.querySelector('.confirm-delete').addEventListener('click', () => this.emit('delete-image', { id: this._state.record.id }));
    this.querySelector('.confirm-box').addEventListener('keydown', (e) => { if (e.key === 'Escape') this.askToDelete(false); });
  }

  /** Show or hide "Delete this photo?"; focus goes to the safe answer, and back to ✕ after Keep. */
  askToDelete(yes) {
    this.confirming = yes;
    this.render();
    this.querySelector(yes ? '.keep-photo' : '.delete').focus();
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true })); }

  hint() {
    const { record, suggestion, prediction, status } = this._state;
    if (status) return status;
    if (record.role === 'test') {
      if (prediction) return t(prediction.correct ? 'cardModelSaidRight' : 'cardModelSaidWrong', { label: prediction.label });
      return record.labelConfirmed ? t('cardTrueLabelSet') : t('cardPickTrueLabel');
    }
    if (record.labelConfirmed) return t('cardLabelled');
    if (suggestion) return t('cardSuggestion', { label: suggestion.label });
    return this._state.unsure ? t('cardNotSure') : t('cardPickLabel');
  }

  render() {
    const { record, classes, suggestion, prediction, thumbnailUrl } = this._state;
    if (!record) return;
    const isTest = record.role === 'test';
    const name = t(isTest ? 'cardTestTitle' : 'cardTitle', { n: record.number ?? '' });
    Object.assign(this.dataset, {
      id: record.id, number: String(record.number ?? ''), name: record.name, role: record.role,
      confirmed: String(record.labelConfirmed), label: record.label || '',
    });
    if (suggestion && !isTest) this.dataset.suggestion = suggestion.label; else delete this.dataset.suggestion;
    if (prediction) this.dataset.predicted = prediction.label; else delete this.dataset.predicted;
    if (this._state.unusable) this.dataset.unusable = 'true'; else delete this.dataset.unusable;

    const img = this.querySelector('img');
    if (thumbnailUrl && img.getAttribute('src') !== thumbnailUrl) img.src = thumbnailUrl;
    img.alt = record.labelConfirmed && record.label ? t('cardAltLabelled', { name, label: record.label }) : t('cardAltUnlabelled', { name });
    this.querySelector('.card-name').textContent = name;
    this.querySelector('.card-hint').textContent = this.hint();
    this.classList.toggle('confirmed', record.labelConfirmed);
    this.classList.toggle('wrong', !!(isTest && prediction && !prediction.correct));

    const select = this.querySelector('select');
    select.setAttribute('aria-label', t(isTest ? 'cardTrueLabelOf' : 'cardLabelOf', { name }));
    const wanted = [t(isTest ? 'cardChooseTrueLabel' : 'cardChooseLabel'), ...classes].join('\u0000');
    if (select.dataset.options !== wanted) {
      select.replaceChildren(
        Object.assign(document.createElement('option'), { value: '', textContent: t(isTest ? 'cardChooseTrueLabel' : 'cardChooseLabel') }),
        ...classes.map((c) => Object.assign(document.createElement('option'), { value: c, textContent: c })));
      select.dataset.options = wanted;
    }
    // Unconfirmed photos show the placeholder, so picking any class (the suggested one too) confirms it.
    select.value = record.labelConfirmed && record.label ? record.label : '';
    const accept = this.querySelector('.accept');
    accept.hidden = isTest || record.labelConfirmed || !suggestion || this.confirming;
    accept.textContent = t('cardAccept');
    accept.setAttribute('aria-label', suggestion ? t('cardAcceptFor', { label: suggestion.label, name }) : t('cardAccept'));
    const why = this.querySelector('.why');
    why.hidden = !this._state.explainable || this._state.unusable || this.confirming;
    why.textContent = t('cardWhy');
    why.setAttribute('aria-label', t('cardWhyFor', { name }));
    const reuse = this.querySelector('.reuse');
    reuse.hidden = !this._state.reusable || this.confirming;
    reuse.textContent = t('cardReuse');
    reuse.setAttribute('aria-label', t('cardReuseFor', { name }));

    const del = this.querySelector('.delete');
    del.setAttribute('aria-label', t('cardDelete', { name }));
    del.title = t('cardDelete', { name });
    del.hidden = this.confirming;
    select.hidden = this.confirming;
    const box = this.querySelector('.confirm-box');
    box.hidden = !this.confirming;
    box.setAttribute('aria-label', t('cardDelete', { name }));
    this.querySelector('.confirm-question').textContent = t('cardDeleteQuestion');
    this.querySelector('.confirm-delete').textContent = t('cardDeleteYes');
    this.querySelector('.keep-photo').textContent = t('cardDeleteNo');
  }
}
customElements.define('fl-image-card', FlImageCard);
