// Serving: a Model owns a core model handle (src/wasm/api_model.c,
// api_serve.c). It is either read from model-file bytes (loadModel) or live
// on a trainer's tables (trainer.model), answering while training goes on.
// Every answer is computed in C; this file checks arguments and parses the
// JSON the core writes (the same JSON `towerlens recommend --json` prints).
import { TowerlensError } from './errors.js';
import { flag, rawId, whole } from './args.js';
import { modelId } from './interactions.js';
import { RATING_ORDERS } from './dataset.js';

const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ core, handle }) => { if (!core.broken) core.m._tlw_model_free(handle); })
  : null;

/** Largest k a query accepts (the CLI's limit); k above the catalogue size is clamped to it. */
export const MAX_K = 100000;

const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** One bound of a year range: '' for an open end (undefined, null, 0). */
function yearBound(v, name) {
  if (v === undefined || v === null || v === 0) return '';
  if (!Number.isInteger(v) || v < 1 || v > 9999) {
    throw new TowerlensError(`${name} must be a year (a whole number from 1 to 9999), got ${show(v)}`, { code: 'ARG' });
  }
  return String(v);
}

/** `years` as the core's text form: '1990-1999', '1990-', '-1999', '1995' or '' (any year). */
function yearsText(years) {
  if (years === undefined || years === null || years === '') return '';
  if (typeof years === 'string') return years;
  if (typeof years === 'number') return yearBound(years, 'years');
  let min, max;
  if (Array.isArray(years) && years.length === 2) [min, max] = years;
  else if (typeof years === 'object' && !Array.isArray(years)) ({ min, max } = years);
  else {
    throw new TowerlensError(`years must be '1990-1999', [1990, 1999] or {min: 1990, max: 1999}, got ${show(years)}`,
      { code: 'ARG' });
  }
  const lo = yearBound(min, 'years min');
  const hi = yearBound(max, 'years max');
  return lo || hi ? `${lo}-${hi}` : '';
}

/** Genre names as the core's newline-separated list ('' = any genre). */
function genresText(genres) {
  if (genres === undefined || genres === null) return '';
  const list = typeof genres === 'string' ? [genres] : genres;
  if (!Array.isArray(list) || !list.every((g) => typeof g === 'string' && g !== '' && !g.includes('\n'))) {
    throw new TowerlensError(`genres must be a genre name or an array of them, got ${show(genres)}`, { code: 'ARG' });
  }
  return list.join('\n');
}

/** Checked query options: {k, genres, years, minRatings}. */
function queryOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TowerlensError(`options must be an object, got ${show(options)}`, { code: 'ARG' });
  }
  return {
    k: whole(options.k, 'k', 1, MAX_K, 10),
    genres: genresText(options.genres),
    years: yearsText(options.years),
    minRatings: whole(options.minRatings, 'minRatings', 0, 0xffffffff, 0),
  };
}

const filterKey = (q) => [q.genres, q.years, q.minRatings].join('\0');

export class Model {
  /** @internal use Towerlens.loadModel or Trainer.model */
  constructor(core, handle, { trainer = null, dataset = null } = {}) {
    this._core = core;
    this._h = handle;
    this._trainer = trainer;
    this._dataset = dataset;
    this._filters = filterKey({ genres: '', years: '', minRatings: 0 }); // the core's filters now: none
    finalizer?.register(this, { core, handle }, this);
  }

  /** @internal the handle, after checking that nothing it borrows was freed */
  _handle() {
    if (!this._h) throw new TowerlensError('this model was freed', { code: 'STATE' });
    if (this._trainer && this._trainer.freed) {
      throw new TowerlensError('the trainer of this live model was freed', { code: 'STATE' });
    }
    if (this._trainer && this._dataset.freed) {
      throw new TowerlensError('the dataset this live model serves was freed', { code: 'STATE' });
    }
    this._core.assertUsable();
    return this._h;
  }

