// <fl-join-panel>: joining a session, and every way that can fail, with a way forward.
// Set `.view = {busy, message, code, askCode, askName, retry, error, nickname, notice, title}`. `askName`
// asks for a first name or nickname (required); `askCode` also for the join code. With `notice`
// (a study's consent text) it asks to accept or decline instead.
// Fires `join-request` {code, nickname}, `consent` {accepted, nickname} and `retry`.
import { t } from '../lib/messages.js';

export class FlJoinPanel extends HTMLElement {
  connectedCallback() {
    if (this.firstChild) return;
    this.innerHTML = `
      <h2></h2>
      <p class="join-message" role="status" aria-live="polite"></p>
      <section class="consent" aria-labelledby="consent-title" hidden>
        <h3 id="consent-title"></h3>
        <p class="consent-notice"></p>
      </section>
      <form class="join-form">
        <label class="code-field"><span class="code-label"></span> <input name="code" autocomplete="off" autocapitalize="characters" spellcheck="false"></label>
        <label class="name-field"><span class="name-label"></span> <input name="nickname" maxlength="40" autocomplete="nickname" spellcheck="false"></label>
        <button type="submit" class="join primary"></button>
        <button type="button" class="accept-consent primary"></button>
        <button type="button" class="decline-consent"></button>
      </form>
      <button type="button" class="retry"></button>`;
    this.querySelector('h2').textContent = t('joinTitle');
    this.querySelector('.code-label').textContent = t('joinCodeLabel');
    this.querySelector('.join').textContent = t('joinButton');
    this.querySelector('.accept-consent').textContent = t('consentAccept');
    this.querySelector('.decline-consent').textContent = t('consentDecline');
    this.querySelector('.retry').textContent = t('retry');
    this.nicknameInput = this.querySelector('input[name=nickname]');
    this.nicknameInput.addEventListener('input', () => { this.nicknameEdited = true; });
    this.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      if (this._view?.notice) return; // the notice needs an explicit Accept or Decline
      const code = this.querySelector('input[name=code]').value.trim() || this._view?.code || '';
      if (code) this.emit('join-request', { code, nickname: this.nickname });
    });
    this.querySelector('.accept-consent').addEventListener('click', () => this.emit('consent', { accepted: true, nickname: this.nickname }));
    this.querySelector('.decline-consent').addEventListener('click', () => this.emit('consent', { accepted: false, nickname: this.nickname }));
    this.querySelector('.retry').addEventListener('click', () => this.emit('retry', {}));
    this.render();
  }

  get nickname() { return this.nicknameInput.value.trim(); }

  emit(type, detail) { this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true })); }

  set view(view) { this._view = view; if (this.firstChild) this.render(); }

  render() {
    const { busy = false, message = '', code = '', askCode = false, askName = false, retry = false, error = false,
      nickname = '', notice = null, title = '' } = this._view || {};
    const msg = this.querySelector('.join-message');
    msg.textContent = message;
    msg.classList.toggle('error', error);
    const consent = this.querySelector('.consent');
    consent.hidden = !notice;
    this.querySelector('#consent-title').textContent = title ? t('consentTitleNamed', { title }) : t('consentTitle');
    this.querySelector('.consent-notice').textContent = notice || '';
    const form = this.querySelector('form');
    form.hidden = !askCode && !askName && !notice;
    const codeInput = this.querySelector('input[name=code]');
    this.querySelector('.code-field').hidden = !askCode || !!notice;
    codeInput.required = askCode && !notice;
    this.querySelector('.name-label').textContent = t('nameLabel');
    this.nicknameInput.required = askName && !notice;
    if (askCode && code && !codeInput.value) codeInput.value = code;
    if (!this.nicknameEdited && nickname && !this.nicknameInput.value) this.nicknameInput.value = nickname;
    this.querySelector('.join').hidden = !!notice;
    this.querySelector('.accept-consent').hidden = !notice;
    this.querySelector('.decline-consent').hidden = !notice;
    for (const b of this.querySelectorAll('button')) b.disabled = busy;
    this.querySelector('.retry').hidden = !retry || askCode || askName || !!notice; // with a form, Join is the retry
  }
}
customElements.define('fl-join-panel', FlJoinPanel);
