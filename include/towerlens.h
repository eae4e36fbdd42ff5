/* towerlens: the one header a program using the library includes (the CLI,
 * the WebAssembly exports, your own C code). It brings in the public module
 * headers under towerlens/, listed here by layer (docs/ARCHITECTURE.md);
 * everything under src/ is internal. */
#ifndef TOWERLENS_H
#define TOWERLENS_H

#include "towerlens/buf.h"
#include "towerlens/clock.h"
#include "towerlens/csv.h"
#include "towerlens/dataset.h"
#include "towerlens/ease.h"
#include "towerlens/embeddings.h"
#include "towerlens/error.h"
#include "towerlens/eval.h"
#include "towerlens/eval_rating.h"
#include "towerlens/foldin.h"
#include "towerlens/generate.h"
#include "towerlens/import.h"
#include "towerlens/imported.h"
#include "towerlens/index.h"
#include "towerlens/kernels.h"
#include "towerlens/loader.h"
#include "towerlens/model.h"
#include "towerlens/model_type.h"
#include "towerlens/movielens.h"
#include "towerlens/numbers.h"
#include "towerlens/pool.h"
#include "towerlens/rating.h"
#include "towerlens/results.h"
#include "towerlens/rng.h"
#include "towerlens/scorer.h"
#include "towerlens/seen.h"
#include "towerlens/split.h"
#include "towerlens/store.h"
#include "towerlens/tensor.h"
#include "towerlens/topk.h"
#include "towerlens/train.h"

#endif