  /** Sets the core's filters, runs `query(handle)` (an export returning a JSON pointer) and parses the answer. */
  _ask(options, query) {
    const h = this._handle();
    const q = queryOptions(options);
    const core = this._core;
    return core.guardSync(() => {
      const key = filterKey(q);
      if (key !== this._filters) { // the core keeps its filters between queries
        this._filters = null;
        const set = (g, y) => core.check(h, core.m._tlw_model_query(h, g, y, q.minRatings));
        if (!q.genres && !q.years) set(0, 0);
        else core.withCString(q.genres, (g) => core.withCString(q.years, (y) => set(g, y)));
        this._filters = key;
      }
      const ptr = query(h, q.k) >>> 0;
      if (!ptr) throw core.errorOf(h);
      return JSON.parse(core.string(ptr));
    });
  }

  /**
   * Top k movies for raw user `userId`: {items: [{movieId, title, year,
   * genres, score, ratings, imdbId, tmdbId, because}]}, best first, because =
   * up to 3 {movieId, title, rating} of the user's movies rated 4 or more
   * that add most to the score (docs/js-api.md). Options: k (10),
   * excludeSeen (true: leave out what the user rated in training), genres,
   * years, minRatings. An unknown user is a NOTFOUND error naming the id.
   */
  recommend(userId, options = {}) {
    userId = modelId(this._core, this._handle(), userId, 'userId', 0); // string ids: docs/own-data.md
    const exclude = flag(options?.excludeSeen, 'excludeSeen', true);
    return this._ask(options, (h, k) => this._core.m._tlw_model_recommend(h, userId, k, exclude ? 1 : 0));
  }

  /** The k movies nearest to raw movie `movieId` by cosine similarity, never itself. Options: k, genres, years, minRatings. */
  similar(movieId, options = {}) {
    movieId = modelId(this._core, this._handle(), movieId, 'movieId', 1);
    return this._ask(options, (h, k) => this._core.m._tlw_model_similar(h, movieId, k));
  }

  /**
   * Top k for a visitor from their ratings [{movieId, rating}] (rating 0.5
   * to 5; three or more work well): a user vector folded in against the
   * movie embeddings; the rated movies are left out; each item's `because`
   * lists up to 3 of the given movies rated 4 or more. Options: k, genres,
   * years, minRatings.
   */
  recommendForRatings(ratings, options = {}) {
    if (!Array.isArray(ratings) || ratings.length === 0) {
      throw new TowerlensError('ratings must be a non-empty array of {movieId, rating}', { code: 'ARG' });
    }
    const n = ratings.length;
    whole(n, 'the number of ratings', 1, 1 << 24);
    const ids = new Uint32Array(n);
    const values = new Float32Array(n);
    ratings.forEach((r, i) => {
      if (r === null || typeof r !== 'object') {
        throw new TowerlensError(`ratings[${i}] must be {movieId, rating}, got ${show(r)}`, { code: 'ARG' });
      }
      ids[i] = modelId(this._core, this._handle(), r.movieId, `ratings[${i}].movieId`, 1);
      if (typeof r.rating !== 'number' || !(r.rating >= 0.5 && r.rating <= 5)) {
        throw new TowerlensError(`ratings[${i}].rating must be a number from 0.5 to 5, got ${show(r.rating)}`,
          { code: 'ARG' });
      }
      values[i] = r.rating;
    });
    const m = this._core.m;
    const idsPtr = m._malloc(4 * n) >>> 0;
    const valuesPtr = m._malloc(4 * n) >>> 0;
    try {
      if (!idsPtr || !valuesPtr) throw new TowerlensError('out of memory copying the ratings', { code: 'NOMEM' });
      this._core.heapU32.set(ids, idsPtr >>> 2);
      this._core.heapF32.set(values, valuesPtr >>> 2);
      return this._ask(options, (h, k) => m._tlw_model_foldin(h, idsPtr, valuesPtr, n, k));
    } finally {
      m._free(idsPtr);
      m._free(valuesPtr);
    }
  }

