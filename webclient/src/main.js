// The participant page (index.html): defines its elements and starts the app (app/participant_app.js);
// any error nobody caught becomes a sentence in the banner.
import './components/fl-progress.js';
import './components/fl-class-counts.js';
import './components/fl-file-messages.js';
import './components/fl-image-card.js';
import './components/fl-join-panel.js';
import './components/fl-test-results.js';
import { ParticipantApp } from './app/participant_app.js';
import { showBanner } from './app/page.js';

window.addEventListener('error', (e) => showBanner(`Something went wrong: ${e.message}. Reload the page; your photos are kept.`));
window.addEventListener('unhandledrejection', (e) => showBanner(`Something went wrong: ${e.reason?.message || e.reason}. Reload the page; your photos are kept.`));

new ParticipantApp().start().catch((err) => showBanner(`The app could not start: ${err.message || err}`));
