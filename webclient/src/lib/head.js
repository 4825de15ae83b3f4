// The classifier head Linear(D -> K) as one flat little-endian float32 vector:
// W[K, D] row-major, then b[K] (docs/architecture.md, "The head parameter vector").

export function parameterCount(numClasses, featureDim) {
  return numClasses * featureDim + numClasses;
}

/** Raw bytes (ArrayBuffer or Uint8Array) -> Float32Array, reading little-endian explicitly. */
export function decodeParameters(bytes) {
  const u8 = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  if (u8.byteLength % 4 !== 0) throw new Error(`parameter payload of ${u8.byteLength} bytes is not a float32 vector`);
  const view = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  const out = new Float32Array(u8.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Float32Array -> little-endian bytes (a Uint8Array, which is also what loadParametersBuffer wants). */
export function encodeParameters(params) {
  const out = new Uint8Array(params.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < params.length; i++) view.setFloat32(i * 4, params[i], true);
  return out;
}

export function checkParameterLength(params, numClasses, featureDim) {
  const expected = parameterCount(numClasses, featureDim);
  if (params.length !== expected) {
    throw new Error(`global model has ${params.length} parameters, the task needs ${expected} (${numClasses} classes x ${featureDim} + bias)`);
  }
}

/** logits = W . f + b */
export function computeLogits(params, numClasses, featureDim, feature) {
  const logits = new Float32Array(numClasses);
  const biasOffset = numClasses * featureDim;
  for (let k = 0; k < numClasses; k++) {
    let sum = 0;
    const row = k * featureDim;
    for (let j = 0; j < featureDim; j++) sum += params[row + j] * feature[j];
    logits[k] = sum + params[biasOffset + k];
  }
  return logits;
}

export function softmax(logits) {
  let max = -Infinity;
  for (const v of logits) if (v > max) max = v;
  const out = new Float32Array(logits.length);
  let total = 0;
  for (let i = 0; i < logits.length; i++) { out[i] = Math.exp(logits[i] - max); total += out[i]; }
  for (let i = 0; i < out.length; i++) out[i] /= total;
  return out;
}

/** @returns {{classIndex:number, confidence:number, probabilities:Float32Array}} */
export function predict(params, numClasses, featureDim, feature) {
  const probabilities = softmax(computeLogits(params, numClasses, featureDim, feature));
  let classIndex = 0;
  for (let k = 1; k < numClasses; k++) if (probabilities[k] > probabilities[classIndex]) classIndex = k;
  return { classIndex, confidence: probabilities[classIndex], probabilities };
}
