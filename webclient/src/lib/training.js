// Pure pieces of local training and testing: deterministic shuffling, batch assembly
// and accuracy bookkeeping. The ORT-web session calls live in ../ort_runtime.js.

/** Small seeded PRNG (mulberry32) so a run can be reproduced in tests. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffledIndices(n, random = Math.random) {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** One epoch's batches: shuffled, the last one possibly smaller. */
export function epochBatches(n, batchSize, random = Math.random) {
  const order = shuffledIndices(n, random);
  const batches = [];
  for (let i = 0; i < n; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

export function stepsPerEpoch(n, batchSize) {
  return Math.ceil(n / batchSize);
}

/**
 * Stack the selected examples into the head's inputs.
 * @param {Float32Array[]} features one featureDim vector per example
 * @param {number[]} labels class indices
 * @returns {{features: Float32Array, labels: BigInt64Array}}
 */
export function assembleBatch(features, labels, indices, featureDim) {
  const x = new Float32Array(indices.length * featureDim);
  const y = new BigInt64Array(indices.length);
  indices.forEach((idx, row) => {
    const f = features[idx];
    if (f.length !== featureDim) throw new Error(`feature ${idx} has length ${f.length}, expected ${featureDim}`);
    x.set(f, row * featureDim);
    y[row] = BigInt(labels[idx]);
  });
  return { features: x, labels: y };
}

/**
 * Accuracy and per-class counts in the shape POST /api/v1/test-results takes.
 * @param {{trueLabel:string, predictedLabel:string}[]} results
 */
export function summarizeTest(results, classes) {
  const perClass = {};
  for (const c of classes) perClass[c] = { correct: 0, total: 0 };
  let correct = 0;
  for (const { trueLabel, predictedLabel } of results) {
    if (!perClass[trueLabel]) perClass[trueLabel] = { correct: 0, total: 0 };
    perClass[trueLabel].total += 1;
    if (trueLabel === predictedLabel) { perClass[trueLabel].correct += 1; correct += 1; }
  }
  return { accuracy: results.length ? correct / results.length : 0, n: results.length, per_class: perClass };
}

/** What a logit gets added before the loss for a class this participant has no photo of. */
export const ABSENT_CLASS_OFFSET = -10000;

/**
 * The training graph's `logit_offset` input: 0 for the classes among `labels`, a large negative
 * number for the others, so the local loss is a softmax over the classes this participant holds.
 * Training on two classes then leaves the other classes' rows exactly as the class model has them,
 * instead of pushing every absent class down (which made the class model forget them).
 */
export function logitOffsets(labels, numClasses) {
  const offsets = new Float32Array(numClasses).fill(ABSENT_CLASS_OFFSET);
  for (const label of labels) offsets[label] = 0;
  return offsets;
}

/**
 * Per-class sums and sums of squares of the features, and counts: what POST /api/v1/class-stats
 * takes (the server starts each class's row from the class statistics everyone sent).
 * @returns {{sums: Float32Array, squares: Float32Array, counts: number[]}} sums and squares are [K, D] row-major
 */
export function classStatistics(features, labels, numClasses, featureDim) {
  const sums = new Float64Array(numClasses * featureDim);
  const squares = new Float64Array(numClasses * featureDim);
  const counts = new Array(numClasses).fill(0);
  features.forEach((f, i) => {
    const k = labels[i];
    if (f.length !== featureDim) throw new Error(`feature ${i} has length ${f.length}, expected ${featureDim}`);
    counts[k] += 1;
    const row = k * featureDim;
    for (let j = 0; j < featureDim; j++) { sums[row + j] += f[j]; squares[row + j] += f[j] * f[j]; }
  });
  return { sums: Float32Array.from(sums), squares: Float32Array.from(squares), counts };
}
