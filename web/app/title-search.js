// A title search box with a result list of buttons, used by "Similar movies"
// and "Rate a few movies yourself". Arrow keys move between results.
import { el, clear, debounce, plural } from './dom.js';
import { genreList } from './movie-list.js';

export function createTitleSearch(app, { input, results, count, limit = 10, action = null, onPick }) {
  let lastQuery = '';

  async function search() {
    const query = input.value.trim();
    lastQuery = query;
    if (!query) {
      clear(results);
      count.textContent = '';
      return;
    }
    if (!app.hasData && !app.hasModel) {
      count.textContent = 'Load data first.';
      return;
    }
    let found;
    try {
      found = await app.client.request('searchMovies', { query, limit });
    } catch (e) {
      count.textContent = e.message;
      return;
    }
    if (query !== lastQuery) return; // a newer search is on its way
    clear(results);
    count.textContent = found.length ? `${found.length}${found.length === limit ? '+' : ''} matching movie${found.length === 1 ? '' : 's'}` : 'No movie matches that title.';
    for (const m of found) {
      const sub = [genreList(m.genres).slice(0, 3).join(', '), Number.isFinite(m.ratings) ? plural(m.ratings, 'rating') : ''].filter(Boolean).join(' · ');
      const button = el('button', { type: 'button', class: 'pick', dataset: { movieId: m.movieId }, 'aria-pressed': 'false', on: { click: () => pick(m, button) } },
        el('span', { class: 'movie-title' }, m.title, m.year ? el('span', { class: 'movie-year' }, `(${m.year})`) : null),
        el('span', { class: 'sub' }, sub));
      const li = el('li', {}, button);
      if (action) li.append(action(m));
      results.append(li);
    }
  }

  function pick(m, button) {
    for (const b of results.querySelectorAll('.pick')) b.setAttribute('aria-pressed', String(b === button));
    onPick(m);
  }

  function focusResult(delta) {
    const buttons = Array.from(results.querySelectorAll('.pick'));
    if (!buttons.length) return;
    const i = buttons.indexOf(document.activeElement);
    const next = i < 0 ? (delta > 0 ? 0 : buttons.length - 1) : i + delta;
    if (next < 0) input.focus();
    else buttons[Math.min(next, buttons.length - 1)].focus();
  }

  input.addEventListener('input', debounce(search, 150));
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); focusResult(1); }
    if (e.key === 'Enter') { e.preventDefault(); search(); }
  });
  results.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); focusResult(1); }
    if (e.key === 'ArrowUp') { e.preventDefault(); focusResult(-1); }
    if (e.key === 'Escape') { e.preventDefault(); input.focus(); }
  });
  app.on('dataset', () => { clear(results); count.textContent = ''; if (input.value.trim()) search(); });
  return { search };
}
