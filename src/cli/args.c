#include "args.h"

#include <stdarg.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void tl_arg_list_free(tl_arg_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

static int list_push(tl_arg_list *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        const char **items = realloc(l->items, cap * sizeof *items);
        if (!items) return 0;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = s;
    return 1;
}

static void print_default(const tl_arg_opt *o, FILE *out)
{
    switch (o->kind) {
        case TL_ARG_STRING:
            if (*(const char **)o->target) fprintf(out, " (default: %s)", *(const char **)o->target);
            break;
        case TL_ARG_U32: fprintf(out, " (default: %" PRIu32 ")", *(const uint32_t *)o->target); break;
        case TL_ARG_U64: fprintf(out, " (default: %" PRIu64 ")", *(const uint64_t *)o->target); break;
        case TL_ARG_DOUBLE: fprintf(out, " (default: %g)", *(const double *)o->target); break;
        default: break;
    }
}

void tl_args_usage(const tl_arg_spec *spec, FILE *out)
{
    fprintf(out, "usage: towerlens %s %s\n\n%s\n\noptions:\n", spec->command, spec->synopsis, spec->description);
    for (size_t i = 0; i < spec->n_opts; i++) {
        const tl_arg_opt *o = &spec->opts[i];
        char left[64];
        snprintf(left, sizeof left, "%s%s%s%s", o->name[1] ? "--" : "-", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        fprintf(out, "  %-22s %s", left, o->help);
        if (o->kind == TL_ARG_STRINGS) fprintf(out, " (may be repeated)");
        print_default(o, out);
        fputc('\n', out);
    }
    fprintf(out, "  %-22s %s\n", "--help", "show this help and exit");
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
fail(const tl_arg_spec *spec, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "towerlens %s: ", spec->command);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see towerlens %s --help)\n", spec->command);
    return TL_ARGS_ERROR;
}

static int range_error(const tl_arg_spec *spec, const tl_arg_opt *o, const char *what, const char *value)
{
    char msg[256];
    if (o->kind == TL_ARG_U64 && o->min == 0 && o->max == 0)
        snprintf(msg, sizeof msg, "--%s must be %s", o->name, what);
    else snprintf(msg, sizeof msg, "--%s must be %s from %.15g to %.15g", o->name, what, o->min, o->max);
    return fail(spec, "%s, got \"%s\"", msg, value);
}

static int set_value(const tl_arg_spec *spec, const tl_arg_opt *o, const char *v)
{
    char *end;
    switch (o->kind) {
        case TL_ARG_STRING: *(const char **)o->target = v; return TL_ARGS_OK;
        case TL_ARG_STRINGS:
            if (!list_push(o->target, v)) return fail(spec, "out of memory reading --%s", o->name);
            return TL_ARGS_OK;
        case TL_ARG_U32:
        case TL_ARG_U64: {
            int any = o->kind == TL_ARG_U64 && o->min == 0 && o->max == 0;
            if (!*v || *v < '0' || *v > '9') return range_error(spec, o, "a whole number", v);
            errno = 0;
            unsigned long long x = strtoull(v, &end, 10);
            if (*end || errno == ERANGE) return range_error(spec, o, "a whole number", v);
            if (!any && ((double)x < o->min || (double)x > o->max)) return range_error(spec, o, "a whole number", v);
            if (o->kind == TL_ARG_U32) {
                if (x > UINT32_MAX) return range_error(spec, o, "a whole number", v);
                *(uint32_t *)o->target = (uint32_t)x;
            } else {
                *(uint64_t *)o->target = (uint64_t)x;
            }
            return TL_ARGS_OK;
        }
        case TL_ARG_DOUBLE: {
            errno = 0;
            double x = strtod(v, &end);
            if (!*v || *end || errno == ERANGE || !isfinite(x) || x < o->min || x > o->max)
                return range_error(spec, o, "a number", v);
            *(double *)o->target = x;
            return TL_ARGS_OK;
        }
        case TL_ARG_FLAG: break;
    }
    return TL_ARGS_ERROR;
}

int tl_args_parse(const tl_arg_spec *spec, int argc, char **argv)
{
    int options_done = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || a[1] == '\0') {
            if (!spec->positional) return fail(spec, "unexpected argument \"%s\"", a);
            if (!list_push(spec->positional, a)) return fail(spec, "out of memory");
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = 1;
            continue;
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            tl_args_usage(spec, stdout);
            return TL_ARGS_HELP;
        }
        /* one-letter options are written -k (--k works too) */
        int short_form = a[1] != '-';
        if (short_form && (a[2] != '\0' && a[2] != '=')) return fail(spec, "unknown option \"%s\"", a);
        const char *name = a + (short_form ? 1 : 2), *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const tl_arg_opt *o = NULL;
        for (size_t k = 0; k < spec->n_opts; k++)
            if (strlen(spec->opts[k].name) == len && !strncmp(spec->opts[k].name, name, len)) o = &spec->opts[k];
        if (!o) return fail(spec, "unknown option \"%s\"", a);
        if (o->kind == TL_ARG_FLAG) {
            if (eq) return fail(spec, "--%s takes no value", o->name);
            *(int *)o->target = 1;
            continue;
        }
        const char *value = eq ? eq + 1 : NULL;
        if (!value) {
            if (i + 1 >= argc) return fail(spec, "--%s needs a value (%s)", o->name, o->metavar ? o->metavar : "VALUE");
            value = argv[++i];
        }
        int r = set_value(spec, o, value);
        if (r != TL_ARGS_OK) return r;
    }
    if (spec->positional && spec->positional->n < spec->min_positional)
        return fail(spec, "missing %s", spec->positional_name ? spec->positional_name : "argument");
    return TL_ARGS_OK;
}
