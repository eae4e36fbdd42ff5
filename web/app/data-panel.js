// Section 1: drop zone, file and folder pickers, the demo button, per-file
// read progress, load errors (file, line, reason) and the dataset summary.
import { $, el, clear, formatInt, formatBytes, formatMonth, announce, plural } from './dom.js';
import { drawHistogram } from './charts.js';

// Reads a dropped folder tree through the File and Directory Entries API.
async function walkEntry(entry, prefix, out) {
  if (entry.isFile) {
    const file = await new Promise((resolve, reject) => entry.file(resolve, reject));
    out.push({ file, path: prefix + entry.name });
  } else if (entry.isDirectory) {
    const reader = entry.createReader();
    for (;;) {
      const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walkEntry(child, `${prefix}${entry.name}/`, out);
    }
  }
}

// Must run inside the drop handler: DataTransfer items expire after it.
function captureDrop(dataTransfer) {
  const entries = [];
  const items = dataTransfer.items ? Array.from(dataTransfer.items) : [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = typeof item.webkitGetAsEntry === 'function' ? item.webkitGetAsEntry() : null;
    entries.push(entry);
  }
  const files = Array.from(dataTransfer.files || []);
  return async () => {
    if (entries.length && entries.every(Boolean) && entries.some((e) => e.isDirectory)) {
      const out = [];
      for (const entry of entries) await walkEntry(entry, '', out);
      return { inputs: out, source: 'folder' };
    }
    return { inputs: files.map((file) => ({ file, path: file.name })), source: 'files' };
  };
}

export function readSummary(s) {
  let hist = s.rating_histogram || s.rating_hist || s.histogram || null;
  if (hist && !Array.isArray(hist)) hist = Object.keys(hist).sort((a, b) => a - b).map((k) => hist[k]);
  if (hist && hist.length === 11) hist = hist.slice(1); // index = half stars, 0 unused
  const genres = Array.isArray(s.genres) ? s.genres : Array.isArray(s.genre_names) ? s.genre_names : [];
  return {
    ratings: s.ratings,
    users: s.users,
    movies: s.catalogue ?? s.movies,
    rated: s.rated_movies,
    genres,
    genreCount: genres.length || (Number.isFinite(s.genres) ? s.genres : 0),
    first: s.first_timestamp,
    last: s.last_timestamp,
    tags: s.tags,
    links: s.links,
    hist,
    warnings: Array.isArray(s.warnings) ? s.warnings : [],
  };
}

// "Read ml-100k.zip › u.data, u.item; skipped: u1.base, u1.test, …; added movies.csv to the earlier files."
export function filesText(files = [], skipped = [], added = []) {
  const parts = [];
  const from = [...new Set(files.map((f) => f.from).filter(Boolean))];
  if (files.length) parts.push(`Read ${from.length ? `${from.join(', ')} › ` : ''}${files.map((f) => f.name).join(', ')}`);
  if (skipped.length) parts.push(`skipped ${skipped.map((n) => n.split('/').pop()).join(', ')} (not MovieLens files the loader needs, or copies of them)`);
  if (added.length) parts.push(`${added.join(', ')} added to the files loaded before`);
  return parts.length ? `${parts.join('; ')}.` : '';
}

