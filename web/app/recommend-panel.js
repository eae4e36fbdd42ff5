// Section 3: top-k for any user beside the user's own favourites, with k,
// exclude-seen, genre and year filters. Refreshes while training runs.
import { $, el, clear, debounce, announce, plural } from './dom.js';
import { servingText } from './serving.js';
import { renderMovies } from './movie-list.js';
import { readSummary } from './data-panel.js';

const LIVE_REFRESH_MS = 2000;

export function readFilters(form) {
  const k = Math.max(1, Math.min(100, Math.round(Number(form.elements.k.value) || 10)));
  const genre = form.elements.genre.value;
  const from = Number(form.elements.yearFrom.value) || 0;
  const to = Number(form.elements.yearTo.value) || 0;
  return { k, genres: genre ? [genre] : [], years: from || to ? [from, to] : null, excludeSeen: form.elements.excludeSeen.checked };
}

export function createRecommendPanel(app) {
  const form = $('#rec-form');
  const input = $('#rec-user');
  const go = $('#rec-go');
  const status = $('#rec-status');
  const ratedList = $('#user-rated');
  const recList = $('#user-recs');
  let current = null;      // user id shown
  let inFlight = false;
  let lastRefresh = 0;

  function setEnabled() {
    go.disabled = !app.hasModel;
  }

  async function show(userId, { live = false } = {}) {
    if (inFlight) return;
    const filters = readFilters(form);
    inFlight = true;
    try {
      const r = await app.client.request('recommend', { userId, ...filters, ratedLimit: 10 });
      current = r.userId;
      lastRefresh = performance.now();
      $('#recs-title').textContent = `Top ${filters.k} for user ${r.userId}`;
      $('#rated-title').textContent = `User ${r.userId}'s highest-rated movies`;
      renderMovies(recList, r.items, { empty: 'No movie matches these filters.', flash: live });
      renderMovies(ratedList, r.rated, { kind: 'rating', empty: 'This model was loaded without the ratings it learned from.' });
      const when = r.training === 'running' ? ` · live while training (after ${r.epochsDone} finished epoch${r.epochsDone === 1 ? '' : 's'})` : '';
      status.textContent = `${plural(r.items.length, 'recommendation')} for user ${r.userId}${filters.excludeSeen ? ', movies they rated hidden' : ''}${when}.`;
      const serving = servingText(r.serving, { pass: r.pass, training: r.training });
      $('#rec-serving').textContent = serving;
      $('#rec-serving').hidden = !serving;
      if (!live) announce(`${plural(r.items.length, 'recommendation')} for user ${r.userId}.`);
    } catch (e) {
      if (!live) {
        status.textContent = e.message;
        clear(recList);
        clear(ratedList);
      }
    } finally {
      inFlight = false;
    }
  }

  const suggest = debounce(async () => {
    if (!app.hasData && !app.hasModel) return;
    try {
      const r = await app.client.request('suggestUsers', { prefix: input.value, limit: 30 });
      clear($('#user-suggestions'), r.ids.map((id) => el('option', { value: String(id) })));
      $('#rec-user-help').textContent = r.total ? `${r.total.toLocaleString('en-US')} users, ids from ${r.first}; typing shows matching ids.` : 'No users loaded.';
    } catch {
      /* suggestions are a convenience */
    }
  }, 120);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = input.value.trim();
    if (!v) {
      status.textContent = 'Type a user id first.';
      input.focus();
      return;
    }
    show(v);
  });
  input.addEventListener('input', suggest);
  input.addEventListener('focus', suggest);
  for (const name of ['k', 'genre', 'yearFrom', 'yearTo', 'excludeSeen']) {
    form.elements[name].addEventListener('change', () => { if (current !== null) show(current); });
  }

  app.on('dataset', ({ summary }) => {
    const s = readSummary(summary);
    const select = form.elements.genre;
    clear(select, el('option', { value: '' }, 'All genres'), s.genres.filter((g) => g !== '(no genres listed)').map((g) => el('option', { value: g }, g)));
    current = null;
    clear(recList);
    clear(ratedList);
    status.textContent = 'Train a model, then pick a user.';
    suggest();
  });
  app.on('model-ready', async () => {
    setEnabled();
    if (!input.value) {
      try {
        const r = await app.client.request('suggestUsers', { prefix: '', limit: 1 });
        if (r.ids.length) input.value = String(r.ids[0]);
      } catch { /* no users */ }
    }
    if (input.value && current === null) show(input.value.trim(), { live: true });
  });
  app.on('model-gone', () => { setEnabled(); });
  // live refresh: after each epoch, and every couple of seconds mid-epoch
  app.client.on('epoch', () => { if (current !== null) show(current, { live: true }); });
  app.client.on('progress', (p) => {
    if (p.phase === 'train' && current !== null && performance.now() - lastRefresh > LIVE_REFRESH_MS) show(current, { live: true });
  });
  app.client.on('training', (m) => { if (m.state === 'done' && current !== null) show(current, { live: true }); });

  setEnabled();
  return { show };
}
