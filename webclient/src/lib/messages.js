// Sentences the participant reads that several places share, in one table so they can be
// translated together. `t(key, params)` fills `{name}` placeholders.
export const MESSAGES = {
  en: {
    serverUnreachable: 'The class server can\'t be reached — is the teacher\'s app running? Retrying…',
    askName: 'Type your first name or a nickname, then tap Join.',
    nameLabel: 'Your first name or a nickname',
  },
};

let language = 'en';

export function setLanguage(lang) { if (MESSAGES[lang]) language = lang; }

export function t(key, params = {}) {
  const text = MESSAGES[language][key] ?? MESSAGES.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? `{${name}}`));
}
