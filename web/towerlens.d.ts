// Type declarations for web/towerlens.js, the towerlens JS API (Node 20 and
// browser module Workers). Prose reference: docs/js-api.md.

/** Status codes of the C core (include/towerlens/error.h), by value. */
export declare const STATUS_CODES: readonly [
  'OK', 'ARG', 'IO', 'PARSE', 'FORMAT', 'NOMEM', 'LIMIT', 'NOTFOUND', 'CORRUPT', 'STATE',
];
export type StatusCode = (typeof STATUS_CODES)[number];

/** Every failure of the API: bad input files, bad arguments, exhausted memory. */
export declare class TowerlensError extends Error {
  constructor(message: string, info?: {
    code?: StatusCode; status?: number; file?: string; line?: number; cause?: unknown;
  });
  readonly name: 'TowerlensError';
  /** 'PARSE', 'FORMAT', 'IO', ... */
  readonly code: StatusCode;
  /** the numeric tl_status */
  readonly status: number;
  /** the file the message is about, '' when none */
  readonly file: string;
  /** 1-based line in `file`, 0 when none */
  readonly line: number;
  /** complete and meant for a person: "ratings.csv:1842: rating \"7.5\" is outside 0.5-5" */
  readonly message: string;
}

/** The kind of file the core detected from its content. */
export type FileKind = 'unknown' | 'ratings' | 'movies' | 'tags' | 'links' | 'ignored';
export declare const FILE_KINDS: readonly FileKind[];

/** File names a folder contributes when a folder path is given (Node). */
export declare const MOVIELENS_FILE_NAMES: readonly string[];

/** Bytes fed to the core per call unless `chunkSize` says otherwise (4 MiB). */
export declare const DEFAULT_CHUNK_SIZE: number;
/** trainer.evaluate()'s default sample: at most 5,000 users with test rows (as `towerlens train --eval-users`) */
export declare const EVAL_SAMPLE_USERS: number;

/**
 * What loadDataset reads. In browsers and workers: File/Blob objects (read
 * with blob.stream()), `{name, blob}`, `{name, bytes}` and `{name, stream,
 * size?}` (stream() returns a ReadableStream read once, chunk by chunk, e.g. a
 * zip entry inflating; `size` is only the progress total). In Node also a
 * path string or `{name?, path}`; a folder contributes its MovieLens files.
 */
export type DatasetInput =
  | Blob
  | { name: string; blob: Blob }
  | { name: string; bytes: Uint8Array | ArrayBuffer }
  | { name: string; stream: () => ReadableStream<Uint8Array>; size?: number }
  | string
  | { name?: string; path: string };

export interface LoadOptions {
  /** called with 0 when a file starts, then after every chunk */
  onProgress?: (fileName: string, bytesRead: number, totalBytes: number) => void;
  /** bytes per chunk handed to the core, 1 to 2^30; default DEFAULT_CHUNK_SIZE */
  chunkSize?: number;
  /** aborting rejects the load with the signal's reason (an AbortError) */
  signal?: AbortSignal;
  /** your own data: the inputs are CSVs with a header read by these column names (docs/own-data.md) */
  columns?: { user?: string; item?: string; rating?: string; time?: string };
  /** with columns: a CSV of item titles */
  items?: DatasetInput;
  /** the columns of `items`; defaults: columns.item and "title" */
  itemColumns?: { id?: string; title?: string };
}

/** fromInteractions' arrays: users[i] interacted with items[i]. */
export interface Interactions {
  users: ArrayLike<string | number>;
  items: ArrayLike<string | number>;
  /** 0.5 to 5 stars; without them every interaction is a positive (implicit feedback) */
  ratings?: ArrayLike<number>;
  /** whole seconds */
  timestamps?: ArrayLike<number>;
  itemTitles?: Record<string, string> | Map<string | number, string>;
}

/** An id as the data has it: a number for MovieLens-like ids, else the string (docs/own-data.md). */
export type ItemId = number | string;

