// Entry point of the page: starts the worker, keeps the few facts the
// panels share (is there data, a model, is training running), and relays
// the worker's events. The main thread renders; the worker computes.
import { $ } from './dom.js';
import { connectWorker } from './worker-client.js';
import { createDataPanel } from './data-panel.js';
import { createTrainPanel } from './train-panel.js';
import { createRecommendPanel } from './recommend-panel.js';
import { createSimilarPanel } from './similar-panel.js';
import { createRatePanel } from './rate-panel.js';
import { createModelPanel } from './model-panel.js';

function createApp() {
  const listeners = new Map();
  return {
    client: connectWorker(new URL('../worker.js', import.meta.url)),
    engineReady: false,
    restoring: true,
    summary: null,
    hasData: false,
    hasModel: false,
    training: 'idle',
    on(type, fn) {
      if (!listeners.has(type)) listeners.set(type, []);
      listeners.get(type).push(fn);
    },
    emit(type, detail) {
      for (const fn of listeners.get(type) || []) fn(detail);
    },
  };
}

function engineStatus(text, kind) {
  const box = $('#engine-status');
  box.classList.toggle('ready', kind === 'ready');
  box.classList.toggle('failed', kind === 'failed');
  $('#engine-text').textContent = text;
}

// "WebAssembly SIMD · threads build · 2 threads", or the single-threaded
// build and why it runs (the page is not cross-origin isolated, ...).
function buildText(build) {
  const wasm = `WebAssembly${build.simd ? ' SIMD' : ''}`;
  const threads = build.threads > 1 ? `${build.threads} threads` : '1 thread';
  if (build.name === 'mt') return `${wasm} · threads build · ${threads}`;
  const fallback = build.fallback || '';
  const why = build.crossOriginIsolated === false ? 'page not cross-origin isolated'
    : /^the threaded build did not load/.test(fallback) ? 'the threaded build did not load'
      : fallback.replace(/\s*\(.*\)$/, ''); // the full reason is the line's tooltip
  return `${wasm} · single-threaded build${why ? ` (${why})` : ''}`;
}

function start() {
  const app = createApp();
  window.towerlensApp = app; // for the browser tests and the curious
  const data = createDataPanel(app);
  createTrainPanel(app);
  createRecommendPanel(app);
  createSimilarPanel(app);
  createRatePanel(app);
  createModelPanel(app);

  app.client.on('dataset', (msg) => {
    app.summary = msg.summary;
    app.hasData = true;
    app.hasModel = false;
    app.emit('model-gone');
    app.emit('dataset', { ...msg, source: app.restoring ? 'restored' : msg.source });
  });
  app.client.on('training', (msg) => {
    app.training = msg.state;
    document.body.dataset.training = msg.state;
    const had = app.hasModel;
    app.hasModel = msg.state !== 'idle';
    if (app.hasModel && !had) app.emit('model-ready');
    if (!app.hasModel && had) app.emit('model-gone');
  });
  app.client.on('error', (err) => {
    // errors without a request (a failed restore, storage full, the worker dying)
    if (err.code === 'WORKER' || err.code === 'INIT') engineStatus(err.message, 'failed');
    else if (err.file) data.showError(err);
    else $('#model-status').textContent = err.message;
  });

  app.client.request('init').then(
    ({ build, restored, persistent }) => {
      app.engineReady = true;
      app.restoring = false;
      engineStatus(`Engine ready · ${buildText(build)}`, 'ready');
      $('#engine-status').title = build.fallback || '';
      document.body.dataset.engine = 'ready';
      document.body.dataset.build = build.name || 'st';
      document.body.dataset.threads = String(build.threads || 1);
      app.emit('engine-ready', build);
      app.emit('persistence', persistent);
      if (restored && restored.model) document.body.dataset.restored = 'model';
    },
    (err) => {
      app.restoring = false;
      engineStatus(`The engine could not start: ${err.message}`, 'failed');
      document.body.dataset.engine = 'failed';
    },
  );
}

// Offline: the service worker keeps a copy of what the page loaded.
if ('serviceWorker' in navigator && location.protocol !== 'file:') {
  navigator.serviceWorker.register(new URL('../sw.js', import.meta.url), { scope: new URL('../', import.meta.url).pathname }).catch(() => {});
}

start();
