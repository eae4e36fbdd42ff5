// Renders lists of movies (recommendations, a user's ratings, similar
// movies). Titles and genres come from user files: text nodes only.
import { el, clear, plural } from './dom.js';

export function genreList(genres) {
  if (Array.isArray(genres)) return genres.filter(Boolean);
  if (typeof genres === 'string' && genres) return genres.split('|').filter(Boolean);
  return [];
}

export function imdbUrl(imdbId) {
  return `https://www.imdb.com/title/tt${String(imdbId).padStart(7, '0')}/`;
}

export function tmdbUrl(tmdbId) {
  return `https://www.themoviedb.org/movie/${tmdbId}`;
}

export function stars(rating) {
  const full = Math.floor(rating);
  const half = rating - full >= 0.5;
  return '★'.repeat(full) + (half ? '½' : '');
}

export function movieTitle(m) {
  return el('div', { class: 'movie-title' }, m.title || `Movie ${m.movieId}`, m.year ? el('span', { class: 'movie-year' }, `(${m.year})`) : null);
}

export function movieMeta(m, { showCount = true } = {}) {
  const meta = el('div', { class: 'movie-meta' });
  for (const g of genreList(m.genres).slice(0, 4)) meta.append(el('span', { class: 'chip' }, g));
  if (showCount && Number.isFinite(m.ratings)) meta.append(el('span', {}, plural(m.ratings, 'rating')));
  if (m.imdbId) meta.append(el('a', { href: imdbUrl(m.imdbId), target: '_blank', rel: 'noopener noreferrer', 'aria-label': `${m.title} on IMDb` }, 'IMDb'));
  if (m.tmdbId) meta.append(el('a', { href: tmdbUrl(m.tmdbId), target: '_blank', rel: 'noopener noreferrer', 'aria-label': `${m.title} on TMDb` }, 'TMDb'));
  return meta;
}

// "Because you rated Toy Story, Aladdin": the item's reasons (recommend and
// fold-in results), plain text; nothing when it has none.
export function movieBecause(m) {
  if (!Array.isArray(m.because) || m.because.length === 0) return null;
  const titles = m.because.map((b) => b.title || `Movie ${b.movieId}`);
  const ids = m.because.map((b) => b.movieId).join(' ');
  return el('div', { class: 'movie-because', dataset: { movieIds: ids } }, `Because you rated ${titles.join(', ')}`);
}

// kind: 'score' shows the model score, 'rating' the user's own stars.
export function renderMovies(list, items, { kind = 'score', scoreLabel = 'score', empty = 'Nothing to show.', flash = false } = {}) {
  if (!items || items.length === 0) {
    clear(list, el('li', { class: 'empty' }, empty));
    return;
  }
  clear(list);
  for (const m of items) {
    let right;
    if (kind === 'rating') {
      right = el('div', { class: 'movie-score' }, el('span', { class: 'stars', 'aria-label': `${m.rating} of 5 stars` }, stars(m.rating)), el('span', { class: 'label' }, `${m.rating} / 5`));
    } else {
      right = el('div', { class: 'movie-score' }, Number.isFinite(m.score) ? m.score.toFixed(3) : '–', el('span', { class: 'label' }, scoreLabel));
    }
    list.append(el('li', { class: flash ? 'updated' : null, dataset: { movieId: m.movieId } }, el('div', {}, movieTitle(m), movieBecause(m), movieMeta(m)), right));
  }
}
