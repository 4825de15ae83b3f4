// What the page knows about each photo besides its stored record (storage.js ImageRecord): its
// features, why they could not be computed, the class model's guess and suggestion, the last test's answer,
// what the study log last reported as shown, and its card and thumbnail — one PhotoState per photo,
// so forgetting a photo is one delete. No DOM here: the card and the object URL are only held;
// app/photo_board.js makes and releases them.
import { predict } from './head.js';
import { t } from './messages.js';

export class PhotoState {
  constructor(id) {
    this.id = id;
    /** @type {Float32Array|null} the backbone's features, computed in this page or loaded from storage */
    this.features = null;
    /** @type {string|null} why the features could not be computed: the photo cannot be used */
    this.featureError = null;
    /** @type {{label: string, confidence: number}|null} the class model's guess for it (features needed) */
    this.guess = null;
    /** @type {{label: string, confidence: number}|null} the guess, when it is worth offering (lib/suggestions.js) */
    this.suggestion = null;
    /** @type {{label: string, correct: boolean}|null} the last test's answer (test photos) */
    this.prediction = null;
    /** @type {string|null} the suggested class the study log last reported as shown */
    this.shownSuggestion = null;
    this.card = null; // its <fl-image-card>
    this.thumbnailUrl = null; // object URL of the photo, for the card
  }

  get hasFeatures() { return this.features !== null; }

  get unusable() { return this.featureError !== null; }

  /** What the card says about preparing the photo: nothing once it is ready. */
  get status() {
    if (this.hasFeatures) return '';
    return this.unusable ? t('cardUnusable', { message: this.featureError }) : t('cardPreparing');
  }
}

export class PhotoStates {
  constructor() { this.byId = new Map(); }

  /** The state of photo `id`, made on first use. */
  of(id) {
    let state = this.byId.get(id);
    if (!state) {
      state = new PhotoState(id);
      this.byId.set(id, state);
    }
    return state;
  }

  /** The state of photo `id`, or null if the page knows nothing of it. */
  get(id) { return this.byId.get(id) || null; }

  /** Forget photo `id`; gives its state back (or null) so its card and thumbnail can be released. */
  delete(id) {
    const state = this.get(id);
    this.byId.delete(id);
    return state;
  }

  values() { return this.byId.values(); }

  hasFeatures(id) { return this.get(id)?.hasFeatures ?? false; }

  unusable(id) { return this.get(id)?.unusable ?? false; }

  /** How many photos `predicate(state)` holds for. */
  count(predicate) {
    let n = 0;
    for (const state of this.byId.values()) if (predicate(state)) n += 1;
    return n;
  }

  /**
   * The class model's guess (its class and confidence) for every photo with features; it becomes the
   * photo's suggestion only where `offer(guess)` says it is worth offering (lib/suggestions.js).
   */
  suggestAll(params, classes, featureDim, offer = () => true) {
    for (const state of this.byId.values()) {
      if (!state.hasFeatures) continue;
      const { classIndex, confidence } = predict(params, classes.length, featureDim, state.features);
      state.guess = { label: classes[classIndex], confidence };
      state.suggestion = offer(state.guess) ? state.guess : null;
    }
  }

  /** A new join reports suggestions afresh to its study log. */
  forgetShownSuggestions() {
    for (const state of this.byId.values()) state.shownSuggestion = null;
  }
}
