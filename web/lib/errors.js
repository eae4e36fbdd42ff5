// Errors thrown by the towerlens JS API. Every failure of the C core arrives
// as a TowerlensError carrying the core's status, and the file and line the
// message names when there is one.

/** Status codes of the C enum tl_status (error.h), by value; tests/node/shared-lists.test.mjs compares them. */
export const STATUS_CODES = Object.freeze([
  'OK', 'ARG', 'IO', 'PARSE', 'FORMAT', 'NOMEM', 'LIMIT', 'NOTFOUND', 'CORRUPT', 'STATE',
]);

export class TowerlensError extends Error {
  /**
   * @param {string} message  complete, for a person ("ratings.csv:12: ...")
   * @param {{code?: string, status?: number, file?: string, line?: number, cause?: unknown}} [info]
   */
  constructor(message, info = {}) {
    super(message, info.cause === undefined ? undefined : { cause: info.cause });
    this.name = 'TowerlensError';
    this.code = info.code ?? 'ARG';
    this.status = info.status ?? Math.max(0, STATUS_CODES.indexOf(this.code));
    this.file = info.file ?? '';
    this.line = info.line ?? 0;
  }
}

/** The code name of a numeric tl_status ('PARSE', ...). */
export function statusCode(status) {
  return STATUS_CODES[status] ?? `STATUS_${status}`;
}
