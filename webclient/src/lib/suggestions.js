// When the class model's guess is worth offering as a label to accept. A guess from a model that has
// not learned the classes is noise that looks like advice (the untrained start suggested "bag (34–43 %)"
// for 11 of 12 photos), and a child accepts what a big green button offers. So a suggestion is offered
// only when all of these hold:
//   1. the class model has learned from the class: its version is above 0 (every later version was made
//      from class statistics or participants' updates);
//   2. it has learned every class: the task's `class_model.learned_classes` (the classes some participant
//      has sent class statistics for) holds them all — a model that has never seen a sneaker would call
//      every sneaker something else, confidently. A server that does not say is trusted on 1 alone;
//   3. it is sure of this photo: its probability for the class is at least MIN_CONFIDENCE.
// Otherwise the card asks for the label, and the page says why (the model has not learned yet, which
// classes it has not seen, or that it is not sure). No DOM here.

/** Well above chance for the classes a lesson has (2–10), and where the class-statistics start is sure of a typical photo. */
export const MIN_CONFIDENCE = 0.7;

/**
 * @param {{classes: string[], class_model?: {learned_classes?: string[]}}} task
 * @param {{version: number}|null} model
 * @returns {{offer: boolean, reason: 'not_learned'|'classes_missing'|null, missing: string[]}}
 */
export function suggestionPolicy(task, model) {
  if (!task || !model || !(model.version > 0)) return { offer: false, reason: 'not_learned', missing: [] };
  const learned = task.class_model?.learned_classes;
  if (Array.isArray(learned)) {
    const missing = task.classes.filter((c) => !learned.includes(c));
    if (missing.length) return { offer: false, reason: 'classes_missing', missing };
  }
  return { offer: true, reason: null, missing: [] };
}

/** Whether this guess ({label, confidence}) is offered under the policy. */
export function worthOffering(policy, guess) {
  return !!(policy.offer && guess && guess.confidence >= MIN_CONFIDENCE);
}
