// What "Why?" (why_dialog.js) and "Try it" (try_it.js) share: looking at a photo once — decoding it,
// running the feature extractor once for its features and its feature map — and explaining it with the
// class model or the participant's own model (lib/explain.js). Nothing here keeps or sends a photo.
import { explain, ownModelFor } from '../lib/explain.js';
import { decodeForExplanation } from '../image_decode.js';

/** The side of the picture drawn (canvas pixels; CSS fits it to the screen). */
export const PICTURE_SIZE = 320;

export class Explainer {
  /** @param app the ParticipantApp: its files (ModelFiles), task, model and ownModel. */
  constructor(app) {
    this.app = app;
    this.hasFeatureMap = null; // known once the feature extractor is loaded
  }

  /** The participant's own model for this task, or null (before local training, or another session's). */
  ownModel() { return ownModelFor(this.app.ownModel, this.app.task); }

  /** Whether the class model has learned anything: before that its scores and maps are noise. */
  classModelLearned() { return this.app.model?.version > 0; }

  /** Whether a photo can be explained now: the session's extractor gives a map and some model has learned. */
  available() { return this.hasFeatureMap === true && (this.classModelLearned() || this.ownModel() !== null); }

  /** The model a view starts with: the class model once it has learned, else the participant's own. */
  defaultModel() { return this.classModelLearned() || !this.ownModel() ? 'class' : 'own'; }

  /** The feature extractor (ModelFiles loads it once); tells whether it has the map. */
  async extractor() {
    const extractor = await this.app.files.featureExtractor(this.app.task);
    this.hasFeatureMap = extractor.hasFeatureMap;
    return extractor;
  }

  /**
   * Look at a photo (a Blob or File, read here only): its features and feature map from one run of the
   * extractor, and the square the backbone saw as RGBA pixels to draw.
   * @returns {Promise<{features: Float32Array, featureMap: Float32Array|null, mapDims: number[]|null, photo: Uint8ClampedArray}>}
   */
  async look(blob) {
    const { backbone } = this.app.task;
    const extractor = await this.extractor();
    const { chw, photo } = await decodeForExplanation(blob, backbone, PICTURE_SIZE);
    if (!extractor.hasFeatureMap) return { features: await extractor.extract(chw, backbone.input_size), featureMap: null, mapDims: null, photo };
    return { ...(await extractor.extractWithMap(chw, backbone.input_size)), photo };
  }

  /** The parameters and the version (for the study log) of `model` ('class' or 'own'). */
  modelOf(model) {
    if (model === 'own') {
      const own = this.ownModel();
      if (own) return { params: own.params, version: own.baseVersion };
    }
    return { params: this.app.model.params, version: this.app.model.version };
  }

  /** A look explained by `model` for class `classIndex` (null: the model's top class): lib/explain.js explain(). */
  explain(look, model, classIndex = null) {
    const { task } = this.app;
    return explain({
      features: look.features, featureMap: look.featureMap, mapDims: look.mapDims, params: this.modelOf(model).params,
      numClasses: task.classes.length, featureDim: task.backbone.feature_dim, classIndex,
    });
  }

  /** What <fl-explanation>.show() takes for this look and result. */
  view(look, result, model) {
    return {
      photo: look.photo, size: PICTURE_SIZE, classes: this.app.task.classes, result, model,
      hasOwn: this.ownModel() !== null, canHaveOwn: true,
    };
  }
}
