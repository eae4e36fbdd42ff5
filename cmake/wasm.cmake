# WebAssembly build (emcmake): filled in by the WASM build work.
target_compile_options(towerlens_core PUBLIC -msimd128)
