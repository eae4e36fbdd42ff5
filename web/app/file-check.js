// A classic (non-module) script, so it runs even when the page is opened
// from disk: under file:// the browser refuses the module script and the
// worker, and the header would say "Starting the engine…" forever. It
// says at once that the page must be served, and how.
(function () {
  if (location.protocol !== 'file:') return;
  function show() {
    document.body.setAttribute('data-engine', 'file');
    var status = document.getElementById('engine-status');
    var text = document.getElementById('engine-text');
    if (status) status.className += ' failed';
    if (text) text.textContent = 'Opened from a file: this page must be served';
    var note = document.getElementById('file-notice');
    if (note) note.hidden = false;
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', show);
  else show();
})();
