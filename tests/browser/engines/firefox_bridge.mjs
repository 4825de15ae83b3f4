// Gecko for the Python browser tests: Debian firefox-esr driven by puppeteer-core (webclient's
// devDependency) over WebDriver BiDi. Python (engines/firefox.py) starts `node firefox_bridge.mjs`
// and sends one JSON object per line on stdin: {id, cmd, ...}; every answer is one line on stdout:
// {id, ok: true, result} or {id, ok: false, error}. Nothing else is written to stdout.
// End of stdin closes every browser this process started.
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

const webclient = process.env.INFLUX_WEBCLIENT_DIR || path.resolve(import.meta.dirname, '../../../webclient');
let puppeteer;
try {
  const resolved = createRequire(path.join(webclient, 'package.json')).resolve('puppeteer-core');
  puppeteer = (await import(pathToFileURL(resolved).href)).default;
} catch (e) {
  process.stderr.write(`firefox_bridge: cannot load puppeteer-core from ${webclient}/node_modules `
    + `(run scripts/setup.sh --tests, which runs npm ci): ${e.message}\n`);
  process.exit(3);
}

const browsers = new Map(); // id -> Browser
const pages = new Map(); // id -> {page, context, ownBrowserId, console: []}
let nextId = 1;

async function launch({ executablePath, userDataDir, prefs, timeoutMs }) {
  const browser = await puppeteer.launch({
    browser: 'firefox', executablePath, headless: true, userDataDir,
    extraPrefsFirefox: prefs, timeout: timeoutMs, protocolTimeout: 300_000,
    // Firefox's own output would mix with our protocol on stdout: it goes nowhere (dumpio false).
  });
  const id = `b${nextId++}`;
  browsers.set(id, browser);
  return { browserId: id, version: await browser.version() };
}

function entry(pageId) {
  const e = pages.get(pageId);
  if (!e) throw new Error(`no open page ${pageId}`);
  return e;
}

async function element(page, selector) {
  const handle = await page.$(selector);
  if (!handle) throw new Error(`no element matches ${selector}`);
  return handle;
}

const commands = {
  launch,

  async newPage({ browserId, viewport, userDataDir, executablePath, prefs, timeoutMs }) {
    let ownBrowserId = null;
    let context = null;
    let page;
    if (userDataDir) {
      ({ browserId: ownBrowserId } = await launch({ executablePath, userDataDir, prefs, timeoutMs }));
      const browser = browsers.get(ownBrowserId);
      page = (await browser.pages())[0] || await browser.newPage();
    } else {
      const browser = browsers.get(browserId);
      if (!browser) throw new Error(`no browser ${browserId}`);
      context = await browser.createBrowserContext();
      // its own window, not a tab: a background tab is hidden and its timers are throttled
      page = await context.newPage({ type: 'window' });
    }
    const [width, height] = viewport;
    await page.setViewport({ width, height });
    const id = `p${nextId++}`;
    const record = { page, context, ownBrowserId, console: [] };
    page.on('console', (m) => record.console.push(`${m.type() === 'warn' ? 'warning' : m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => record.console.push(`pageerror: ${e && e.message ? e.message : e}`));
    pages.set(id, record);
    return { pageId: id };
  },

  async goto({ pageId, url, timeoutMs }) { await entry(pageId).page.goto(url, { waitUntil: 'load', timeout: timeoutMs }); },
  async reload({ pageId, timeoutMs }) { await entry(pageId).page.reload({ waitUntil: 'load', timeout: timeoutMs }); },

  async evaluate({ pageId, fn, args }) {
    // (0, eval) makes a function whose source puppeteer sends to the page as its own script
    const f = (0, eval)(`(${fn})`);
    return await entry(pageId).page.evaluate(f, ...args);
  },

  async click({ pageId, selector }) { await (await element(entry(pageId).page, selector)).click(); },

  async fill({ pageId, selector, text }) {
    const handle = await element(entry(pageId).page, selector);
    await handle.evaluate((e) => { e.value = ''; });
    await handle.type(text);
  },

  async select({ pageId, selector, value }) {
    const chosen = await entry(pageId).page.select(selector, value);
    if (!chosen.includes(value)) throw new Error(`${selector} has no option with value ${JSON.stringify(value)}`);
  },

  // Keys go to the page's focused element, but Firefox only acts on them (a button's Enter, a select's
  // arrows) in the active window: another page's window, or the window losing focus, would swallow them.
  async press({ pageId, key, shift }) {
    const { page } = entry(pageId);
    await page.bringToFront();
    const { keyboard } = page;
    if (shift) await keyboard.down('Shift');
    try { await keyboard.press(key); } finally { if (shift) await keyboard.up('Shift'); }
  },

  async type({ pageId, text }) {
    const { page } = entry(pageId);
    await page.bringToFront();
    await page.keyboard.type(text);
  },

  async upload({ pageId, selector, paths }) { await (await element(entry(pageId).page, selector)).uploadFile(...paths); },
  async screenshot({ pageId, path: file }) { await entry(pageId).page.screenshot({ path: file }); },
  async console({ pageId }) { return entry(pageId).console; },

  async closePage({ pageId }) {
    const e = pages.get(pageId);
    if (!e) return;
    pages.delete(pageId);
    if (e.ownBrowserId) return commands.closeBrowser({ browserId: e.ownBrowserId });
    await e.context.close();
  },

  async closeBrowser({ browserId }) {
    const browser = browsers.get(browserId);
    if (!browser) return;
    browsers.delete(browserId);
    for (const [id, e] of pages) if (e.ownBrowserId === browserId || (e.context && e.context.browser() === browser)) pages.delete(id);
    await browser.close();
  },
};

async function closeAll() {
  await Promise.allSettled([...browsers.values()].map((b) => b.close()));
  browsers.clear();
}

const send = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

createInterface({ input: process.stdin }).on('line', async (line) => {
  if (!line.trim()) return;
  let request;
  try {
    request = JSON.parse(line);
  } catch (e) {
    send({ id: null, ok: false, error: `bad request line: ${e.message}` });
    return;
  }
  const { id, cmd, ...params } = request;
  try {
    if (!commands[cmd]) throw new Error(`unknown command ${cmd}`);
    const result = await commands[cmd](params);
    send({ id, ok: true, result: result === undefined ? null : result });
  } catch (e) {
    send({ id, ok: false, error: e && e.message ? e.message : String(e) });
  }
}).on('close', async () => {
  await closeAll();
  process.exit(0);
});
