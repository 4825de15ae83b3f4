import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explain, startingClass, ownModelFor } from '../src/lib/explain.js';
import { predict } from '../src/lib/head.js';

// 3 channels on a 2x2 map; class 0 looks at channel 0 (top left), class 1 at channel 1 (bottom right)
const featureMap = Float32Array.from([4, 0, 0, 0, 0, 0, 0, 8, 1, 1, 1, 1]);
const features = Float32Array.from([1, 2, 1]); // its average over the cells
const params = Float32Array.from([1, 0, 0, 0, 1, 0, 0.4, -2]);
const base = { features, featureMap, mapDims: [1, 3, 2, 2], params, numClasses: 2, featureDim: 3 };

test('a photo explained: the scores of the pooled features, the top class, and its map', () => {
  const r = explain(base);
  const { classIndex, probabilities } = predict(params, 2, 3, features);
  assert.equal(r.top, classIndex);
  assert.equal(r.classIndex, r.top, 'the top class unless another is asked for');
  assert.deepEqual(Array.from(r.probabilities), Array.from(probabilities));
  assert.deepEqual(r.ranking, [0, 1]); // logits 1.4 and 0: class 0 first
  assert.deepEqual(r.shape, { depth: 3, height: 2, width: 2 });
  assert.equal(r.region, 'top-left');
  assert.ok(Math.abs(r.range - 4) < 1e-6);
});

test('another class shows its own map; the scores stay those of the model', () => {
  const r = explain({ ...base, classIndex: 1 });
  assert.equal(r.top, 0);
  assert.equal(r.classIndex, 1);
  assert.deepEqual(Array.from(r.map), [-0.5, -0.5, -0.5, 7.5]);
  assert.equal(r.region, 'bottom-right');
  assert.throws(() => explain({ ...base, classIndex: 2 }), /no class/);
});

test('without a feature map (a session prepared before issue 16) there are scores and no map', () => {
  const r = explain({ ...base, featureMap: null, mapDims: null });
  assert.equal(r.map, null);
  assert.equal(r.region, null);
  assert.equal(r.top, 0);
});

test('"Why?" opens on the suggestion, else the label chosen, else the top class', () => {
  const classes = ['trouser', 'bag', 'sneaker'];
  assert.equal(startingClass(classes, { suggestion: { label: 'sneaker' }, label: 'bag', labelConfirmed: true }, 0), 2);
  assert.equal(startingClass(classes, { label: 'bag', labelConfirmed: true }, 0), 1);
  assert.equal(startingClass(classes, { label: 'bag', labelConfirmed: false }, 0), 0, 'an unconfirmed label is nobody\'s choice');
  assert.equal(startingClass(classes, { label: 'hat', labelConfirmed: true }, 2), 2, 'a class the task does not have');
  assert.equal(startingClass(classes, undefined, 1), 1);
});

test('the own model counts only for its session, participant and classes', () => {
  const task = { session_id: 4, participant: { id: 7 }, classes: ['a', 'b'], backbone: { feature_dim: 3 } };
  const own = { sessionId: 4, participantId: 7, baseVersion: 2, params: Array.from(params) };
  const fit = ownModelFor(own, task);
  assert.ok(fit.params instanceof Float32Array && fit.params.length === 8 && fit.baseVersion === 2);
  assert.equal(ownModelFor({ ...own, sessionId: 5 }, task), null);
  assert.equal(ownModelFor({ ...own, participantId: 8 }, task), null);
  assert.equal(ownModelFor({ ...own, params: params.subarray(1) }, task), null);
  assert.equal(ownModelFor(null, task), null);
  assert.equal(ownModelFor(own, null), null);
});
