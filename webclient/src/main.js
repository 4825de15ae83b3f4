// The participant app: wires the pure modules (lib/), the ORT runtime and the components.
// State lives in IndexedDB (one database per ?profile=), so a reload resumes where it was.
import './components/fl-progress.js';
import './components/fl-class-counts.js';
import './components/fl-file-messages.js';
import './components/fl-image-card.js';
import './components/fl-join-panel.js';
import { ApiClient, ApiError, NetworkError, describeJoinError, sameJoinCode } from './lib/api.js';
import { Connection, randomKey } from './lib/connection.js';
import { t } from './lib/messages.js';
import { ParticipantStore, databaseName, imageBlob, trainingReadiness } from './lib/storage.js';
import { IndexedDBBackend } from './lib/idb_backend.js';
import { StudyLog } from './lib/study_log.js';
import { checkParameterLength, encodeParameters, predict } from './lib/head.js';
import {
  epochBatches, assembleBatch, stepsPerEpoch, summarizeTest, logitOffsets, classStatistics,
} from './lib/training.js';
import { validateImageFile, preprocessBlob } from './image_decode.js';

const $ = (sel) => document.querySelector(sel);
const TASK_POLL_MS = 5000;

function showBanner(text) {
  const banner = $('#banner');
  banner.textContent = text || '';
  banner.hidden = !text;
}

window.addEventListener('error', (e) => showBanner(`Something went wrong: ${e.message}. Reload the page; your photos are kept.`));
window.addEventListener('unhandledrejection', (e) => showBanner(`Something went wrong: ${e.reason?.message || e.reason}. Reload the page; your photos are kept.`));

class ParticipantApp {
  constructor() {
    const params = new URLSearchParams(location.search);
    this.profile = params.get('profile') || 'default';
    this.joinCode = (params.get('join') || '').trim() || null;
    this.api = new ApiClient({ baseUrl: '' });
    this.connection = new Connection({ probe: () => this.api.status(), onChange: (online) => this.connectionChanged(online) });
    this.task = null;
    this.model = null;           // {version, params}
    this.featureIds = new Set(); // image ids with cached features for the task's backbone
    this.features = new Map();   // image id -> Float32Array (in memory while the page lives)
    this.cards = new Map();      // image id -> <fl-image-card>
    this.thumbs = new Map();     // image id -> object URL
    this.suggestions = new Map();
    this.predictions = new Map();
    this.featureErrors = new Map(); // image id -> why its features could not be computed
    this.shownSuggestions = new Map(); // image id -> the suggested class the study log last reported as shown
    this.busy = { extracting: false, training: false };
    this.lastContribution = null; // {baseVersion, result}
    this.joinPanel = $('fl-join-panel');
  }

  async start() {
    $('#profile-name').textContent = this.profile === 'default' ? '' : `profile: ${this.profile}`;
    const backend = await IndexedDBBackend.open(databaseName(this.profile));
    this.store = new ParticipantStore(backend);
    await this.store.numberImages();
    // Records nothing until a join with study logging on and the participant's consent (loadTask).
    this.study = new StudyLog({ backend, send: (events, options) => this.api.postStudyEvents(events, options) });
    this.wireUi();
    await this.connect();
  }

