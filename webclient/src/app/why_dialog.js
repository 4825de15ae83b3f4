// "Why?" on a photo card: a dialog with the photo and, over it, where the class model (or, after local
// training, the participant's own model) looked to decide what it is (<fl-explanation>). It opens on
// the class the card suggests, else the label chosen, else the model's top class; every class's score
// is a button that shows that class's map. Each map shown is a study event (no pixels).
import { imageBlob } from '../lib/storage.js';
import { startingClass } from '../lib/explain.js';
import { t } from '../lib/messages.js';
import { $ } from './page.js';

export class WhyDialog {
  /** @param app the ParticipantApp: its explainer, photos (PhotoBoard), task and study log. */
  constructor(app) {
    this.app = app;
    this.dialog = $('#why-dialog');
    this.view = $('#why-view');
    this.opener = null;
    this.shown = null; // {record, look, model, classIndex}
    $('#why-close').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.dialog.close(); });
    this.dialog.addEventListener('close', () => {
      this.shown = null;
      this.opener?.focus();
    });
    this.view.addEventListener('explain-class', (e) => this.render({ classIndex: e.detail.classIndex }));
    this.view.addEventListener('explain-model', (e) => this.render({ model: e.detail.model }));
  }

  /** Open on photo `id`; `opener` gets the focus back when the dialog closes. */
  async open(id, opener = null) {
    const { app } = this;
    const record = await app.store.getImage(id);
    if (!record) return;
    this.opener = opener;
    const name = t(record.role === 'test' ? 'cardTestTitle' : 'cardTitle', { n: record.number ?? '' });
    $('#why-title').textContent = t('whyTitle', { name });
    this.view.busy = t('explainLooking');
    const opened = { record };
    this.shown = opened;
    if (!this.dialog.open) this.dialog.showModal();
    try {
      const look = await app.explainer.look(imageBlob(record));
      if (this.shown !== opened) return; // closed, or another photo, meanwhile
      const model = app.explainer.defaultModel();
      const state = app.photos.states.get(id);
      const top = app.explainer.explain(look, model).top;
      const suggestion = record.role === 'train' && !record.labelConfirmed ? state?.suggestion : null;
      Object.assign(opened, { look, model, classIndex: startingClass(app.task.classes, { suggestion, label: record.label, labelConfirmed: record.labelConfirmed }, top) });
      this.render();
    } catch (err) {
      if (this.shown === opened) this.view.error = t('explainFailed', { message: err.message || err });
    }
  }

  /** Show the map of `classIndex` by `model` (either unchanged if not given), and log it. */
  render({ classIndex = this.shown?.classIndex, model = this.shown?.model } = {}) {
    const shown = this.shown;
    if (!shown?.look) return;
    const { explainer, study } = this.app;
    if (model === 'own' && !explainer.ownModel()) model = 'class';
    Object.assign(shown, { classIndex, model });
    const result = explainer.explain(shown.look, model, classIndex);
    this.view.show(explainer.view(shown.look, result, model));
    study.explanationViewed({
      image: shown.record.number ?? 0, shown: this.app.task.classes[result.classIndex], model, version: explainer.modelOf(model).version,
    });
  }
}
