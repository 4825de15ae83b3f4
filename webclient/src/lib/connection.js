// Whether the class server can be reached, and waiting for it to come back. No DOM: main.js shows
// the state; node's tests drive it with a fake clock. A request that gets no answer at all (the
// teacher's app stopped or restarting, Wi-Fi gone) marks the connection offline; from then on the
// server's status is probed with backoff until it answers, and everything waiting resumes.
import { NetworkError } from './api.js';

export class Connection {
  /**
   * @param {{probe: () => Promise<unknown>, onChange?: (online: boolean) => void,
   *          firstDelayMs?: number, maxDelayMs?: number, sleep?: (ms: number) => Promise<void>}} options
   */
  constructor({ probe, onChange = () => {}, firstDelayMs = 1000, maxDelayMs = 8000, sleep = (ms) => new Promise((r) => setTimeout(r, ms)) }) {
    this.probe = probe;
    this.onChange = onChange;
    this.firstDelayMs = firstDelayMs;
    this.maxDelayMs = maxDelayMs;
    this.sleep = sleep;
    this.online = true;
    this.backOnline = null; // a Promise while offline
  }

  /** A request got no answer: go offline (once) and probe until the server answers again. */
  lost() {
    if (!this.online) return this.backOnline;
    this.online = false;
    this.onChange(false);
    this.backOnline = this.probeUntilBack();
    return this.backOnline;
  }

  async probeUntilBack() {
    let delay = this.firstDelayMs;
    for (;;) {
      await this.sleep(delay);
      try {
        await this.probe();
        break;
      } catch (err) {
        if (!(err instanceof NetworkError)) break; // it answered, if not happily: it is reachable
      }
      delay = Math.min(delay * 2, this.maxDelayMs);
    }
    this.online = true;
    this.backOnline = null;
    this.onChange(true);
  }

  /** Resolves at once while online, else when the server answers again. */
  whenOnline() { return this.online ? Promise.resolve() : this.backOnline; }

  /**
   * Run `request` until it gets an answer: each time it fails with a NetworkError, wait until the
   * server is back and try again. Errors the server answered with (ApiError) pass through.
   */
  async retry(request) {
    for (;;) {
      await this.whenOnline();
      try {
        return await request();
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        await this.lost();
      }
    }
  }
}

/** A random key for one update, so a retry after a lost answer is applied once (crypto.randomUUID needs https). */
export function randomKey(bytes = 16) {
  const values = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(values, (b) => b.toString(16).padStart(2, '0')).join('');
}
