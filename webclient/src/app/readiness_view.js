// What is ready and what to do next, on all three tabs: the next-step sentence, the class model's
// state in plain words, the counts per class, how many labels are done, and which buttons work.
import { list, t } from '../lib/messages.js';
import { trainingReadiness } from '../lib/storage.js';
import { nextStepText, photoSignature } from '../lib/next_step.js';
import { $ } from './page.js';

/** @param app the ParticipantApp: its task, model, photos (PhotoBoard) and train (TrainPanel). */
export function showReadiness(app) {
  const { images, states } = app.photos;
  if (!app.task || !images) return;
  const readiness = trainingReadiness(images, app.task.classes, (id) => states.hasFeatures(id), (id) => states.unusable(id));
  $('#class-counts').counts = readiness.counts;
  const train = images.filter((r) => r.role === 'train');
  const offered = train.filter((r) => !r.labelConfirmed && states.get(r.id)?.suggestion).length;
  $('#review-status').textContent = train.length ? t('reviewStatus', { done: train.length - readiness.unconfirmed, n: train.length }) : '';
  $('#accept-all').hidden = offered === 0;
  showSuggestionNote(app, train);
  const running = app.task.state === 'running';
  const sent = app.train.lastContribution?.signature;
  $('#next-step').textContent = nextStepText({
    running, readiness, suggestionsOffered: offered, sentAsIs: !!sent && sent === photoSignature(train),
  });
  $('#train-readiness').textContent = !running ? t('trainPaused')
    : readiness.ready ? t('trainReady', { n: train.length }) : readiness.text;
  $('#train-button').disabled = !readiness.ready || !running || app.train.busy;
  $('#retrain-button').disabled = !readiness.ready || !running || app.train.busy;
  const testReady = images.some((r) => r.role === 'test' && r.labelConfirmed && states.hasFeatures(r.id));
  $('#evaluate-button').disabled = !testReady || !app.model;
}

/** The class model in one sentence: has it learned anything yet? */
export function showModelStatus(app) {
  const contributors = app.task?.class_model?.contributors;
  $('#model-status').textContent = !(app.model?.version > 0) ? t('modelNotLearned')
    : Number.isInteger(contributors) && contributors > 0 ? t('modelLearnedFrom', { n: contributors }) : t('modelLearned');
}

/**
 * Why photos waiting for a label get no suggestion to accept: the class model has not learned yet, or
 * not every class (lib/suggestions.js). Hidden when there is nothing to label or suggestions are offered.
 */
function showSuggestionNote(app, train) {
  const { policy } = app.photos;
  const note = $('#suggestion-note');
  const waiting = train.some((r) => !r.labelConfirmed && app.photos.states.hasFeatures(r.id));
  note.hidden = !waiting || !policy || policy.offer;
  if (note.hidden) return;
  note.textContent = policy.reason === 'classes_missing'
    ? t('suggestClassesMissing', { labels: list(policy.missing) }) : t('suggestNotLearned');
}
