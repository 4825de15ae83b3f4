// The first-run guide at the top of the Photos tab: what to do, what the tabs are for, and that
// photos never leave the device. Shown until "Got it" (remembered per profile), and again from the
// "You and your data" dialog.
import { t, list } from '../lib/messages.js';
import { $ } from './page.js';

export class Guide {
  /** @param {{store: import('../lib/storage.js').ParticipantStore}} deps */
  constructor({ store }) {
    this.store = store;
    $('#guide-done').addEventListener('click', () => this.dismiss());
  }

  /** Show it to a participant who has not dismissed it yet (or always, with `force`). */
  async show(classes, { force = false } = {}) {
    $('#guide-add').textContent = t('guideAdd', { n: 5, classes: list(classes) });
    if (!force && (await this.store.getGuideSeen())) return;
    $('#guide').hidden = false;
    if (force) $('#guide-title').scrollIntoView({ block: 'start' });
  }

  async dismiss() {
    $('#guide').hidden = true;
    // for whoever works by keyboard: to the sentence that says what to do now (Tab goes on to Add
    // photos). Not to the file input itself: the Enter that pressed "Got it" could open its dialog.
    $('#next-step').focus();
    await this.store.setGuideSeen(true);
  }
}
