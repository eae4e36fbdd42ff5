// --pre-js for web/wasm/towerlens_core.mjs and towerlens_core_mt.mjs (inside the module factory).
// Under Node the 3.1.6 glue would fetch() the .wasm by file path, which Node's
// fetch rejects: read the .wasm beside the .mjs instead, unless the caller
// already passed the bytes. (A pthread worker of towerlens_core_mt.mjs, where
// importScripts is defined, gets the compiled module from the main thread.)
if (typeof process === 'object' && typeof process.versions === 'object' &&
    typeof process.versions.node === 'string' && typeof window === 'undefined' &&
    typeof importScripts === 'undefined' && !Module['wasmBinary']) {
  Module['wasmBinary'] = require('fs').readFileSync(__filename.replace(/\.mjs$/, '.wasm'));
}
