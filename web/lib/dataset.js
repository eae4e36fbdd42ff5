// A dataset living in WASM memory, owned by a handle of the core. JS reads
// it through exports; it must be freed (free()), though a forgotten one is
// released when garbage collected.
import { TowerlensError } from './errors.js';

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
