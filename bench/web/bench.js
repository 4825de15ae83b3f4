// Benchmark page for bench/browser.py. It runs in the real server's origin and CSP and uses the
// web client's own modules (ONNX Runtime setup, API client, the model files with the trainer prepared
// ahead, the local training loop, parameter encoding, image preprocessing); only the seed baseline's full-network training loop is written
// here, because the web client has no such thing.
import { ort, FeatureExtractor, HeadTrainer } from '/src/ort_runtime.js';
import { ApiClient } from '/src/lib/api.js';
import { epochBatches, seededRandom, logitOffsets } from '/src/lib/training.js';
import { trainLocally } from '/src/lib/train_loop.js';
import { Connection, randomKey } from '/src/lib/connection.js';
import { ModelFiles } from '/src/app/model_files.js';
import { encodeParameters } from '/src/lib/head.js';
import { preprocessBlob } from '/src/image_decode.js';

const now = () => performance.now();

async function bytesOf(url, headers = {}) {
  const r = await fetch(url, { headers });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

// Resource Timing holds 250 entries by default; later rounds would fill it.
performance.setResourceTimingBufferSize(10000);

/**
 * Runs `download` (fetches, one after the other) and returns its value with the time it took and the bytes
 * that arrived: the response bodies as they came over the wire (Resource Timing's encodedBodySize:
 * compressed where the server compresses), summed over the resources fetched meanwhile.
 */
async function timed(download) {
  const t0 = now();
  const value = await download();
  const ms = now() - t0;
  const bytes = performance.getEntriesByType('resource').filter((e) => e.startTime >= t0).reduce((n, e) => n + e.encodedBodySize, 0);
  return { value, ms, bytes };
}

/** The runtime's loader and wasm, fetched as ort_runtime.js's runtime fetches them (the browser caches them: immutable). */
const RUNTIME_FILES = ['ort-training-wasm-simd-threaded.mjs', 'ort-training-wasm-simd-threaded.wasm'];

/** The photos, fetched at once (off every clock; on a throttled network one by one would take a round trip each). */
function imageBlobs(count) {
  return Promise.all(Array.from({ length: count }, async (_, i) => (await fetch(`/bench/images/${i}.png`)).blob()));
}

// ------------------------------------------------------------------ ours

const ours = {
  api: null, files: null, task: null, model: null, blobs: null, labels: null, features: null, extractorBytes: null, extractor: null,

  async setup(joinCode, count, labels) {
    this.api = new ApiClient({ baseUrl: '' });
    const joined = await this.api.join(joinCode, { nickname: 'bench', device: 'bench' });
    this.api.token = joined.token;
    this.files = new ModelFiles({ api: this.api, connection: new Connection({ probe: () => this.api.status() }) });
    this.task = await this.api.task();
    this.blobs = await imageBlobs(count);
    this.labels = labels;
    // Downloads are item 3's business: fetch the runtime and every artifact once before the clock starts
    // (the first round reads the runtime back from the browser's cache), timed, for a throttled network.
    const runtime = await timed(async () => { for (const f of RUNTIME_FILES) await bytesOf(ort.env.wasm.wasmPaths + f); });
    const extractor = await timed(() => this.api.artifact(this.task.artifacts.feature_extractor.url));
    this.extractorBytes = extractor.value;
    const head = await timed(() => this.files.headArtifacts(this.task));
    this.features = null;
    const downloads = Object.fromEntries(Object.entries({ runtime, extractor, head }).map(([k, { ms, bytes }]) => [k, { ms, bytes }]));
    return { classes: this.task.classes.length, training: this.task.training, extractorSha: this.task.artifacts.feature_extractor.sha256, downloads };
  },

  /** First round only: the photos' features (this first round also pays the wasm runtime's start). */
  async extractFeatures() {
    const { backbone } = this.task;
    if (!this.extractor) this.extractor = await FeatureExtractor.create(this.extractorBytes);
    const feats = [];
    for (const blob of this.blobs) feats.push(await this.extractor.extract(await preprocessBlob(blob, backbone), backbone.input_size));
    this.features = feats;
  },

  async train(trainer, seed) {
    const task = this.task;
    const { local_epochs: epochs, batch_size: batchSize } = task.training;
    return trainLocally({
      trainer, features: this.features, labels: this.labels, featureDim: task.backbone.feature_dim, epochs, batchSize,
      offsets: task.training.mask_absent_classes ? logitOffsets(this.labels, task.classes.length) : null,
      random: seededRandom(seed),
    });
  },

  // From "Train" pressed to update accepted, as app/train_panel.js does it (refreshTaskAndModel): the
  // task (a 304 when it did not change), and the model only when the task names another version than
  // the one held (the page holds the model it fetched after its previous update), the trainer the
  // page prepared ahead (on the first round none is there yet: created now), the global parameters
  // loaded into it, 20 steps, the raw float32 POST. After the answer, off the clock as in the page:
  // the new class model, then the used session released and the next round's created ("prepared").
  async round(seed) {
    const t = { start: now() };
    if (!this.features) {
      await this.extractFeatures();
      t.extracted = now();
    }
    t.fetching = now();
    this.task = await this.api.task();
    const taskMs = now() - t.fetching;
    let modelMs = 0;
    if (this.task.version !== this.model?.version) {
      this.model = await this.api.model();
      modelMs = now() - t.fetching - taskMs;
    }
    const { task } = this;
    const { version, params } = this.model;
    t.fetched = now();
    const trainer = await this.files.takeTrainer(task);
    await trainer.loadParameters(encodeParameters(params));
    t.ready = now();
    const { steps } = await this.train(trainer, seed);
    t.trained = now();
    const out = await trainer.parameters();
    const answer = await this.api.postUpdate(out, version, this.features.length, randomKey());
    t.end = now();
    if (!answer.accepted) throw new Error('update not accepted');
    this.model = await this.api.model(); // the page's refreshModel() after the answer: the model it holds from now on
    t.after = now();
    await this.files.giveBackTrainer(trainer, task);
    t.prepared = now();
    return {
      total: t.end - t.start, steps,
      extract: t.extracted ? t.extracted - t.start : 0,
      fetch: t.fetched - (t.extracted || t.start), taskMs, modelMs, session: t.ready - t.fetched,
      train: t.trained - t.ready, send: t.end - t.trained, prepared: t.prepared - t.after,
    };
  },

  /** The web client's way before issue 17's item 3, for the same run: a TrainingSession created per click. */
  async roundBefore(seed) {
    await this.files.trainers.clear(); // never two live sessions: the one prepared ahead goes first
    this.api.held = {}; // and no 304s: the model came whole each round
    const t = { start: now() };
    const { version, params } = await this.api.model();
    const a = this.task.artifacts;
    const trainer = await HeadTrainer.create({
      trainingModel: await this.api.artifact(a.training_model.url),
      evalModel: await this.api.artifact(a.eval_model.url),
      optimizerModel: await this.api.artifact(a.optimizer_model.url),
      checkpoint: await this.api.artifact(a.checkpoint.url),
    });
    await trainer.loadParameters(encodeParameters(params));
    t.ready = now();
    const { steps } = await this.train(trainer, seed);
    t.trained = now();
    const out = await trainer.parameters();
    await trainer.release();
    const answer = await this.api.postUpdate(out, version, this.features.length, randomKey());
    t.end = now();
    if (!answer.accepted) throw new Error('update not accepted');
    return { total: t.end - t.start, steps, session: t.ready - t.start, train: t.trained - t.ready, send: t.end - t.trained };
  },
};

// ------------------------------------------------------------------ the seed: full MobileNetV2 every step

const seed = {
  info: null, blobs: null, labels: null,

  async setup(count, labels) {
    this.info = await (await fetch('/seed/info')).json();
    this.blobs = await imageBlobs(count);
    this.labels = labels;
    return this.info;
  },

  // From "train" pressed to update accepted: fetch the regenerated artifacts, preprocess the photos,
  // create the TrainingSession over the whole network, train the classifier through it, post JSON.
  async round(seedValue, backbone, epochs, batchSize) {
    const t = { start: now() };
    const files = {};
    for (const name of ['training_model.onnx', 'eval_model.onnx', 'optimizer_model.onnx', 'checkpoint']) {
      files[name] = await bytesOf(`/seed/artifacts/${name}`);
    }
    const version = (await (await fetch('/seed/model')).json()).version;
    t.fetched = now();
    const S = this.info.input_size;
    const plane = 3 * S * S;
    const images = [];
    for (const blob of this.blobs) images.push(await preprocessBlob(blob, { ...backbone, input_size: S }));
    t.preprocessed = now();
    const session = await ort.TrainingSession.create({
      checkpointState: files['checkpoint'], trainModel: files['training_model.onnx'],
      evalModel: files['eval_model.onnx'], optimizerModel: files['optimizer_model.onnx'],
    });
    t.ready = now();
    const random = seededRandom(seedValue);
    let steps = 0;
    const stepMs = [];
    for (let e = 0; e < epochs; e++) {
      for (const batch of epochBatches(images.length, batchSize, random)) {
        const s0 = now();
        const x = new Float32Array(batch.length * plane);
        const y = new BigInt64Array(batch.length);
        batch.forEach((idx, row) => { x.set(images[idx], row * plane); y[row] = BigInt(this.labels[idx]); });
        const feeds = {
          input: new ort.Tensor('float32', x, [batch.length, 3, S, S]),
          labels: new ort.Tensor('int64', y, [batch.length]),
        };
        await session.runTrainStep(feeds);
        await session.runOptimizerStep();
        await session.lazyResetGrad();
        steps += 1;
        stepMs.push(now() - s0);
      }
    }
    t.trained = now();
    const params = await session.getContiguousParameters(true);
    const list = Array.from(params.data);
    await session.release();
    const r = await fetch('/seed/update', {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ parameters: list, base_version: version, sample_count: images.length }),
    });
    const answer = await r.json();
    t.end = now();
    if (!answer.accepted) throw new Error(`seed update not accepted: ${JSON.stringify(answer)}`);
    return {
      total: t.end - t.start, steps, fetch: t.fetched - t.start, preprocess: t.preprocessed - t.fetched,
      session: t.ready - t.preprocessed, train: t.trained - t.ready, send: t.end - t.trained,
      stepMedian: stepMs.sort((a, b) => a - b)[Math.floor(stepMs.length / 2)],
    };
  },
};