/** The object `towerlens stats --json` prints for the same files. */
export interface DatasetSummary {
  ratings: number;
  users: number;
  /** movies in the catalogue (the movies file) */
  movies: number;
  /** catalogue movies with at least one rating */
  rated_movies: number;
  genres: string[];
  rating_min: number;
  rating_max: number;
  /** Unix seconds; 0 when there are no ratings */
  first_timestamp: number;
  last_timestamp: number;
  warnings: string[];
  /** present (true) only when the data had no rating column: implicit feedback */
  implicit?: true;
  [key: string]: unknown;
}

export interface LoadedFile {
  readonly name: string;
  readonly bytes: number;
  readonly kind: FileKind;
}

/** A dataset held in WebAssembly memory. Call free() when done with it. */
export declare class Dataset {
  private constructor();
  /** the files read, in the order given */
  readonly files: readonly LoadedFile[];
  summary(): DatasetSummary;
  readonly numRatings: number;
  readonly numUsers: number;
  /** catalogue movies plus rated movies missing from the catalogue */
  readonly numMovies: number;
  /** bytes held by all the dataset's arrays in WASM memory */
  readonly bytesHeld: number;
  /** bytes of the rating columns (user, movie, rating) and the user vocabulary */
  readonly ratingBytes: number;
  readonly freed: boolean;
  /** the catalogue (the movies file), ascending movieId */
  movies(): Movie[];
  /** raw user ids, ascending (a copy) */
  userIds(): Uint32Array;
  /**
   * The user's own ratings: best-rated first (`order: 'rating'`, the default;
   * ties: the more-rated movie first) or in file order; at most `limit` (0:
   * all). An unknown user is a TowerlensError with code 'NOTFOUND'.
   */
  userRatings(userId: number, options?: UserRatingsOptions): RatedMovie[];
  /** releases the WASM memory; calling it again does nothing */
  free(): void;
}

/** A catalogue movie as the core describes it (the CLI's --json items without score). */
export interface Movie {
  /** a string when the data's item ids are not all plain numbers */
  movieId: ItemId;
  /** without the trailing "(year)" */
  title: string;
  /** null when the title has none */
  year: number | null;
  genres: string[];
  /** ratings of the movie in the data the dataset or model was built from */
  ratings: number;
  /** from links.csv; null when unknown */
  imdbId: number | null;
  tmdbId: number | null;
}

export interface RatedMovie extends Movie {
  /** the user's rating, 0.5 to 5 */
  rating: number;
}

export interface UserRatingsOptions {
  /** at most this many (0: all, the default) */
  limit?: number;
  order?: 'rating' | 'file';
}

export interface TrainOptions {
  /** 'tfrs' (the original notebook: d=32, batch 8192, 3 epochs, Adagrad 0.1; the default here), 'default'
   * (implicit ALS), 'tfrs-multitask' (tfrs plus a rating head), 'popularity' (train rating counts) or 'ease'
   * (EASE, an item-item matrix in closed form); tl.presets() describes each */
  preset?: PresetName;
  /** > 0 adds the rating head (the multitask model; with 'default': the default joint model, docs/rating.md);
   * evaluate() then reports rmse and mae beside the bias baseline. Default 0 */
  ratingWeight?: number;
  /** weight of the retrieval loss next to the rating loss; default 1 (0 trains for ratings only) */
  retrievalWeight?: number;
  /** threads to train on (default: the instance's threads); in the threaded build at most that many ('ARG' otherwise); the single-threaded build runs any count on one */
  threads?: number;
  /** 'default' (iALS) only: how each row is solved, 'exact' (Cholesky) or 'cg' (conjugate gradient
   * from the row's current vector; docs/training.md); default the preset's */
  solver?: 'exact' | 'cg';
  /** CG steps per row solve with solver 'cg', 1-64; default the preset's (3) */
  cgSteps?: number;
  /** the popularity prior in a visitor's fold-in (embedding presets; docs/training.md "Visitors"):
   * 'auto' chooses w3 and w10 at training on validation users (needs timestamps; the default of
   * 'default'), 'off' is the plain fold-in (every other preset's default), [w3, w10] fixes them (0-1000) */
  visitorPrior?: 'auto' | 'off' | [number, number];
  /** the preset's values unless given; each range-checked (TRAINER_LIMITS), else an 'ARG' error naming the range */
  /** 1 to 1024 */
  dim?: number;
  /** 1 to 1048576 */
  batchSize?: number;
  /** 1 to 100000 */
  epochs?: number;
  /** 1e-6 to 100; the in-batch softmax presets only (iALS has no learning rate) */
  learningRate?: number;
  /** split S (validation S+1), initialisation S+2, batch order S+3; default 42; 0 to 2^53 - 1 */
  seed?: number;
  /** take the first trainRows of the seeded permutation as train, the next testRows as test
   * (testRows 0: all the rest; trainRows = every rating trains on all) */
  trainRows?: number;
  testRows?: number;
  /** otherwise the test share, 0 to 0.5, default 0.2; 0 trains on every rating (no held-out rows:
   * evaluate() throws 'STATE') — the model to serve once a split has measured the settings */
  testFraction?: number;
}

