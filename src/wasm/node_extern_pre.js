// --extern-pre-js for web/wasm/towerlens_core.mjs and towerlens_core_mt.mjs
// (top level of the ES module). Emscripten 3.1.6's Node code path uses
// require(), __filename and __dirname, which do not exist in ES module scope;
// define them only under Node so the same file still loads in a browser
// module Worker. Under Node this includes the threaded build's pthread
// workers, whose towerlens_core_mt.worker.js defines importScripts.
var require, __filename, __dirname;
if (typeof process === 'object' && typeof process.versions === 'object' &&
    typeof process.versions.node === 'string' && typeof window === 'undefined') {
  const { createRequire } = await import('node:module');
  const { fileURLToPath } = await import('node:url');
  require = createRequire(import.meta.url);
  __filename = fileURLToPath(import.meta.url);
  __dirname = require('node:path').dirname(__filename);
}
