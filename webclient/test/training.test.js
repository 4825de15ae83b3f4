import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  seededRandom, shuffledIndices, epochBatches, stepsPerEpoch, assembleBatch, summarizeTest, logitOffsets, classStatistics, ABSENT_CLASS_OFFSET,
} from '../src/lib/training.js';

test('shuffling is a permutation and reproducible from a seed', () => {
  const a = shuffledIndices(50, seededRandom(7));
  assert.deepEqual([...a].sort((x, y) => x - y), Array.from({ length: 50 }, (_, i) => i));
  assert.deepEqual(a, shuffledIndices(50, seededRandom(7)));
  assert.notDeepEqual(a, shuffledIndices(50, seededRandom(8)));
});

test('an epoch covers every example once in batches of batch_size, the last one short', () => {
  const batches = epochBatches(37, 16, seededRandom(1));
  assert.deepEqual(batches.map((b) => b.length), [16, 16, 5]);
  assert.equal(new Set(batches.flat()).size, 37);
  assert.equal(stepsPerEpoch(37, 16), 3);
  assert.equal(stepsPerEpoch(32, 16), 2);
});

test('a batch stacks features row by row and labels as int64', () => {
  const features = [Float32Array.from([1, 2]), Float32Array.from([3, 4]), Float32Array.from([5, 6])];
  const { features: x, labels: y } = assembleBatch(features, [0, 2, 1], [2, 0], 2);
  assert.deepEqual(Array.from(x), [5, 6, 1, 2]);
  assert.ok(y instanceof BigInt64Array);
  assert.deepEqual(Array.from(y), [1n, 0n]);
  assert.throws(() => assembleBatch(features, [0, 0, 0], [0], 3), /length 2, expected 3/);
});

test('test summary has accuracy, n and per-class counts for every class', () => {
  const s = summarizeTest([
    { trueLabel: 'a', predictedLabel: 'a' },
    { trueLabel: 'a', predictedLabel: 'b' },
    { trueLabel: 'b', predictedLabel: 'b' },
    { trueLabel: 'b', predictedLabel: 'b' },
  ], ['a', 'b', 'c']);
  assert.equal(s.accuracy, 0.75);
  assert.equal(s.n, 4);
  assert.deepEqual(s.per_class, { a: { correct: 1, total: 2 }, b: { correct: 2, total: 2 }, c: { correct: 0, total: 0 } });
  assert.equal(summarizeTest([], ['a']).accuracy, 0);
});

test('logit offsets open only the classes the participant holds', () => {
  assert.deepEqual([...logitOffsets([2, 0, 2], 4)], [0, ABSENT_CLASS_OFFSET, 0, ABSENT_CLASS_OFFSET]);
});

test('class statistics sum features and their squares per class, with counts', () => {
  const { sums, squares, counts } = classStatistics(
    [Float32Array.of(1, 2), Float32Array.of(3, -1), Float32Array.of(0.5, 0.5)], [1, 1, 0], 3, 2);
  assert.deepEqual(counts, [1, 2, 0]);
  assert.deepEqual([...sums], [0.5, 0.5, 4, 1, 0, 0]);
  assert.deepEqual([...squares], [0.25, 0.25, 10, 5, 0, 0]);
  assert.throws(() => classStatistics([Float32Array.of(1)], [0], 1, 2), /length 1, expected 2/);
});
