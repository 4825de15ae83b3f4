// "Use this photo in <other session> too" (issue 18): a photo is in one session only, unless the
// participant copies it to another one here, explicitly, one photo and one session at a time. The copy
// has no label there (the classes may differ); its features come along when both sessions use the same
// image model, else that session prepares it when it is opened (lib/sessions.js copyPhoto).
import { t } from '../lib/messages.js';
import { $ } from './page.js';

export class ReuseDialog {
  /** @param app the ParticipantApp: `sessions`, `sessionKey`, `store`, `task`, `photos` */
  constructor(app) {
    this.app = app;
    this.dialog = $('#reuse-dialog');
    this.opener = null;
    $('#reuse-close').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.dialog.close(); });
    this.dialog.addEventListener('close', () => this.opener?.isConnected && this.opener.focus());
  }

  /** The other sessions a photo can go to (joined ones). */
  async others() {
    return (await this.app.sessions.all()).filter((s) => s.sessionId !== null && s.key !== this.app.sessionKey);
  }

  async open(id, opener) {
    const record = await this.app.store.getImage(id);
    if (!record) return;
    this.opener = opener;
    const name = t(record.role === 'test' ? 'cardTestTitle' : 'cardTitle', { n: record.number ?? '' });
    $('#reuse-title').textContent = t('reuseTitle', { name });
    const img = $('#reuse-photo');
    img.src = this.app.photos.states.get(id)?.thumbnailUrl || '';
    img.alt = name;
    $('#reuse-result').textContent = '';
    const buttons = (await this.others()).map((s) => {
      const b = Object.assign(document.createElement('button'), { type: 'button', className: 'primary', textContent: t('reuseInto', { title: s.title || s.joinCode }) });
      b.dataset.key = s.key;
      b.addEventListener('click', () => this.copy(record, s, b, name));
      return b;
    });
    $('#reuse-choices').replaceChildren(...buttons);
    if (!this.dialog.open) this.dialog.showModal();
    buttons[0]?.focus();
  }

  async copy(record, session, button, name) {
    const result = $('#reuse-result');
    button.disabled = true;
    try {
      await this.app.sessions.copyPhoto(record, { from: this.app.sessionKey, to: session.key, fromBackbone: this.app.task.backbone.sha256 });
      result.textContent = t('reuseDone', { name, title: session.title || session.joinCode });
      result.dataset.copied = String(Number(result.dataset.copied || 0) + 1); // for tests
      $('#reuse-close').focus(); // the pressed button is now disabled: one copy per photo and session
    } catch (err) {
      result.textContent = t('reuseFailed', { message: err.message || err });
      button.disabled = false;
    }
  }
}