  /** The catalogue: [{movieId, title, year, genres, ratings, imdbId, tmdbId}], ascending movieId. */
  movies() {
    const h = this._handle();
    const core = this._core;
    return core.guardSync(() => {
      const ptr = core.m._tlw_model_movies_json(h) >>> 0;
      if (!ptr) throw core.errorOf(h);
      try {
        return JSON.parse(core.string(ptr));
      } finally {
        core.m._tlw_model_release(h);
      }
    });
  }

  /** Raw ids of the users the model knows, ascending (Uint32Array copy). */
  userIds() {
    const h = this._handle();
    const n = this._core.m._tlw_model_n_users(h) >>> 0;
    const ptr = this._core.m._tlw_model_user_ids(h) >>> 0;
    return this._core.u32s(ptr, n);
  }

  /**
   * The user's ratings the model knows (its seen sets: every rating of the
   * user in train and test rows alike — what `excludeSeen` leaves out; a
   * format-1 model file: the train split only), from the dataset the model serves
   * with: a live model's, or the one given to loadModel. Same objects and
   * options as Dataset.userRatings. A model loaded without its dataset
   * knows no ratings: a STATE error.
   */
  userRatings(userId, { limit = 0, order = 'rating' } = {}) {
    const h = this._handle();
    if (!this._dataset) {
      throw new TowerlensError('this model was loaded without its dataset, so it knows no ratings; '
        + 'pass {dataset} to loadModel', { code: 'STATE' });
    }
    const d = this._dataset._handle();
    rawId(userId, 'userId');
    whole(limit, 'limit', 0, 0xffffffff);
    if (!Object.hasOwn(RATING_ORDERS, order)) {
      throw new TowerlensError(`order must be 'rating' or 'file', got ${show(order)}`, { code: 'ARG' });
    }
    const core = this._core;
    return core.guardSync(() => core.takeJson(h, core.m._tlw_model_user_ratings_json(h, d, userId, limit, RATING_ORDERS[order])));
  }

  /**
   * The model file (a Uint8Array the caller owns): for a model trained here,
   * the bytes `towerlens train --out` writes for the same data and options;
   * for a loaded model, the bytes it was loaded from.
   */
  save() {
    const h = this._handle();
    const core = this._core;
    return core.guardSync(() => {
      const ptr = core.m._tlw_model_save(h) >>> 0;
      if (!ptr) throw core.errorOf(h);
      try {
        return core.heapU8.slice(ptr, ptr + core.m._tlw_model_out_size(h));
      } finally {
        core.m._tlw_model_release(h);
      }
    });
  }

  /**
   * Copies of the embedding tables with their raw ids: {dim, userIds,
   * movieIds, users, movies}; `users` is a Float32Array of userIds.length x
   * dim (row-major), likewise `movies`. The out-of-vocabulary rows are left out.
   */
  embeddings() {
    const h = this._handle();
    const core = this._core;
    const m = core.m;
    const dim = m._tlw_model_dim(h);
    const nu = m._tlw_model_n_users(h) >>> 0;
    const nm = m._tlw_model_n_movies(h) >>> 0;
    const table = (which, rows) => {
      const p = (m._tlw_model_table(h, which) >>> 0) >>> 2;
      return core.heapF32.slice(p, p + rows * dim);
    };
    const users = table(0, nu);
    const movies = table(1, nm);
    const idsPtr = core.guardSync(() => m._tlw_model_movie_ids(h) >>> 0);
    if (!idsPtr) throw core.errorOf(h);
    const movieIds = core.u32s(idsPtr, nm);
    m._tlw_model_release(h);
    return { dim, userIds: this.userIds(), movieIds, users, movies };
  }

  /** The training config saved with the model (a live model's trainer config), or {} when none was saved. */
  get config() {
    const h = this._handle();
    const ptr = this._core.guardSync(() => this._core.m._tlw_model_config_json(h) >>> 0);
    if (!ptr) throw this._core.errorOf(h);
    return JSON.parse(this._core.string(ptr));
  }

