/* The table of model types (model_type.h): names, training ops, openers. */
#include <string.h>

#include "models/models_internal.h"
#include "towerlens/model_type.h"
#include "towerlens/train.h"

/* The tensors whose rows follow the users / the movies (tl_model_align). */
static const char *const embed_users[] = {"users", "head.user_bias", NULL};
static const char *const embed_movies[] = {"movies", "head.movie_bias", "liked", NULL};
static const char *const popularity_movies[] = {"popularity", NULL};
static const char *const ease_movies[] = {"ease.counts", NULL};
static const char *const blend_users[] = {"users", NULL};
static const char *const blend_movies[] = {"movies", "liked", "ease.counts", NULL};

static const tl_model_type types[] = {
    {"ials", "implicit ALS with rating confidence (preset default)", &tl__ials_train_ops, tl__embed_open, embed_users,
     embed_movies},
    {"two-tower", "two embedding towers, in-batch softmax, optional rating head (presets tfrs, tfrs-multitask)",
     &tl__twotower_train_ops, tl__embed_open, embed_users, embed_movies},
    {"popularity", "each movie's train rating count (preset popularity)", &tl__popularity_train_ops,
     tl__popularity_open, NULL, popularity_movies},
    {"ease", "EASE: an item-item matrix in closed form over the user's rated movies (preset ease)", &tl__ease_train_ops,
     tl__ease_open, NULL, ease_movies},
    {"imported",
     "user and movie factors trained elsewhere (Spark ALS), folded in as their training implies (towerlens "
     "import)",
     NULL, tl__imported_open, embed_users, embed_movies},
    {"blend",
     "iALS, EASE and (with rating times) time-neighbour scores standardised per user and blended, the weights chosen "
     "on validation (preset blend)",
     &tl__blend_train_ops, tl__blend_open, blend_users, blend_movies},
};
#define N_TYPES (sizeof types / sizeof *types)

const tl_model_type *tl_model_type_at(uint32_t i) { return i < N_TYPES ? &types[i] : NULL; }

const tl_model_type *tl_model_type_find(const char *name)
{
    for (size_t i = 0; name && i < N_TYPES; i++)
        if (!strcmp(types[i].name, name)) return &types[i];
    return NULL;
}

const tl_model_type *tl_model_type_of_loss(tl_loss_kind loss)
{
    for (size_t i = 0; i < N_TYPES; i++)
        if (types[i].train && types[i].train->loss == loss) return &types[i];
    return NULL;
}

/* The string value of top-level key `key` of a JSON object: *len bytes
 * from the returned pointer (escapes not decoded), or NULL when the key is
 * absent (*present = 0) or its value is not a string (*present = 1).
 * Nested objects, arrays and strings are skipped whole. */
static const char *top_level_string(const char *json, const char *key, size_t *len, int *present)
{
    *present = 0;
    size_t k = strlen(key);
    int depth = 0, expect_key = 0;
    for (const char *p = json; *p; p++) {
        char c = *p;
        if (c == '"') {
            const char *s = p + 1, *q = s;
            while (*q && *q != '"') q += (q[0] == '\\' && q[1]) ? 2 : 1;
            if (!*q) return NULL;
            if (depth == 1 && expect_key && (size_t)(q - s) == k && !strncmp(s, key, k)) {
                const char *v = q + 1;
                while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') v++;
                if (*v++ != ':') return NULL;
                *present = 1;
                while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r') v++;
                if (*v != '"') return NULL;
                const char *e = ++v;
                while (*e && *e != '"') e += (e[0] == '\\' && e[1]) ? 2 : 1;
                if (!*e) return NULL;
                *len = (size_t)(e - v);
                return v;
            }
            expect_key = 0;
            p = q;
        } else if (c == '{' || c == '[') {
            depth++;
            expect_key = c == '{' && depth == 1;
        } else if (c == '}' || c == ']') {
            depth--;
            expect_key = 0;
        } else if (c == ',') {
            expect_key = depth == 1;
        } else if (c == ':') {
            expect_key = 0;
        }
    }
    return NULL;
}

static int equals(const char *s, size_t n, const char *lit) { return strlen(lit) == n && !strncmp(s, lit, n); }

const tl_model_type *tl_model_type_of_config(const char *config_json)
{
    const char *json = config_json ? config_json : "{}";
    size_t n = 0;
    int present;
    const char *name = top_level_string(json, "model", &n, &present);
    if (present) {
        for (size_t i = 0; i < N_TYPES; i++)
            if (name && equals(name, n, types[i].name)) return &types[i];
        return NULL;
    }
    /* written before types were recorded: imported factors say so, else the loss tells */
    const char *preset = top_level_string(json, "preset", &n, &present);
    if (preset && equals(preset, n, "imported")) return tl_model_type_find("imported");
    const char *loss = top_level_string(json, "loss", &n, &present);
    if (!present || equals(loss, n, "in_batch_softmax")) return tl_model_type_find("two-tower");
    if (loss && equals(loss, n, "ials")) return tl_model_type_find("ials");
    return NULL;
}