  wireUi() {
    this.joinPanel.addEventListener('join-request', (e) => { this.joinCode = e.detail.code || this.joinCode; this.join(e.detail.nickname); });
    this.joinPanel.addEventListener('consent', (e) => this.answerConsent(e.detail));
    document.addEventListener('visibilitychange', () => {
      const state = document.visibilityState;
      if (state === 'visible' || state === 'hidden') this.study.visibility(state);
      if (state === 'hidden') this.study.flush({ keepalive: true }); // the page may not come back
    });
    window.addEventListener('online', () => this.study.flush());
    this.joinPanel.addEventListener('retry', () => this.connect());
    for (const tab of document.querySelectorAll('.tabs button')) tab.addEventListener('click', () => this.showTab(tab.dataset.tab));
    const addHandler = (input, role) => input.addEventListener('change', async () => {
      const files = [...input.files];
      input.value = '';
      if (files.length) await this.addFiles(files, role);
    });
    addHandler($('#add-photos'), 'train');
    addHandler($('#take-photo'), 'train');
    addHandler($('#add-test-photos'), 'test');
    addHandler($('#take-test-photo'), 'test');
    for (const grid of [$('#train-grid'), $('#test-grid')]) {
      grid.addEventListener('label-change', (e) => this.setLabel(e.detail.id, e.detail.label));
      grid.addEventListener('delete-image', (e) => this.deleteImage(e.detail.id));
    }
    $('#accept-all').addEventListener('click', () => this.acceptAllSuggestions());
    $('#train-button').addEventListener('click', () => this.trainAndSend());
    $('#retrain-button').addEventListener('click', () => this.trainAndSend());
    $('#evaluate-button').addEventListener('click', () => this.evaluateTestSet());
  }

  showTab(name) {
    for (const tab of document.querySelectorAll('.tabs button')) tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    for (const panel of document.querySelectorAll('.tab-panel')) panel.hidden = panel.id !== `tab-${name}`;
  }

  // ---------------------------------------------------------------- joining

  showJoin(view) {
    $('#join-view').hidden = false;
    $('#task-view').hidden = true;
    this.joinPanel.view = view;
  }

  /** Offline: one message, and everything waiting resumes when the server answers again. */
  connectionChanged(online) {
    const banner = $('#banner');
    if (!online) {
      showBanner(t('serverUnreachable'));
      return;
    }
    if (banner.textContent === t('serverUnreachable')) showBanner('');
    if (this.task) {
      this.showTaskState();
      this.extractMissingFeatures();
    }
  }