// ------------------------------------------------------------------ item 4 / 6: extraction speed

async function extraction(modelUrl, inputsUrl, count, size, passes) {
  const bytes = await bytesOf(modelUrl);
  const all = new Float32Array((await bytesOf(inputsUrl)).buffer);
  const plane = 3 * size * size;
  const t0 = now();
  let extractor;
  try {
    extractor = await FeatureExtractor.create(bytes);
  } catch (err) {
    return { ok: false, error: String(err && err.message || err) };
  }
  const createMs = now() - t0;
  try {
    const first = await extractor.extract(all.subarray(0, plane), size); // warm-up
    const perPass = [];
    for (let p = 0; p < passes; p++) {
      const s = now();
      for (let i = 0; i < count; i++) await extractor.extract(all.subarray(i * plane, (i + 1) * plane), size);
      perPass.push((now() - s) / count);
    }
    perPass.sort((a, b) => a - b);
    return { ok: true, createMs, msPerImage: perPass[Math.floor(perPass.length / 2)], passes: perPass, first: Array.from(first) };
  } catch (err) {
    return { ok: false, error: String(err && err.message || err) };
  } finally {
    await extractor.release();
  }
}

// Issue 16: extractors in one page, taking turns image by image (in reverse order every other image),
// so the page's start, the wasm warm-up and other programs' load fall on all alike. A URL ending in
// '#map' runs as "Why?" and "Try it" do (extractWithMap: the features and the feature map from one run);
// the others as preparing a photo does (extract: the features alone).
async function extractionPair(modelUrls, inputsUrl, count, size, passes) {
  const all = new Float32Array((await bytesOf(inputsUrl)).buffer);
  const plane = 3 * size * size;
  const extractors = [];
  try {
    for (const url of modelUrls) {
      const e = await FeatureExtractor.create(await bytesOf(url.replace(/#map$/, '')));
      extractors.push(url.endsWith('#map') ? { extract: async (x, s) => (await e.extractWithMap(x, s)).features, release: () => e.release() } : e);
    }
    const first = [];
    for (const e of extractors) first.push(Array.from(await e.extract(all.subarray(0, plane), size))); // warm-up
    const perPass = modelUrls.map(() => []);
    for (let p = 0; p < passes; p++) {
      const spent = modelUrls.map(() => 0);
      for (let i = 0; i < count; i++) {
        const order = i % 2 === 0 ? [...extractors.keys()] : [...extractors.keys()].reverse();
        for (const m of order) {
          const s = now();
          await extractors[m].extract(all.subarray(i * plane, (i + 1) * plane), size);
          spent[m] += now() - s;
        }
      }
      spent.forEach((ms, m) => perPass[m].push(ms / count));
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    return { ok: true, msPerImage: perPass.map(median), passes: perPass, first };
  } catch (err) {
    return { ok: false, error: String(err && err.message || err) };
  } finally {
    for (const e of extractors) await e.release();
  }
}

window.bench = { ours, seed, extraction, extractionPair, ortVersion: ort.env.versions?.web || ort.env.versions?.common || '?' };
document.getElementById('status').textContent = 'ready';
