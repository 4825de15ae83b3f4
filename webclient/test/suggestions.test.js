import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIN_CONFIDENCE, suggestionPolicy, worthOffering } from '../src/lib/suggestions.js';
import { PhotoStates } from '../src/lib/photo_states.js';

const classes = ['trouser', 'bag', 'sneaker'];

test('the untrained class model (version 0) offers nothing, however sure it looks', () => {
  const policy = suggestionPolicy({ classes }, { version: 0 });
  assert.deepEqual(policy, { offer: false, reason: 'not_learned', missing: [] });
  assert.equal(worthOffering(policy, { label: 'bag', confidence: 0.99 }), false);
  assert.equal(suggestionPolicy({ classes }, null).offer, false, 'no model yet: nothing either');
});

test('a class model that has not learned every class offers nothing, and says which it has not seen', () => {
  const task = { classes, class_model: { learned_classes: ['trouser', 'bag'] } };
  assert.deepEqual(suggestionPolicy(task, { version: 2 }), { offer: false, reason: 'classes_missing', missing: ['sneaker'] });
  const all = { classes, class_model: { learned_classes: [...classes] } };
  assert.equal(suggestionPolicy(all, { version: 2 }).offer, true);
  assert.equal(suggestionPolicy({ classes }, { version: 1 }).offer, true, 'a server that does not say: version alone');
});

test('once it has learned, only sure guesses are offered', () => {
  const policy = suggestionPolicy({ classes, class_model: { learned_classes: classes } }, { version: 3 });
  assert.equal(worthOffering(policy, { label: 'bag', confidence: MIN_CONFIDENCE }), true);
  assert.equal(worthOffering(policy, { label: 'bag', confidence: MIN_CONFIDENCE - 0.01 }), false);
  assert.ok(MIN_CONFIDENCE > 1 / 2, 'above chance even for two classes');
});

test('every photo gets the guess; only offered guesses become suggestions', () => {
  const states = new PhotoStates();
  const params = Float32Array.from([1, 0, 0, 1, 0, 0]); // K=2, D=2: W = identity, b = 0
  states.of('sure').features = Float32Array.from([4, 0]); // p(trouser) = 0.98
  states.of('unsure').features = Float32Array.from([1, 0.5]); // p(trouser) = 0.62
  states.suggestAll(params, ['trouser', 'bag'], 2, (guess) => guess.confidence >= MIN_CONFIDENCE);
  assert.equal(states.get('sure').suggestion.label, 'trouser');
  assert.equal(states.get('unsure').guess.label, 'trouser');
  assert.equal(states.get('unsure').suggestion, null);
  states.suggestAll(params, ['trouser', 'bag'], 2, () => false);
  assert.equal(states.get('sure').suggestion, null, 'a policy that offers nothing clears earlier suggestions');
});
