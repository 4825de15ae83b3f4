// The photos: adding, labelling and deleting them, their cards in the Photos and Test tabs with the
// class model's suggestions (when worth offering), and preparing each photo once (its features are cached in IndexedDB).
// What the page knows of each photo is one PhotoState (lib/photo_states.js).
import { ApiError } from '../lib/api.js';
import { PhotoStates } from '../lib/photo_states.js';
import { imageBlob } from '../lib/storage.js';
import { predict } from '../lib/head.js';
import { suggestionPolicy, worthOffering } from '../lib/suggestions.js';
import { t } from '../lib/messages.js';
import { validateImageFile, preprocessBlob } from '../image_decode.js';
import { $, showBanner } from './page.js';

export class PhotoBoard {
  /**
   * @param {{store: import('../lib/storage.js').ParticipantStore, study: import('../lib/study_log.js').StudyLog,
   *          files: import('./model_files.js').ModelFiles, timings?: object|null, onChange?: () => void}} deps
   * `onChange()` runs whenever photos, labels or their preparation changed (the app shows what is ready).
   */
  constructor({ store, study, files, timings = null, onChange = () => {} }) {
    Object.assign(this, { store, study, files, timings, onChange });
    this.states = new PhotoStates();
    this.images = null; // the stored records as last listed, oldest first
    this.task = null;
    this.model = null;
    this.policy = null; // whether suggestions are offered now (lib/suggestions.js suggestionPolicy)
    this.extracting = false;
    this.prepared = 0; // photos prepared in this page (features computed, not loaded from storage)
    this.explainable = false; // whether cards offer "Why?" (app/explainer.js available())
    this.reusable = false; // whether cards offer copying the photo to another session (app/reuse_dialog.js)
  }

  /** Offer "Use this photo in another class too" on every card (the profile has joined another session), or not. */
  setReusable(yes) {
    this.reusable = yes;
    for (const state of this.states.values()) state.card?.update({ reusable: yes });
  }

  /** Offer "Why?" on the cards of photos that are ready, or stop offering it. */
  setExplainable(yes) {
    if (this.explainable === yes) return;
    this.explainable = yes;
    for (const state of this.states.values()) state.card?.update({ explainable: yes && state.hasFeatures });
  }

  /** A new task (from the poll too): what the class model has learned may have changed, and so the suggestions. */
  setTask(task) {
    const learned = (t) => JSON.stringify(t?.class_model?.learned_classes ?? null);
    const changed = this.task && learned(this.task) !== learned(task);
    this.task = task;
    if (changed) this.recomputeSuggestions();
  }

  /** A new global model: new suggestions on every card. */
  setModel(model) {
    this.model = model;
    this.recomputeSuggestions();
  }

  async addFiles(files, role) {
    const label = role === 'test' ? ($('#test-label').value || null) : null;
    const results = await this.store.addFiles(files, { role, label, validate: validateImageFile });
    const stored = files.filter((_, i) => results[i].ok);
    if (stored.length) this.study.imageAdded(role, stored.length, stored.reduce((sum, f) => sum + f.size, 0));
    $(role === 'test' ? '#test-file-messages' : '#file-messages').show(results);
    await this.renderImages();
    this.extractMissingFeatures();
  }

  /** A first label on a training photo whose suggestion was shown is, for the study, a review of it. */
  noteReview(record, label) {
    const shown = this.states.get(record.id)?.shownSuggestion;
    if (record.role !== 'train' || record.labelConfirmed || !shown) return;
    if (label === shown) this.study.suggestionAccepted(record.number, label);
    else this.study.suggestionChanged(record.number, shown, label);
  }

  async setLabel(id, label) {
    const before = await this.store.getImage(id);
    await this.store.setLabel(id, label, true);
    if (before) this.noteReview(before, label);
    const state = this.states.get(id);
    if (state) state.prediction = null;
    await this.renderImages();
  }

  async acceptAllSuggestions() {
    for (const r of await this.store.listImages('train')) {
      const suggestion = this.states.get(r.id)?.suggestion;
      if (!r.labelConfirmed && suggestion) {
        await this.store.setLabel(r.id, suggestion.label, true);
        this.noteReview(r, suggestion.label);
      }
    }
    await this.renderImages();
  }

  async deleteImage(id) {
    const record = await this.store.getImage(id);
    await this.store.deleteImage(id);
    if (record) this.study.imageDeleted(record.role, 1);
    const state = this.states.delete(id);
    if (state?.thumbnailUrl) URL.revokeObjectURL(state.thumbnailUrl);
    state?.card?.remove();
    await this.renderImages();
  }

  /** The confirmed photos of `role` ('train' or 'test') whose features are ready, and those features. */
  async labelledPhotos(role) {
    const records = (await this.store.listImages(role)).filter((r) => r.labelConfirmed && this.states.hasFeatures(r.id));
    return { records, features: records.map((r) => this.states.get(r.id).features) };
  }

