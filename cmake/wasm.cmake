# WebAssembly build (emcmake cmake -S . -B build-wasm): the core library with
# SIMD128, two ES modules that web/towerlens.js picks between at run time --
#   web/wasm/towerlens_core.mjs + .wasm        single-threaded (runs anywhere)
#   web/wasm/towerlens_core_mt.mjs + .wasm + .worker.js   pthreads (needs
#     SharedArrayBuffer: a cross-origin isolated page, or Node)
# -- a classic-script single-threaded build for dist/towerlens.html
#   (build-wasm/dist/towerlens_core_classic.js + .wasm, scripts/build-dist.mjs)
# -- and every tests/c/test_*.c as a Node program registered with ctest.
# Toolchain quirks of Emscripten 3.1.6 + Node 20 are explained where each is worked around below.

target_compile_options(towerlens_core PUBLIC -msimd128)

# emcc's JS optimizer (used at -O2 and above, and for MAXIMUM_MEMORY > 2GB)
# requires 'acorn', which Debian ships in /usr/share/nodejs but this Node does
# not search. A linker launcher sets NODE_PATH for every link, from any shell.
if(EXISTS /usr/share/nodejs/acorn)
  set(CMAKE_C_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
endif()

# emcmake's default emulator adds --experimental-wasm-threads, which Node 20 rejects.
find_program(TL_NODE NAMES node nodejs REQUIRED)

set(TL_WASM_DIR ${CMAKE_SOURCE_DIR}/src/wasm)
set(TL_WEB_WASM_DIR ${CMAKE_SOURCE_DIR}/web/wasm)

# ---- the two ES modules for web/towerlens.js ----------------------------------
file(GLOB TL_WASM_SOURCES CONFIGURE_DEPENDS ${TL_WASM_DIR}/*.c)

# link options every build of src/wasm/*.c shares: the exports the JS API calls
set(TL_WASM_RUNTIME_OPTIONS
  -O3 -msimd128
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB
  -sEXPORTED_FUNCTIONS=_malloc,_free
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8
  --no-entry)

# tl_wasm_module(TARGET CORE OUTPUT EXPORT_NAME [extra link options...]):
# web/wasm/OUTPUT.mjs + .wasm from src/wasm/*.c and the core library CORE.
function(tl_wasm_module target core output export_name)
  add_executable(${target} ${TL_WASM_SOURCES})
  target_include_directories(${target} PRIVATE ${TL_WASM_DIR})
  # the tlw_* exports are called from JavaScript: no C prototype to check them against
  target_compile_options(${target} PRIVATE -O3 -Wno-missing-prototypes)
  target_link_libraries(${target} ${core})
  set_target_properties(${target} PROPERTIES
    OUTPUT_NAME ${output}
    SUFFIX .mjs
    RUNTIME_OUTPUT_DIRECTORY ${TL_WEB_WASM_DIR}
    LINK_DEPENDS "${TL_WASM_DIR}/node_extern_pre.js;${TL_WASM_DIR}/node_pre.js")
  target_link_options(${target} PRIVATE
    ${TL_WASM_RUNTIME_OPTIONS}
    -sMODULARIZE=1 -sEXPORT_ES6=1 -sEXPORT_NAME=${export_name}
    -sENVIRONMENT=web,worker,node
    # a library must not install process-wide uncaughtException/unhandledRejection
    # handlers in its host's Node process
    -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0
    # Node only: define require/__dirname in ES module scope, and hand the glue
    # the .wasm bytes so it never calls fetch() on a file path.
    "SHELL:--extern-pre-js ${TL_WASM_DIR}/node_extern_pre.js"
    "SHELL:--pre-js ${TL_WASM_DIR}/node_pre.js"
    ${ARGN})
endfunction()

tl_wasm_module(towerlens_wasm towerlens_core towerlens_core createTowerlensCore)

# ---- the threaded ES module: web/wasm/towerlens_core_mt.mjs ------------------
# Every object of a pthread module must be compiled with -pthread (shared
# memory, atomics), so the core is compiled a second time.
add_library(towerlens_core_mt STATIC ${TL_CORE_SOURCES})
target_include_directories(towerlens_core_mt PUBLIC ${CMAKE_SOURCE_DIR}/include PRIVATE ${CMAKE_SOURCE_DIR}/src)
target_compile_options(towerlens_core_mt PUBLIC -msimd128 -pthread)
target_link_libraries(towerlens_core_mt PUBLIC m)

tl_wasm_module(towerlens_wasm_mt towerlens_core_mt towerlens_core_mt createTowerlensCoreMt
  -pthread
  # Growth with pthreads only slows the glue's own JS heap access (the
  # -Wpthreads-mem-growth warning); the WASM code runs at full speed.
  -Wno-pthreads-mem-growth
  # The pool of Web Workers is started with the module (a pthread cannot start
  # while the calling thread blocks); web/lib/core.js passes its size as
  # Module.tlPoolSize. STRICT=2: a thread beyond the pool is an error
  # (pthread_create gives EAGAIN) instead of a deadlock.
  "-sPTHREAD_POOL_SIZE=Module.tlPoolSize||1" -sPTHREAD_POOL_SIZE_STRICT=2)
# The pthread worker (towerlens_core_mt.worker.js) is a CommonJS script under
# Node; the repo's package.json says "type": "module", so web/wasm/ says otherwise.
add_custom_command(TARGET towerlens_wasm_mt POST_BUILD
  COMMAND ${CMAKE_COMMAND} -E copy ${TL_WASM_DIR}/web_wasm_package.json ${TL_WEB_WASM_DIR}/package.json)
# scripts/demo builds the target towerlens_wasm: it brings both modules.
add_dependencies(towerlens_wasm towerlens_wasm_mt)

# ---- a classic-script build for the single-file page --------------------------
# dist/towerlens.html (scripts/build-dist.mjs) runs its worker from a Blob URL
# as a classic script, because file:// pages may start neither module scripts
# nor module workers: build-wasm/dist/towerlens_core_classic.js defines
# createTowerlensCoreClassic; the page inlines its .wasm and passes the bytes
# as Module.wasmBinary, so the glue never fetches.
add_executable(towerlens_wasm_classic ${TL_WASM_SOURCES})
target_include_directories(towerlens_wasm_classic PRIVATE ${TL_WASM_DIR})
target_compile_options(towerlens_wasm_classic PRIVATE -O3 -Wno-missing-prototypes)
target_link_libraries(towerlens_wasm_classic towerlens_core)
set_target_properties(towerlens_wasm_classic PROPERTIES
  OUTPUT_NAME towerlens_core_classic
  SUFFIX .js
  RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/dist)
target_link_options(towerlens_wasm_classic PRIVATE
  ${TL_WASM_RUNTIME_OPTIONS}
  -sMODULARIZE=1 -sEXPORT_NAME=createTowerlensCoreClassic
  -sENVIRONMENT=worker)

# ---- C unit tests under Node (the kernel tests compare SIMD128 with scalar) ---
enable_testing()
# the repo's package.json says "type": "module"; these programs are CommonJS
file(WRITE ${CMAKE_BINARY_DIR}/package.json "{ \"type\": \"commonjs\" }\n")
file(GLOB TL_C_TESTS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/c/test_*.c)
foreach(test_src ${TL_C_TESTS})
  get_filename_component(test_name ${test_src} NAME_WE)
  add_executable(${test_name} ${test_src})
  target_include_directories(${test_name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/c ${CMAKE_SOURCE_DIR}/src)
  target_link_libraries(${test_name} towerlens_core)
  set_target_properties(${test_name} PROPERTIES
    CROSSCOMPILING_EMULATOR ${TL_NODE}
    LINK_DEPENDS ${TL_WASM_DIR}/test_env_pre.js)
  # NODERAWFS: tests read fixtures and ../shared through the real file system.
  # -O1 at link keeps the many test links quick; the code itself is -O3.
  target_link_options(${test_name} PRIVATE
    -O1 -msimd128 -sENVIRONMENT=node -sNODERAWFS=1 -sEXIT_RUNTIME=1
    -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB
    "SHELL:--pre-js ${TL_WASM_DIR}/test_env_pre.js")
  add_test(NAME ${test_name} COMMAND ${test_name})
  set_tests_properties(${test_name} PROPERTIES
    ENVIRONMENT "TL_SOURCE_DIR=${CMAKE_SOURCE_DIR}" TIMEOUT 900)
endforeach()

# ---- benchmark kernels (bench/train.mjs loads build-wasm/tl_bench_train.js) ---
add_executable(tl_bench_train ${CMAKE_SOURCE_DIR}/bench/train_kernels.c)
target_compile_options(tl_bench_train PRIVATE -O3)
target_link_libraries(tl_bench_train towerlens_core)
target_link_options(tl_bench_train PRIVATE
  -O3 -msimd128 -sMODULARIZE=1 -sENVIRONMENT=node -sSINGLE_FILE=1
  -sALLOW_MEMORY_GROWTH=1 -sMAXIMUM_MEMORY=4GB --no-entry
  -sEXPORTED_FUNCTIONS=_tl_bench_train_kernel,_tl_bench_train_flops,_tl_bench_train_kernel_name
  -sEXPORTED_RUNTIME_METHODS=UTF8ToString)
