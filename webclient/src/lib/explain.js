// What "Why?" and "Try it" show of one photo, with no DOM (issue 16): a model's score for every class
// (softmax of the head over the pooled features, as the suggestions) and one class's activation map
// (lib/cam.js) — of the class model or, after local training, of the participant's own model.
import { classActivationMap, featureMapShape, hottestRegion, mapRange } from './cam.js';
import { parameterCount, predict } from './head.js';

/** Which model explains: the class model (the global one) or the participant's own, trained on this device. */
export const MODEL_KINDS = Object.freeze(['class', 'own']);

/**
 * One model's view of a photo. `featureMap`/`mapDims` may be null (a session prepared before issue 16
 * has no map): then only the scores are there.
 * @returns {{top: number, classIndex: number, probabilities: Float32Array, ranking: number[],
 *            map: Float32Array|null, shape: {depth:number, height:number, width:number}|null,
 *            region: string|null, range: number}}
 */
export function explain({ features, featureMap = null, mapDims = null, params, numClasses, featureDim, classIndex = null }) {
  const { classIndex: top, probabilities } = predict(params, numClasses, featureDim, features);
  const k = classIndex ?? top;
  if (!(Number.isInteger(k) && k >= 0 && k < numClasses)) throw new Error(`no class ${k}`);
  const ranking = [...probabilities.keys()].sort((a, b) => probabilities[b] - probabilities[a] || a - b);
  const out = { top, classIndex: k, probabilities, ranking, map: null, shape: null, region: null, range: 0 };
  if (featureMap) {
    out.shape = featureMapShape(mapDims);
    out.map = classActivationMap(featureMap, params, numClasses, out.shape, k);
    out.region = hottestRegion(out.map, out.shape.height, out.shape.width);
    const { low, high } = mapRange(out.map);
    out.range = high - low;
  }
  return out;
}

/**
 * The class "Why?" opens on: the suggestion the card offers, else the label the participant chose,
 * else the model's own top class.
 */
export function startingClass(classes, { suggestion = null, label = null, labelConfirmed = false } = {}, top = 0) {
  for (const name of [suggestion?.label, labelConfirmed ? label : null]) {
    const i = name ? classes.indexOf(name) : -1;
    if (i >= 0) return i;
  }
  return top;
}

/**
 * The participant's own model as the page keeps it ({sessionId, participantId, baseVersion, params}),
 * if it belongs to this task's session and participant and fits its classes; else null.
 */
export function ownModelFor(own, task) {
  if (!own || !task || own.sessionId !== task.session_id || own.participantId !== task.participant?.id) return null;
  const params = own.params instanceof Float32Array ? own.params : new Float32Array(own.params || []);
  if (params.length !== parameterCount(task.classes.length, task.backbone.feature_dim)) return null;
  return { ...own, params };
}
