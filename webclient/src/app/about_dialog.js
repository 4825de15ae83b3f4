// "You and your data": the dialog behind the name in the top bar — who you are in this class, that
// photos stay on the device, the guide again and, in a study, the study name and leaving the study
// (which deletes what the study recorded; what the class model already learned stays in it).
import { t } from '../lib/messages.js';
import { $ } from './page.js';

export class AboutDialog {
  /** @param {{onShowGuide: () => void, onWithdraw: () => Promise<void>}} deps */
  constructor({ onShowGuide, onWithdraw }) {
    this.onWithdraw = onWithdraw;
    this.dialog = $('#about-dialog');
    $('#profile-button').addEventListener('click', () => this.open());
    $('#about-close').addEventListener('click', () => this.dialog.close());
    $('#show-guide').addEventListener('click', () => { this.dialog.close(); onShowGuide(); });
    // a click on the backdrop (outside the dialog's box) closes it, as Escape does
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.dialog.close(); });
    // back to where it was opened from, in every engine (not all restore the focus of a closed dialog)
    this.dialog.addEventListener('close', () => $('#profile-button').focus());
    $('#withdraw-button').addEventListener('click', () => this.confirmWithdraw(true));
    $('#withdraw-no').addEventListener('click', () => this.confirmWithdraw(false));
    $('#withdraw-yes').addEventListener('click', () => this.withdraw());
  }

  /** The participant as the task names them: the top bar's button and the dialog's first line. */
  setParticipant(me) {
    $('#profile-name').textContent = me.nickname ? t('profileNamed', { name: me.nickname, id: me.id }) : t('profileNumber', { id: me.id });
    $('#profile-button').title = t('aboutTitle');
    $('#profile-button').hidden = false;
    $('#about-name').textContent = me.nickname ? t('aboutNameNamed', { name: me.nickname, id: me.id }) : t('aboutNameNumber', { id: me.id });
  }

  /**
   * The study part: shown to a participant who joined a study session with consent. `pseudonym` is
   * the name the study's exports give them; `withdrawn`: they have left the study.
   */
  setStudy({ inStudy, pseudonym, withdrawn = false }) {
    $('#study-section').hidden = !inStudy && !withdrawn;
    $('#study-pseudonym-line').textContent = t('studyPseudonym', { pseudonym });
    $('#study-pseudonym-line').hidden = withdrawn;
    $('#study-withdraw-explain').hidden = withdrawn; // the result says it again, as done
    $('#withdraw-button').hidden = withdrawn;
    $('#withdraw-confirm').hidden = true;
    if (withdrawn) $('#withdraw-result').textContent = t('withdrawDone');
  }

  confirmWithdraw(ask) {
    $('#withdraw-confirm').hidden = !ask;
    $('#withdraw-button').hidden = ask;
    $(ask ? '#withdraw-no' : '#withdraw-button').focus(); // the safe answer first
  }

  async withdraw() {
    const result = $('#withdraw-result');
    for (const b of $('#withdraw-confirm').querySelectorAll('button')) b.disabled = true;
    try {
      await this.onWithdraw();
      $('#withdraw-confirm').hidden = true;
      result.textContent = t('withdrawDone');
      $('#study-pseudonym-line').hidden = true;
      $('#study-withdraw-explain').hidden = true;
      $('#about-close').focus();
    } catch (err) {
      result.textContent = t('withdrawFailed', { message: err.message || err });
      this.confirmWithdraw(false);
    } finally {
      for (const b of $('#withdraw-confirm').querySelectorAll('button')) b.disabled = false;
    }
  }

  open() {
    if (!this.dialog.open) this.dialog.showModal();
  }
}
