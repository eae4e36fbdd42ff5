/* towerlens export --model FILE --out DIR: a model's per-user and per-movie
 * tables (which ones: its type's lists, model_type.h) with their raw ids as
 * CSV or NumPy .npy files, for use in other tools. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "serve_common.h"

/* NumPy format 1.0: magic, version, header length, a dict padded to 64 bytes. */
static int write_npy_header(FILE *f, const char *descr, uint32_t rows, uint32_t cols)
{
    char dict[128];
    int n = cols
                ? snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%u, %u), }", descr,
                           rows, cols)
                : snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%u,), }", descr, rows);
    size_t total = 10 + (size_t)n + 1, pad = (64 - total % 64) % 64;
    size_t hlen = (size_t)n + pad + 1;
    unsigned char pre[10] = {
        0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(hlen & 0xFF), (unsigned char)(hlen >> 8)};
    fwrite(pre, 1, 10, f);
    fwrite(dict, 1, (size_t)n, f);
    for (size_t i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    return ferror(f) ? 1 : 0;
}

/* The table without its out-of-vocabulary last row, ids beside it. */
static int export_table(const char *dir, const char *what, const char *id_name, const uint32_t *ids, size_t id_stride,
                        const tl_tensor *t, int npy)
{
    char path[4096];
    uint32_t rows = t->rows - 1, dim = t->cols;
    if (npy) {
        snprintf(path, sizeof path, "%s/%s.npy", dir, what);
        FILE *f = fopen(path, "wb");
        if (!f) goto fail;
        write_npy_header(f, "<f4", rows, dim);
        fwrite(t->data, sizeof(float), (size_t)rows * dim, f); /* little-endian hosts: x86-64 and WASM */
        if (fclose(f)) goto fail;
        snprintf(path, sizeof path, "%s/%s_ids.npy", dir, what);
        f = fopen(path, "wb");
        if (!f) goto fail;
        write_npy_header(f, "<u4", rows, 0);
        for (uint32_t r = 0; r < rows; r++) fwrite((const char *)ids + r * id_stride, 4, 1, f);
        if (fclose(f)) goto fail;
        return 0;
    }
    snprintf(path, sizeof path, "%s/%s.csv", dir, what);
    FILE *f = fopen(path, "w");
    if (!f) goto fail;
    fprintf(f, "%s", id_name);
    for (uint32_t c = 0; c < dim; c++) fprintf(f, ",e%u", c);
    fputc('\n', f);
    for (uint32_t r = 0; r < rows; r++) {
        uint32_t id;
        memcpy(&id, (const char *)ids + r * id_stride, 4);
        fprintf(f, "%u", id);
        for (uint32_t c = 0; c < dim; c++) fprintf(f, ",%.9g", t->data[(size_t)r * dim + c]);
        fputc('\n', f);
    }
    if (fclose(f)) goto fail;
    return 0;
fail:
    fprintf(stderr, "towerlens export: %s: %s\n", path, strerror(errno));
    return 1;
}

int cmd_export(int argc, char **argv)
{
    const char *model = NULL, *out = NULL, *format = "csv";
    const tl_arg_opt opts[] = {
        {"model", TL_ARG_STRING, &model, "FILE", "the model file written by `towerlens train --out` (required)", 0, 0},
        {"out", TL_ARG_STRING, &out, "DIR", "the folder to write into; created when missing (required)", 0, 0},
        {"format", TL_ARG_STRING, &format, "csv|npy",
         "csv: NAME.csv per table (userId or movieId, e0, ...: users.csv, movies.csv); npy: NAME.npy (float32 rows) "
         "with NAME_ids.npy (uint32)",
         0, 0},
    };
    const tl_arg_spec spec = {
        "export",
        "--model FILE --out DIR [--format csv|npy]",
        "Writes the model's per-user and per-movie tables with their raw MovieLens ids, one row per id\n"
        "(the out-of-vocabulary rows are left out): users and movies for embedding models (with a rating\n"
        "head, head.user_bias and head.movie_bias too), popularity for the popularity model.",
        opts,
        sizeof opts / sizeof opts[0],
        NULL,
        NULL,
        0,
    };
    int r = tl_args_parse(&spec, argc, argv);
    if (r != TL_ARGS_OK) return tl_args_exit(r);
    if (!model || !out) {
        fprintf(stderr, "towerlens export: --model FILE and --out DIR are required (see --help)\n");
        return 2;
    }
    int npy = !strcmp(format, "npy");
    if (!npy && strcmp(format, "csv")) {
        fprintf(stderr, "towerlens export: --format must be csv or npy, got \"%s\"\n", format);
        return 2;
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "towerlens export: cannot create %s: %s\n", out, strerror(errno));
        return 1;
    }
    tl_model_file *mf = NULL;
    tl_error err;
    tl_error_clear(&err);
    if (tl_store_load_path(model, &mf, &err) != TL_OK) {
        fprintf(stderr, "towerlens export: %s\n", err.message);
        return 1;
    }
    const tl_dataset *ds = mf->ds;
    const tl_model_type *type = tl_model_type_of_config(mf->config_json);
    if (!type) {
        fprintf(stderr, "towerlens export: %s: the model's type is unknown to this build\n", model);
        tl_model_file_free(mf);
        return 1;
    }
    int rc = 0;
    for (const char *const *t = type->user_tables; !rc && t && *t; t++) {
        const tl_tensor *table = tl_model_file_tensor(mf, *t);
        if (table) rc = export_table(out, *t, "userId", ds->user_ids, sizeof(uint32_t), table, npy);
    }
    for (const char *const *t = type->movie_tables; !rc && t && *t; t++) {
        const tl_tensor *table = tl_model_file_tensor(mf, *t);
        if (table) rc = export_table(out, *t, "movieId", &ds->movies[0].id, sizeof(tl_movie), table, npy);
    }
    tl_model_file_free(mf);
    return rc;
}
