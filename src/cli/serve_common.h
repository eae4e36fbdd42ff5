/* What recommend, similar and foldin share: opening a model file with its
 * index, turning filter options into a query, and printing ranked movies. */
#ifndef TL_CLI_SERVE_COMMON_H
#define TL_CLI_SERVE_COMMON_H

#include <stdint.h>

#include "args.h"
#include "towerlens.h"

typedef struct serve_filters {
    tl_arg_list genres;   /* --genre G (repeatable) */
    const char *years;    /* --years A-B */
    uint32_t min_ratings; /* --min-ratings N */
} serve_filters;

/* The option rows for --genre, --years and --min-ratings. */
#define SERVE_FILTER_OPTS(f)                                                                                         \
    {"genre", TL_ARG_STRINGS, &(f).genres, "G", "only movies of genre G (repeatable: any of them)", 0, 0},           \
        {"years", TL_ARG_STRING, &(f).years, "A-B", "only movies released in these years (1990-1999, 1990-)", 0, 0}, \
    {                                                                                                                \
        "min-ratings", TL_ARG_U32, &(f).min_ratings, "N", "only movies with at least N ratings", 0, 4e9              \
    }

typedef struct serve_session {
    tl_model_file *mf;
    tl_scorer *scorer; /* the model file's model type, behind the seam (scorer.h) */
    tl_index *idx;
} serve_session;

/* Loads the model file and builds its index; prints the error and returns
 * non-zero on failure. */
int serve_open(serve_session *s, const char *command, const char *model_path);
void serve_close(serve_session *s);

/* Fills q from the filters; prints the error and returns non-zero on failure. */
int serve_query(const serve_session *s, const char *command, const serve_filters *f, tl_query *q);

/* Room for "because you rated" (index.h): TL_REASONS_MAX per item;
 * `filled` says the command gave reasons (recommend, foldin). */
typedef struct serve_reasons {
    tl_reason *reasons; /* k * TL_REASONS_MAX */
    uint32_t *n;        /* k */
    int filled;
} serve_reasons;

/* Ranks movies for a command: `rank` fills at most k items (k already
 * clamped to the catalogue) using the session and the filters in q, and
 * may fill `why` for them; it prints nothing and reports failures through
 * err. */
typedef tl_status (*serve_rank_fn)(serve_session *s, void *ctx, uint32_t k, tl_query *q, tl_scored *out,
                                   uint32_t *n_out, serve_reasons *why, tl_error *err);

/* Everything recommend, similar and foldin do around their ranking: open the
 * model, build the query from the filters, rank, print (text or JSON),
 * clean up (including the filters' genre list). Returns the exit status. */
int serve_ranked(const char *command, const char *model_path, serve_filters *f, uint32_t k, int json,
                 serve_rank_fn rank, void *ctx);

/* A raw MovieLens id (0 to 4294967295); prints the error and returns
 * non-zero when `text` is not one. */
int serve_parse_id(const char *command, const char *option, const char *text, uint32_t *out);

/* The dense user (movie = 0) or movie (movie = 1) that `text` names: the id
 * string itself when the model was trained on string ids (dataset.h), else
 * a MovieLens id as serve_parse_id reads it; then *usage = 1 when `text` is
 * not one (the command exits with status 2). */
tl_status serve_find_id(const tl_dataset *ds, int movie, const char *option, const char *text, uint32_t *out,
                        int *usage, tl_error *err);

/* Prints {"items": [...]} with --json, else a readable table; with `why`
 * filled, each item's reasons ("because": [...], or a line under it). */
int serve_print(const serve_session *s, const char *command, const tl_scored *items, uint32_t n,
                const serve_reasons *why, int json);

#endif
