// Data that is not MovieLens: interactions files read by column names, the
// arrays entry point fromInteractions (it writes the arrays as such a CSV
// and reads it through the same core path), and string ids turned into the
// raw ids the model exports take. Reference: docs/own-data.md.
import { loadDataset } from './ingest.js';
import { TowerlensError } from './errors.js';
import { rawId } from './args.js';

const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));
const arg = (message) => new TowerlensError(message, { code: 'ARG' });

/** Checks {user, item, rating?, time?} and {id?, title?}; returns them with defaults. */
function columnsOf(columns, itemColumns) {
  if (columns === null || typeof columns !== 'object') throw arg('columns must be {user, item, rating?, time?}');
  const name = (v, what, fallback) => {
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v === '') throw arg(`${what} must be a non-empty column name, got ${show(v)}`);
    return v;
  };
  const user = name(columns.user, 'columns.user', 'user_id');
  const item = name(columns.item, 'columns.item', 'item_id');
  return {
    user, item,
    rating: name(columns.rating, 'columns.rating', ''),
    time: name(columns.time, 'columns.time', ''),
    id: name(itemColumns?.id, 'itemColumns.id', item),
    title: name(itemColumns?.title, 'itemColumns.title', 'title'),
  };
}

/**
 * loadDataset for interactions files read by column names.
 * @param inputs the interactions files (as loadDataset takes them)
 * @param options loadDataset's options plus {columns: {user, item, rating?,
 *   time?}, items?: one file of titles, itemColumns?: {id, title}}
 */
export async function loadInteractions(core, inputs, options) {
  const cols = columnsOf(options.columns, options.itemColumns);
  const list = Array.isArray(inputs) ? [...inputs] : [inputs];
  const nInteractions = list.length;
  if (options.items !== undefined && options.items !== null) list.push(options.items);
  const m = core.m;
  const onBegin = (h, index) => {
    if (index < nInteractions) {
      core.withCString(cols.user, (u) => core.withCString(cols.item, (i) => core.withCString(cols.rating, (r) =>
        core.withCString(cols.time, (t) => core.check(h, m._tlw_loader_map_interactions(h, u, i, r, t))))));
    } else {
      core.withCString(cols.id, (i) => core.withCString(cols.title, (t) => core.check(h, m._tlw_loader_map_items(h, i, t))));
    }
  };
  return loadDataset(core, list, { ...options, onBegin });
}

/** A CSV field: quoted when it holds a separator, quote or line break. */
function field(s) {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** An id from the arrays: a non-empty string or a whole number from 0 to 2^32 - 1. */
function idText(v, name) {
  if (typeof v === 'string' && v !== '') return v;
  if (Number.isInteger(v) && v >= 0 && v <= 0xffffffff) return String(v);
  throw arg(`${name} must be a non-empty string or a whole number from 0 to 4294967295, got ${show(v)}`);
}

const encoder = new TextEncoder();

/**
 * A Dataset from arrays: users[i] interacted with items[i] (with
 * ratings[i] stars and at timestamps[i] seconds when given); itemTitles maps
 * item ids to titles (an object or a Map). Ids are strings or numbers.
 */
export async function fromInteractions(core, data, options = {}) {
  if (data === null || typeof data !== 'object') throw arg('fromInteractions takes {users, items, ratings?, timestamps?, itemTitles?}');
  const { users, items, ratings, timestamps, itemTitles } = data;
  if (!Array.isArray(users) && !ArrayBuffer.isView(users)) throw arg('users must be an array');
  if (!Array.isArray(items) && !ArrayBuffer.isView(items)) throw arg('items must be an array');
  const n = users.length;
  if (items.length !== n) throw arg(`users and items must have the same length, got ${n} and ${items.length}`);
  if (n === 0) throw arg('users and items are empty: there are no interactions');
  for (const [a, what] of [[ratings, 'ratings'], [timestamps, 'timestamps']]) {
    if (a === undefined || a === null) continue;
    if ((!Array.isArray(a) && !ArrayBuffer.isView(a)) || a.length !== n) {
      throw arg(`${what} must be an array as long as users (${n})`);
    }
  }
  const hasR = ratings !== undefined && ratings !== null;
  const hasT = timestamps !== undefined && timestamps !== null;
  const lines = [['user', 'item', ...(hasR ? ['rating'] : []), ...(hasT ? ['time'] : [])].join(',')];
  for (let i = 0; i < n; i++) {
    const row = [field(idText(users[i], `users[${i}]`)), field(idText(items[i], `items[${i}]`))];
    if (hasR) {
      if (typeof ratings[i] !== 'number' || !Number.isFinite(ratings[i])) throw arg(`ratings[${i}] must be a number, got ${show(ratings[i])}`);
      row.push(String(ratings[i]));
    }
    if (hasT) {
      if (!Number.isInteger(timestamps[i]) || timestamps[i] < 0) {
        throw arg(`timestamps[${i}] must be a whole number of seconds, got ${show(timestamps[i])}`);
      }
      row.push(String(timestamps[i]));
    }
    lines.push(row.join(','));
  }
  const sources = [{ name: 'interactions', bytes: encoder.encode(lines.join('\n') + '\n') }];
  let titles = null;
  if (itemTitles !== undefined && itemTitles !== null) {
    const entries = itemTitles instanceof Map ? [...itemTitles] : Object.entries(itemTitles);
    const tl = ['item,title'];
    for (const [id, title] of entries) {
      if (typeof title !== 'string') throw arg(`itemTitles[${show(id)}] must be a string, got ${show(title)}`);
      tl.push(`${field(idText(id, 'an itemTitles key'))},${field(title)}`);
    }
    titles = { name: 'itemTitles', bytes: encoder.encode(tl.join('\n') + '\n') };
  }
  try {
    return await loadInteractions(core, sources, {
      ...options,
      columns: { user: 'user', item: 'item', rating: hasR ? 'rating' : undefined, time: hasT ? 'time' : undefined },
      items: titles ?? undefined,
      itemColumns: { id: 'item', title: 'title' },
    });
  } catch (e) {
    // "interactions:5: rating ..." names a line of the CSV written above: say which array index it was
    if (e instanceof TowerlensError) {
      e.message = e.message.replace(/^interactions:(\d+): /, (_, line) => `interactions[${Number(line) - 2}]: `);
    }
    throw e;
  }
}

/**
 * The raw id the model exports take for `v`: for a vocabulary of string
 * ids the id string (a number is looked up as its decimal text), else a
 * MovieLens id. which: 0 users, 1 movies.
 */
export function modelId(core, h, v, name, which) {
  if (!core.m._tlw_model_has_names(h, which)) return rawId(v, name);
  const text = typeof v === 'number' && Number.isInteger(v) ? String(v) : v;
  if (typeof text !== 'string') throw arg(`${name} must be an id of the data (a string), got ${show(v)}`);
  const id = core.withCString(text, (p) => core.m._tlw_model_find_id(h, which, p));
  if (id < 0) throw core.errorOf(h);
  return id;
}
