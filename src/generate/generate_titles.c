/* Synthetic movie titles in MovieLens's style: "Harbor, The (1994)",
 * "Amélie (Fabuleux destin d'Amélie Poulain, Le) (2001)", a.k.a. titles,
 * TV series with "(2007-)", a few without a year or with a trailing space,
 * commas and double quotes that force CSV quoting, and non-ASCII letters. */
#include <stdio.h>
#include <string.h>

#include "generate_model.h"
#include "generate_random.h"

static const char *pick(gen_rng *r, const gen_wordlist *l) { return l->w[gen_below(r, l->n)]; }

/* The part of a title before the year. */
static void title_body(gen_rng *r, char *b, size_t size)
{
    /* one draw per statement: C leaves the order of evaluating function
     * arguments open (gcc and clang differ), and the bytes must not */
    const char *a = pick(r, &gen_adjectives);
    const char *n1 = pick(r, &gen_nouns);
    const char *n2 = pick(r, &gen_nouns);
    const char *name = pick(r, &gen_names);
    uint32_t t = gen_below(r, 100);
    if (t < 14) snprintf(b, size, "%s %s", a, n1);
    else if (t < 22) snprintf(b, size, "%s", n1);
    else if (t < 34) /* MovieLens moves a leading article to the end */
        snprintf(b, size, gen_chance(r, 0.7) ? "%s %s, The" : "The %s %s", a, n1);
    else if (t < 39) snprintf(b, size, "%s in %s, A", n1, pick(r, &gen_places));
    else if (t < 47) snprintf(b, size, "%s of the %s %s", n1, a, n2);
    else if (t < 53) snprintf(b, size, "%s's %s", name, n1);
    else if (t < 58) snprintf(b, size, "%s and %s", name, pick(r, &gen_names));
    else if (t < 63) snprintf(b, size, "%s: %s", n1, pick(r, &gen_subtitles));
    else if (t < 68) snprintf(b, size, "%s %s %u", a, n1, 2 + gen_below(r, 4));
    else if (t < 72) snprintf(b, size, "%s, %s and %s", n1, n2, pick(r, &gen_nouns));
    else if (t < 76) snprintf(b, size, "%s in %s", n1, pick(r, &gen_places));
    else if (t < 79) snprintf(b, size, "The \"%s\" %s", a, n1);
    else if (t < 81) snprintf(b, size, "\"%s\" %s", n1, n2);
    else if (t < 88) snprintf(b, size, "%s %s (%s)", a, n1, pick(r, &gen_foreign));
    else if (t < 92) snprintf(b, size, "%s", pick(r, &gen_foreign));
    else if (t < 94) snprintf(b, size, "%s %s (a.k.a. %s)", a, n1, n2);
    else if (t < 97) snprintf(b, size, "%s %s", pick(r, &gen_places), n1);
    else snprintf(b, size, "%s %s (%s)", n1, name, pick(r, &gen_cjk));
}

void gen_title(gen_rng *r, const gen_movie *m, char *buf, size_t size)
{
    char body[400];
    title_body(r, body, sizeof body);
    uint32_t t = gen_below(r, 1000);
    if (t < 4) /* no year at all */
        snprintf(buf, size, "%s", body);
    else if (t < 6) /* a TV series still running */ snprintf(buf, size, "%s (%u-)", body, m->year);
    else if (t < 8 && m->year < 2020)
        snprintf(buf, size, "%s (%u-%u)", body, m->year,
                 m->year + 1 + gen_below(r, 2023u - m->year < 8 ? 2023u - m->year : 8));
    else if (t < 9) /* MovieLens has a few titles with a space after the year */
        snprintf(buf, size, "%s (%u) ", body, m->year);
    else snprintf(buf, size, "%s (%u)", body, m->year);
}