/** Which ratings trained a model (Model.trainedOn). */
export interface TrainedOn {
  /** ratings the model trained on */
  ratings: number;
  /** ratings in the data it was trained from */
  totalRatings: number;
  /** held-out test ratings of its split (0 when it trained on all) */
  testRatings: number;
  /** the split's seed */
  seed: number;
  /** true when it saw every rating (no held-out rows) */
  all: boolean;
}

/** The [min, max] range of each createTrainer option (inclusive). */
export declare const TRAINER_LIMITS: Readonly<Record<'epochs' | 'batchSize' | 'dim' | 'learningRate' | 'seed' |
  'testFraction' | 'trainRows' | 'testRows' | 'ratingWeight' | 'retrievalWeight' | 'cgSteps', readonly [number, number]>>;

export interface EpochRecord {
  epoch: number;
  /** mean over the epoch's batches of the summed batch loss (Keras' progress bar) */
  loss: number;
  lossPerExample: number;
  seconds: number;
}

export interface TrainProgress {
  /** 1-based epoch of the last completed batch (0 before any) */
  epoch: number;
  /** batches completed in that epoch */
  batch: number;
  batchesPerEpoch: number;
  epochs: number;
  epochsCompleted: number;
  examplesSeen: number;
  runningLoss: number;
  epochLoss: number;
  lastBatchLoss: number;
  /** B ln B at the start: the wiring check */
  firstBatchLoss: number;
  /** time spent training (inside step calls) */
  seconds: number;
  examplesPerSecond: number;
  done: boolean;
  trainRows: number;
  testRows: number;
  /** how the visitor prior was set; 'choosing' until the choice (before the first batch) is done */
  visitorPrior: VisitorPrior;
  history: EpochRecord[];
}

/** The visitor prior's weights and how they were set (TrainProgress.visitorPrior). */
export interface VisitorPrior {
  status: 'chosen' | 'fixed' | 'no-timestamps' | 'too-few-users' | 'choosing';
  w3: number;
  w10: number;
  /** with status 'chosen': the validation users evaluated at k = 3 and 10, the auxiliary model's users and
   * rows, the chosen blend's and popularity's Recall@20 / NDCG@10 on them, and the seconds the choice took */
  users3?: number;
  users10?: number;
  auxUsers?: number;
  auxRows?: number;
  k3?: { recall: number; ndcg: number; popularityRecall: number; popularityNdcg: number };
  k10?: { recall: number; ndcg: number; popularityRecall: number; popularityNdcg: number };
  seconds?: number;
}

export interface RetrievalMetrics {
  top_1: number; top_5: number; top_10: number; top_50: number; top_100: number;
  recall_at_20: number; ndcg_at_10: number; ndcg_at_100: number; coverage_at_10: number;
}

/** The shape `towerlens train --json` prints. */
export interface Evaluation {
  metrics: { test: RetrievalMetrics };
  /** null when evaluate({baseline: false}) */
  baseline: { name: 'popularity'; test: RetrievalMetrics } | null;
  /**
   * test rows (protocol A) and users (protocol B) evaluated, of rows_total /
   * users_total; sampled when max_rows / max_users cut it, drawn with seed
   */
  evaluated: {
    rows: number; users: number; rows_total: number; users_total: number; sampled: boolean;
    max_rows: number; max_users: number; seed: number;
  };
}

/** the presets of the C core's table (train_config.c; tests/node/shared-lists.test.mjs compares) */
export type PresetName = 'tfrs' | 'default' | 'tfrs-multitask' | 'popularity' | 'ease' | 'blend' | 'ials';

