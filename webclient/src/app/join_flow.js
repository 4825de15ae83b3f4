// Joining a session: the join screen (<fl-join-panel>), a join stored on this device resumed after a
// reload, the study notice's Accept and Decline, and what to do when the server no longer knows the
// token. Once joined, `onJoined()` loads the task; errors it throws are handled here like the join's.
import { ApiError, NetworkError, describeJoinError, sameJoinCode } from '../lib/api.js';
import { randomKey } from '../lib/connection.js';
import { t } from '../lib/messages.js';
import { $ } from './page.js';

export class JoinFlow {
  /**
   * @param {{profile: string, joinCode: string|null, api: import('../lib/api.js').ApiClient,
   *          connection: import('../lib/connection.js').Connection, store: import('../lib/storage.js').ParticipantStore,
   *          sessions: import('../lib/sessions.js').SessionList, sessionKey: string, onSwitch: (key: string) => void,
   *          panel: HTMLElement, onJoined: () => Promise<void>}} deps
   * `store` is the page's session's (`sessionKey`); a join that turns out to be for another session this
   * profile has joined (a group link, say) is stored there and the page goes there (`onSwitch`).
   */
  constructor({ profile, joinCode, api, connection, store, sessions, sessionKey, onSwitch, panel, onJoined }) {
    Object.assign(this, { profile, joinCode, api, connection, store, sessions, sessionKey, onSwitch, panel, onJoined });
    this.pendingConsent = null;
    panel.addEventListener('join-request', (e) => { this.joinCode = e.detail.code || this.joinCode; this.join(e.detail.nickname); });
    panel.addEventListener('consent', (e) => this.answerConsent(e.detail));
    panel.addEventListener('retry', () => this.connect());
  }

  showJoin(view) {
    $('#join-view').hidden = false;
    $('#task-view').hidden = true;
    this.panel.view = view;
  }

  /** Resume the stored join (if it is for this code), else ask for what a join needs. */
  async connect() {
    const stored = await this.store.getJoin();
    if (stored && (!this.joinCode || sameJoinCode(this.joinCode, stored.joinCode))) {
      this.api.token = stored.token;
      this.joinCode = stored.joinCode;
      this.showJoin({ busy: true, message: t('connecting') });
      try {
        await this.onJoined();
      } catch (err) {
        if (err instanceof ApiError && err.code === 'token_unknown') {
          // another tab of this profile joined again (same device key), which replaced this token
          await this.store.clearJoin();
          return this.join(await this.store.getNickname());
        }
        if (err instanceof ApiError && err.status === 401) {
          await this.store.clearJoin();
          this.api.token = null;
          this.showJoin({
            message: t('joinRemoved'),
            code: stored.joinCode, askCode: true, error: true,
          });
        } else if (err instanceof NetworkError) {
          this.showJoin({ ...describeJoinError(err, stored.joinCode), busy: true, error: true });
          await this.connection.lost();
          return this.connect();
        } else {
          this.showJoin({ ...describeJoinError(err, stored.joinCode), error: true });
        }
      }
      return;
    }
    if (this.joinCode) {
      // ?profile= simulates one of several participants on this device: its name is the profile's
      if (this.profile !== 'default') return this.join(this.profile);
      return this.showJoin({ message: t('askName'), code: this.joinCode, askName: true, nickname: await this.store.getNickname() });
    }
    this.showJoin({ message: t('askCode'), askCode: true, askName: true, nickname: await this.store.getNickname() });
  }

  /** Look at the session first: a study session shows its notice and joins only after Accept. */
  async join(nickname, { askedAgain = false } = {}) {
    const code = this.joinCode;
    this.showJoin({ busy: true, message: t('joining', { code }), code, nickname });
    try {
      await this.api.status();
      const info = await this.api.joinInfo(code);
      if (info.study_logging) {
        this.pendingConsent = { code };
        this.showJoin({
          message: t('consentAsk'),
          notice: info.consent_notice, title: info.title, nickname,
        });
        return;
      }
      await this.completeJoin(code, nickname, false);
    } catch (err) {
      // study logging was switched on between the look and the join: show the notice now
      if (err instanceof ApiError && err.code === 'consent_required' && !askedAgain) return this.join(nickname, { askedAgain: true });
      this.showJoin({ ...describeJoinError(err, code), code, nickname, error: true, busy: err instanceof NetworkError });
      if (err instanceof NetworkError) {
        await this.connection.lost();
        return this.join(nickname, { askedAgain });
      }
    }
  }

  async answerConsent({ accepted, nickname }) {
    const pending = this.pendingConsent;
    this.pendingConsent = null;
    if (!pending) return;
    if (!accepted) {
      this.showJoin({
        message: t('consentDeclined'),
        code: pending.code, askCode: true, nickname,
      });
      return;
    }
    this.showJoin({ busy: true, message: t('joining', { code: pending.code }), code: pending.code, nickname });
    try {
      await this.completeJoin(pending.code, nickname, true);
    } catch (err) {
      this.showJoin({ ...describeJoinError(err, pending.code), code: pending.code, nickname, error: true });
    }
  }

  async completeJoin(code, nickname, consent) {
    const device = navigator.userAgentData?.platform || navigator.platform || 'browser';
    const deviceKey = await this.store.deviceKey(() => randomKey(24));
    if (nickname) await this.store.setNickname(nickname);
    const joined = await this.api.join(code, { nickname: nickname || null, device, consent, deviceKey });
    const key = await this.sessions.settle(this.sessionKey, { sessionId: joined.session_id, joinCode: code });
    await this.sessions.storeFor(key).setJoin({
      token: joined.token, joinCode: code, participantId: joined.participant_id, sessionId: joined.session_id, study: consent,
    });
    await this.sessions.use(key);
    if (key !== this.sessionKey) return this.onSwitch(key);
    this.api.token = joined.token;
    await this.onJoined();
  }
}
