import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contributionResult, correctCount } from '../src/lib/contribution.js';
import { setLanguage, t } from '../src/lib/messages.js';

const words = (lines) => lines.map(({ key, params }) => t(key, params)).join(' ');

test('after sending, the result says in plain words what happened and how the class model does now', () => {
  setLanguage('en');
  const text = words(contributionResult({ applied: true, contributors: 4, test: { n: 6, before: 2, after: 5 } }));
  assert.equal(text, 'Thank you! The class model has learned from your photos. '
    + 'You are one of 4 classmates who have taught the class model so far. '
    + 'On your 6 test photos, the class model got 2 right before and gets 5 right now — better! '
    + 'You can add more photos and train again whenever you like.');
  assert.doesNotMatch(text, /version|staleness|weight|global/i, 'no researcher numbers on the student\'s screen');
  assert.match(words(contributionResult({ applied: true, contributors: 1 })), /You are the first to teach the class model\. Tip: add a few test photos/);
  assert.match(words(contributionResult({ applied: true, test: { n: 1, before: 1, after: 1 } })), /On your test photo, the class model got 1 right before and gets 1 right now\./);
  assert.match(words(contributionResult({ applied: true, test: { n: 4, before: 3, after: 2 } })), /More photos of each thing will help it/);
  // a server that buffers updates (FedBuff): the class model has not changed yet, so no before/after
  const waiting = words(contributionResult({ applied: false, test: { n: 4, before: 3, after: 3 } }));
  assert.match(waiting, /waits for a few classmates/);
  assert.match(waiting, /When the class model has learned from it/);
  assert.doesNotMatch(waiting, /right now/);
});

test('the score on test photos is the head\'s top class against each true label', () => {
  const params = Float32Array.from([1, 0, 0, 1, 0, 0]); // K=2, D=2: W = identity, b = 0
  const features = [Float32Array.from([2, 0]), Float32Array.from([0, 2]), Float32Array.from([3, 1])];
  assert.equal(correctCount(params, ['cat', 'dog'], 2, features, ['cat', 'dog', 'dog']), 2);
  assert.equal(correctCount(params, ['cat', 'dog'], 2, [], []), 0);
});