export interface PresetSettings {
  /** one line about the preset, from the core's table */
  about: string;
  epochs: number; batchSize: number; dim: number; learningRate: number; seed: number; testFraction: number;
}

export interface EvaluateOptions {
  /** a seeded sample of at most this many users with test rows: protocol B ranks for them, protocol A takes their test rows (0: all; trainer.evaluate's default EVAL_SAMPLE_USERS) */
  maxUsers?: number;
  /** then protocol A on at most this many of those rows (0: all, the default) */
  maxRows?: number;
  /** the sample's seed (trainer.evaluate's default: the trainer's seed) */
  seed?: number;
}

/** Filters shared by recommend, similar and recommendForRatings. */
export interface QueryOptions {
  /** how many movies, 1 to MAX_K (default 10); more than the catalogue gives the whole catalogue */
  k?: number;
  /** keep movies of any of these genres (names as in the data, any case) */
  genres?: string | string[];
  /**
   * release years, inclusive: '1990-1999', '1990-', '-1999', '1995', [1990, 1999] or
   * {min: 1990, max: 1999}; a missing, null or 0 bound is open. Movies without a year are left out.
   */
  years?: string | number | [number | null | undefined, number | null | undefined] | { min?: number | null; max?: number | null };
  /** only movies with at least this many ratings in the data */
  minRatings?: number;
}

export interface RecommendOptions extends QueryOptions {
  /** leave out every movie the user rated (train and test rows; a format-1 model file: the train split's); default true */
  excludeSeen?: boolean;
}

/** One "because you rated" reason: a movie the user (or visitor) rated 4 stars or more. */
export interface Reason {
  movieId: ItemId;
  title: string;
  /** the user's rating (0.5-5); null when unknown */
  rating: number | null;
}

/** A ranked movie: what `towerlens recommend --json` prints per item. */
export interface ScoredMovie extends Movie {
  /** dot product (recommend, recommendForRatings) or cosine similarity (similar) */
  score: number;
  /**
   * recommend and recommendForRatings only: up to 3 of the user's own liked movies (rated 4 or
   * more) that add most to the score as the model computes it, largest share first; [] when none
   * (always for the popularity model). Absent from similar's items.
   */
  because?: Reason[];
}

export interface Recommendations {
  /** best first */
  items: ScoredMovie[];
}

export interface Embeddings {
  dim: number;
  userIds: Uint32Array;
  movieIds: Uint32Array;
  /** userIds.length x dim, row-major */
  users: Float32Array;
  /** movieIds.length x dim, row-major */
  movies: Float32Array;
}

/** Largest k a query takes. */
export declare const MAX_K: number;

/**
 * A model that serves: trainer.model (live while training continues) or
 * Towerlens.loadModel. Call free() when done (a trainer frees its own).
 */
export declare class Model {
  private constructor();
  /** top k for a user of the training data; an unknown user is a 'NOTFOUND' TowerlensError */
  recommend(userId: ItemId, options?: RecommendOptions): Recommendations;
  /** the k movies nearest by the model's item-item signal (EASE's B column for the blend and EASE, cosine of movie vectors for iALS and two-tower), never the movie itself */
  similar(movieId: ItemId, options?: QueryOptions): Recommendations;
  /** fold-in: top k for a visitor from their ratings (0.5 to 5), rated movies left out */
  /** a visitor's top-k from their ratings (0.5-5; below 2.5 a dislike that pushes similar movies down); rated movies left out */
  recommendForRatings(ratings: Array<{ movieId: ItemId; rating: number }>, options?: QueryOptions): Recommendations;
  /** the catalogue */
  movies(): Movie[];
  /** raw ids of the users the model knows, ascending */
  userIds(): Uint32Array;
  /** the user's ratings the model knows (its seen sets: all rows, train and test), from the dataset it serves with; 'STATE' error without one */
  userRatings(userId: number, options?: UserRatingsOptions): RatedMovie[];
  /** the model file: for a model trained here the bytes `towerlens train --out` writes */
  save(): Uint8Array;
  /** copies of the tables with their raw ids (out-of-vocabulary rows left out) */
  embeddings(): Embeddings;
  /** the training config saved with the model (snake_case, as in the file and the CLI's --json) */
  readonly config: Record<string, unknown>;
  /** the dimension of the embedding tables (the blend's: its iALS part's); 0 for a model without tables (popularity, EASE) */
  readonly dim: number;
  readonly numUsers: number;
  /** rows of the movie table: catalogue plus rated movies missing from it */
  readonly numMovies: number;
  /** movies that can be recommended */
  readonly catalogueSize: number;
  /** true when the model knows what users rated (excludeSeen works) */
  readonly hasSeen: boolean;
  /** which ratings trained it; null for a model file that does not record it (format 1) */
  readonly trainedOn: TrainedOn | null;
  /** the model file format it was read from (1 or 2; a live model: 2, what save() writes). A format-1
   * model's seen sets are its train split's only, so excludeSeen cannot leave out its test-row movies */
  readonly formatVersion: number;
  /** true for trainer.model */
  readonly live: boolean;
  /** the dataset userRatings() reads, or null */
  readonly dataset: Dataset | null;
  readonly freed: boolean;
  free(): void;
}

