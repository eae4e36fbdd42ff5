// Checking what callers pass before it crosses into WebAssembly: a number
// that does not fit a uint32 would wrap silently on the way in.
import { TowerlensError } from './errors.js';

const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** `v` as a whole number in [min, max]; `fallback` when undefined. */
export function whole(v, name, min, max, fallback) {
  if (v === undefined && fallback !== undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new TowerlensError(`${name} must be a whole number from ${min} to ${max}, got ${show(v)}`, { code: 'ARG' });
  }
  return v;
}

/** A raw MovieLens id (userId or movieId): a whole number from 0 to 2^32 - 1. */
export function rawId(v, name) {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new TowerlensError(`${name} must be a MovieLens id (a whole number from 0 to 4294967295), got ${show(v)}`,
      { code: 'ARG' });
  }
  return v;
}

/** A boolean option; `fallback` when undefined. */
export function flag(v, name, fallback) {
  if (v === undefined) return fallback;
  if (typeof v !== 'boolean') throw new TowerlensError(`${name} must be true or false, got ${show(v)}`, { code: 'ARG' });
  return v;
}
