import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TrainerSlot } from '../src/lib/trainer_slot.js';

/** Fake trainers that count how many are alive at once (ORT-web 1.19.2 allows one per page). */
function factory({ failOn = new Set() } = {}) {
  const made = [];
  const state = { live: 0, maxLive: 0, loads: 0 };
  const create = async (bytes) => {
    await new Promise((r) => setTimeout(r, 1));
    if (failOn.has(made.length)) { made.push(null); throw new Error('create failed'); }
    state.live += 1;
    state.maxLive = Math.max(state.maxLive, state.live);
    const trainer = {
      id: made.length, bytes, released: false, trained: false,
      async release() { await new Promise((r) => setTimeout(r, 1)); assert.equal(this.released, false); this.released = true; state.live -= 1; },
    };
    made.push(trainer);
    return trainer;
  };
  const load = (key) => async () => { state.loads += 1; return `bytes of ${key}`; };
  return { create, made, state, load };
}

test('a trainer prepared ahead is the one the click takes; each round gets one that never trained', async () => {
  const f = factory();
  const slot = new TrainerSlot(f.create);
  await slot.prepare('k1', f.load('k1'));
  assert.equal(f.made.length, 1);
  for (let round = 0; round < 3; round++) {
    const trainer = await slot.take('k1', f.load('k1'));
    assert.equal(trainer.id, round, 'the one prepared after the previous round');
    assert.equal(trainer.trained, false, 'fresh: never trained');
    trainer.trained = true;
    await slot.giveBack(trainer, 'k1', f.load('k1'));
    assert.equal(trainer.released, true);
    assert.equal(f.made.length, round + 2, 'the next one is ready before the next click');
  }
  assert.equal(f.state.maxLive, 1, 'never two live sessions');
});

test('new artifacts (a new learning rate) replace the prepared trainer, released before the new one is made', async () => {
  const f = factory();
  const slot = new TrainerSlot(f.create);
  await slot.prepare('k1', f.load('k1'));
  await slot.prepare('k1', f.load('k1'));
  assert.equal(f.made.length, 1, 'the same files: nothing new');
  slot.prepare('k2', f.load('k2'));
  const trainer = await slot.take('k2', f.load('k2'));
  assert.equal(trainer.bytes, 'bytes of k2');
  assert.equal(f.made[0].released, true);
  await slot.giveBack(trainer);
  assert.equal(f.made.length, 2, 'no key: nothing prepared');
  const other = await slot.take('k3', f.load('k3')); // nothing prepared: made on the click
  assert.equal(other.bytes, 'bytes of k3');
  await slot.giveBack(other);
  await slot.clear();
  assert.equal(f.state.live, 0);
  assert.equal(f.state.maxLive, 1);
});

test('nothing is created while a round holds its trainer; a click during the preparation waits for it', async () => {
  const f = factory();
  const slot = new TrainerSlot(f.create);
  const trainer = await slot.take('k1', f.load('k1'));
  await slot.prepare('k2', f.load('k2')); // the poller saw new files mid-round
  assert.equal(f.made.length, 1);
  await assert.rejects(slot.take('k1', f.load('k1')), /already holds/);
  slot.giveBack(trainer, 'k1', f.load('k1')); // not awaited: the next click comes at once
  const next = await slot.take('k1', f.load('k1'));
  assert.equal(next.id, 1);
  assert.equal(trainer.released, true);
  await slot.giveBack(next);
  assert.equal(f.state.maxLive, 1);
});

test('a failed creation empties the slot and the next take tries again', async () => {
  const f = factory({ failOn: new Set([0]) });
  const slot = new TrainerSlot(f.create);
  await slot.prepare('k1', f.load('k1')); // never rejects
  assert.equal(slot.fresh, null);
  const trainer = await slot.take('k1', f.load('k1'));
  assert.equal(trainer.id, 1);
  await slot.giveBack(trainer);
  const g = factory({ failOn: new Set([0]) });
  const other = new TrainerSlot(g.create);
  await assert.rejects(other.take('k1', g.load('k1')), /create failed/);
  assert.equal(other.lent, false, 'a failed take holds nothing');
  assert.equal((await other.take('k1', g.load('k1'))).id, 1);
});