export interface LoadModelOptions {
  /** a dataset with exactly the model's users and movies ('ARG' error otherwise): userRatings() reads it */
  dataset?: Dataset;
  /** used in error messages (default 'model file') */
  name?: string;
}

/** Step-wise training of the two-tower model. Call free() when done. */
export declare class Trainer {
  private constructor();
  readonly progress: TrainProgress;
  /** at most maxBatches batches (0: no limit) or maxMs ms (alias maxMillis; 0: no limit; default 100), at least one block */
  step(options?: { maxBatches?: number; maxMs?: number; maxMillis?: number }): TrainProgress;
  /** steps of stepMs (default 100) until done, yielding to the event loop in between */
  run(options?: { stepMs?: number; onProgress?: (p: TrainProgress) => void; signal?: AbortSignal }): Promise<TrainProgress>;
  /** protocol A and B metrics on the test rows beside popularity (baseline: false skips it); maxRows/maxUsers sample */
  /** large test sets are sampled by default: maxUsers EVAL_SAMPLE_USERS, maxRows 0 (0 = all), seed = the trainer's.
   * 'STATE' error when the trainer has no held-out rows (testFraction 0) */
  evaluate(options?: { maxRows?: number; maxUsers?: number; seed?: number; baseline?: boolean }): Evaluation;
  /** the model being trained, serving while training continues (the same object until freed) */
  readonly model: Model;
  /** FNV-1a of the model tables as 16 hex digits: equal to the native CLI's model_hash */
  readonly modelHash: string;
  readonly bytesHeld: number;
  /** threads the trainer runs on (its threads option; 1 in the single-threaded build) */
  readonly threads: number;
  /** the model as a towerlens model file (what `towerlens train --out` writes): model.save() */
  modelFile(): Uint8Array;
  readonly freed: boolean;
  free(): void;
}

export declare class Towerlens {
  private constructor();
  /** the towerlens version ("0.1.0"): package.json's, compiled into the core */
  readonly version: string;
  /** true when the core uses WASM SIMD128 kernels */
  readonly simd: boolean;
  /** bytes of WASM memory reserved (never shrinks, so also the peak) */
  readonly memoryBytes: number;
  /** threads trainers use by default: the threaded build's thread count, 1 in the single-threaded build */
  readonly threads: number;
  /** which WebAssembly module runs */
  readonly build: BuildInfo;
  /** streams the inputs through the core's MovieLens reader into a dataset */
  loadDataset(inputs: DatasetInput | DatasetInput[], options?: LoadOptions): Promise<Dataset>;
  /** a dataset from arrays, without any file (docs/own-data.md) */
  fromInteractions(data: Interactions, options?: LoadOptions): Promise<Dataset>;
  /** splits the dataset and sets up step-wise training (nothing runs until step/run) */
  createTrainer(dataset: Dataset, options?: TrainOptions): Trainer;
  /** the training presets and their settings */
  presets(): Record<PresetName, PresetSettings>;
  /** reads a model file; damaged or foreign bytes are a 'CORRUPT' TowerlensError */
  loadModel(bytes: Uint8Array | ArrayBuffer | ArrayBufferView, options?: LoadModelOptions): Model;
  /** a model from factors trained elsewhere (Spark ALS) and a movies file; see docs/spark.md */
  importModel(options: ImportOptions): Promise<Model>;
}

