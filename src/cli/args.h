/* Option parsing shared by every `towerlens COMMAND`: a table of options
 * drives both the parser and the --help text, so the two never disagree.
 *
 *   --name VALUE and --name=VALUE; flags take no value; `--` ends options;
 *   numbers are checked against an inclusive range ("--epochs must be a
 *   whole number from 1 to 1000, got \"abc\""); TL_ARG_STRINGS options may
 *   be repeated and collect every value; defaults come from the targets'
 *   initial values and are shown in --help. */
#ifndef TL_CLI_ARGS_H
#define TL_CLI_ARGS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum tl_arg_kind {
    TL_ARG_FLAG,    /* int *: set to 1 */
    TL_ARG_STRING,  /* const char **: the last value wins */
    TL_ARG_STRINGS, /* tl_arg_list *: every value, in order */
    TL_ARG_U32,     /* uint32_t * within [min, max] */
    TL_ARG_U64,     /* uint64_t * within [min, max] (min = max = 0: any) */
    TL_ARG_DOUBLE   /* double * within [min, max] */
} tl_arg_kind;

typedef struct tl_arg_list {
    const char **items; /* point into argv */
    size_t n, cap;
} tl_arg_list;

typedef struct tl_arg_opt {
    const char *name; /* without dashes: "json" is --json */
    tl_arg_kind kind;
    void *target;
    const char *metavar; /* "N", "PATH"; NULL for flags */
    const char *help;
    double min, max;
} tl_arg_opt;

typedef struct tl_arg_spec {
    const char *command;     /* "stats" */
    const char *synopsis;    /* "PATH... [--json]" */
    const char *description; /* one paragraph; may hold line breaks */
    const tl_arg_opt *opts;
    size_t n_opts;
    tl_arg_list *positional;     /* NULL: none accepted */
    const char *positional_name; /* "PATH" */
    size_t min_positional;
} tl_arg_spec;

enum {
    TL_ARGS_OK = 0,
    TL_ARGS_HELP, /* --help was printed on stdout: exit 0 */
    TL_ARGS_ERROR /* a message was printed on stderr: exit 2 */
};

/* argv[0] is the command name. */
int tl_args_parse(const tl_arg_spec *spec, int argc, char **argv);
/* The exit status for a parse result other than TL_ARGS_OK. */
static inline int tl_args_exit(int r) { return r == TL_ARGS_HELP ? 0 : 2; }
void tl_args_usage(const tl_arg_spec *spec, FILE *out);
void tl_arg_list_free(tl_arg_list *l);

#endif
