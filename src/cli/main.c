/* towerlens: the native command line over the same core as the WASM module. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

/* Each command lives in its own cmd_*.c file. */
static const tl_command commands[] = {
    {"stats", "summarise MovieLens files or a folder: counts, genres, ratings, warnings", cmd_stats},
    {"train", "train the two-tower model, evaluate it beside popularity, optionally save it", cmd_train},
    {"eval", "evaluate a saved model on MovieLens files beside popularity", cmd_eval},
    {"info", "what a model file holds: format, which ratings trained it, seen sets, sizes", cmd_info},
    {"recommend", "top-k movies for a user of a trained model, seen movies left out", cmd_recommend},
    {"similar", "movies nearest to a movie by cosine similarity of embeddings", cmd_similar},
    {"foldin", "recommendations for a new visitor from a few ratings", cmd_foldin},
    {"predict", "the predicted rating of a user for a movie, from a model with a rating head", cmd_predict},
    {"export", "write a model's embeddings with their ids as CSV or .npy", cmd_export},
    {"import", "build a model file from movie (and user) factors trained elsewhere, e.g. Spark ALS", cmd_import},
    {"generate", "write a synthetic MovieLens data set with learnable tastes", cmd_generate},
    {NULL, NULL, NULL},
};

static void usage(FILE *out)
{
    fprintf(out, "towerlens - two-tower movie recommender (native CLI)\n\n"
                 "usage: towerlens COMMAND [options]\n\n"
                 "commands:\n");
    for (const tl_command *c = commands; c->name; c++) fprintf(out, "  %-10s %s\n", c->name, c->summary);
    fprintf(out, "\n`towerlens COMMAND --help` describes a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("towerlens %s\n", TL_VERSION); /* from package.json (CMakeLists.txt) */
        return 0;
    }
    for (const tl_command *c = commands; c->name; c++)
        if (!strcmp(argv[1], c->name)) return c->run(argc - 1, argv + 1);
    fprintf(stderr, "towerlens: unknown command '%s' (see towerlens --help)\n", argv[1]);
    return 2;
}
