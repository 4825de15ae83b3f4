// <fl-explanation>: one photo explained, for "Why?" (app/why_dialog.js) and "Try it" (app/try_it.js) —
// the photo with the class activation map of one class over it (lib/cam.js), what the model thinks in
// plain words, where it looked most, and every class's score as a button that shows that class's map.
// With the participant's own model (after local training) two buttons choose whose model explains.
// Data in: `.show({photo, size, classes, result, model, hasOwn, canHaveOwn})` (result: lib/explain.js
// explain()), `.busy = text`, `.error = text`. Out: `explain-class` {classIndex}, `explain-model` {model}.
// What tests read, on the canvas: data-class-index, data-class, data-top, data-model, data-cam (the
// map's h*w values, JSON) and data-range (its highest minus lowest value); the element's data-state
// is 'busy', 'ready' or 'error'.
import { heatGradient, overlayPixels } from '../lib/cam.js';
import { percent, t } from '../lib/messages.js';

/** model -> [its map shows the class it thinks it is, another class] */
const WARM_KEYS = { class: ['explainWarmClass', 'explainWarmClassOther'], own: ['explainWarmOwn', 'explainWarmOwnOther'] };
const REGION_KEYS = {
  'top-left': 'explainWhereTopLeft', 'top-centre': 'explainWhereTop', 'top-right': 'explainWhereTopRight',
  'middle-left': 'explainWhereLeft', 'middle-centre': 'explainWhereMiddle', 'middle-right': 'explainWhereRight',
  'bottom-left': 'explainWhereBottomLeft', 'bottom-centre': 'explainWhereBottom', 'bottom-right': 'explainWhereBottomRight',
};

export class FlExplanation extends HTMLElement {
  connectedCallback() {
    if (this.firstChild) return;
    this.innerHTML = `
      <p class="explain-status" role="status" aria-live="polite"></p>
      <div class="explain-body" hidden>
        <div class="explain-models" role="group">
          <button type="button" data-model="class"></button>
          <button type="button" data-model="own"></button>
        </div>
        <div class="explain-picture">
          <canvas class="explain-canvas" role="img"></canvas>
          <div class="explain-legend"><span class="legend-low"></span><span class="legend-bar"></span><span class="legend-high"></span></div>
        </div>
        <p class="explain-verdict"></p>
        <p class="explain-text"></p>
        <p class="explain-where"></p>
        <p class="explain-own-later"></p>
        <p class="explain-scores-title"></p>
        <ul class="explain-scores"></ul>
      </div>`;
    this.querySelector('.legend-bar').style.background = heatGradient();
    this.querySelector('.explain-models').addEventListener('click', (e) => {
      const model = e.target.closest('button')?.dataset.model;
      if (model && model !== this.current?.model) this.emit('explain-model', { model });
    });
    this.querySelector('.explain-scores').addEventListener('click', (e) => {
      const index = Number(e.target.closest('button')?.dataset.index);
      if (Number.isInteger(index) && index !== this.current?.result.classIndex) this.emit('explain-class', { classIndex: index });
    });
  }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true })); }

  set busy(text) { this.status('busy', text); }

  set error(text) { this.status('error', text); }

  status(state, text) {
    this.connectedCallback();
    this.dataset.state = state;
    this.querySelector('.explain-status').textContent = text;
    this.querySelector('.explain-status').hidden = false;
    this.querySelector('.explain-body').hidden = true;
  }

  /**
   * @param {{photo: Uint8ClampedArray, size: number, classes: string[], result: object, model: 'class'|'own',
   *          hasOwn: boolean, canHaveOwn?: boolean}} what `photo`: RGBA pixels of the square the backbone saw
   */
  show(what) {
    this.connectedCallback();
    // the buttons are made anew: the focus goes back to the one that had it (keyboard users stay put)
    const focused = this.contains(document.activeElement) ? document.activeElement.dataset : null;
    this.current = what;
    const { classes, result, model, hasOwn, canHaveOwn = true } = what;
    const label = classes[result.classIndex];
    const top = classes[result.top];
    const own = model === 'own';
    this.drawPicture(what, label);
    this.querySelector('.explain-verdict').textContent = t(own ? 'explainOwnThinks' : 'explainClassThinks',
      { label: top, percent: percent(result.probabilities[result.top]) });
    const same = result.classIndex === result.top;
    this.querySelector('.explain-text').textContent = !result.map ? t('explainNoMap')
      : t(WARM_KEYS[own ? 'own' : 'class'][same ? 0 : 1], { label, top });
    const where = this.querySelector('.explain-where');
    where.textContent = result.region ? t(REGION_KEYS[result.region]) : '';
    where.hidden = !result.region;

    const models = this.querySelector('.explain-models');
    models.hidden = !hasOwn;
    models.setAttribute('aria-label', t('explainWhoseModel'));
    for (const b of models.querySelectorAll('button')) {
      b.textContent = t(b.dataset.model === 'own' ? 'explainOwnModel' : 'explainClassModel');
      b.setAttribute('aria-pressed', String(b.dataset.model === model));
    }
    const later = this.querySelector('.explain-own-later');
    later.textContent = t('explainOwnLater');
    later.hidden = hasOwn || !canHaveOwn;

    this.querySelector('.explain-scores-title').textContent = t(result.map ? 'explainScoresTitle' : 'explainScoresOnly');
    this.querySelector('.explain-scores').replaceChildren(...result.ranking.map((k) => this.scoreItem(classes[k], k, result)));
    this.querySelector('.explain-status').hidden = true;
    this.querySelector('.explain-body').hidden = false;
    this.dataset.state = 'ready';
    const again = focused?.index !== undefined ? `.explain-scores button[data-index="${focused.index}"]`
      : focused?.model ? `.explain-models button[data-model="${focused.model}"]` : null;
    if (again) this.querySelector(again)?.focus();
  }

  drawPicture({ photo, size, result, model }, label) {
    const canvas = this.querySelector('canvas');
    canvas.width = size;
    canvas.height = size;
    const pixels = result.map ? overlayPixels(photo, result.map, result.shape.height, result.shape.width, size) : photo;
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(pixels), size, size), 0, 0);
    canvas.setAttribute('aria-label', result.map ? t('explainPictureAlt', { label }) : t('explainPhotoAlt'));
    Object.assign(canvas.dataset, {
      classIndex: String(result.classIndex), class: label, top: String(result.top), model,
      cam: result.map ? JSON.stringify(Array.from(result.map)) : '', range: String(result.range),
    });
    this.querySelector('.explain-legend').hidden = !result.map;
    this.querySelector('.legend-low').textContent = t('explainLegendLow');
    this.querySelector('.legend-high').textContent = t('explainLegendHigh');
  }

  scoreItem(name, k, result) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.dataset.index = String(k);
    button.setAttribute('aria-pressed', String(k === result.classIndex));
    button.disabled = !result.map;
    const p = result.probabilities[k];
    const text = document.createElement('span');
    text.className = 'score-label';
    text.textContent = t('explainScore', { label: name, percent: percent(p) });
    const bar = document.createElement('span');
    bar.className = 'score-bar';
    const fill = document.createElement('span');
    fill.style.width = `${Math.round(p * 100)}%`;
    bar.append(fill);
    button.append(text, bar);
    item.append(button);
    return item;
  }
}
customElements.define('fl-explanation', FlExplanation);