  /** The global model's class for every labelled test photo (shown on its card from the next render). */
  async predictTestPhotos() {
    const { classes } = this.task;
    const { records, features } = await this.labelledPhotos('test');
    return records.map((r, i) => {
      const { classIndex } = predict(this.model.params, classes.length, this.task.backbone.feature_dim, features[i]);
      const predictedLabel = classes[classIndex];
      this.states.of(r.id).prediction = { label: predictedLabel, correct: predictedLabel === r.label };
      return { trueLabel: r.label, predictedLabel };
    });
  }

  async renderImages() {
    if (!this.task) return;
    const records = await this.store.listImages();
    this.images = records;
    const sha = this.task.backbone.sha256;
    for (const r of records) {
      const state = this.states.of(r.id);
      if (!state.hasFeatures) {
        const f = await this.store.getFeatures(r.id, sha);
        if (f) state.features = f;
      }
    }
    this.recomputeSuggestions(false);
    const seen = new Set();
    for (const r of records) {
      seen.add(r.id);
      const state = this.states.of(r.id);
      if (!state.card) {
        state.card = document.createElement('fl-image-card');
        state.thumbnailUrl ??= URL.createObjectURL(imageBlob(r));
      }
      const grid = r.role === 'test' ? $('#test-grid') : $('#train-grid');
      if (state.card.parentElement !== grid) grid.append(state.card);
      state.card.update({
        record: r, classes: this.task.classes, prediction: state.prediction, ...this.cardSuggestion(state),
        thumbnailUrl: state.thumbnailUrl, status: state.status, unusable: state.unusable, explainable: this.explainable && state.hasFeatures,
        reusable: this.reusable,
      });
    }
    for (const state of this.states.values()) {
      if (state.card && !seen.has(state.id)) { state.card.remove(); state.card = null; }
    }
    this.publish();
    this.onChange();
  }

  /** The class model's guesses, offered as suggestions only when worth accepting (lib/suggestions.js). */
  recomputeSuggestions(rerender = true) {
    if (!this.model || !this.task) return;
    this.policy = suggestionPolicy(this.task, this.model);
    this.states.suggestAll(this.model.params, this.task.classes, this.task.backbone.feature_dim, (guess) => worthOffering(this.policy, guess));
    if (rerender) for (const state of this.states.values()) state.card?.update(this.cardSuggestion(state));
    this.reportShownSuggestions();
  }

  /** What a card shows of the class model's guess: the suggestion, or that the model is not sure. */
  cardSuggestion(state) {
    return { suggestion: state.suggestion, unsure: !!(this.policy?.offer && state.guess && !state.suggestion) };
  }

  /** A card shows "Suggested: …" on unconfirmed training photos: log each new suggestion once. */
  reportShownSuggestions() {
    if (!this.study.active) return;
    for (const r of this.images || []) {
      const state = this.states.get(r.id);
      const suggestion = state?.suggestion;
      if (r.role !== 'train' || r.labelConfirmed || !suggestion || state.shownSuggestion === suggestion.label) continue;
      state.shownSuggestion = suggestion.label;
      this.study.suggestionShown(r.number, suggestion.label, suggestion.confidence);
    }
  }

  /** Prepare every photo not prepared yet: decode, preprocess and run the feature extractor once per photo. */
  async extractMissingFeatures() {
    if (this.extracting || !this.task) return;
    this.extracting = true;
    this.publish();
    const progress = $('#feature-progress');
    try {
      for (;;) {
        const pending = (await this.store.listImages()).filter((r) => !this.states.hasFeatures(r.id) && !this.states.unusable(r.id));
        if (!pending.length) break;
        progress.hidden = false;
        const extractor = await this.files.featureExtractor(this.task, progress);
        const { backbone } = this.task;
        let done = 0;
        for (const r of pending) {
          progress.set({ label: t('progressPreparing'), value: done, max: pending.length, detail: t('progressCount', { done, n: pending.length }) });
          const state = this.states.of(r.id);
          this.prepared += 1;
          try {
            const t0 = performance.now();
            const chw = await preprocessBlob(imageBlob(r), backbone);
            const t1 = performance.now();
            const f = await extractor.extract(chw, backbone.input_size);
            this.timings?.photos.push({ preprocessMs: t1 - t0, extractMs: performance.now() - t1 });
            await this.store.putFeatures(r.id, backbone.sha256, f);
            state.features = f;
          } catch (err) {
            state.featureError = err.message || String(err);
          }
          done += 1;
          this.recomputeSuggestions(false);
          state.card?.update({ status: state.status, unusable: state.unusable, explainable: this.explainable && state.hasFeatures, ...this.cardSuggestion(state) });
          this.publish();
        }
        await this.renderImages();
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) showBanner(t('errorPreparing', { message: err.message }));
    } finally {
      progress.hidden = true;
      this.extracting = false;
      this.publish();
      this.onChange();
    }
  }

  /**
   * What browser tests and tools read, as data attributes of #task-view: `data-features` (photos
   * with features), `data-feature-errors` (photos that cannot be used), `data-prepared` (photos
   * prepared in this page: 0 after a reload that found everything stored) and `data-extracting`.
   */
  publish() {
    const view = $('#task-view').dataset;
    view.features = String(this.states.count((s) => s.hasFeatures));
    view.featureErrors = String(this.states.count((s) => s.unusable));
    view.prepared = String(this.prepared);
    view.extracting = String(this.extracting);
  }
}
