// A dataset living in WASM memory, owned by a handle of the core. JS reads
// it through exports; it must be freed (free()), though a forgotten one is
// released when garbage collected.
import { TowerlensError } from './errors.js';
import { rawId, whole } from './args.js';

/** userRatings orders, by the core's number (tl_rating_order). */
export const RATING_ORDERS = Object.freeze({ rating: 0, file: 1 });

const finalizer = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ core, handle }) => { if (!core.broken) core.m._tlw_dataset_free(handle); })
  : null;

export class Dataset {
  /** @internal use Towerlens.loadDataset */
  constructor(core, handle, files) {
    this._core = core;
    this._h = handle;
    /** the files read, in order: {name, bytes, kind} */
    this.files = Object.freeze(files.map((f) => Object.freeze(f)));
    finalizer?.register(this, { core, handle }, this);
  }

  /** @internal the core handle, for other parts of the API (training, ...) */
  _handle() {
    if (!this._h) throw new TowerlensError('this dataset was freed', { code: 'STATE' });
    this._core.assertUsable();
    return this._h;
  }

  /** The object `towerlens stats --json` prints for the same files. */
  summary() {
    const h = this._handle();
    const ptr = this._core.m._tlw_dataset_summary_json(h) >>> 0;
    if (!ptr) throw this._core.errorOf(h);
    return JSON.parse(this._core.takeString(ptr));
  }

  /**
   * The catalogue (the movies file), ascending movieId:
   * [{movieId, title, year, genres, ratings, imdbId, tmdbId}]; year, imdbId
   * and tmdbId are null when unknown, `ratings` counts the dataset's ratings.
   */
  movies() {
    const h = this._handle();
    return this._core.guardSync(() => this._core.takeJson(h, this._core.m._tlw_dataset_movies_json(h)));
  }

  /** Raw user ids, ascending, as a Uint32Array (a copy). */
  userIds() {
    const h = this._handle();
    const n = this._core.m._tlw_dataset_n_users(h) >>> 0;
    const ptr = this._core.m._tlw_dataset_user_ids(h) >>> 0;
    return this._core.u32s(ptr, n);
  }

  /**
   * The ratings of raw user `userId`: [{movieId, title, year, genres,
   * ratings, imdbId, tmdbId, rating}], best-rated first (`order: 'rating'`,
   * ties: the more-rated movie first) or in file order (`order: 'file'`), at
   * most `limit` (0, the default: all). An unknown user is a NOTFOUND error.
   */
  userRatings(userId, { limit = 0, order = 'rating' } = {}) {
    const h = this._handle();
    rawId(userId, 'userId');
    whole(limit, 'limit', 0, 0xffffffff);
    if (!Object.hasOwn(RATING_ORDERS, order)) {
      throw new TowerlensError(`order must be 'rating' or 'file', got ${JSON.stringify(order)}`, { code: 'ARG' });
    }
    return this._core.guardSync(() =>
      this._core.takeJson(h, this._core.m._tlw_dataset_user_ratings_json(h, userId, limit, RATING_ORDERS[order])));
  }

  get numRatings() { return this._core.m._tlw_dataset_n_ratings(this._handle()) >>> 0; }
  get numUsers() { return this._core.m._tlw_dataset_n_users(this._handle()) >>> 0; }
  /** movies in the catalogue plus rated movies missing from it */
  get numMovies() { return this._core.m._tlw_dataset_n_movies(this._handle()) >>> 0; }
  /** bytes held by all the dataset's arrays in WASM memory */
  get bytesHeld() { return this._core.m._tlw_dataset_bytes(this._handle()); }
  /** bytes of the rating columns and user vocabulary (grow with the ratings) */
  get ratingBytes() { return this._core.m._tlw_dataset_rating_bytes(this._handle()); }

  get freed() { return this._h === 0; }

  /** Releases the WASM memory; safe to call twice. */
  free() {
    if (!this._h) return;
    finalizer?.unregister(this);
    if (!this._core.broken) this._core.m._tlw_dataset_free(this._h);
    this._h = 0;
  }
}
