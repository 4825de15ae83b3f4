// <fl-join-panel>: joining a session, and every way that can fail, with a way forward.
// Set `.view = {busy, message, code, askCode, retry}`; it fires `join-request` {code} and `retry`.
export class FlJoinPanel extends HTMLElement {
  connectedCallback() {
    if (this.firstChild) return;
    this.innerHTML = `
      <h2>Join the session</h2>
      <p class="join-message" role="status" aria-live="polite"></p>
      <form class="join-form">
        <label>Join code <input name="code" autocomplete="off" autocapitalize="characters" spellcheck="false" required></label>
        <button type="submit">Join</button>
      </form>
      <button type="button" class="retry">Retry</button>`;
    this.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      const code = this.querySelector('input').value.trim();
      if (code) this.dispatchEvent(new CustomEvent('join-request', { detail: { code }, bubbles: true }));
    });
    this.querySelector('.retry').addEventListener('click', () => this.dispatchEvent(new CustomEvent('retry', { bubbles: true })));
    this.render();
  }

  set view(view) { this._view = view; if (this.firstChild) this.render(); }

  render() {
    const { busy = false, message = '', code = '', askCode = false, retry = false, error = false } = this._view || {};
    const msg = this.querySelector('.join-message');
    msg.textContent = message;
    msg.classList.toggle('error', error);
    const form = this.querySelector('form');
    form.hidden = !askCode;
    if (askCode && code && !this.querySelector('input').value) this.querySelector('input').value = code;
    for (const b of this.querySelectorAll('button')) b.disabled = busy;
    this.querySelector('.retry').hidden = !retry || askCode; // with a code field, Join is the retry
  }
}
customElements.define('fl-join-panel', FlJoinPanel);
