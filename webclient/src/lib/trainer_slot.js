// The head's TrainingSession, prepared ahead of the click (issue 17): creating one costs ~60-80 ms of
// wasm work, training a round ~12 ms. A round must start from fresh optimizer state (AdamW's moments
// and step count as a new session has them) and ORT-web has no call to reset them, so every round
// still gets a session of its own — created after the previous round, off the click path, and
// handed out when "Train" is pressed. No DOM and no ONNX Runtime here: node's tests drive it with fakes.
//
// ORT-web 1.19.2 in one page (DESIGN.md): never two live TrainingSessions. So every release and every
// creation goes through one chain, a session is released before the next is created, and nothing
// new is created while a round holds its session.

export class TrainerSlot {
  /**
   * @param {(bytes: unknown) => Promise<{release: () => Promise<void>}>} create a new trainer from the
   *   head's artifact bytes (ort_runtime.js HeadTrainer.create)
   */
  constructor(create) {
    this.create = create;
    this.chain = Promise.resolve();
    this.fresh = null; // {key, trainer: Promise<trainer>}: created, never trained
    this.lent = false; // a round holds a trainer
  }

  /**
   * Have a fresh trainer for the artifacts `key` (their hashes) ready, creating it from `load()`'s bytes
   * if there is none, replacing one made from other artifacts (a new learning rate) — unless a round holds
   * a trainer now (`giveBack` prepares the next). Resolves when it is ready; never rejects (a failed
   * creation leaves the slot empty and `take` tries again).
   */
  prepare(key, load) {
    if (this.lent) return Promise.resolve();
    return this.entry(key, load).trainer.then(() => {}, () => {});
  }

  /** A fresh trainer for `key`, the one prepared ahead if it is there. Give it back with `giveBack`. */
  async take(key, load) {
    if (this.lent) throw new Error('a round already holds the trainer');
    const { trainer } = this.entry(key, load);
    this.fresh = null; // taken at once: a prepare() from now on cannot release it under the round
    this.lent = true;
    try {
      return await trainer;
    } catch (err) {
      this.lent = false;
      throw err;
    }
  }

  /**
   * After a round: release its trainer, then (if `key` is given) create the next round's on the chain.
   * Resolves once the next is ready (or the release done); never rejects.
   */
  giveBack(trainer, key = null, load = null) {
    this.lent = false;
    const released = this.chain.then(() => trainer?.release()).catch(() => {});
    this.chain = released;
    return key === null ? released : this.prepare(key, load);
  }

  /** Release the prepared trainer, if any (the page no longer needs one). */
  clear() {
    const old = this.fresh;
    this.fresh = null;
    if (old) this.chain = this.chain.then(() => old.trainer).then((t) => t.release()).catch(() => {});
    return this.chain;
  }

  /** The prepared entry for `key`, created now (after whatever the chain is doing) if missing or stale. */
  entry(key, load) {
    if (this.fresh && this.fresh.key === key) return this.fresh;
    const old = this.fresh;
    const trainer = this.chain
      .then(async () => {
        if (old) await old.trainer.then((t) => t.release()).catch(() => {});
      })
      .then(async () => this.create(await load()));
    const entry = { key, trainer };
    this.fresh = entry;
    this.chain = trainer.then(() => {}, () => {});
    trainer.catch(() => { if (this.fresh === entry) this.fresh = null; });
    return entry;
  }
}
