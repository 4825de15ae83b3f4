// What the page loads from the class server besides the API's answers: the ONNX Runtime module, the
// feature extractor (the task's backbone) and the head's four training files. Each is loaded once
// and again only when the task names other files; an outage, before or during a download, waits
// for the server and starts over. And the head's TrainingSession for the next round, created ahead
// of the click from those files (lib/trainer_slot.js).
import { ApiError, NetworkError } from '../lib/api.js';
import { t } from '../lib/messages.js';
import { TrainerSlot } from '../lib/trainer_slot.js';

/** The head's four training files of a task, by their hashes: a new learning rate gives a new key. */
export function headArtifactsKey(task) {
  const a = task.artifacts;
  return [a.training_model, a.eval_model, a.optimizer_model, a.checkpoint].map((f) => f.sha256).join();
}

/** One macrotask, so that the page paints before the wasm work of a trainer prepared in the background. */
const yieldToPage = () => new Promise((resolve) => setTimeout(resolve, 0));

export class ModelFiles {
  /** @param {{api: import('../lib/api.js').ApiClient, connection: import('../lib/connection.js').Connection}} deps */
  constructor({ api, connection }) {
    this.api = api;
    this.connection = connection;
    this.ortModule = null;
    this.extractor = null;
    this.extractorSha = null;
    this.headBytes = null;
    this.headBytesFor = null;
    this.trainers = new TrainerSlot(async (bytes) => (await this.runtime()).HeadTrainer.create(bytes));
  }

  /** The ONNX Runtime module (../ort_runtime.js), imported once; a failed import (server gone) is retried when it is back. */
  runtime() {
    if (!this.ortModule) {
      this.ortModule = this.connection.retry(() => import('../ort_runtime.js')
        .catch((err) => { throw new NetworkError(t('errorRuntime', { message: err.message || err })); }));
      this.ortModule.catch(() => { this.ortModule = null; });
    }
    return this.ortModule;
  }

  /** An artifact's bytes, with the download's progress on `progress` (an <fl-progress>, optional); `label` names it in errors. */
  download(artifact, label, progress) {
    return this.connection.retry(() => this.downloadOnce(artifact, label, progress));
  }

  async downloadOnce(artifact, label, progress) {
    const response = await fetch(artifact.url, { headers: { Authorization: `Bearer ${this.api.token}` } })
      .catch((err) => { throw new NetworkError(t('errorDownload', { what: label, message: err.message })); });
    if (!response.ok) throw new ApiError(response.status, 'download_failed', t('errorDownloadStatus', { what: label, status: response.status }));
    try {
      if (!response.body || !artifact.bytes) return new Uint8Array(await response.arrayBuffer());
      const out = new Uint8Array(artifact.bytes);
      const reader = response.body.getReader();
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        out.set(value, received);
        received += value.length;
        progress?.set({ label: t('progressLoading'), value: received, max: artifact.bytes, detail: t('progressMegabytes', { done: (received / 1e6).toFixed(1), n: (artifact.bytes / 1e6).toFixed(1) }) });
      }
      return received === out.length ? out : out.slice(0, received);
    } catch (err) {
      throw new NetworkError(t('errorDownloadBroke', { what: label, message: err.message || err }));
    }
  }

  /** One extractor per backbone, created once even when several callers ask at the same time. */
  featureExtractor(task, progress) {
    const sha = task.backbone.sha256;
    if (!this.extractor || this.extractorSha !== sha) {
      this.extractorSha = sha;
      this.extractor = (async () => {
        const ort = await this.runtime();
        const bytes = await this.download(task.artifacts.feature_extractor, 'feature_extractor', progress);
        progress?.set({ label: t('progressStartingImageModel'), value: 0, max: 0, detail: '' });
        return ort.FeatureExtractor.create(bytes);
      })();
      this.extractor.catch(() => { this.extractor = null; });
    }
    return this.extractor;
  }

  /** The head's four training files, downloaded again whenever any of them changes (e.g. a new learning rate). */
  headArtifacts(task, progress) {
    const a = task.artifacts;
    const key = headArtifactsKey(task);
    if (!this.headBytes || this.headBytesFor !== key) {
      this.headBytesFor = key;
      this.headBytes = (async () => ({
        trainingModel: await this.download(a.training_model, 'training_model', progress),
        evalModel: await this.download(a.eval_model, 'eval_model', progress),
        optimizerModel: await this.download(a.optimizer_model, 'optimizer_model', progress),
        checkpoint: await this.download(a.checkpoint, 'checkpoint', progress),
      }))();
      this.headBytes.catch(() => { this.headBytes = null; });
    }
    return this.headBytes;
  }

  /** Create the next round's trainer now, in the background, if there is none for these files yet. */
  prepareTrainer(task) {
    return this.trainers.prepare(headArtifactsKey(task), () => this.headArtifacts(task));
  }

  /** A trainer that has never trained (fresh optimizer state), prepared ahead when it could be. */
  takeTrainer(task, progress) {
    return this.trainers.take(headArtifactsKey(task), () => this.headArtifacts(task, progress));
  }

  /** After a round: release its trainer and, once the page has painted, prepare the next one for `task`. */
  giveBackTrainer(trainer, task) {
    return this.trainers.giveBack(trainer, headArtifactsKey(task), async () => {
      await yieldToPage();
      return this.headArtifacts(task);
    });
  }
}
