// The participant app: joins (join_flow.js), then shows the task — photos (photo_board.js), training
// (train_panel.js), testing (<fl-test-results>), "Why?" (why_dialog.js) and "Try it" (try_it.js) — and
// keeps task and global model current with the server. State lives in IndexedDB (one database per ?profile=), so a reload resumes where it was.
// A profile can join several sessions (lib/sessions.js): one page shows one of them — the join link's,
// else the one used last — and "Your classes" (session_switcher.js) opens the page on another.
import { ApiClient, ApiError, NetworkError, describeApiError } from '../lib/api.js';
import { Connection } from '../lib/connection.js';
import { t } from '../lib/messages.js';
import { ParticipantStore, databaseName } from '../lib/storage.js';
import { IndexedDBBackend } from '../lib/idb_backend.js';
import { ScopedBackend, SessionList } from '../lib/sessions.js';
import { StudyLog } from '../lib/study_log.js';
import { checkParameterLength } from '../lib/head.js';
import { summarizeTest } from '../lib/training.js';
import { ownModelFor } from '../lib/explain.js';
import { JoinFlow } from './join_flow.js';
import { ModelFiles, headArtifactsKey } from './model_files.js';
import { PhotoBoard } from './photo_board.js';
import { TrainPanel } from './train_panel.js';
import { Explainer } from './explainer.js';
import { WhyDialog } from './why_dialog.js';
import { TryIt } from './try_it.js';
import { Guide } from './guide.js';
import { AboutDialog } from './about_dialog.js';
import { SessionSwitcher, pageUrl } from './session_switcher.js';
import { ReuseDialog } from './reuse_dialog.js';
import { showReadiness, showModelStatus } from './readiness_view.js';
import { benchmarkTimings } from './timings.js';
import { $, showBanner } from './page.js';

const TASK_POLL_MS = 5000;

export class ParticipantApp {
  constructor(search = location.search) {
    const params = new URLSearchParams(search);
    this.profile = params.get('profile') || 'default';
    this.joinCode = (params.get('join') || '').trim() || null;
    this.another = params.has('another'); // "Join with another code": the join screen for a new session
    this.timings = benchmarkTimings(params);
    this.api = new ApiClient({ baseUrl: '' });
    this.connection = new Connection({ probe: () => this.api.status(), onChange: (online) => this.connectionChanged(online) });
    this.files = new ModelFiles({ api: this.api, connection: this.connection });
    this.task = null;
    this.model = null; // {version, params}
    this.ownModel = null; // {sessionId, participantId, baseVersion, params}: the head this device trained last
    this.train = new TrainPanel(this);
    this.explainer = new Explainer(this);
  }

  async start() {
    const backend = await IndexedDBBackend.open(databaseName(this.profile));
    this.sessions = new SessionList(backend);
    // which session this page shows: the join link's (if joined before), else the last used; a new one
    // gets its key now and is added to the list when the join succeeds (join_flow.js)
    const known = this.another ? null : this.joinCode ? await this.sessions.byCode(this.joinCode) : await this.sessions.current();
    this.sessionKey = known ? known.key : await this.sessions.pendingKey();
    if (known) await this.sessions.use(known.key);
    const scoped = new ScopedBackend(backend, this.sessionKey);
    this.store = new ParticipantStore(scoped, backend);
    await this.store.numberImages();
    // Records nothing until a join with study logging on and the participant's consent (loadTask).
    this.study = new StudyLog({ backend: scoped, send: (events, options) => this.api.postStudyEvents(events, options) });
    this.photos = new PhotoBoard({ store: this.store, study: this.study, files: this.files, timings: this.timings, onChange: () => this.showReadiness() });
    this.guide = new Guide({ store: this.store });
    this.why = new WhyDialog(this);
    this.tryIt = new TryIt(this);
    this.switcher = new SessionSwitcher(this);
    this.reuse = new ReuseDialog(this);
    this.about = new AboutDialog({
      onShowGuide: () => { this.showTab('photos'); this.guide.show(this.task.classes, { force: true }); },
      onWithdraw: () => this.withdrawFromStudy(),
    });
    this.joining = new JoinFlow({
      profile: this.profile, joinCode: this.joinCode, api: this.api, connection: this.connection, store: this.store,
      sessions: this.sessions, sessionKey: this.sessionKey, onSwitch: (key) => this.switcher.go(key),
      panel: $('fl-join-panel'), onJoined: () => this.loadTask(),
    });
    this.wireUi();
    await this.switcher.render();
    await this.joining.connect();
  }

