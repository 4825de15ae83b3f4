// The participant HTTP API (docs/architecture.md) as plain async functions over `fetch`.
// Only tokens, parameter vectors and metrics go out: nothing here accepts an image.
import { decodeParameters, encodeParameters } from './head.js';
import { t } from './messages.js';

/** Join codes are typed as often as scanned: case and spaces do not matter. */
export function sameJoinCode(a, b) {
  const clean = (code) => String(code || '').replace(/\s+/g, '').toUpperCase();
  return clean(a) === clean(b);
}

/** The server answered with an error body {"error": {code, message, field}}. */
export class ApiError extends Error {
  constructor(status, code, message, field = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

/** No HTTP answer at all: server stopped, wrong network, Wi-Fi gone. */
export class NetworkError extends Error {
  constructor(message) { super(message); this.name = 'NetworkError'; }
}

async function errorFrom(response) {
  let code = `http_${response.status}`;
  let message = `The server answered ${response.status} ${response.statusText || ''}`.trim();
  let field = null;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
      field = body.error.field ?? null;
    }
  } catch { /* not JSON: keep the generic message */ }
  return new ApiError(response.status, code, message, field);
}

export class ApiClient {
  constructor({ baseUrl = '', token = null, fetchImpl = globalThis.fetch.bind(globalThis) } = {}) {
    this.baseUrl = baseUrl.replace(/\/$/, '');
    this.token = token;
    this.fetchImpl = fetchImpl;
    this.held = {}; // path -> {etag, value}: the last answer of a GET the server answers 304 when unchanged
  }

  url(path) { return /^https?:/.test(path) ? path : `${this.baseUrl}${path}`; }

  async request(path, { method = 'GET', headers = {}, body, auth = true, keepalive = false, notModified = false } = {}) {
    const allHeaders = { ...headers };
    if (auth && this.token) allHeaders.Authorization = `Bearer ${this.token}`;
    let response;
    try {
      response = await this.fetchImpl(this.url(path), { method, headers: allHeaders, body, cache: 'no-cache', ...(keepalive ? { keepalive } : {}) });
    } catch (err) {
      throw new NetworkError(t('errorCannotReach', { message: err.message || err }));
    }
    if (!response.ok && !(notModified && response.status === 304)) throw await errorFrom(response);
    return response;
  }

  /**
   * A GET of something the page keeps (task, model): sent with the ETag of the answer held, and not
   * downloaded again when the server says 304 (unchanged). `read(response)` makes the value to hold.
   */
  async unlessUnchanged(path, read) {
    const held = this.held[path];
    const response = await this.request(path, { headers: held ? { 'If-None-Match': held.etag } : {}, notModified: true });
    if (response.status === 304 && held) return held.value;
    if (response.status === 304) throw new ApiError(304, 'http_304', 'The server answered 304 to a request without an ETag');
    const value = await read(response);
    const etag = response.headers.get('ETag');
    if (etag) this.held[path] = { etag, value }; else delete this.held[path];
    return value;
  }

  async status() { return (await this.request('/api/v1/status', { auth: false })).json(); }

  /** What to show before joining: {title, classes, state, study_logging, consent_notice}. */
  async joinInfo(joinCode) {
    return (await this.request(`/api/v1/join/${encodeURIComponent(joinCode)}`, { auth: false })).json();
  }

  /**
   * `consent: true` only after the participant accepted the study notice (403 consent_required otherwise).
   * `deviceKey`: this profile's random key, so a device that joined before comes back as the same participant.
   */
  async join(joinCode, { nickname = null, device = null, consent = null, deviceKey = null } = {}) {
    const body = JSON.stringify({
      join_code: joinCode, ...(nickname ? { nickname } : {}), ...(device ? { device } : {}), ...(consent ? { consent: true } : {}),
      ...(deviceKey ? { device_key: deviceKey } : {}),
    });
    const response = await this.request('/api/v1/join', {
      method: 'POST', auth: false, headers: { 'Content-Type': 'application/json' }, body,
    });
    return response.json();
  }

