// Chooses which files of a dropped folder or zip archive to hand to the
// loader. The loader detects each file's kind from its content; this only
// keeps archives from feeding it files it would have to read and ignore
// (genome-scores.csv is 400 MB in ml-25m) or ml-100k's split copies of
// u.data (ua.base, u1.test, ...), which look like ratings and would double
// them. Files dropped one by one are all passed on.

/** The MovieLens file names and their kinds: the native reader's folder list
 * (known_names, loader_paths.c) and inputs.js's MOVIELENS_FILE_NAMES, which
 * tests/node/shared-lists.test.mjs compares with it. */
export const KNOWN_FILE_KINDS = new Map([
  ['ratings.csv', 'ratings'], ['ratings.dat', 'ratings'], ['u.data', 'ratings'],
  ['movies.csv', 'movies'], ['movies.dat', 'movies'], ['u.item', 'movies'],
  ['tags.csv', 'tags'], ['tags.dat', 'tags'],
  ['links.csv', 'links'],
]);

export function baseName(path) {
  const parts = String(path).split(/[\\/]/);
  return parts[parts.length - 1];
}

// Items are anything; nameOf(item) gives its path inside the folder/archive.
// Returns { picked, skipped } preserving order, at most one file per kind.
export function pickMovieLensFiles(items, nameOf) {
  const visible = items.filter((it) => {
    const name = nameOf(it);
    const base = baseName(name);
    return base && !base.startsWith('.') && !name.includes('__MACOSX/') && !name.endsWith('/');
  });
  const picked = [];
  const kinds = new Set();
  for (const it of visible) {
    const kind = KNOWN_FILE_KINDS.get(baseName(nameOf(it)).toLowerCase());
    if (kind && !kinds.has(kind)) {
      kinds.add(kind);
      picked.push(it);
    }
  }
  if (picked.length === 0) {
    // an unusual layout: let the loader look at every CSV/DAT file
    for (const it of visible) if (/\.(csv|dat|tsv)$/i.test(nameOf(it))) picked.push(it);
  }
  const skipped = visible.filter((it) => !picked.includes(it));
  return { picked, skipped };
}
