// The one sentence at the top of the Photos tab that says what to do now (first run to last
// contribution). No DOM: app/readiness_view.js shows it; node's tests walk through a lesson.
import { t, list } from './messages.js';

/** What the guide asks for: a handful of photos of each thing is what makes the class model learn it. */
export const ENOUGH_PER_CLASS = 5;

/**
 * @param {{running: boolean, readiness: ReturnType<import('./storage.js').trainingReadiness>,
 *          suggestionsOffered: number, sentAsIs: boolean}} state
 *   `suggestionsOffered`: unlabelled photos with a suggestion to accept; `sentAsIs`: the last
 *   contribution was trained on exactly the photos and labels there are now.
 * @returns {{key: string, params: object}} a catalogue entry and its parameters
 */
export function nextStep({ running, readiness, suggestionsOffered = 0, sentAsIs = false }) {
  const r = readiness;
  if (!running) return { key: 'nextPaused', params: {} };
  if (r.photos === 0) return { key: 'nextAddPhotos', params: { n: ENOUGH_PER_CLASS } };
  if (r.failed) return { key: 'nextDeleteUnusable', params: { n: r.failed } };
  if (r.preparing) return { key: 'nextPreparing', params: { n: r.preparing } };
  if (r.unconfirmed) {
    return suggestionsOffered ? { key: 'nextCheckSuggestions', params: { n: r.unconfirmed } } : { key: 'nextLabel', params: { n: r.unconfirmed } };
  }
  if (!r.ready) return { key: r.reason.key, params: { n: r.reason.n } };
  if (sentAsIs) return { key: 'nextAfterTraining', params: {} };
  const few = Object.entries(r.counts).filter(([, n]) => n > 0 && n < ENOUGH_PER_CLASS).map(([label]) => label);
  if (few.length) return { key: 'nextTrainOrAddMore', params: { labels: list(few), n: ENOUGH_PER_CLASS } };
  return { key: 'nextTrain', params: {} };
}

/** The sentence itself. */
export function nextStepText(state) {
  const { key, params } = nextStep(state);
  return t(key, params);
}

/** Which photos with which labels a contribution was trained on: equal signatures, nothing changed since. */
export function photoSignature(trainRecords) {
  return trainRecords.filter((r) => r.labelConfirmed).map((r) => `${r.id}=${r.label}`).sort().join('|');
}
