// Section 6: the model kept in IndexedDB, export to and import from a file.
import { $, el, formatBytes, announce } from './dom.js';

export function createModelPanel(app) {
  const status = $('#model-status');
  const exportBtn = $('#model-export');
  const importBtn = $('#model-import');
  const fileInput = $('#model-file');

  function describe(msg) {
    const when = msg.savedAt ? new Date(msg.savedAt).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '';
    const size = msg.bytes ? ` (${formatBytes(msg.bytes)})` : '';
    const epochs = msg.epochsDone ? ` after ${msg.epochsDone} epoch${msg.epochsDone === 1 ? '' : 's'}` : '';
    switch (msg.event) {
      case 'saved': return `Saved in this browser${epochs}${size}${when ? `, ${when}` : ''}. It will be restored when you reload.`;
      case 'restored': return `Restored from this browser${epochs}${size}${when ? `, saved ${when}` : ''}.`;
      case 'imported': return `Imported ${msg.name}${size} and saved in this browser.`;
      case 'forgotten': return 'This browser no longer keeps a model or data.';
      case 'unreadable': return `The model saved in this browser could not be restored (${msg.reason}). The data is kept: train a new model.`;
      default: return '';
    }
  }

  app.client.on('model', (msg) => {
    status.textContent = describe(msg);
    status.dataset.event = msg.event;
    exportBtn.disabled = !(app.hasModel || msg.event === 'saved' || msg.event === 'restored' || msg.event === 'imported');
  });
  app.on('model-ready', () => { exportBtn.disabled = false; });
  app.on('dataset', ({ source }) => {
    if (source === 'restored') return;
    status.textContent = 'No model for this data yet: it is saved here after each epoch of training.';
    status.dataset.event = 'none';
    exportBtn.disabled = true;
  });
  app.on('persistence', (on) => {
    if (!on) status.textContent = 'This browser does not allow storage here, so the model is not kept across reloads. Export it to keep it.';
  });

  exportBtn.addEventListener('click', async () => {
    try {
      const r = await app.client.request('export');
      const url = URL.createObjectURL(new Blob([r.bytes], { type: 'application/octet-stream' }));
      const a = el('a', { href: url, download: r.name, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      announce(`Exported ${r.name}.`);
    } catch (e) {
      status.textContent = `Export failed: ${e.message}`;
    }
  });
  importBtn.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', async () => {
    const file = fileInput.files[0];
    fileInput.value = '';
    if (!file) return;
    status.textContent = `Importing ${file.name}…`;
    try {
      await app.client.request('import', { file });
      app.emit('model-ready');
    } catch (e) {
      status.textContent = `${file.name} could not be imported: ${e.message}`;
    }
  });
  $('#model-forget').addEventListener('click', async () => {
    try {
      await app.client.request('forget');
    } catch (e) {
      status.textContent = e.message;
    }
  });
}
