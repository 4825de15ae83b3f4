// "You and your data": the dialog behind the name in the top bar — who you are in this class, that
// photos stay on the device, and the guide again.
import { t } from '../lib/messages.js';
import { $ } from './page.js';

export class AboutDialog {
  /** @param {{onShowGuide: () => void}} deps */
  constructor({ onShowGuide }) {
    this.dialog = $('#about-dialog');
    $('#profile-button').addEventListener('click', () => this.open());
    $('#about-close').addEventListener('click', () => this.dialog.close());
    $('#show-guide').addEventListener('click', () => { this.dialog.close(); onShowGuide(); });
    // a click on the backdrop (outside the dialog's box) closes it, as Escape does
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.dialog.close(); });
    // back to where it was opened from, in every engine (not all restore the focus of a closed dialog)
    this.dialog.addEventListener('close', () => $('#profile-button').focus());
  }

  /** The participant as the task names them: the top bar's button and the dialog's first line. */
  setParticipant(me) {
    $('#profile-name').textContent = me.nickname ? t('profileNamed', { name: me.nickname, id: me.id }) : t('profileNumber', { id: me.id });
    $('#profile-button').title = t('aboutTitle');
    $('#profile-button').hidden = false;
    $('#about-name').textContent = me.nickname ? t('aboutNameNamed', { name: me.nickname, id: me.id }) : t('aboutNameNumber', { id: me.id });
  }

  open() {
    if (!this.dialog.open) this.dialog.showModal();
  }
}