  /**
   * Which ratings trained the model: {ratings, totalRatings, testRatings,
   * seed, all} (all: it saw every rating, so it has no held-out rows), or
   * null for a model file that does not record it (format 1).
   */
  get trainedOn() {
    const h = this._handle();
    const ptr = this._core.guardSync(() => this._core.m._tlw_model_trained_on_json(h) >>> 0);
    if (!ptr) throw this._core.errorOf(h);
    const rows = JSON.parse(this._core.string(ptr));
    this._core.m._tlw_model_release(h);
    return rows;
  }

  /** The model file format version it was read from (a live model: the version save() writes). */
  get formatVersion() { return this._core.m._tlw_model_format_version(this._handle()) >>> 0; }

  get dim() { return this._core.m._tlw_model_dim(this._handle()); }
  get numUsers() { return this._core.m._tlw_model_n_users(this._handle()) >>> 0; }
  /** rows of the movie table: catalogue movies plus rated movies missing from the catalogue */
  get numMovies() { return this._core.m._tlw_model_n_movies(this._handle()) >>> 0; }
  /** movies that can be recommended (the movies file) */
  get catalogueSize() { return this._core.m._tlw_model_catalogue_size(this._handle()) >>> 0; }
  /** true when the model knows what each user rated (so excludeSeen works; format 1: the train split only) */
  get hasSeen() { return this._core.m._tlw_model_has_seen(this._handle()) === 1; }
  /** true for a trainer's model: answers follow training */
  get live() { return this._trainer !== null; }
  /** the Dataset whose ratings userRatings() reads, or null */
  get dataset() { return this._dataset; }

  get freed() { return this._h === 0; }

  /** Releases the WASM memory; safe to call twice. A live model's trainer stays. */
  free() {
    if (!this._h) return;
    finalizer?.unregister(this);
    if (!this._core.broken) this._core.m._tlw_model_free(this._h);
    this._h = 0;
  }
}

const toBytes = (bytes) => {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new TowerlensError(`loadModel needs the model file's bytes (a Uint8Array or ArrayBuffer), got ${show(bytes)}`,
    { code: 'ARG' });
};

/**
 * Reads a model file. `dataset` (optional) must hold the model's users and
 * movies (an ARG error says how they differ); the model then answers
 * userRatings() from it. `name` is used in error messages.
 */
export function loadModel(core, bytes, { dataset, name = 'model file' } = {}) {
  const view = toBytes(bytes);
  if (typeof name !== 'string') throw new TowerlensError('name must be a string', { code: 'ARG' });
  if (dataset !== undefined && dataset !== null && dataset._core !== core) {
    throw new TowerlensError('dataset must be a Dataset loaded by this towerlens instance', { code: 'ARG' });
  }
  const dsHandle = dataset ? dataset._handle() : 0;
  const m = core.m;
  const h = m._tlw_model_alloc() >>> 0;
  if (!h) throw new TowerlensError('out of memory creating a model', { code: 'NOMEM' });
  try {
    core.guardSync(() => {
      const ptr = m._malloc(Math.max(1, view.byteLength)) >>> 0;
      if (!ptr) throw new TowerlensError(`out of memory for a ${view.byteLength}-byte model file`, { code: 'NOMEM' });
      try {
        core.heapU8.set(view, ptr);
        core.withCString(name, (p) => core.check(h, m._tlw_model_load(h, ptr, view.byteLength, p)));
      } finally {
        m._free(ptr);
      }
      if (dsHandle) core.check(h, m._tlw_model_matches(h, dsHandle));
    });
  } catch (e) {
    if (!core.broken) m._tlw_model_free(h);
    throw e;
  }
  return new Model(core, h, { dataset: dataset || null });
}

/** @internal the live model of a trainer (Trainer.model) */
export function liveModel(core, trainer, trainerHandle, dataset) {
  const m = core.m;
  const dsHandle = dataset._handle();
  const h = m._tlw_model_alloc() >>> 0;
  if (!h) throw new TowerlensError('out of memory creating a model', { code: 'NOMEM' });
  try {
    core.guardSync(() => core.check(h, m._tlw_model_live(h, trainerHandle, dsHandle)));
  } catch (e) {
    if (!core.broken) m._tlw_model_free(h);
    throw e;
  }
  return new Model(core, h, { trainer, dataset });
}
