// Every sentence a person sees, from one catalogue per language: src/lang/<code>.js (English is
// lang/en.js, always loaded; it is also what a missing key falls back to). A third language is one
// more file there: `loadLanguage` finds it by its code, nothing else lists the languages.
// `t(key, params)` fills `{name}` placeholders; an entry may instead be `{one, other}` (and any other
// plural category of Intl.PluralRules), chosen by `params.n`. No DOM here (app/page.js translates the page).
import en from '../lang/en.js';

export const DEFAULT_LANGUAGE = 'en';
const catalogues = new Map([[DEFAULT_LANGUAGE, en]]);
let language = DEFAULT_LANGUAGE;
let plurals = new Intl.PluralRules(DEFAULT_LANGUAGE);

/** Use `code` from now on (its catalogue given, or loaded before); unknown codes are ignored. */
export function setLanguage(code, catalogue = null) {
  if (catalogue) catalogues.set(code, catalogue);
  if (!catalogues.has(code)) return false;
  language = code;
  plurals = new Intl.PluralRules(code);
  return true;
}

export function currentLanguage() { return language; }

/** The English catalogue: the fallback, and what the browser tests compare a translated page against. */
export function englishCatalogue() { return en; }

function pick(entry, params) {
  if (typeof entry === 'string') return entry;
  return entry[plurals.select(Number(params.n))] ?? entry.other;
}

export function t(key, params = {}) {
  const entry = catalogues.get(language)[key] ?? en[key];
  if (entry === undefined) return key;
  return pick(entry, params).replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? `{${name}}`));
}

/** "trouser, bag and sneaker" in the current language. */
export function list(items) {
  return new Intl.ListFormat(language, { type: 'conjunction' }).format(items.map(String));
}

/** 0.8333 -> "83%" (English) or "83 %" (German). */
export function percent(fraction) {
  return new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 0 }).format(fraction);
}

const CODE = /^[a-z]{2,3}$/;

/** "de-AT" -> "de"; anything that is not a language code -> null. */
export function baseLanguage(tag) {
  const code = String(tag || '').trim().toLowerCase().split(/[-_]/)[0];
  return CODE.test(code) ? code : null;
}

/**
 * The languages to try, best first: `?lang=` (`requested`), the one chosen before on this device
 * (`remembered`), the browser's own (navigator.languages), then English.
 */
export function languageCandidates({ requested = null, remembered = null, browser = [] } = {}) {
  const out = [];
  for (const tag of [requested, remembered, ...browser, DEFAULT_LANGUAGE]) {
    const code = baseLanguage(tag);
    if (code && !out.includes(code)) out.push(code);
  }
  return out;
}

/**
 * Switch to the first candidate that has a catalogue (lang/<code>.js, imported by `importer`) and
 * give its code; English needs no import. A language with no file is skipped quietly.
 */
export async function loadLanguage(candidates, importer = (code) => import(`../lang/${code}.js`)) {
  for (const code of candidates) {
    if (catalogues.has(code)) { setLanguage(code); return code; }
    try {
      const module = await importer(code);
      if (module?.default && typeof module.default === 'object') { setLanguage(code, module.default); return code; }
    } catch { /* no catalogue for this language: try the next */ }
  }
  setLanguage(DEFAULT_LANGUAGE);
  return DEFAULT_LANGUAGE;
}
