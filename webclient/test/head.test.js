import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeParameters, encodeParameters, computeLogits, softmax, predict, parameterCount, checkParameterLength } from '../src/lib/head.js';

test('parameters round-trip through little-endian bytes exactly', () => {
  const params = Float32Array.from([0, -1.5, 3.4028234663852886e38, 1e-45, Math.PI, -0]);
  const bytes = encodeParameters(params);
  assert.ok(bytes instanceof Uint8Array, 'loadParametersBuffer needs a Uint8Array');
  assert.equal(bytes.length, params.length * 4);
  assert.deepEqual(Array.from(bytes.slice(4, 8)), [0x00, 0x00, 0xc0, 0xbf]); // -1.5 little-endian
  assert.deepEqual(decodeParameters(bytes.buffer), params);
});

test('decoding refuses a payload that is not a whole float32 vector', () => {
  assert.throws(() => decodeParameters(new Uint8Array(7)), /not a float32 vector/);
});

test('decoding honours the byte offset of a Uint8Array view', () => {
  const bytes = new Uint8Array(12);
  new DataView(bytes.buffer).setFloat32(4, 2.5, true);
  assert.deepEqual(Array.from(decodeParameters(bytes.subarray(4, 8))), [2.5]);
});

test('layout is W[K, D] row-major then b[K]', () => {
  const K = 2, D = 3;
  // W = [[1, 2, 3], [0, 0, -1]], b = [10, 20]
  const params = Float32Array.from([1, 2, 3, 0, 0, -1, 10, 20]);
  assert.equal(parameterCount(K, D), params.length);
  const logits = computeLogits(params, K, D, Float32Array.from([1, 1, 2]));
  assert.deepEqual(Array.from(logits), [1 + 2 + 6 + 10, -2 + 20]);
  assert.throws(() => checkParameterLength(params, 3, D), /needs 12/);
});

test('softmax is stable for large logits and sums to one', () => {
  const p = softmax(Float32Array.from([1000, 1000, 999]));
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.ok(Math.abs(p[0] - p[1]) < 1e-7);
  assert.ok(p[2] < p[0]);
});

test('predict picks the arg-max class with its probability as confidence', () => {
  const params = Float32Array.from([0, 0, 1, 0, 0, 1, /* b */ 0, 0, 0]); // K=3, D=2
  const { classIndex, confidence, probabilities } = predict(params, 3, 2, Float32Array.from([0, 5]));
  assert.equal(classIndex, 2);
  assert.equal(confidence, probabilities[2]);
  assert.ok(confidence > 0.98);
});
