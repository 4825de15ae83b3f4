// The one ONNX Runtime Web build the app uses: the training wasm build, which also runs
// plain InferenceSession (feature extraction). Served by our own server, never a CDN.
// A relative URL, not an import map: the server's CSP forbids inline scripts.
import * as ort from '../vendor/onnxruntime-web-1.19.2/ort.training.wasm.min.mjs';

const RUNTIME_DIR = new URL('../vendor/onnxruntime-web-1.19.2/', import.meta.url).href;

ort.env.wasm.wasmPaths = RUNTIME_DIR;
// Plain http on a LAN is not a secure context: no SharedArrayBuffer, so one thread.
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';

export { ort };

/**
 * Backbone: "input" [N,3,S,S] -> "features" [N,D] and, in sessions prepared since issue 16, "feature_map"
 * [N,D,h,w], the map "features" is the average of (docs/architecture.md, task manifest). `extract` fetches
 * the features alone (as before the map existed); `extractWithMap` fetches both from the same run. Runs
 * go one after another: the photos being prepared and a "Why?" or "Try it" share the one session.
 */
export class FeatureExtractor {
  static async create(modelBytes) {
    const session = await ort.InferenceSession.create(modelBytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new FeatureExtractor(session);
  }

  constructor(session) {
    this.session = session;
    this.inputName = session.inputNames.includes('input') ? 'input' : session.inputNames[0];
    this.outputName = session.outputNames.includes('features') ? 'features' : session.outputNames[0];
    /** whether this extractor can give the feature map (sessions prepared before issue 16 cannot) */
    this.hasFeatureMap = session.outputNames.includes('feature_map');
    this.queue = Promise.resolve();
  }

  /** @param {Float32Array} chw one preprocessed image [3,S,S] @returns {Promise<Float32Array>} its features [D] */
  async extract(chw, size) {
    const [features] = await this.run(chw, size, [this.outputName]);
    return features.data;
  }

  /**
   * The features and the feature map of one image from one run.
   * @returns {Promise<{features: Float32Array, featureMap: Float32Array, mapDims: number[]}>} featureMap [D*h*w], mapDims [1,D,h,w]
   */
  async extractWithMap(chw, size) {
    if (!this.hasFeatureMap) throw new Error('this feature extractor has no feature map');
    const [features, map] = await this.run(chw, size, [this.outputName, 'feature_map']);
    return { features: features.data, featureMap: map.data, mapDims: map.dims };
  }

  /** One run fetching `names`; each output copied out of the wasm heap: [{data, dims}]. */
  run(chw, size, names) {
    const result = this.queue.then(async () => {
      const input = new ort.Tensor('float32', chw, [1, 3, size, size]);
      try {
        const out = await this.session.run({ [this.inputName]: input }, names);
        return names.map((name) => {
          const tensor = out[name];
          const copy = { data: new Float32Array(tensor.data), dims: Array.from(tensor.dims, Number) };
          tensor.dispose?.();
          return copy;
        });
      } finally {
        input.dispose?.();
      }
    });
    this.queue = result.catch(() => {});
    return result;
  }

  async release() { await this.queue; await this.session.release(); }
}

/** The head's TrainingSession, created from artifact bytes (fetched with the bearer token). */
export class HeadTrainer {
  static async create({ trainingModel, evalModel, optimizerModel, checkpoint }) {
    const session = await ort.TrainingSession.create({
      checkpointState: checkpoint, trainModel: trainingModel, evalModel, optimizerModel,
    });
    return new HeadTrainer(session);
  }

  constructor(session) {
    this.session = session;
    this.takesLogitOffset = session.trainingInputNames.includes('logit_offset');
  }

  /** loadParametersBuffer wants raw bytes: a Uint8Array, not a Float32Array. */
  async loadParameters(bytes) { await this.session.loadParametersBuffer(bytes, true); }

  /** One optimiser step on a batch; returns the loss. `logitOffset` [K]: see lib/training.js logitOffsets. */
  async step(features, labels, featureDim, logitOffset = null) {
    const feeds = {
      features: new ort.Tensor('float32', features, [labels.length, featureDim]),
      labels: new ort.Tensor('int64', labels, [labels.length]),
    };
    if (this.takesLogitOffset) {
      if (!logitOffset) throw new Error('this training model needs the classes held (logit_offset)');
      feeds.logit_offset = new ort.Tensor('float32', logitOffset, [logitOffset.length]);
    }
    const out = await this.session.runTrainStep(feeds);
    await this.session.runOptimizerStep();
    await this.session.lazyResetGrad();
    const loss = out[this.session.trainingOutputNames[0]];
    return Number(loss.data[0]);
  }

  /** The trained head as one flat float32 vector (W row-major, then b). */
  async parameters() {
    const tensor = await this.session.getContiguousParameters(true);
    return new Float32Array(tensor.data);
  }

  /** Safe since bundle_webclient.py patches onnxruntime-web's heap corruption (ORT_PATCHES). */
  async release() { await this.session.release(); }
}