/** A file for importModel: text, bytes, a Blob/File, or bytes with a name for messages. */
export type ImportFile = string | Uint8Array | ArrayBuffer | ArrayBufferView | Blob | { name?: string; bytes?: Uint8Array | ArrayBuffer | string; blob?: Blob };

/** A factor table already in JS: row r of `data` (dim numbers) belongs to ids[r]. */
export interface FactorTable {
  ids: Uint32Array | number[];
  data: Float32Array | number[];
  dim?: number;
}

export interface ImportOptions {
  /** CSV `id,e0,...` (what `towerlens export` writes), a 2-D float32/float64 .npy (with movieIds), or a table */
  movieFactors: ImportFile | FactorTable;
  /** the ids of a .npy table's rows: a 1-D integer .npy or text, one id per line */
  movieIds?: ImportFile;
  /** user factors, kept only within maxUserMB */
  userFactors?: ImportFile | FactorTable;
  userIds?: ImportFile;
  /** the catalogue: movies.csv (or u.item / movies.dat) */
  movies: ImportFile;
  /** links.csv for IMDb/TMDB ids */
  links?: ImportFile;
  /** budget for the user table in MiB (default 256, at most 1024); over it users are skipped */
  maxUserMB?: number;
  /** 'default': towerlens' fold-in; 'als' / 'ials': Spark ALS's explicit / implicit equations with reg (and alpha) */
  foldin?: 'default' | 'als' | 'ials';
  /** Spark's regParam, scaled by each visitor's rating count (default 0.1) */
  reg?: number;
  /** Spark's alpha for implicitPrefs (default 1) */
  alpha?: number;
  /** leave out factor rows for movies the movies file lacks (default: an error) */
  skipUnknown?: boolean;
  /** recorded in the config (default 'spark-als' with foldin als/ials, else 'external') */
  source?: string;
}

export interface BuildInfo {
  /** 'mt': the threaded build (pthreads + SIMD128); 'st': the single-threaded build */
  name: 'mt' | 'st';
  simd: boolean;
  /** threads the build runs (1 for 'st') */
  threads: number;
  /** the context's crossOriginIsolated; null in Node */
  crossOriginIsolated: boolean | null;
  /** logical cores the environment reports */
  cores: number;
  /** why the single-threaded build runs ('' for 'mt') */
  fallback: string;
  /** milliseconds the module took to load (and start its threads) */
  loadMs: number;
}

export interface CreateOptions {
  /** 'auto' (default): threaded when threads are usable and wanted; 'st' / 'mt' force a build ('mt' rejects where it cannot run) */
  build?: 'auto' | 'st' | 'mt';
  /** threads of the threaded build, 1..MAX_THREADS; default min(cores, DEFAULT_MAX_THREADS); 1 with build 'auto' picks 'st' */
  threads?: number;
  /** URL of towerlens_core.mjs; default: wasm/towerlens_core.mjs beside towerlens.js */
  moduleUrl?: string | URL;
  /** the single-threaded .wasm bytes, to skip fetching or reading them */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** URL of towerlens_core_mt.mjs; default: wasm/towerlens_core_mt.mjs beside towerlens.js */
  mtModuleUrl?: string | URL;
  /** the threaded .wasm bytes */
  mtWasmBinary?: ArrayBuffer | Uint8Array;
  /** Emscripten's hook to place the .wasm (and towerlens_core_mt.worker.js) elsewhere */
  locateFile?: (path: string, scriptDirectory: string) => string;
}

/** The most threads an instance may be asked for (64). */
export declare const MAX_THREADS: number;
/** Threads the threaded build starts by default: min(cores, DEFAULT_MAX_THREADS) (16). */
export declare const DEFAULT_MAX_THREADS: number;
/** Can this environment run the threaded build? (no module is loaded) */
export declare function threadSupport(): Promise<{ usable: boolean; reason: string; cores: number }>;

/** Loads the WebAssembly core (once per call): the threaded build when threads are usable, else the single-threaded one. */
export declare function createTowerlens(options?: CreateOptions): Promise<Towerlens>;
