// What a participant reads after "Train and send": plain sentences a child understands — did the class
// model learn from the photos, how many classmates have taught it, and how it does on the child's own
// test photos before and after. The numbers researchers need (versions, staleness, weights) stay out:
// the server's study log and event log have them. No DOM here: app/train_panel.js shows the result.
import { predict } from './head.js';

/** How many of the test photos (`features` with their true class `labels`) the head `params` gets right. */
export function correctCount(params, classes, featureDim, features, labels) {
  let correct = 0;
  features.forEach((f, i) => { if (classes[predict(params, classes.length, featureDim, f).classIndex] === labels[i]) correct += 1; });
  return correct;
}

/**
 * The result's sentences as catalogue entries ({key, params}), the headline first.
 * @param {{applied: boolean, contributors?: number|null, test?: {n: number, before: number, after: number}|null}} outcome
 *   `applied`: the class model learned from it now (false: the server waits for more updates);
 *   `contributors`: participants whose updates the class model holds (the server's count, if it says);
 *   `test`: the participant's own labelled test photos, right before and after (null: none yet).
 */
export function contributionResult({ applied, contributors = null, test = null }) {
  const lines = [{ key: applied ? 'resultApplied' : 'resultWaiting', params: {} }];
  if (Number.isInteger(contributors) && contributors > 0) lines.push({ key: 'resultContributors', params: { n: contributors } });
  if (test && test.n > 0 && applied) {
    lines.push({ key: test.after > test.before ? 'resultTestBetter' : test.after < test.before ? 'resultTestWorse' : 'resultTestSame', params: test });
  } else if (test && test.n > 0) {
    lines.push({ key: 'resultTestLater', params: {} });
  } else {
    lines.push({ key: 'resultNoTestPhotos', params: {} });
  }
  lines.push({ key: 'resultNext', params: {} });
  return lines;
}
