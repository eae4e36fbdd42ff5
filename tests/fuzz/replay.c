/* Replays a fuzz target's corpus without libFuzzer: a plain program that
 * CMakeLists.txt links with each tests/fuzz/fuzz_NAME.c and registers with
 * ctest as fuzz_NAME_replay, fed tests/fuzz/corpus_NAME/, so every seed (and
 * every finding saved there) runs on each native and ASan+UBSan test run.
 * Each file named on the command line, and each file of each folder named
 * (in name order), goes through LLVMFuzzerTestOneInput once; a target
 * reports a finding by aborting, which fails the test. No input is an error
 * too, so a target cannot lose its corpus unnoticed. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One file through the target; 0 when it could not be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    size_t cap = 1 << 16, n = 0;
    uint8_t *bytes = malloc(cap);
    for (size_t got; bytes && (got = fread(bytes + n, 1, cap - n, f)) > 0;) {
        n += got;
        if (n == cap) {
            uint8_t *more = realloc(bytes, cap *= 2);
            if (!more) free(bytes);
            bytes = more;
        }
    }
    int ok = bytes && !ferror(f);
    fclose(f);
    if (ok) LLVMFuzzerTestOneInput(bytes, n);
    free(bytes);
    return ok;
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every regular file of `dir`, in name order; -1 on an error. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    char **names = NULL;
    size_t n = 0, cap = 0;
    long done = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.') continue;
        if (n == cap) {
            char **more = realloc(names, (cap = cap ? cap * 2 : 64) * sizeof *names);
            if (!more) break;
            names = more;
        }
        names[n] = malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (!names[n]) break;
        sprintf(names[n], "%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    if (names) qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (done >= 0 && stat(names[i], &sb) == 0 && S_ISREG(sb.st_mode)) {
            if (replay_file(names[i])) done++;
            else {
                fprintf(stderr, "cannot read %s\n", names[i]);
                done = -1;
            }
        }
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat sb;
        long n = stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode) ? replay_dir(argv[i]) : replay_file(argv[i]) ? 1 : -1;
        if (n < 0) {
            fprintf(stderr, "%s: cannot read %s\n", argv[0], argv[i]);
            return 1;
        }
        total += n;
    }
    printf("%s: %ld inputs replayed, no finding\n", argv[0], total);
    return total > 0 ? 0 : 1;
}
