// Runs first in the single-file page's worker (a classic worker from a Blob
// URL), after the classic Emscripten glue (createTowerlensCoreClassic) and
// TOWERLENS_ASSETS = {wasm, demo: {name: base64}} (gzip, base64) that
// scripts/build-dist.mjs puts before it:
// - the JS API's `import(moduleUrl)` of the WebAssembly glue is rewritten at
//   build time to __towerlensImport(moduleUrl), answered here with the inlined
//   single-threaded build (the wasm bytes handed over as Module.wasmBinary, so
//   the glue never fetches);
// - the worker's demo-data fetches (relative to a base the build fixes, since
//   a Blob URL has none) are answered with the inlined demo files.
/* global TOWERLENS_ASSETS, createTowerlensCoreClassic */
(() => {
  const SINGLE_BASE = 'https://towerlens.invalid/';

  function bytesOf(base64) {
    const text = atob(base64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  }

  function gunzip(base64) {
    const stream = new Blob([bytesOf(base64)]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).arrayBuffer();
  }

  let wasm = null; // Promise<ArrayBuffer>, decoded on first use
  self.__towerlensImport = async (href) => {
    if (!/(^|\/)towerlens_core\.mjs$/.test(String(href))) {
      throw new Error(`${href} is not part of the single-file page, which carries only the single-threaded build`);
    }
    wasm = wasm || gunzip(TOWERLENS_ASSETS.wasm);
    const wasmBinary = await wasm;
    return {
      default: (moduleArgs = {}) => {
        if (!moduleArgs.wasmBinary) moduleArgs.wasmBinary = wasmBinary;
        return createTowerlensCoreClassic(moduleArgs);
      },
    };
  };

  const networkFetch = self.fetch.bind(self);
  self.fetch = (input, init) => {
    const href = String((input && input.url) || input);
    if (!href.startsWith(SINGLE_BASE)) return networkFetch(input, init);
    const name = /\/data\/demo\/([^/?#]+)$/.exec(href);
    const data = name && TOWERLENS_ASSETS.demo[name[1]];
    if (!data) return Promise.resolve(new Response('not in the single-file page', { status: 404 }));
    return gunzip(data).then((bytes) => new Response(bytes, { status: 200, headers: { 'Content-Type': 'text/csv' } }));
  };
})();