  async connect() {
    const stored = await this.store.getJoin();
    if (stored && (!this.joinCode || sameJoinCode(this.joinCode, stored.joinCode))) {
      this.api.token = stored.token;
      this.joinCode = stored.joinCode;
      this.showJoin({ busy: true, message: 'Connecting…' });
      try {
        await this.loadTask();
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
            message: 'This device is no longer part of the session (the facilitator removed it or started a new session). Join again with the code.',
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
    this.showJoin({ message: 'Scan the QR code shown by the facilitator, or type the join code.', askCode: true, askName: true, nickname: await this.store.getNickname() });
  }

  /** Look at the session first: a study session shows its notice and joins only after Accept. */
  async join(nickname, { askedAgain = false } = {}) {
    const code = this.joinCode;
    this.showJoin({ busy: true, message: `Joining with code ${code}…`, code, nickname });
    try {
      await this.api.status();
      const info = await this.api.joinInfo(code);
      if (info.study_logging) {
        this.pendingConsent = { code };
        this.showJoin({
          message: 'This session is part of a study. Read the notice: accept it to join, or decline to leave without joining.',
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
        message: 'You declined the study notice, so you have not joined this session and nothing about you was recorded. '
          + 'To take part after all, tap Join and accept the notice.',
        code: pending.code, askCode: true, nickname,
      });
      return;
    }
    this.showJoin({ busy: true, message: `Joining with code ${pending.code}…`, code: pending.code, nickname });
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
    await this.store.setJoin({
      token: joined.token, joinCode: code, participantId: joined.participant_id, sessionId: joined.session_id, study: consent,
    });
    this.api.token = joined.token;
    await this.loadTask();
  }

  async loadTask() {
    this.task = await this.api.task();
    const last = await this.store.getLastContribution();
    this.lastContribution = last && last.sessionId === this.task.session_id ? last : null;
    $('#join-view').hidden = true;
    $('#task-view').hidden = false;
    $('#task-title').textContent = this.task.title;
    // the number the teacher's dashboard shows next to this name, to tell two "Mia"s apart
    const me = this.task.participant;
    $('#profile-name').textContent = `${me.nickname ? `${me.nickname} · ` : ''}#${me.id}`;
    document.title = `${this.task.title} — InFL-UX`;
    const testLabel = $('#test-label');
    testLabel.replaceChildren(
      Object.assign(document.createElement('option'), { value: '', textContent: 'set per photo' }),
      ...this.task.classes.map((c) => Object.assign(document.createElement('option'), { value: c, textContent: c })));
    this.showTaskState();
    const join = await this.store.getJoin();
    this.shownSuggestions.clear();
    await this.study.begin({ owner: `${this.task.session_id}:${this.task.participant.id}`, classes: this.task.classes, consented: join?.study === true });
    await this.refreshModel();
    await this.renderImages();
    this.extractMissingFeatures();
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
      await this.featureExtractor(progress);
      if (!this.busy.extracting) progress.hidden = true;
      await this.headArtifacts();
    } catch (err) {
      if (!this.busy.extracting) progress.hidden = true;
      if (!(err instanceof ApiError && err.status === 401)) showBanner(`Could not load the model files: ${err.message || err}`);
    }
  }

  showTaskState() {
    const state = this.task.state;
    showBanner(state === 'running' ? '' : `The session is ${state}. You can review photos; training resumes when the facilitator restarts it.`);
    $('#model-version').textContent = this.model ? `version ${this.model.version}` : `version ${this.task.version}`;
    this.updateReadiness();
  }

  startPolling() {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(async () => {
      if (!this.connection.online) return; // the connection probes on its own until the server is back
      try {
        const task = await this.api.task();
        const changed = task.version !== this.task.version || task.state !== this.task.state;
        this.task = task;
        if (changed) {
          if (task.version !== this.model?.version) await this.refreshModel();
          this.showTaskState();
        }
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          clearInterval(this.pollTimer);
          this.pollTimer = null;
          await this.connect();
        }
        if (err instanceof NetworkError) this.connection.lost();
      }
    }, TASK_POLL_MS);
  }

  async refreshModel() {
    const model = await this.api.model();
    checkParameterLength(model.params, this.task.classes.length, this.task.backbone.feature_dim);
    this.model = model;
    $('#model-version').textContent = `version ${model.version}`;
    this.recomputeSuggestions();
    this.showNewerVersion();
  }

  /** "Retrain on the new version" while the global model has moved on since this participant's last update. */
  showNewerVersion() {
    const version = this.model?.version;
    const newer = this.lastContribution && version > this.lastContribution.resultVersion;
    const box = $('#newer-version');
    box.hidden = !newer;
    if (newer) box.querySelector('span').textContent = `A newer global model (version ${version}) is available.`;
  }

  // ---------------------------------------------------------------- photos

  async addFiles(files, role) {
    const label = role === 'test' ? ($('#test-label').value || null) : null;
    const results = await this.store.addFiles(files, { role, label, validate: validateImageFile });
    const stored = files.filter((_, i) => results[i].ok);
    if (stored.length) this.study.imageAdded(role, stored.length, stored.reduce((sum, f) => sum + f.size, 0));
    $(role === 'test' ? '#test-file-messages' : '#file-messages').show(results);
    await this.renderImages();
    this.extractMissingFeatures();
  }

  /** A first label on a training photo whose suggestion was shown is, for the study, a review of it. */
  noteReview(record, label) {
    const shown = this.shownSuggestions.get(record.id);
    if (record.role !== 'train' || record.labelConfirmed || !shown) return;
    if (label === shown) this.study.suggestionAccepted(record.number, label);
    else this.study.suggestionChanged(record.number, shown, label);
  }

  async setLabel(id, label) {
    const before = await this.store.getImage(id);
    await this.store.setLabel(id, label, true);
    if (before) this.noteReview(before, label);
    this.predictions.delete(id);
    await this.renderImages();
  }

  async acceptAllSuggestions() {
    for (const r of await this.store.listImages('train')) {
      const s = this.suggestions.get(r.id);
      if (!r.labelConfirmed && s) {
        await this.store.setLabel(r.id, s.label, true);
        this.noteReview(r, s.label);
      }
    }
    await this.renderImages();
  }

  async deleteImage(id) {
    const record = await this.store.getImage(id);
    await this.store.deleteImage(id);
    if (record) this.study.imageDeleted(record.role, 1);
    this.shownSuggestions.delete(id);
    this.features.delete(id);
    this.featureIds.delete(id);
    this.featureErrors.delete(id);
    this.suggestions.delete(id);
    this.predictions.delete(id);
    if (this.thumbs.has(id)) { URL.revokeObjectURL(this.thumbs.get(id)); this.thumbs.delete(id); }
    this.cards.get(id)?.remove();
    this.cards.delete(id);
    await this.renderImages();
  }

  async renderImages() {
    if (!this.task) return;
    const records = await this.store.listImages();
    this.images = records;
    const sha = this.task.backbone.sha256;
    for (const r of records) {
      if (!this.featureIds.has(r.id)) {
        const f = await this.store.getFeatures(r.id, sha);
        if (f) { this.features.set(r.id, f); this.featureIds.add(r.id); }
      }
    }
    this.recomputeSuggestions(false);
    const seen = new Set();
    for (const r of records) {
      seen.add(r.id);
      let card = this.cards.get(r.id);
      if (!card) {
        card = document.createElement('fl-image-card');
        this.cards.set(r.id, card);
        this.thumbs.set(r.id, URL.createObjectURL(imageBlob(r)));
      }
      const grid = r.role === 'test' ? $('#test-grid') : $('#train-grid');
      if (card.parentElement !== grid) grid.append(card);
      card.update({
        record: r, classes: this.task.classes, suggestion: this.suggestions.get(r.id) || null,
        prediction: this.predictions.get(r.id) || null, thumbnailUrl: this.thumbs.get(r.id),
        status: this.featureIds.has(r.id) ? '' : (this.featureErrors.has(r.id) ? `Cannot use this photo: ${this.featureErrors.get(r.id)}` : 'Preparing…'),
      });
    }
    for (const [id, card] of this.cards) if (!seen.has(id)) { card.remove(); this.cards.delete(id); }
    this.updateReadiness();
  }

  recomputeSuggestions(rerender = true) {
    if (!this.model || !this.task) return;
    const K = this.task.classes.length, D = this.task.backbone.feature_dim;
    for (const [id, f] of this.features) {
      const { classIndex, confidence } = predict(this.model.params, K, D, f);
      this.suggestions.set(id, { label: this.task.classes[classIndex], confidence });
    }
    if (rerender) for (const [id, card] of this.cards) card.update({ suggestion: this.suggestions.get(id) || null });
    this.reportShownSuggestions();
  }

  /** A card shows "Suggested: …" on unconfirmed training photos: log each new suggestion once. */
  reportShownSuggestions() {
    if (!this.study.active) return;
    for (const r of this.images || []) {
      const s = this.suggestions.get(r.id);
      if (r.role !== 'train' || r.labelConfirmed || !s || this.shownSuggestions.get(r.id) === s.label) continue;
      this.shownSuggestions.set(r.id, s.label);
      this.study.suggestionShown(r.number, s.label, s.confidence);
    }
  }

  updateReadiness() {
    if (!this.task || !this.images) return;
    const readiness = trainingReadiness(this.images, this.task.classes, (id) => this.featureIds.has(id), (id) => this.featureErrors.has(id));
    $('#class-counts').counts = readiness.counts;
    const train = this.images.filter((r) => r.role === 'train');
    const unconfirmed = train.filter((r) => !r.labelConfirmed).length;
    $('#review-status').textContent = train.length ? `${train.length - unconfirmed} of ${train.length} labels confirmed` : 'No photos yet.';
    $('#accept-all').hidden = !train.some((r) => !r.labelConfirmed && this.suggestions.has(r.id));
    const running = this.task.state === 'running';
    $('#train-readiness').textContent = !running ? `The session is ${this.task.state}.`
      : readiness.ready ? `Ready: ${train.length} labelled photos. Training runs on this device; only the model update is sent.` : readiness.reason;
    $('#train-button').disabled = !readiness.ready || !running || this.busy.training;
    $('#retrain-button').disabled = !readiness.ready || !running || this.busy.training;
    const testReady = this.images.some((r) => r.role === 'test' && r.labelConfirmed && this.featureIds.has(r.id));
    $('#evaluate-button').disabled = !testReady || !this.model;
  }

  // ---------------------------------------------------------------- features (once per image)

  /** The ONNX Runtime module, imported once; a failed import (server gone) is retried when it is back. */
  runtime() {
    if (!this.ortModule) {
      this.ortModule = this.connection.retry(() => import('./ort_runtime.js')
        .catch((err) => { throw new NetworkError(`Cannot load the training runtime (${err.message || err}).`); }));
      this.ortModule.catch(() => { this.ortModule = null; });
    }
    return this.ortModule;
  }

  /** An artifact's bytes; an outage (before or during the download) waits for the server and starts again. */
  download(artifact, label, progress) {
    return this.connection.retry(() => this.downloadOnce(artifact, label, progress));
  }

  async downloadOnce(artifact, label, progress) {
    const response = await fetch(artifact.url, { headers: { Authorization: `Bearer ${this.api.token}` } })
      .catch((err) => { throw new NetworkError(`Cannot download the model (${err.message}).`); });
    if (!response.ok) throw new ApiError(response.status, 'download_failed', `Downloading ${label} failed (${response.status}).`);
    try {
      if (!response.body || !artifact.bytes) return new Uint8Array(await response.arrayBuffer());
      const out = new Uint8Array(artifact.bytes);
      const reader = response.body.getReader();
      let received = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        out.set(value, received);
        received += value.length;
        progress?.set({ label: `Downloading ${label}`, value: received, max: artifact.bytes, detail: `${(received / 1e6).toFixed(1)} / ${(artifact.bytes / 1e6).toFixed(1)} MB` });
      }
      return received === out.length ? out : out.slice(0, received);
    } catch (err) {
      throw new NetworkError(`The download of ${label} broke off (${err.message || err}).`);
    }
  }

