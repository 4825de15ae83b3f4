import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { baseLanguage, currentLanguage, languageCandidates, list, loadLanguage, percent, setLanguage, t } from '../src/lib/messages.js';
import en from '../src/lang/en.js';

const ROOT = new URL('../', import.meta.url).pathname;
const SRC = join(ROOT, 'src');

function sources(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

const code = sources(SRC).filter((f) => !f.includes('/lang/')).map((f) => readFileSync(f, 'utf8')).join('\n');
const html = readFileSync(join(ROOT, 'index.html'), 'utf8');

test('every entry the page asks for is in the English catalogue, and every entry is asked for', () => {
  const asked = new Set([...code.matchAll(/\bt\('([A-Za-z]+)'/g)].map((m) => m[1]));
  for (const m of html.matchAll(/data-i18n="([A-Za-z]+)"/g)) asked.add(m[1]);
  for (const m of html.matchAll(/data-i18n-attr="([^"]+)"/g)) for (const pair of m[1].split(';')) asked.add(pair.split(':')[1]);
  assert.deepEqual([...asked].filter((key) => !(key in en)), []);
  // an entry may also be named in a ternary or a table (key: 'entry'): then it appears quoted somewhere
  const unused = Object.keys(en).filter((key) => !asked.has(key) && !code.includes(`'${key}'`) && !html.includes(`"${key}"`));
  assert.deepEqual(unused, []);
});

test('t fills placeholders, picks plural forms, and falls back to English, then to the key', () => {
  setLanguage('en');
  assert.equal(t('photosAdded', { n: 1 }), '1 photo added.');
  assert.equal(t('photosAdded', { n: 3 }), '3 photos added.');
  assert.equal(t('joining', { code: 'AB12' }), 'Joining with code AB12…');
  assert.equal(t('joining'), 'Joining with code {code}…', 'a missing parameter stays visible rather than "undefined"');
  assert.equal(t('no such entry'), 'no such entry');
  assert.equal(setLanguage('xx', { joinButton: 'Joinen' }), true);
  assert.equal(t('joinButton'), 'Joinen');
  assert.equal(t('retry'), en.retry, 'an entry the language lacks is English');
  assert.equal(setLanguage('zz'), false, 'a language with no catalogue is ignored');
  assert.equal(currentLanguage(), 'xx');
  setLanguage('en');
  assert.equal(list(['cat', 'dog', 'bird']), 'cat, dog, and bird');
  assert.equal(percent(0.8333), '83%');
});

test('the language comes from ?lang=, then the remembered choice, then the browser, then English', async () => {
  assert.equal(baseLanguage('de-AT'), 'de');
  assert.equal(baseLanguage('<script>'), null);
  assert.deepEqual(languageCandidates({ requested: 'fr', remembered: 'de', browser: ['de-DE', 'en-US'] }), ['fr', 'de', 'en']);
  assert.deepEqual(languageCandidates({ browser: ['nl-BE', 'nl', 'en'] }), ['nl', 'en']);
  assert.deepEqual(languageCandidates({ requested: '../../x' }), ['en'], 'only language codes are ever imported');
  const imported = [];
  const importer = async (c) => { imported.push(c); if (c === 'nl') return { default: { joinButton: 'Meedoen' } }; throw new Error('404'); };
  assert.equal(await loadLanguage(['fr', 'nl', 'en'], importer), 'nl', 'a language with no file is skipped');
  assert.deepEqual(imported, ['fr', 'nl']);
  assert.equal(t('joinButton'), 'Meedoen');
  assert.equal(await loadLanguage(['en'], importer), 'en');
  assert.equal(t('joinButton'), 'Join');
});

test('every language file has every entry of English, with the same placeholders and plural forms', async () => {
  const files = readdirSync(join(SRC, 'lang')).filter((f) => f.endsWith('.js') && f !== 'en.js');
  assert.ok(files.includes('de.js'), files);
  const placeholders = (entry) => [...new Set((typeof entry === 'string' ? [entry] : Object.values(entry)).flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1])))].sort();
  for (const file of files) {
    const other = (await import(`../src/lang/${file}`)).default;
    assert.deepEqual(Object.keys(other).sort(), Object.keys(en).sort(), `${file} has other entries than en.js`);
    for (const [key, entry] of Object.entries(en)) {
      assert.equal(typeof other[key], typeof entry, `${file} ${key}`);
      if (typeof entry === 'object') assert.ok(other[key].one && other[key].other, `${file} ${key} needs one and other`);
      assert.deepEqual(placeholders(other[key]), placeholders(entry), `${file} ${key}: placeholders`);
    }
  }
});

test('German reads as German: plural forms, lists and percentages in German', async () => {
  const de = (await import('../src/lang/de.js')).default;
  setLanguage('de', de);
  assert.equal(t('photosAdded', { n: 1 }), '1 Foto hinzugefügt.');
  assert.equal(t('photosAdded', { n: 4 }), '4 Fotos hinzugefügt.');
  assert.equal(list(['Hose', 'Tasche', 'Schuh']), 'Hose, Tasche und Schuh');
  assert.equal(percent(0.8333), '83\u00a0%', 'with a no-break space, as German writes it');
  setLanguage('en');
});
