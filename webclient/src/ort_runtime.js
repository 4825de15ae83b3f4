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

/** Backbone: "input" [N,3,S,S] -> "features" [N,D]. */
export class FeatureExtractor {
  static async create(modelBytes) {
    const session = await ort.InferenceSession.create(modelBytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    return new FeatureExtractor(session);
  }

  constructor(session) {
    this.session = session;
    this.inputName = session.inputNames.includes('input') ? 'input' : session.inputNames[0];
    this.outputName = session.outputNames.includes('features') ? 'features' : session.outputNames[0];
  }

  /** @param {Float32Array} chw one preprocessed image [3,S,S] @returns {Promise<Float32Array>} */
  async extract(chw, size) {
    const input = new ort.Tensor('float32', chw, [1, 3, size, size]);
    const out = await this.session.run({ [this.inputName]: input });
    const features = out[this.outputName];
    const data = new Float32Array(features.data); // copy out of the wasm heap view
    input.dispose?.();
    features.dispose?.();
    return data;
  }

  async release() { await this.session.release(); }
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
