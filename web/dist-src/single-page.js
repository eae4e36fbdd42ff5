// Runs first in dist/towerlens.html (the single-file page, opened from disk).
// A file:// page may start neither module scripts nor module workers, so the
// page's worker.js was bundled into one classic script that sits, unexecuted,
// in <script type="text/x-towerlens-worker">. Any `new Worker(…worker.js…)`
// the page makes starts that text from a Blob URL instead, as a classic worker.
(() => {
  const source = document.getElementById('towerlens-worker-source');
  const url = URL.createObjectURL(new Blob([source.textContent], { type: 'text/javascript' }));
  const NativeWorker = window.Worker;
  window.Worker = class extends NativeWorker {
    constructor(scriptUrl, options = {}) {
      if (/(^|\/)worker\.js$/.test(String(scriptUrl))) super(url, { name: options.name });
      else super(scriptUrl, options);
    }
  };
})();
