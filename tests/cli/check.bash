# Shared by the CLI tests (sourced, not run): `source check.bash "$@"` sets
# bin (the towerlens binary, $1), src (the source tree), fx (fixtures), tmp
# (removed on exit) and the checks below; `finish NAME` prints the tally and
# sets the exit status.
set -u
bin=${1:?usage: bash tests/cli/TEST.sh path/to/towerlens}
src=${TL_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
fx="$src/tests/fixtures"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
checks=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run EXPECTED_STATUS ARGS...: runs the binary, keeps stdout/stderr in $tmp
run() {
    local want=$1
    shift
    checks=$((checks + 1))
    "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    [ "$got" = "$want" ] || fail "towerlens $* exited $got, expected $want (stderr: $(head -c 300 "$tmp/err"))"
}

# has FILE TEXT: FILE (out or err) contains TEXT literally
has() {
    checks=$((checks + 1))
    grep -qF -- "$2" "$tmp/$1" || fail "$1 of the last command lacks: $2 (got: $(head -c 400 "$tmp/$1"))"
}

# js EXPR: EXPR is true with `o` = the last command's stdout parsed as JSON
js() {
    checks=$((checks + 1))
    EXPR="$1" node -e 'const o = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
             process.exit(new Function("o", "return (" + process.env.EXPR + ");")(o) ? 0 : 1);' "$tmp/out" ||
        fail "JSON check failed: $1 (got: $(head -c 400 "$tmp/out"))"
}

# taste_data DIR: 80 users, 40 movies in 4 genres (user u likes genre u % 4)
# as ratings.csv + movies.csv; movie 7 has a comma and quotes in its title,
# movie 40 has no year. serve.sh and import.sh train on it.
taste_data() {
    local data=$1
    mkdir -p "$data"
    awk -v dir="$data" 'BEGIN {
        print "movieId,title,genres" > dir "/movies.csv"
        split("Action Comedy Drama Horror", g, " ")
        for (m = 1; m <= 40; m++) {
            t = "Film " m " (" 1980 + m ")"
            if (m == 7) t = "\"Heat, the \"\"Movie\"\" (1987)\""
            if (m == 40) t = "Untitled"
            printf "%d,%s,%s\n", m, t, g[1 + m % 4] >> dir "/movies.csv"
        }
        print "userId,movieId,rating,timestamp" > dir "/ratings.csv"
        for (u = 1; u <= 80; u++)
            for (m = 1; m <= 40; m++)
                if (m % 4 == u % 4 || (m + u) % 9 == 0)
                    printf "%d,%d,%.1f,%d\n", u, m, (m % 4 == u % 4) ? 4.5 : 2.0, 1000000000 + u * 100 + m >> dir "/ratings.csv"
    }'
}

finish() {
    echo "$1: $checks checks, $failures failed"
    [ "$failures" = 0 ]
}
