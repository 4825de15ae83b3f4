// <fl-test-results>: how the class model did on the participant's test photos — how many it got
// right (`#test-accuracy`, with `data-accuracy`), one row per class, and whether the teacher has it.
// Set `.result = {summary}` (lib/training.js summarizeTest), then `.reported = true` once it is sent;
// `.error = 'a sentence'` shows that instead.
import { percent, t } from '../lib/messages.js';

export class FlTestResults extends HTMLElement {
  set result({ summary }) {
    const headline = document.createElement('p');
    headline.className = 'accuracy';
    headline.id = 'test-accuracy';
    headline.dataset.accuracy = String(summary.accuracy);
    const correct = Math.round(summary.accuracy * summary.n);
    headline.textContent = t('testHeadline', { correct, n: summary.n, percent: percent(summary.accuracy) });
    const table = document.createElement('table');
    table.className = 'results';
    const head = table.createTHead().insertRow();
    for (const key of ['testColumnThing', 'testColumnRight', 'testColumnScore']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = t(key);
      head.append(th);
    }
    const body = table.createTBody();
    for (const [name, { correct: right, total }] of Object.entries(summary.per_class)) {
      const row = body.insertRow();
      row.dataset.class = name;
      for (const text of [name, t('testRightOf', { correct: right, n: total }), total ? percent(right / total) : '–']) row.insertCell().textContent = text;
    }
    this.note = document.createElement('p');
    this.replaceChildren(headline, table, this.note);
  }

  set reported(yes) {
    if (this.note) this.note.textContent = yes ? t('testReported') : '';
  }

  set error(text) {
    this.note = null;
    this.textContent = text;
  }
}
customElements.define('fl-test-results', FlTestResults);
