import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nextStep, nextStepText, photoSignature } from '../src/lib/next_step.js';
import { trainingReadiness } from '../src/lib/storage.js';

const classes = ['cat', 'dog'];
const photo = (id, label = null, confirmed = false) => ({ id, label, labelConfirmed: confirmed, role: 'train' });
const ready = (images, prepared = () => true, unusable = () => false) => trainingReadiness(images, classes, prepared, unusable);

test('the next step walks a first-time participant from no photos to training', () => {
  const step = (images, extra = {}) => nextStep({ running: true, readiness: ready(images, extra.prepared, extra.unusable), ...extra }).key;
  assert.equal(step([]), 'nextAddPhotos');
  assert.match(nextStepText({ running: true, readiness: ready([]) }), /at least 5 of each thing/);
  const three = [photo('1'), photo('2'), photo('3')];
  assert.equal(step(three, { prepared: () => false }), 'nextPreparing', 'while photos are prepared, that is the step — not labels');
  assert.equal(step(three), 'nextLabel');
  assert.equal(step(three, { suggestionsOffered: 2 }), 'nextCheckSuggestions');
  assert.equal(step(three, { unusable: (id) => id === '2' }), 'nextDeleteUnusable');
  const labelled = [photo('1', 'cat', true), photo('2', 'cat', true), photo('3', 'dog', true)];
  assert.equal(step(labelled), 'nextTrainOrAddMore');
  assert.match(nextStepText({ running: true, readiness: ready(labelled) }), /Add more of cat and dog \(5 of each works best\)/);
  const plenty = [...Array(5)].map((_, i) => photo(`c${i}`, 'cat', true));
  assert.equal(step(plenty), 'nextTrain', 'a class with no photos at all is not nagged about: the participant may not have it');
  assert.equal(step(plenty, { sentAsIs: true }), 'nextAfterTraining');
  assert.equal(nextStep({ running: false, readiness: ready(plenty) }).key, 'nextPaused');
});

test('a contribution\'s photo signature changes when a label or a photo changes, not with order or unlabelled photos', () => {
  const a = [photo('1', 'cat', true), photo('2', 'dog', true), photo('3')];
  assert.equal(photoSignature(a), photoSignature([a[1], a[0]]));
  assert.notEqual(photoSignature(a), photoSignature([a[0], photo('2', 'cat', true)]));
  assert.notEqual(photoSignature(a), photoSignature([...a, photo('4', 'cat', true)]));
});
