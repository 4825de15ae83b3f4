// The participant page (index.html): chooses the language (app/language.js) and puts its words into
// the page, then defines the elements and starts the app (app/participant_app.js); any error nobody
// caught becomes a sentence in the banner. The elements are imported after the language is loaded,
// since they build their markup from the catalogue.
import { t } from './lib/messages.js';
import { chooseLanguage } from './app/language.js';
import { showBanner, translatePage } from './app/page.js';

window.addEventListener('error', (e) => showBanner(t('errorUncaught', { message: e.message })));
window.addEventListener('unhandledrejection', (e) => showBanner(t('errorUncaught', { message: e.reason?.message || e.reason })));

try {
  await chooseLanguage();
  translatePage();
  await Promise.all([
    import('./components/fl-progress.js'),
    import('./components/fl-class-counts.js'),
    import('./components/fl-file-messages.js'),
    import('./components/fl-image-card.js'),
    import('./components/fl-join-panel.js'),
    import('./components/fl-test-results.js'),
    import('./components/fl-explanation.js'),
  ]);
  const { ParticipantApp } = await import('./app/participant_app.js');
  await new ParticipantApp().start();
} catch (err) {
  showBanner(t('errorStart', { message: err.message || err }));
}
