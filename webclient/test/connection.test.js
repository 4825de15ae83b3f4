import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connection, randomKey } from '../src/lib/connection.js';
import { ApiError, NetworkError } from '../src/lib/api.js';

/** A server that is down for the first `downFor` calls of any kind, then answers. */
function flakyServer(downFor) {
  let calls = 0;
  return {
    get calls() { return calls; },
    async call(value) {
      calls += 1;
      if (calls <= downFor) throw new NetworkError('Cannot reach the server (Failed to fetch).');
      return value;
    },
  };
}

test('a request retried through an outage gets its answer, and the state goes offline then online once', async () => {
  const server = flakyServer(3);
  const changes = [];
  const sleeps = [];
  const connection = new Connection({
    probe: () => server.call('status'), onChange: (online) => changes.push(online),
    sleep: async (ms) => { sleeps.push(ms); },
  });
  const answer = await connection.retry(() => server.call('update accepted'));
  assert.equal(answer, 'update accepted');
  assert.deepEqual(changes, [false, true]);
  assert.deepEqual(sleeps, [1000, 2000, 4000]); // probes back off
  assert.equal(connection.online, true);
});

test('an error the server answered with is not retried', async () => {
  const connection = new Connection({ probe: async () => 'ok', sleep: async () => {} });
  let calls = 0;
  await assert.rejects(connection.retry(async () => { calls += 1; throw new ApiError(400, 'bad', 'bad input'); }), /bad input/);
  assert.equal(calls, 1);
  assert.equal(connection.online, true);
});

test('many waiters share one probe loop and all resume', async () => {
  let up = false;
  let probes = 0;
  let sleeps = 0;
  const connection = new Connection({
    probe: async () => { probes += 1; if (!up) throw new NetworkError('down'); return 'ok'; },
    sleep: async () => { sleeps += 1; if (sleeps === 2) up = true; },
  });
  const request = (n) => connection.retry(async () => { if (!up) throw new NetworkError('down'); return n; });
  assert.deepEqual(await Promise.all([request(1), request(2), request(3)]), [1, 2, 3]);
  assert.equal(probes, 2, 'one probe loop, not one per waiter');
});

test('backoff is capped', async () => {
  const server = flakyServer(6);
  const sleeps = [];
  const connection = new Connection({ probe: () => server.call('ok'), sleep: async (ms) => { sleeps.push(ms); }, maxDelayMs: 4000 });
  await connection.lost();
  assert.deepEqual(sleeps, [1000, 2000, 4000, 4000, 4000, 4000, 4000]); // 6 failed probes, the 7th answers
});

test('random keys are hex of the asked length and differ', () => {
  const a = randomKey(), b = randomKey();
  assert.match(a, /^[0-9a-f]{32}$/);
  assert.notEqual(a, b);
});
