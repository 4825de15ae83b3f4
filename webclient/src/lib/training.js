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
