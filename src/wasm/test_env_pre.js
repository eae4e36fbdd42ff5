// --pre-js for the C unit tests run under Node (plain scripts, not modules).
// 1. Emscripten 3.1.6 would fetch() the .wasm by file path, which Node's
//    fetch rejects: hand it the bytes beside this script instead.
// 2. Its getenv() sees a fixed environment: copy the variables the tests use
//    (TL_SOURCE_DIR, ...) from the real process before main() runs.
Module['wasmBinary'] = require('fs').readFileSync(__filename.replace(/\.js$/, '.wasm'));
Module['preRun'] = Module['preRun'] || [];
Module['preRun'].push(function () {
  if (typeof ENV === 'object') {
    for (var key in process.env) {
      if (key.indexOf('TL_') === 0) ENV[key] = process.env[key];
    }
  }
});
