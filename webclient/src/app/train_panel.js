// The Train tab's work: "Train and send" — one round of local training from the current class model
// (the global model) in a fresh TrainingSession (prepared ahead of the click: model_files.js), then the
// update — and the offer to train again once
// the class model has moved on past this participant's last update. The student reads plain words;
// versions, staleness and weights stay in the study log and the teacher's event log.
import { ApiError, describeApiError } from '../lib/api.js';
import { t } from '../lib/messages.js';
import { photoSignature } from '../lib/next_step.js';
import { contributionResult, correctCount } from '../lib/contribution.js';
import { randomKey } from '../lib/connection.js';
import { encodeParameters } from '../lib/head.js';
import { classStatistics, logitOffsets } from '../lib/training.js';
import { trainLocally } from '../lib/train_loop.js';
import { $ } from './page.js';

/** Between two repaints of the progress bar; each repaint yields to the browser once. */
const PAINT_EVERY_MS = 50;

export class TrainPanel {
  /**
   * @param app the ParticipantApp (app/participant_app.js): its services (api, connection, store, study,
   *   files, photos, timings), its current `task` and `model`, and refreshTaskAndModel(), refreshModel(),
   *   showReadiness() and rejoin().
   */
  constructor(app) {
    this.app = app;
    this.busy = false;
    this.lastContribution = null; // {sessionId, baseVersion, resultVersion}
  }

  /**
   * The per-class feature statistics of the photos this round trains on, sent when they differ from
   * what the server already has (the server starts each class from everyone's statistics). True when sent.
   */
  async sendClassStatistics(task, train, features, labels) {
    const { store, connection, api } = this.app;
    const ids = train.map((r) => r.id).sort().join();
    const sent = await store.getClassStatsSent();
    if (sent && sent.sessionId === task.session_id && sent.participantId === task.participant.id && sent.ids === ids) return false;
    const stats = classStatistics(features, labels, task.classes.length, task.backbone.feature_dim);
    await connection.retry(() => api.postClassStats(stats));
    await store.setClassStatsSent({ sessionId: task.session_id, participantId: task.participant.id, ids });
    return true;
  }

  async trainAndSend() {
    if (this.busy) return;
    const clicked = performance.now();
    const { app } = this;
    const { api, connection, study, files, photos } = app;
    this.busy = true;
    app.showReadiness();
    const progress = $('#train-progress');
    const result = $('#train-result');
    result.replaceChildren();
    result.className = 'train-result';
    for (const key of ['outcome', 'version', 'testBefore', 'testAfter']) delete result.dataset[key];
    progress.hidden = false;
    let trainer = null;
    try {
      // the task, and the class model only if the task names a version this page does not hold
      const task = await app.refreshTaskAndModel();
      const { classes } = task;
      const { records: train, features } = await photos.labelledPhotos('train');
      const labels = train.map((r) => classes.indexOf(r.label));
      // new statistics may start classes afresh on the server: then the model as it is after them
      if (task.training.send_class_stats && await this.sendClassStatistics(task, train, features, labels)) {
        await connection.retry(() => app.refreshModel());
      }
      progress.set({ label: t('progressStartingTraining'), value: 0, max: 0, detail: '' });
      // A TrainingSession that has never trained, one per round (created after the previous round, or
      // now): it starts from the checkpoint, so the optimizer's state (AdamW's moments and step count)
      // starts fresh, and the parameters are the global model's.
      trainer = await files.takeTrainer(task, progress);
      const base = app.model;
      const baseVersion = base.version;
      await trainer.loadParameters(encodeParameters(base.params));
      const { local_epochs: epochs, batch_size: batchSize } = task.training;
      study.trainingStarted({ baseVersion, epochs, batchSize, samples: train.length });
      let lastPaint = 0;
      const run = await trainLocally({
        trainer, features, labels, featureDim: task.backbone.feature_dim, epochs, batchSize,
        offsets: task.training.mask_absent_classes ? logitOffsets(labels, classes.length) : null,
        onStep: async ({ step, total }) => {
          const now = performance.now();
          if (now - lastPaint <= PAINT_EVERY_MS && step !== total) return;
          lastPaint = now;
          progress.set({ label: t('progressTraining'), value: step, max: total, detail: t('progressCount', { done: step, n: total }) });
          await new Promise((r) => setTimeout(r, 0)); // let the bar paint
        },
      });
      if (app.timings) app.timings.trainStepMs = run.stepMs;
      study.trainingFinished({ durationMs: run.durationMs, epochs, lossPerEpoch: run.lossPerEpoch });
      const params = await trainer.parameters();
      const kept = app.keepOwnModel({ baseVersion, params }); // on this device, while the update travels
      progress.set({ label: t('progressSending'), value: 0, max: 0, detail: t('progressSendingDetail') });
      study.updateSubmitted({ baseVersion, sampleCount: train.length });
      // One key for this update: if its answer is lost, the retry gets the first answer and changes nothing.
      const updateKey = randomKey();
      const answer = await connection.retry(() => api.postUpdate(params, baseVersion, train.length, updateKey));
      if (app.timings) app.timings.rounds.push({ clickToAcceptedMs: performance.now() - clicked, trainMs: run.durationMs });
      await kept;
      this.lastContribution = { sessionId: task.session_id, baseVersion, resultVersion: answer.version, signature: photoSignature(train) };
      await app.store.setLastContribution(this.lastContribution);
      this.showNewerVersion(app.model?.version);
      // for tests and tools (README "What tests read"); the student reads the sentences
      result.dataset.outcome = answer.applied === false ? 'waiting' : 'applied';
      result.dataset.version = String(answer.version);
      await app.refreshModel().catch(() => {}); // the update is in; the next poll catches up if this fails
      await this.showResult(answer, base.params);
    } catch (err) {
      result.className = 'train-result error';
      result.dataset.outcome = 'error';
      result.textContent = err instanceof ApiError ? t('updateRefused', { message: describeApiError(err) }) : t('trainingFailed', { message: err.message || err });
      if (err instanceof ApiError && err.status === 401) await app.rejoin();
    } finally {
      // release it, and create the next round's trainer in the background
      if (trainer) files.giveBackTrainer(trainer, app.task);
      progress.hidden = true;
      this.busy = false;
      app.showReadiness();
    }
  }

  /**
   * After sending: what happened, in words a child understands (lib/contribution.js) — with the class
   * model's score on the participant's own test photos before this round (`before`: the parameters
   * training started from) and now.
   */
  async showResult(answer, before) {
    const { app } = this;
    const { classes, backbone } = app.task;
    const { records, features } = await app.photos.labelledPhotos('test');
    const labels = records.map((r) => r.label);
    const score = (params) => correctCount(params, classes, backbone.feature_dim, features, labels);
    const test = records.length ? { n: records.length, before: score(before), after: score(app.model.params) } : null;
    const lines = contributionResult({ applied: answer.applied !== false, contributors: answer.contributors ?? null, test });
    const out = $('#train-result');
    if (test) Object.assign(out.dataset, { testBefore: String(test.before), testAfter: String(test.after) });
    out.replaceChildren(...lines.map(({ key, params }, i) => {
      const p = document.createElement('p');
      if (i === 0) p.className = 'headline';
      p.textContent = t(key, params);
      return p;
    }));
  }

  /** "Train again" while the class model has moved on since this participant's last update. */
  showNewerVersion(version) {
    const newer = this.lastContribution && version > this.lastContribution.resultVersion;
    const box = $('#newer-version');
    box.hidden = !newer;
    if (newer) box.dataset.version = String(version); else delete box.dataset.version;
  }
}
