// dist/site/: threads on a static host that sends no COOP/COEP headers.
// The threaded build needs a cross-origin isolated page. The site's service
// worker (sw.js, built with ADD_ISOLATION_HEADERS on) adds
// Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy to the site's
// own responses; a page loaded before that worker controlled it is not
// isolated, so this script reloads it once, as soon as the worker takes over.
// A browser that stays unisolated anyway keeps the single-threaded build
// (one reload per tab session at most, so it never loops).
(() => {
  const FLAG = 'towerlens-coi-reloaded';
  if (window.crossOriginIsolated) {
    sessionStorage.removeItem(FLAG);
    return;
  }
  if (!window.isSecureContext || !('serviceWorker' in navigator) || sessionStorage.getItem(FLAG)) return;
  const reload = () => {
    sessionStorage.setItem(FLAG, '1');
    location.reload();
  };
  navigator.serviceWorker.register(new URL('sw.js', document.currentScript.src)).then(
    () => {
      if (navigator.serviceWorker.controller) reload(); // controlled, but this load bypassed it
      else navigator.serviceWorker.addEventListener('controllerchange', reload, { once: true });
    },
    () => {}, // no service worker (private mode, …): the single-threaded build runs
  );
})();
