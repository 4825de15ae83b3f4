// <fl-file-messages>: what happened to each file of the last "add photos" (stored or why not).
import { t } from '../lib/messages.js';

export class FlFileMessages extends HTMLElement {
  show(results) {
    const failed = results.filter((r) => !r.ok);
    const stored = results.length - failed.length;
    const items = [];
    if (stored) items.push(Object.assign(document.createElement('li'), { className: 'ok', textContent: t('photosAdded', { n: stored }) }));
    for (const r of failed) {
      const li = document.createElement('li');
      li.className = 'error';
      li.dataset.file = r.name;
      const name = document.createElement('strong');
      name.textContent = r.name; // the participant's own file, on their own screen: so they know which one
      li.append(name, `: ${r.error}`);
      items.push(li);
    }
    const list = document.createElement('ul');
    list.append(...items);
    this.replaceChildren(list);
    this.hidden = items.length === 0;
  }

  clear() { this.replaceChildren(); this.hidden = true; }
}
customElements.define('fl-file-messages', FlFileMessages);
