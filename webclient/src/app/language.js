// Which language the page speaks: `?lang=de` (remembered on this device for the next visits), else
// the one chosen before, else the browser's (navigator.languages), else English — the first of
// these that has a catalogue in src/lang/ (lib/messages.js loadLanguage).
import { baseLanguage, languageCandidates, loadLanguage } from '../lib/messages.js';

const REMEMBERED = 'influx-language';

function remembered() {
  try { return localStorage.getItem(REMEMBERED); } catch { return null; } // storage may be off
}

function remember(code) {
  try { localStorage.setItem(REMEMBERED, code); } catch { /* then it is not remembered */ }
}

/** Load the language for this page and mark the document with it; gives its code. */
export async function chooseLanguage(search = location.search) {
  const requested = new URLSearchParams(search).get('lang');
  const browser = navigator.languages?.length ? navigator.languages : [navigator.language];
  const code = await loadLanguage(languageCandidates({ requested, remembered: remembered(), browser }));
  if (requested && baseLanguage(requested) === code) remember(code);
  document.documentElement.lang = code;
  return code;
}