  /** The task manifest (a new object each time; downloaded again only when it changed). */
  async task() { return JSON.parse(await this.unlessUnchanged('/api/v1/task', (r) => r.text())); }

  /** @returns {Promise<{version:number, params:Float32Array}>} downloaded again only when it changed */
  async model() {
    const { version, params } = await this.unlessUnchanged('/api/v1/model', async (response) => ({
      version: Number.parseInt(response.headers.get('X-Model-Version'), 10),
      params: decodeParameters(await response.arrayBuffer()),
    }));
    return { version, params: params.slice() };
  }

  /** Artifact bytes; the server marks them immutable so the browser cache keeps them. */
  async artifact(url) {
    const response = await this.fetchImpl(this.url(url), { headers: { Authorization: `Bearer ${this.token}` } })
      .catch((err) => { throw new NetworkError(t('errorCannotDownload', { message: err.message || err })); });
    if (!response.ok) throw await errorFrom(response);
    return new Uint8Array(await response.arrayBuffer());
  }

  /** `idempotencyKey`: the same for every retry of one update, so the server applies it once. */
  async postUpdate(params, baseVersion, sampleCount, idempotencyKey) {
    const response = await this.request('/api/v1/updates', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/octet-stream',
        'X-Base-Version': String(baseVersion),
        'X-Sample-Count': String(sampleCount),
        ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
      },
      body: encodeParameters(params),
    });
    return response.json();
  }

  /** Per-class feature sums and sums of squares ([K, D] float32 each) with the counts → {version, applied}. */
  async postClassStats({ sums, squares, counts }) {
    const body = new Uint8Array((sums.length + squares.length) * 4);
    body.set(encodeParameters(sums), 0);
    body.set(encodeParameters(squares), sums.length * 4);
    const response = await this.request('/api/v1/class-stats', {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'X-Class-Counts': counts.join(',') },
      body,
    });
    return response.json();
  }

  /** A batch of study events (lib/study_log.js builds them) → {stored, duplicates, max_seq}. */
  async postStudyEvents(events, { keepalive = false } = {}) {
    const response = await this.request('/api/v1/events', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ events }), keepalive,
    });
    return response.json();
  }

  /** Leave the study: the server deletes this participant's study events → {withdrawn, deleted_events}. */
  async withdrawFromStudy() {
    return (await this.request('/api/v1/withdraw', { method: 'POST' })).json();
  }

  async postTestResults(summary) {
    const response = await this.request('/api/v1/test-results', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(summary),
    });
    return response.json();
  }
}

/** Turn any failure into a sentence for the participant plus whether "Retry" makes sense. */
export function describeJoinError(err, joinCode) {
  if (err instanceof NetworkError) return { message: t('serverUnreachable'), retry: false };
  if (err instanceof ApiError) {
    if (err.code === 'join_code_unknown' || err.status === 404) return { message: t('joinCodeUnknown', { code: joinCode }), retry: true, askCode: true };
    if (err.code === 'session_not_running' || err.status === 409) return { message: t('joinNotRunning'), retry: true };
    if (err.code === 'device_blocked') return { message: t('joinBlocked'), retry: false };
    if (err.code === 'consent_required') return { message: t('joinConsentRequired'), retry: true, askCode: true };
    if (err.status === 429) return { message: t('tooManyAttempts'), retry: true };
    return { message: t('serverSaid', { message: err.message }), retry: true };
  }
  return { message: t('somethingWrong', { message: err.message || err }), retry: true };
}

/** The server's refusal of an update or a test result, in the participant's words where the code is known. */
export function describeApiError(err) {
  const known = {
    too_stale: 'errorTooStale', session_paused: 'errorPaused', session_not_running: 'errorNotRunning',
    norm_too_large: 'errorTooLarge', not_finite: 'errorNotFinite', rate_limited: 'tooManyAttempts',
  };
  if (err instanceof ApiError && known[err.code]) return t(known[err.code]);
  if (err instanceof ApiError && err.status === 429) return t('tooManyAttempts');
  if (err instanceof ApiError) return t('serverSaid', { message: err.message });
  return t('somethingWrong', { message: err.message || err });
}
