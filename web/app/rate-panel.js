// Section 5: the visitor rates movies found by title and gets personal
// recommendations by fold-in against the frozen movie tower.
import { $, el, clear, announce, plural } from './dom.js';
import { renderMovies } from './movie-list.js';
import { createTitleSearch } from './title-search.js';

const STORAGE_KEY = 'towerlens.myRatings';
const MIN_RATINGS = 3;

function loadSaved() {
  try {
    const v = JSON.parse(localStorage.getItem(STORAGE_KEY) || '[]');
    return Array.isArray(v) ? v.filter((r) => Number.isFinite(r.movieId)) : [];
  } catch {
    return [];
  }
}

export function createRatePanel(app) {
  const mine = $('#my-ratings');
  const go = $('#rate-go');
  const clearBtn = $('#rate-clear');
  const status = $('#rate-status');
  const list = $('#rate-list');
  let ratings = loadSaved(); // [{ movieId, title, year, rating|null }]
  let shown = false;

  function save() {
    try {
      localStorage.setItem(STORAGE_KEY, JSON.stringify(ratings));
    } catch { /* storage full or disabled */ }
  }

  function rated() {
    return ratings.filter((r) => r.rating);
  }

  function update() {
    const n = rated().length;
    go.disabled = n < MIN_RATINGS || !app.hasModel;
    clearBtn.disabled = ratings.length === 0;
    if (!shown) status.textContent = n < MIN_RATINGS ? `Rate at least ${MIN_RATINGS} movies (${n} so far).` : app.hasModel ? 'Ready: press "Recommend for me".' : 'Train a model first.';
  }

  function starInput(r) {
    const group = el('fieldset', { class: 'star-input' }, el('legend', {}, `Your rating for ${r.title}`));
    const paint = () => group.querySelectorAll('label').forEach((l, i) => l.classList.toggle('on', r.rating && i < r.rating));
    for (let v = 1; v <= 5; v++) {
      const id = `rate-${r.movieId}-${v}`;
      const radio = el('input', { type: 'radio', name: `rate-${r.movieId}`, id, value: String(v), checked: r.rating === v, class: 'star-radio' });
      radio.addEventListener('change', () => {
        r.rating = v;
        save();
        paint();
        update();
        if (shown) recommend(true);
      });
      group.append(radio, el('label', { for: id, title: `${v} star${v > 1 ? 's' : ''}` }, el('span', { 'aria-hidden': 'true' }, '★'), el('span', { class: 'visually-hidden' }, `${v} star${v > 1 ? 's' : ''}`)));
    }
    paint();
    return group;
  }

  function render() {
    clear(mine);
    if (ratings.length === 0) {
      mine.append(el('li', { class: 'empty' }, 'Search above and pick movies you have seen.'));
    }
    for (const r of ratings) {
      const remove = el('button', { type: 'button', class: 'button quiet small', 'aria-label': `Remove ${r.title}`, on: { click: () => { ratings = ratings.filter((x) => x !== r); save(); render(); } } }, '✕');
      mine.append(el('li', { dataset: { movieId: r.movieId } }, el('span', { class: 'title' }, r.title, r.year ? el('span', { class: 'movie-year' }, `(${r.year})`) : null), starInput(r), remove));
    }
    update();
  }

  function add(m) {
    let r = ratings.find((x) => x.movieId === m.movieId);
    if (!r) {
      r = { movieId: m.movieId, title: m.title, year: m.year || 0, rating: 0 };
      ratings.push(r);
      save();
      render();
    }
    const first = mine.querySelector(`li[data-movie-id="${r.movieId}"] input`);
    if (first) first.focus();
  }

  async function recommend(live = false) {
    const chosen = rated();
    if (chosen.length < MIN_RATINGS) return;
    try {
      const r = await app.client.request('foldin', { ratings: chosen.map(({ movieId, rating }) => ({ movieId, rating })), k: 10, excludeSeen: true });
      shown = true;
      renderMovies(list, r.items, { empty: 'No recommendations.', flash: live });
      status.textContent = `From your ${plural(chosen.length, 'rating')}${app.training === 'running' ? ' · updates while training' : ''}.`;
      if (!live) announce(`${plural(r.items.length, 'recommendation')} from your ratings.`);
    } catch (e) {
      status.textContent = e.message;
    }
  }

  createTitleSearch(app, { input: $('#rate-query'), results: $('#rate-results'), count: $('#rate-count'), onPick: add });
  go.addEventListener('click', () => recommend(false));
  clearBtn.addEventListener('click', () => {
    ratings = [];
    shown = false;
    save();
    clear(list);
    render();
  });
  app.on('model-ready', update);
  app.on('model-gone', update);
  app.client.on('epoch', () => { if (shown) recommend(true); });
  app.client.on('training', (m) => { if (m.state === 'done' && shown) recommend(true); });
  app.on('dataset', ({ source, added }) => {
    if (source !== 'restored' && !(added && added.length)) {
      // ids of another dataset would not mean the same movies
      ratings = [];
      save();
    }
    shown = false;
    clear(list);
    render();
  });
  render();
}
