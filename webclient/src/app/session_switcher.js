// "Your classes": the sessions this profile has joined (lib/sessions.js), behind the title in the top
// bar. One page shows one session: going to another opens the page again on it (so nothing of one
// session's photos, model or training stays in the page of another), and "Join with another code" opens
// the join screen for a new one, leaving the others as they are. Shown on the join screen too, so a
// participant removed from one session still reaches the others.
import { t } from '../lib/messages.js';
import { $ } from './page.js';

/** The page's address for another session: without the join link (and `another`), keeping the rest (profile, lang). */
export function pageUrl(href, { another = false } = {}) {
  const url = new URL(href);
  url.searchParams.delete('join');
  url.searchParams.delete('another');
  if (another) url.searchParams.set('another', '1');
  return url.toString();
}

export class SessionSwitcher {
  /** @param app the ParticipantApp: its `sessions` (SessionList), `sessionKey` and `task` */
  constructor(app) {
    this.app = app;
    this.dialog = $('#sessions-dialog');
    this.button = $('#sessions-button');
    this.button.addEventListener('click', () => this.open());
    $('#sessions-close').addEventListener('click', () => this.dialog.close());
    $('#join-another').addEventListener('click', () => this.go(null));
    this.dialog.addEventListener('click', (e) => { if (e.target === this.dialog) this.dialog.close(); });
    this.dialog.addEventListener('close', () => this.button.focus());
  }

  /** The top bar's button: the session's title once known (else "Your classes"), shown once the profile has joined one. */
  async render() {
    const { sessions, sessionKey, task } = this.app;
    const all = await sessions.all();
    const here = all.find((s) => s.key === sessionKey);
    $('#task-title').textContent = task?.title || here?.title || t('sessionsTitle');
    this.button.hidden = !all.some((s) => s.sessionId !== null);
    this.button.dataset.sessions = String(all.filter((s) => s.sessionId !== null).length); // for tests
  }

  /** After joining: what the list shows of this session. */
  async joined(task) {
    await this.app.sessions.update(this.app.sessionKey, { title: task.title, classes: task.classes, backbone: task.backbone.sha256 });
    await this.render();
  }

  async open() {
    await this.fill();
    if (!this.dialog.open) this.dialog.showModal();
  }

  /** One line per session joined: the one shown now says so, each other is a button that goes there. */
  async fill() {
    const { sessions, sessionKey } = this.app;
    const items = [];
    for (const s of await sessions.all()) {
      if (s.sessionId === null) continue;
      const photos = (await sessions.storeFor(s.key).listImages()).length;
      const title = s.title || s.joinCode;
      const li = document.createElement('li');
      li.dataset.key = s.key;
      li.dataset.photos = String(photos); // for tests
      const detail = Object.assign(document.createElement('span'), { className: 'session-detail', textContent: t('sessionPhotos', { n: photos }) });
      if (s.key === sessionKey) {
        li.setAttribute('aria-current', 'true');
        li.className = 'here';
        li.append(Object.assign(document.createElement('span'), { className: 'session-name', textContent: title }),
          Object.assign(document.createElement('span'), { className: 'session-here', textContent: t('sessionHere') }), detail);
      } else {
        const go = Object.assign(document.createElement('button'), { type: 'button', className: 'go-session', textContent: t('sessionGo', { title }) });
        go.addEventListener('click', () => this.go(s.key));
        li.append(go, detail);
      }
      items.push(li);
    }
    $('#sessions-list').replaceChildren(...items);
  }

  /** Open the page on session `key` (or, with null, on the join screen for another one). */
  async go(key) {
    if (key) await this.app.sessions.use(key);
    location.assign(pageUrl(location.href, { another: !key }));
  }
}