  wireUi() {
    document.addEventListener('visibilitychange', () => {
      const state = document.visibilityState;
      if (state === 'visible' || state === 'hidden') this.study.visibility(state);
      if (state === 'hidden') this.study.flush({ keepalive: true }); // the page may not come back
    });
    window.addEventListener('online', () => this.study.flush());
    const tabs = [...document.querySelectorAll('.tabs [role=tab]')];
    for (const tab of tabs) {
      tab.addEventListener('click', () => this.showTab(tab.dataset.tab));
      // arrow keys move between tabs (one Tab stop for the row), as in every tab list
      tab.addEventListener('keydown', (e) => {
        const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
        const to = step ? tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length]
          : e.key === 'Home' ? tabs[0] : e.key === 'End' ? tabs[tabs.length - 1] : null;
        if (!to) return;
        e.preventDefault();
        this.showTab(to.dataset.tab);
        to.focus();
      });
    }
    const addHandler = (input, role) => input.addEventListener('change', async () => {
      const files = [...input.files];
      input.value = '';
      if (files.length) await this.photos.addFiles(files, role);
    });
    for (const [input, role] of [['#add-photos', 'train'], ['#take-photo', 'train'], ['#add-test-photos', 'test'], ['#take-test-photo', 'test']]) addHandler($(input), role);
    for (const grid of [$('#train-grid'), $('#test-grid')]) {
      grid.addEventListener('label-change', (e) => this.photos.setLabel(e.detail.id, e.detail.label));
      grid.addEventListener('delete-image', (e) => this.photos.deleteImage(e.detail.id));
      grid.addEventListener('explain-image', (e) => this.why.open(e.detail.id, e.target.querySelector('button.why')));
      grid.addEventListener('reuse-image', (e) => this.reuse.open(e.detail.id, e.target.querySelector('button.reuse')));
    }
    $('#accept-all').addEventListener('click', () => this.photos.acceptAllSuggestions());
    $('#train-button').addEventListener('click', () => this.train.trainAndSend());
    $('#retrain-button').addEventListener('click', () => this.train.trainAndSend());
    $('#evaluate-button').addEventListener('click', () => this.evaluateTestSet());
  }

  showTab(name) {
    for (const tab of document.querySelectorAll('.tabs [role=tab]')) {
      tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
      tab.tabIndex = tab.dataset.tab === name ? 0 : -1;
    }
    for (const panel of document.querySelectorAll('.tab-panel')) panel.hidden = panel.id !== `tab-${name}`;
  }

  /** After a 401: the stored join is gone or replaced; join again (or ask how). */
  rejoin() { return this.joining.connect(); }

  setTask(task) {
    this.task = task;
    this.photos.setTask(task);
  }

  /** Whether `task` names another class model version than the one this page holds. */
  modelBehind(task) { return task.version !== this.model?.version; }

  // The task as the server has it now, and the class model it names: the task carries the model's version, so
  // the model is downloaded only when it moved (nothing moved: one request, a 304). An outage waits for the server.
  async refreshTaskAndModel() {
    this.setTask(await this.connection.retry(() => this.api.task()));
    if (this.modelBehind(this.task)) await this.connection.retry(() => this.refreshModel());
    return this.task;
  }

  /** Offline: one message, and everything waiting resumes when the server answers again. */
  connectionChanged(online) {
    if (!online) {
      showBanner(t('serverUnreachable'));
      return;
    }
    if ($('#banner').textContent === t('serverUnreachable')) showBanner('');
    if (this.task) {
      this.showTaskState();
      this.photos.extractMissingFeatures();
    }
  }

  async loadTask() {
    this.setTask(await this.api.task());
    const last = await this.store.getLastContribution();
    this.train.lastContribution = last && last.sessionId === this.task.session_id ? last : null;
    this.ownModel = ownModelFor(await this.store.getOwnModel(), this.task);
    $('#task-title').textContent = this.task.title;
    $('#join-view').hidden = true;
    $('#task-view').hidden = false;
    // the number the teacher's dashboard shows next to this name, to tell two "Mia"s apart
    const me = this.task.participant;
    this.about.setParticipant(me);
    $('#task-view').dataset.participant = String(me.id); // for browser tests, like photo_board.js's publish()
    document.title = `${this.task.title} — InFL-UX`;
    $('#test-label').replaceChildren(
      Object.assign(document.createElement('option'), { value: '', textContent: t('testLabelPerPhoto') }),
      ...this.task.classes.map((c) => Object.assign(document.createElement('option'), { value: c, textContent: c })));
    this.showTaskState();
    if (this.another) history.replaceState(null, '', pageUrl(location.href)); // a reload resumes this session
    await this.switcher.joined(this.task);
    this.photos.setReusable((await this.reuse.others()).length > 0);
    await this.guide.show(this.task.classes);
    const join = await this.store.getJoin();
    this.photos.states.forgetShownSuggestions();
    await this.study.begin({ owner: `${this.task.session_id}:${this.task.participant.id}`, classes: this.task.classes, consented: join?.study === true });
    this.about.setStudy({
      inStudy: this.study.active, pseudonym: me.study?.pseudonym || `P${me.id}`,
      withdrawn: join?.studyWithdrawn === true || me.study?.withdrawn === true,
    });
    await this.refreshModel();
    await this.photos.renderImages();
    this.photos.extractMissingFeatures();
    this.startPolling();
    this.prepareRuntime();
  }

  /**
   * Load what training and extraction need while the server is surely there, so an outage later
   * cannot break them: the ONNX Runtime module and wasm (with the feature extractor) and the head's files.
   */
  async prepareRuntime() {
    const progress = $('#feature-progress');
    try {
      progress.hidden = false;
      await this.files.featureExtractor(this.task, progress);
      if (!this.photos.extracting) progress.hidden = true;
      await this.explainer.extractor();
      this.explanationsChanged();
      await this.files.headArtifacts(this.task);
      await this.files.prepareTrainer(this.task); // the first round's TrainingSession, before the click
    } catch (err) {
      if (!this.photos.extracting) progress.hidden = true;
      if (!(err instanceof ApiError && err.status === 401)) showBanner(t('errorModelFiles', { message: err.message || err }));
    }
  }

  showTaskState() {
    const { state } = this.task;
    showBanner(state === 'running' ? '' : t(state === 'paused' ? 'sessionPaused' : 'sessionStopped'));
    showModelStatus(this);
    this.showReadiness();
  }

  startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(async () => {
      if (!this.connection.online) return; // the connection probes on its own until the server is back
      try {
        const task = await this.api.task();
        const changed = task.version !== this.task.version || task.state !== this.task.state;
        const newFiles = headArtifactsKey(task) !== headArtifactsKey(this.task); // e.g. a new learning rate
        this.setTask(task);
        if (newFiles) this.files.prepareTrainer(task);
        if (changed) {
          if (this.modelBehind(task)) await this.refreshModel();
          this.showTaskState();
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          clearInterval(this.pollTimer);
          this.pollTimer = null;
          await this.rejoin();
        }
        if (err instanceof NetworkError) this.connection.lost();
      }
    }, TASK_POLL_MS);
  }

  async refreshModel() {
    const model = await this.api.model();
    checkParameterLength(model.params, this.task.classes.length, this.task.backbone.feature_dim);
    this.model = model;
    showModelStatus(this);
    this.photos.setModel(model);
    this.train.showNewerVersion(model.version);
    this.explanationsChanged();
  }

  /** After local training: the participant's own model, kept on this device for "Why?" and "Try it". */
  async keepOwnModel({ baseVersion, params }) {
    this.ownModel = { sessionId: this.task.session_id, participantId: this.task.participant.id, baseVersion, params };
    await this.store.setOwnModel(this.ownModel).catch(() => {}); // a full storage only costs it after a reload
    this.explanationsChanged();
  }

  /** Whether "Why?" and "Try it" can explain now (a map from the extractor, a model that has learned). */
  explanationsChanged() {
    this.photos.setExplainable(this.explainer.available());
    this.tryIt.refresh();
  }

  /**
   * Leave the study: the server deletes what the study recorded about this participant (updates the
   * class model already learned from stay in it), and this page records nothing more for this join.
   */
  async withdrawFromStudy() {
    await this.connection.retry(() => this.api.withdrawFromStudy());
    await this.study.stop();
    const join = await this.store.getJoin();
    if (join) await this.store.setJoin({ ...join, study: false, studyWithdrawn: true });
  }

  /** What is ready and what still blocks training or testing, on all three tabs. */
  showReadiness() { showReadiness(this); }

  async evaluateTestSet() {
    const out = $('#test-result');
    try {
      await this.connection.retry(() => this.refreshModel());
      const summary = summarizeTest(await this.photos.predictTestPhotos(), this.task.classes);
      out.result = { summary };
      await this.photos.renderImages();
      await this.connection.retry(() => this.api.postTestResults({ version: this.model.version, ...summary }));
      out.reported = true;
    } catch (err) {
      out.error = t('testFailed', { message: describeApiError(err) });
    }
  }
}
