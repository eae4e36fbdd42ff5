/* The model types (model_type.h): one row each. */
#include <string.h>

#include "models/scorer_open.h"
#include "towerlens/model_type.h"

static const char *const embed_users[] = {"users", "head.user_bias", NULL};
static const char *const embed_movies[] = {"movies", "head.movie_bias", NULL};
static const char *const popularity_movies[] = {"popularity", NULL};

static const tl_model_type types[] = {
    {"ials", "implicit ALS with rating confidence: dot products of user and movie vectors", NULL, tl_embed_open,
     embed_users, embed_movies},
    {"two-tower", "the original's two towers: in-batch softmax (and an optional rating head)", NULL, tl_embed_open,
     embed_users, embed_movies},
    {"popularity", "every movie scored by its number of train ratings", NULL, tl_popularity_open, NULL,
     popularity_movies},
    {"imported", "user and movie factors trained elsewhere (Spark ALS), folded in as their training implies", NULL,
     tl_imported_open, embed_users, embed_movies},
};

const tl_model_type *tl_model_type_at(uint32_t i)
{
    return i < sizeof types / sizeof types[0] ? &types[i] : NULL;
}

const tl_model_type *tl_model_type_find(const char *name)
{
    for (uint32_t i = 0; name && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, name) == 0) return &types[i];
    return NULL;
}

const tl_model_type *tl_model_type_of_config(const char *config_json)
{
    const char *key = config_json ? strstr(config_json, "\"model\":\"") : NULL;
    if (key) {
        key += strlen("\"model\":\"");
        for (uint32_t i = 0; i < sizeof types / sizeof types[0]; i++) {
            size_t n = strlen(types[i].name);
            if (strncmp(key, types[i].name, n) == 0 && key[n] == '"') return &types[i];
        }
        return NULL;
    }
    /* files written before the type was recorded hold embedding tables */
    if (config_json && strstr(config_json, "\"preset\":\"imported\"")) return tl_model_type_find("imported");
    if (config_json && strstr(config_json, "\"loss\":\"ials\"")) return tl_model_type_find("ials");
    return tl_model_type_find("two-tower");
}
