// "Try it": the participant takes or picks a photo that is only looked at — never stored (not in
// IndexedDB, not in the photo list) and never sent — and sees what the class model (or their own
// model, after local training) thinks of it: every class's score and, over the photo, where the model
// looked to decide (<fl-explanation>). Scoring a photo and each map shown are study events (no pixels).
import { t } from '../lib/messages.js';
import { validateImageFile } from '../image_decode.js';
import { $ } from './page.js';

export class TryIt {
  /** @param app the ParticipantApp: its explainer, task, model and study log. */
  constructor(app) {
    this.app = app;
    this.view = $('#try-view');
    this.shown = null; // {look, model, classIndex}: what is on screen, in memory only
    this.busy = false;
    for (const input of [$('#try-pick'), $('#try-take')]) {
      input.addEventListener('change', () => {
        const [file] = input.files;
        input.value = ''; // the page holds no reference to the file once it is looked at
        if (file) this.tryPhoto(file);
      });
    }
    this.view.addEventListener('explain-class', (e) => this.render({ classIndex: e.detail.classIndex }));
    this.view.addEventListener('explain-model', (e) => this.render({ model: e.detail.model, scored: true }));
  }

  /** Whether trying makes sense now: the class model (or the participant's own) has learned something. */
  refresh() {
    const { explainer } = this.app;
    const ready = explainer.classModelLearned() || explainer.ownModel() !== null;
    const note = $('#try-note');
    note.textContent = explainer.hasFeatureMap === false ? t('tryNoMap') : ready ? '' : t('tryNotLearned');
    note.hidden = !note.textContent;
    $('#try-buttons').hidden = !ready;
    $('#tab-try').dataset.ready = String(ready);
  }

  async tryPhoto(file) {
    const { explainer } = this.app;
    const error = $('#try-error');
    error.hidden = true;
    this.shown = null;
    this.view.hidden = false;
    this.view.busy = t('explainLooking');
    const mine = {};
    this.pending = mine;
    try {
      await validateImageFile(file);
      const look = await explainer.look(file);
      if (this.pending !== mine) return; // another photo was chosen meanwhile
      this.shown = { look, model: explainer.defaultModel(), classIndex: null };
      this.render({ scored: true });
    } catch (err) {
      if (this.pending !== mine) return;
      this.view.hidden = true;
      error.textContent = t('tryFailed', { message: err.message || err });
      error.hidden = false;
    }
  }

  /**
   * Show the map of `classIndex` (null: the top class) by `model`; `scored`: the scores are new (a new
   * photo, or another model), which is a `photo_tried` event.
   */
  render({ classIndex = this.shown?.classIndex, model = this.shown?.model, scored = false } = {}) {
    const shown = this.shown;
    if (!shown) return;
    const { explainer, study, task } = this.app;
    if (model === 'own' && !explainer.ownModel()) model = 'class';
    const result = explainer.explain(shown.look, model, classIndex);
    Object.assign(shown, { model, classIndex: result.classIndex });
    this.view.show(explainer.view(shown.look, result, model));
    const version = explainer.modelOf(model).version;
    if (scored) study.photoTried({ top: task.classes[result.top], confidence: result.probabilities[result.top], model, version });
    if (result.map) study.explanationViewed({ image: 0, shown: task.classes[result.classIndex], model, version });
  }
}
