// The page's side of the worker protocol: request() sends a typed message
// and resolves with its reply (or rejects with the worker's error record);
// on(type, fn) subscribes to events the worker sends by itself.

export class WorkerError extends Error {
  constructor({ code, message, file, line, request }) {
    super(message);
    this.name = 'WorkerError';
    this.code = code || 'ERROR';
    this.file = file || '';
    this.line = line || 0;
    this.request = request || '';
  }
}

export function connectWorker(url) {
  const worker = new Worker(url, { type: 'module', name: 'towerlens' });
  const pending = new Map();
  const listeners = new Map();
  let nextId = 1;

  const emit = (type, msg) => {
    for (const fn of listeners.get(type) || []) fn(msg);
    for (const fn of listeners.get('*') || []) fn(msg);
  };

  worker.onmessage = (event) => {
    const msg = event.data;
    if (msg.type === 'reply' || (msg.type === 'error' && msg.id)) {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.type === 'reply') p.resolve(msg.result);
      else p.reject(new WorkerError(msg));
      return;
    }
    emit(msg.type, msg);
  };
  worker.onerror = (event) => {
    event.preventDefault();
    const err = { type: 'error', code: 'WORKER', message: `the worker failed: ${event.message || 'script error (is the WASM module built?)'}`, file: '', line: 0 };
    for (const p of pending.values()) p.reject(new WorkerError(err));
    pending.clear();
    emit('error', err);
  };

  return {
    request(type, args = {}, transfer = []) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ ...args, id, type }, transfer);
      });
    },
    on(type, fn) {
      if (!listeners.has(type)) listeners.set(type, []);
      listeners.get(type).push(fn);
    },
  };
}
