import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhotoStates } from '../src/lib/photo_states.js';

test('a photo has one state, made on first use, and forgetting it is one delete', () => {
  const states = new PhotoStates();
  assert.equal(states.get('a'), null);
  const a = states.of('a');
  assert.equal(states.of('a'), a);
  Object.assign(a, {
    features: Float32Array.from([1, 2]), suggestion: { label: 'bag', confidence: 0.9 }, prediction: { label: 'bag', correct: true },
    shownSuggestion: 'bag', card: { name: 'card' }, thumbnailUrl: 'blob:a',
  });
  states.of('b').featureError = 'the image is damaged';
  const forgotten = states.delete('a');
  assert.equal(forgotten, a, 'the state comes back so its card and thumbnail can be released');
  assert.equal(forgotten.thumbnailUrl, 'blob:a');
  assert.equal(states.get('a'), null);
  assert.equal(states.of('a').features, null, 'a photo with the same id starts afresh');
  assert.equal(states.of('a').suggestion, null);
  assert.equal(states.delete('nothing'), null);
});

test('what a card says while a photo is prepared, and the counts the page publishes', () => {
  const states = new PhotoStates();
  const waiting = states.of('w');
  const ready = states.of('r');
  const broken = states.of('x');
  ready.features = new Float32Array(3);
  broken.featureError = 'not an image';
  assert.deepEqual([waiting.status, ready.status, broken.status], ['Getting ready…', '', 'This photo cannot be used: not an image']);
  assert.deepEqual(['w', 'r', 'x', 'unknown'].map((id) => states.hasFeatures(id)), [false, true, false, false]);
  assert.deepEqual(['w', 'r', 'x', 'unknown'].map((id) => states.unusable(id)), [false, false, true, false]);
  assert.equal(states.count((s) => s.hasFeatures), 1);
  assert.equal(states.count((s) => s.unusable), 1);
  assert.deepEqual([...states.values()].map((s) => s.id), ['w', 'r', 'x']);
});

test('suggestions come from the global model for every photo with features, and only those', () => {
  const states = new PhotoStates();
  // head for K=2 classes over D=2 features: W = identity (row-major), b = 0
  const params = Float32Array.from([1, 0, 0, 1, 0, 0]);
  states.of('first').features = Float32Array.from([3, 1]);
  states.of('second').features = Float32Array.from([0, 2]);
  states.of('waiting');
  states.suggestAll(params, ['trouser', 'bag'], 2);
  assert.equal(states.get('first').suggestion.label, 'trouser');
  assert.ok(Math.abs(states.get('first').suggestion.confidence - 1 / (1 + Math.exp(-2))) < 1e-6);
  assert.equal(states.get('second').suggestion.label, 'bag');
  assert.equal(states.get('waiting').suggestion, null);
});

test('a new join forgets which suggestions the study log was told about', () => {
  const states = new PhotoStates();
  states.of('a').shownSuggestion = 'bag';
  states.of('b').shownSuggestion = 'trouser';
  states.forgetShownSuggestions();
  assert.deepEqual([...states.values()].map((s) => s.shownSuggestion), [null, null]);
});