  /** One extractor per backbone, created once even when several callers ask at the same time. */
  featureExtractor(progress) {
    const sha = this.task.backbone.sha256;
    if (!this.extractor || this.extractorSha !== sha) {
      this.extractorSha = sha;
      this.extractor = (async () => {
        const ort = await this.runtime();
        const bytes = await this.download(this.task.artifacts.feature_extractor, 'the image model', progress);
        progress?.set({ label: 'Starting the image model', value: 0, max: 0, detail: '' });
        return ort.FeatureExtractor.create(bytes);
      })();
      this.extractor.catch(() => { this.extractor = null; });
    }
    return this.extractor;
  }

  async extractMissingFeatures() {
    if (this.busy.extracting || !this.task) return;
    this.busy.extracting = true;
    const progress = $('#feature-progress');
    try {
      for (;;) {
        const pending = (await this.store.listImages()).filter((r) => !this.featureIds.has(r.id) && !this.featureErrors.has(r.id));
        if (!pending.length) break;
        progress.hidden = false;
        const extractor = await this.featureExtractor(progress);
        const { backbone } = this.task;
        let done = 0;
        this.timings = this.timings || [];
        for (const r of pending) {
          progress.set({ label: 'Preparing photos', value: done, max: pending.length, detail: `${done} / ${pending.length}` });
          try {
            const t0 = performance.now();
            const chw = await preprocessBlob(imageBlob(r), backbone);
            const t1 = performance.now();
            const f = await extractor.extract(chw, backbone.input_size);
            this.timings.push({ preprocessMs: t1 - t0, extractMs: performance.now() - t1 });
            await this.store.putFeatures(r.id, backbone.sha256, f);
            this.features.set(r.id, f);
            this.featureIds.add(r.id);
          } catch (err) {
            this.featureErrors.set(r.id, err.message || String(err));
          }
          done += 1;
          this.recomputeSuggestions(false);
          this.cards.get(r.id)?.update({ status: this.featureIds.has(r.id) ? '' : `Cannot use this photo: ${this.featureErrors.get(r.id)}`, suggestion: this.suggestions.get(r.id) || null });
        }
        await this.renderImages();
      }
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) showBanner(`Could not prepare the photos: ${err.message}`);
    } finally {
      progress.hidden = true;
      this.busy.extracting = false;
      this.updateReadiness();
    }
  }

  // ---------------------------------------------------------------- train and contribute

  /** The head's four training files, downloaded again whenever any of them changes (e.g. a new learning rate). */
  headArtifacts(progress) {
    const a = this.task.artifacts;
    const key = [a.training_model, a.eval_model, a.optimizer_model, a.checkpoint].map((f) => f.sha256).join();
    if (!this.headBytes || this.headBytesFor !== key) {
      this.headBytesFor = key;
      this.headBytes = (async () => ({
        trainingModel: await this.download(a.training_model, 'the training model', progress),
        evalModel: await this.download(a.eval_model, 'the evaluation model', progress),
        optimizerModel: await this.download(a.optimizer_model, 'the optimizer', progress),
        checkpoint: await this.download(a.checkpoint, 'the checkpoint', progress),
      }))();
      this.headBytes.catch(() => { this.headBytes = null; });
    }
    return this.headBytes;
  }

  /**
   * The per-class feature statistics of the photos this round trains on, sent when they differ from
   * what the server already has (the server starts each class from everyone's statistics).
   */
  async sendClassStatistics(train, features, labels) {
    const { task } = this;
    const ids = train.map((r) => r.id).sort().join();
    const sent = await this.store.getClassStatsSent();
    if (sent && sent.sessionId === task.session_id && sent.participantId === task.participant.id && sent.ids === ids) return;
    const stats = classStatistics(features, labels, task.classes.length, task.backbone.feature_dim);
    await this.connection.retry(() => this.api.postClassStats(stats));
    await this.store.setClassStatsSent({ sessionId: task.session_id, participantId: task.participant.id, ids });
  }

  async trainAndSend() {
    if (this.busy.training) return;
    this.busy.training = true;
    this.updateReadiness();
    const progress = $('#train-progress');
    const result = $('#train-result');
    result.textContent = '';
    result.className = '';
    progress.hidden = false;
    let trainer = null;
    try {
      const task = this.task = await this.connection.retry(() => this.api.task());
      const { classes } = task;
      const D = task.backbone.feature_dim;
      const train = (await this.store.listImages('train')).filter((r) => r.labelConfirmed && this.features.has(r.id));
      const features = train.map((r) => this.features.get(r.id));
      const labels = train.map((r) => classes.indexOf(r.label));
      if (task.training.send_class_stats) await this.sendClassStatistics(train, features, labels);
      await this.connection.retry(() => this.refreshModel());
      const ort = await this.runtime();
      const bytes = await this.headArtifacts(progress);
      progress.set({ label: 'Starting training', value: 0, max: 0, detail: '' });
      // A new TrainingSession each round: it starts from the checkpoint, so the optimizer's state
      // (AdamW's moments and step count) starts fresh, and the parameters are the global model's.
      trainer = await ort.HeadTrainer.create(bytes);
      const base = this.model;
      const baseVersion = base.version;
      await trainer.loadParameters(encodeParameters(base.params));
      const offsets = task.training.mask_absent_classes ? logitOffsets(labels, classes.length) : null;
      const { local_epochs: epochs, batch_size: batchSize } = task.training;
      const perEpoch = stepsPerEpoch(train.length, batchSize);
      const total = epochs * perEpoch;
      let step = 0, lastPaint = 0;
      const lossPerEpoch = [];
      this.study.trainingStarted({ baseVersion, epochs, batchSize, samples: train.length });
      const t0 = performance.now();
      for (let epoch = 1; epoch <= epochs; epoch++) {
        let lossSum = 0, batches = 0;
        for (const batch of epochBatches(train.length, batchSize)) {
          const { features: x, labels: y } = assembleBatch(features, labels, batch, D);
          const loss = await trainer.step(x, y, D, offsets);
          lossSum += loss;
          batches += 1;
          step += 1;
          const now = performance.now();
          if (now - lastPaint > 50 || step === total) {
            lastPaint = now;
            progress.set({ label: 'Training', value: step, max: total, detail: `epoch ${epoch}/${epochs} · step ${step}/${total} · loss ${loss.toFixed(4)}` });
            await new Promise((r) => setTimeout(r, 0)); // let the bar paint
          }
        }
        lossPerEpoch.push(lossSum / Math.max(batches, 1));
      }
      this.trainStepMs = (performance.now() - t0) / Math.max(total, 1);
      this.study.trainingFinished({ durationMs: performance.now() - t0, epochs, lossPerEpoch });
      const params = await trainer.parameters();
      progress.set({ label: 'Sending the update', value: 0, max: 0, detail: `${(params.length * 4 / 1024).toFixed(0)} KB of parameters, no photos` });
      this.study.updateSubmitted({ baseVersion, sampleCount: train.length });
      // One key for this update: if its answer is lost, the retry gets the first answer and changes nothing.
      const updateKey = randomKey();
      const answer = await this.connection.retry(() => this.api.postUpdate(params, baseVersion, train.length, updateKey));
      this.lastContribution = { sessionId: task.session_id, baseVersion, resultVersion: answer.version };
      await this.store.setLastContribution(this.lastContribution);
      this.showNewerVersion();
      result.className = 'ok';
      result.textContent = answer.applied === false
        ? `Accepted (staleness ${answer.staleness}, weight ${Number(answer.weight).toFixed(3)}); the server is collecting more updates before making a new version.`
        : `Accepted as version ${answer.version} (staleness ${answer.staleness}, weight ${Number(answer.weight).toFixed(3)}).`;
      await this.refreshModel().catch(() => {}); // the update is in; the next poll catches up if this fails
    } catch (err) {
      result.className = 'error';
      result.textContent = err instanceof ApiError ? `Not accepted: ${err.message}` : `Training failed: ${err.message || err}`;
      if (err instanceof ApiError && err.status === 401) await this.connect();
    } finally {
      await trainer?.release().catch(() => {});
      progress.hidden = true;
      this.busy.training = false;
      this.updateReadiness();
    }
  }

  // ---------------------------------------------------------------- test

  async evaluateTestSet() {
    const out = $('#test-result');
    try {
      await this.connection.retry(() => this.refreshModel());
      const { classes } = this.task;
      const D = this.task.backbone.feature_dim;
      const tests = (await this.store.listImages('test')).filter((r) => r.labelConfirmed && this.features.has(r.id));
      const rows = tests.map((r) => {
        const { classIndex } = predict(this.model.params, classes.length, D, this.features.get(r.id));
        const predictedLabel = classes[classIndex];
        this.predictions.set(r.id, { label: predictedLabel, correct: predictedLabel === r.label });
        return { trueLabel: r.label, predictedLabel };
      });
      const summary = summarizeTest(rows, classes);
      const table = document.createElement('table');
      table.className = 'results';
      table.innerHTML = '<thead><tr><th>Class</th><th>Correct</th><th>Accuracy</th></tr></thead>';
      const body = table.createTBody();
      for (const [name, { correct, total }] of Object.entries(summary.per_class)) {
        const tr = body.insertRow();
        tr.dataset.class = name;
        for (const text of [name, `${correct} / ${total}`, total ? `${Math.round((100 * correct) / total)}%` : '–']) tr.insertCell().textContent = text;
      }
      const headline = document.createElement('p');
      headline.className = 'accuracy';
      headline.id = 'test-accuracy';
      headline.dataset.accuracy = String(summary.accuracy);
      headline.textContent = `Accuracy ${(summary.accuracy * 100).toFixed(1)}% on ${summary.n} test photos (global model version ${this.model.version})`;
      const note = document.createElement('p');
      out.replaceChildren(headline, table, note);
      await this.renderImages();
      await this.connection.retry(() => this.api.postTestResults({ version: this.model.version, ...summary }));
      note.textContent = 'Result reported to the facilitator.';
    } catch (err) {
      out.textContent = `Testing failed: ${err.message || err}`;
    }
  }
}

const app = new ParticipantApp();
window.influxApp = app; // for benchmarks and debugging in the console
app.start().catch((err) => showBanner(`The app could not start: ${err.message || err}`));
