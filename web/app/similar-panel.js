// Section 4: similar movies (cosine similarity of movie embeddings).
import { $, announce } from './dom.js';
import { renderMovies } from './movie-list.js';
import { createTitleSearch } from './title-search.js';

export function createSimilarPanel(app) {
  const list = $('#sim-list');
  const heading = $('#sim-heading');
  let current = null;

  async function show(movie, { live = false } = {}) {
    current = movie;
    if (!app.hasModel) {
      heading.textContent = `Movies like ${movie.title}: train a model first`;
      return;
    }
    try {
      const r = await app.client.request('similar', { movieId: movie.movieId, k: 10 });
      heading.textContent = `Movies like ${movie.title}${movie.year ? ` (${movie.year})` : ''}`;
      renderMovies(list, r.items, { scoreLabel: 'similarity', empty: 'No similar movies.', flash: live });
      if (!live) announce(`${r.items.length} movies similar to ${movie.title}.`);
    } catch (e) {
      heading.textContent = e.message;
    }
  }

  createTitleSearch(app, { input: $('#sim-query'), results: $('#sim-results'), count: $('#sim-count'), onPick: (m) => show(m) });
  app.client.on('epoch', () => { if (current) show(current, { live: true }); });
  app.client.on('training', (m) => { if (m.state === 'done' && current) show(current, { live: true }); });
  app.on('dataset', () => { current = null; });
}
