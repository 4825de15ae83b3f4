// <fl-test-results>: how the global model did on the participant's test photos — the accuracy
// (`#test-accuracy`, with `data-accuracy`), one row per class, and whether the facilitator has it.
// Set `.result = {summary, version}` (summary: lib/training.js summarizeTest; version: the global
// model's), then `.reported = true` once it is sent; `.error = 'a sentence'` shows that instead.
export class FlTestResults extends HTMLElement {
  set result({ summary, version }) {
    const headline = document.createElement('p');
    headline.className = 'accuracy';
    headline.id = 'test-accuracy';
    headline.dataset.accuracy = String(summary.accuracy);
    headline.textContent = `Accuracy ${(summary.accuracy * 100).toFixed(1)}% on ${summary.n} test photos (global model version ${version})`;
    const table = document.createElement('table');
    table.className = 'results';
    table.innerHTML = '<thead><tr><th>Class</th><th>Correct</th><th>Accuracy</th></tr></thead>';
    const body = table.createTBody();
    for (const [name, { correct, total }] of Object.entries(summary.per_class)) {
      const row = body.insertRow();
      row.dataset.class = name;
      for (const text of [name, `${correct} / ${total}`, total ? `${Math.round((100 * correct) / total)}%` : '–']) row.insertCell().textContent = text;
    }
    this.note = document.createElement('p');
    this.replaceChildren(headline, table, this.note);
  }

  set reported(yes) {
    if (this.note) this.note.textContent = yes ? 'Result reported to the facilitator.' : '';
  }

  set error(text) {
    this.note = null;
    this.textContent = text;
  }
}
customElements.define('fl-test-results', FlTestResults);
