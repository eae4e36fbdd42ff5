#!/usr/bin/env bash
# towerlens generate: the committed demo set is reproduced byte for byte by
# the command in data/README.md; options and errors behave as documented.
# usage: bash tests/cli/generate.sh path/to/towerlens
set -u
bin=${1:?usage: generate.sh path/to/towerlens}
src=${TL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
checks=0

ok() { checks=$((checks + 1)); }
fail() { checks=$((checks + 1)); fails=$((fails + 1)); echo "FAIL: $*" >&2; }

# expect STATUS PATTERN -- command...: exit status and a stderr substring
expect() {
    local want=$1 pattern=$2
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "'$*' exited $got, expected $want (stderr: $(cat "$tmp/err"))"
    elif [ -n "$pattern" ] && ! grep -qF -- "$pattern" "$tmp/err"; then
        fail "'$*' stderr lacks '$pattern': $(cat "$tmp/err")"
    else
        ok
    fi
}

# 1. the demo set: the exact command from data/README.md, into a temp dir
cmd=$(grep -m1 -E '^towerlens generate .*--out data/demo' "$src/data/README.md")
if [ -z "$cmd" ]; then
    fail "data/README.md has no 'towerlens generate ... --out data/demo' line"
else
    args=${cmd#towerlens generate }
    args=${args/--out data\/demo/--out $tmp/demo}
    # shellcheck disable=SC2086
    if "$bin" generate $args --quiet; then ok; else fail "regenerating the demo set failed"; fi
    for f in ratings.csv movies.csv tags.csv links.csv; do
        if [ -f "$src/data/demo/$f" ] && cmp -s "$src/data/demo/$f" "$tmp/demo/$f"; then
            ok
        else
            fail "data/demo/$f differs from what '$cmd' writes (regenerate it, or fix the nondeterminism)"
        fi
    done
fi

# 2. same seed same bytes, other seed other bytes, --out=DIR form, summary line
"$bin" generate --users 40 --movies 90 --ratings 900 --seed 5 --out "$tmp/a" >"$tmp/a.out" || fail "small set"
"$bin" generate --users=40 --movies=90 --ratings=900 --seed=5 --out="$tmp/b" --quiet >"$tmp/b.out" || fail "--opt=value"
"$bin" generate --users 40 --movies 90 --ratings 900 --seed 6 --out "$tmp/c" --quiet || fail "seed 6"
if cmp -s "$tmp/a/ratings.csv" "$tmp/b/ratings.csv" && cmp -s "$tmp/a/movies.csv" "$tmp/b/movies.csv"; then ok; else fail "same seed, different bytes"; fi
if cmp -s "$tmp/a/ratings.csv" "$tmp/c/ratings.csv"; then fail "seeds 5 and 6 gave the same ratings"; else ok; fi
if grep -q "900 ratings by 40 users of 90 movies" "$tmp/a.out"; then ok; else fail "summary line: $(cat "$tmp/a.out")"; fi
if [ ! -s "$tmp/b.out" ]; then ok; else fail "--quiet printed: $(cat "$tmp/b.out")"; fi
if [ "$(wc -l <"$tmp/a/ratings.csv")" = 901 ] && [ "$(wc -l <"$tmp/a/movies.csv")" = 91 ]; then ok; else fail "row counts"; fi
if [ ! -e "$tmp/a/tags.csv" ] && [ ! -e "$tmp/a/links.csv" ]; then ok; else fail "tags/links written without --tags/--links"; fi
if ls "$tmp"/a/*.tmp >/dev/null 2>&1; then fail "temporary files left behind"; else ok; fi
# nested folders are created
"$bin" generate --users 3 --movies 3 --ratings 9 --out "$tmp/x/y/z" --quiet && [ -s "$tmp/x/y/z/ratings.csv" ] && ok || fail "nested --out"

# 3. help
expect 0 "" -- "$bin" generate --help
for opt in --out --users --movies --ratings --seed --tags --links --quiet "usage: towerlens generate --out DIR" "(default: 600)" "limits: N <= 20000000"; do
    if grep -qF -- "$opt" "$tmp/out"; then ok; else fail "generate --help does not describe $opt"; fi
done
"$bin" --help | grep -q "generate" && ok || fail "towerlens --help does not list generate"

# 4. errors: non-zero exit, a message naming the problem, nothing half-written
expect 2 "--out DIR is required" -- "$bin" generate --users 10
expect 2 "is more than --users x --movies = 20" -- "$bin" generate --users 4 --movies 5 --ratings 21 --out "$tmp/e1"
expect 2 "fewer than --users" -- "$bin" generate --users 40 --movies 5 --ratings 39 --out "$tmp/e2"
expect 2 "--users must be at least 1" -- "$bin" generate --users 0 --out "$tmp/e3"
expect 2 "--users must be a whole number from 0 to 4294967295, got \"12abc\"" -- "$bin" generate --users 12abc --out "$tmp/e4"
expect 2 "--ratings must be a whole number, got \"-5\"" -- "$bin" generate --ratings -5 --out "$tmp/e5"
expect 2 "--seed needs a value" -- "$bin" generate --out "$tmp/e6" --seed
expect 2 "--out needs a folder name" -- "$bin" generate --out=
expect 2 "--tags takes no value" -- "$bin" generate --tags=1 --out "$tmp/e9"
expect 2 "unexpected argument \"extra\"" -- "$bin" generate --out "$tmp/e10" extra
expect 2 'unknown option "--user" (see towerlens generate --help)' -- "$bin" generate --user 5 --out "$tmp/e7"
expect 2 "is over the limit" -- "$bin" generate --users 30000000 --movies 10 --ratings 300000000 --out "$tmp/e8"
for d in e1 e2 e3 e4 e5 e6 e7 e8 e9 e10; do
    if [ -e "$tmp/$d" ]; then fail "a rejected command created $d"; else ok; fi
done
touch "$tmp/file"
expect 1 "cannot create folder $tmp/file/sub" -- "$bin" generate --users 5 --movies 5 --ratings 10 --out "$tmp/file/sub"
expect 1 "Not a directory" -- "$bin" generate --users 5 --movies 5 --ratings 10 --out "$tmp/file"
if [ -d /dev/full ] || [ ! -w /dev/full ]; then
    ok
else
    # a sink that fails mid-write: ratings.csv.tmp -> /dev/full
    mkdir -p "$tmp/full" && ln -s /dev/full "$tmp/full/ratings.csv.tmp"
    expect 1 "ratings.csv: writing failed" -- "$bin" generate --users 50 --movies 50 --ratings 2000 --out "$tmp/full"
    if [ -e "$tmp/full/ratings.csv" ] || [ -e "$tmp/full/movies.csv" ]; then fail "files kept after a failed write"; else ok; fi
fi

echo "cli generate: $checks checks, $fails failed"
[ "$fails" = 0 ]