export function createDataPanel(app) {
  const zone = $('#dropzone');
  const errors = $('#load-errors');
  const progressList = $('#file-progress');
  const fileInput = $('#file-input');
  const folderInput = $('#folder-input');
  const buttons = [$('#demo-button'), $('#pick-files'), $('#pick-folder')];
  let rows = [];
  let busy = false;

  function setBusy(on) {
    busy = on;
    zone.classList.toggle('busy', on);
    zone.setAttribute('aria-busy', on ? 'true' : 'false');
    for (const b of buttons) b.disabled = on || !app.engineReady;
  }

  function showError(err) {
    const where = err.file ? (err.line ? `${err.file}:${err.line}` : err.file) : '';
    let reason = err.message || String(err);
    const prefix = /^[^:\n]+?:(\d+:)? /.exec(reason);
    if (where && prefix && reason.startsWith(err.file)) reason = reason.slice(prefix[0].length);
    clear(errors,
      el('h3', {}, 'These files could not be loaded'),
      el('p', {}, where ? el('span', { class: 'where' }, where) : null, where ? ' ' : null, el('span', { class: 'reason' }, reason)),
      el('p', { class: 'hint' }, app.summary ? 'The data loaded before is still in use. Fix the file and drop it again.' : 'Fix the file and drop it again, or try the demo data.'));
    errors.hidden = false;
    const failed = rows.find((r) => r.name === err.file) || rows.find((r) => !r.done);
    if (failed) {
      failed.li.classList.add('failed');
      failed.amount.textContent = 'failed';
      for (const r of rows.slice(rows.indexOf(failed) + 1)) if (!r.done) r.amount.textContent = 'not read';
    }
  }

  function hideError() {
    errors.hidden = true;
    clear(errors);
  }

  function renderRows(files) {
    clear(progressList);
    rows = files.map((f) => {
      const bar = el('progress', { max: Math.max(1, f.size), value: 0, 'aria-label': `Reading ${f.name}` });
      const amount = el('span', { class: 'amount' }, `0 B of ${formatBytes(f.size)}`);
      const li = el('li', {}, el('span', { class: 'name', title: f.from ? `${f.from} › ${f.name}` : f.name }, f.from ? `${f.from} › ${f.name}` : f.name), amount, bar);
      progressList.append(li);
      return { name: f.name, size: f.size, li, bar, amount, done: false };
    });
  }

  function onProgress(msg) {
    if (msg.files) renderRows(msg.files);
    const row = rows[msg.index];
    if (!row || row.done) return;
    // rows before the current one are complete
    for (let i = 0; i < msg.index; i++) finishRow(rows[i]);
    row.bar.value = msg.bytes;
    row.amount.textContent = `${formatBytes(msg.bytes)} of ${formatBytes(row.size)}`;
    if (msg.done) finishRow(row);
  }

  function finishRow(row) {
    if (row.done) return;
    row.done = true;
    row.bar.value = row.bar.max;
    row.amount.textContent = `${formatBytes(row.size)} ✓`;
  }

  async function load(kind, args) {
    if (busy) return;
    hideError();
    setBusy(true);
    clear(progressList);
    rows = [];
    app.emit('loading');
    try {
      const result = kind === 'demo' ? await app.client.request('loadDemo') : await app.client.request('load', args);
      rows.forEach(finishRow);
      announce(`Loaded ${plural(result.summary.ratings, 'rating')}.`);
    } catch (err) {
      showError(err);
      app.emit('load-failed', err);
    } finally {
      setBusy(false);
    }
  }

  function loadFiles(inputs, source) {
    if (!inputs.length) return;
    load('files', { inputs, source });
  }

  function showSummary(summary, files, source, { skipped = [], added = [], titlesMissing = false } = {}) {
    const s = readSummary(summary);
    $('#summary-empty').hidden = true;
    $('#summary-body').hidden = false;
    $('#summary-source').textContent = source === 'demo' ? '· demo data' : source === 'restored' ? '· restored from this browser' : files && files.length ? `· ${files.map((f) => f.name).join(', ')}` : '';
    const stats = $('#summary-stats');
    const stat = (label, value, id) => el('div', {}, el('dt', {}, label), el('dd', { id }, value));
    clear(stats,
      stat('Ratings', formatInt(s.ratings), 'sum-ratings'),
      stat('Users', formatInt(s.users), 'sum-users'),
      stat('Movies', formatInt(s.movies), 'sum-movies'),
      Number.isFinite(s.rated) ? stat('Rated movies', formatInt(s.rated)) : null,
      s.genreCount ? stat('Genres', formatInt(s.genreCount)) : null,
      el('div', { class: 'wide' }, el('dt', {}, 'Rated between'), el('dd', { id: 'sum-dates' }, `${formatMonth(s.first)} – ${formatMonth(s.last)}`)),
      Number.isFinite(s.tags) && s.tags > 0 ? stat('Tags', formatInt(s.tags)) : null,
    );
    $('#titles-missing').hidden = !titlesMissing;
    $('#summary-files').textContent = filesText(files, skipped, added);
    if (s.hist) drawHistogram($('#histogram'), s.hist, $('#histogram-desc'));
    $('.histogram').hidden = !s.hist;
    const warn = $('#summary-warnings');
    clear(warn, s.warnings.map((w) => el('li', {}, w)));
  }

  // ------------------------------------------------------------ wiring
  $('#demo-button').addEventListener('click', () => load('demo'));
  $('#pick-files').addEventListener('click', () => fileInput.click());
  $('#pick-folder').addEventListener('click', () => folderInput.click());
  fileInput.addEventListener('change', () => {
    const inputs = Array.from(fileInput.files, (file) => ({ file, path: file.name }));
    fileInput.value = '';
    loadFiles(inputs, 'files');
  });
  folderInput.addEventListener('change', () => {
    const inputs = Array.from(folderInput.files, (file) => ({ file, path: file.webkitRelativePath || file.name }));
    folderInput.value = '';
    loadFiles(inputs, 'folder');
  });

  // the whole page accepts drops; the zone shows where they go
  let depth = 0;
  const hasFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes('Files');
  document.addEventListener('dragenter', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    depth++;
    zone.classList.add('dragging');
  });
  document.addEventListener('dragover', (e) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = busy ? 'none' : 'copy';
  });
  document.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('dragging');
  });
  document.addEventListener('drop', (e) => {
    if (!e.dataTransfer) return;
    e.preventDefault();
    depth = 0;
    zone.classList.remove('dragging');
    if (busy || !app.engineReady) return;
    const collect = captureDrop(e.dataTransfer);
    collect().then(({ inputs, source }) => loadFiles(inputs, source), (err) => showError({ message: `the dropped folder could not be read: ${err.message || err}` }));
  });

  app.on('engine-ready', () => setBusy(false));
  app.client.on('progress', (msg) => { if (msg.phase === 'read') onProgress(msg); });
  app.on('dataset', ({ summary, files, source, skipped, added, titlesMissing }) => showSummary(summary, files, source, { skipped, added, titlesMissing }));

  setBusy(false);
  return { showError };
}
