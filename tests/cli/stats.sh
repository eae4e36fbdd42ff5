#!/usr/bin/env bash
# `towerlens stats`: outputs, messages and exit codes.
#   bash tests/cli/stats.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"

empty() {
    checks=$((checks + 1))
    [ ! -s "$tmp/$1" ] || fail "$1 of the last command should be empty (got: $(head -c 200 "$tmp/$1"))"
}

# help
run 0 --help
has out "stats"
has out "summarise MovieLens files"
run 0 stats --help
has out "usage: towerlens stats PATH... [--json]"
has out "--json"
has out "--help"
empty err
run 2
has err "usage: towerlens COMMAND"
# the version is package.json's (CMakeLists.txt reads it into TL_VERSION)
run 0 --version
has out "towerlens $(node -p 'require(process.argv[1]).version' "$src/package.json")"

# argument errors
run 2 stats
has err "towerlens stats: missing PATH"
run 2 stats --bogus "$fx/small"
has err "unknown option \"--bogus\""
run 2 stats --json=1 "$fx/small"
has err "--json takes no value"

# a readable summary of a folder
run 0 stats "$fx/small"
has out "ratings      9"
has out "users        4"
has out "movies       11 in the catalogue, 5 of them rated; 1 more rated movie is not in the catalogue"
has out "genres (13)  (no genres listed), Adventure, Animation"
has out "ratings      from 0.5 to 5.0"
has out "tags         3"
has out "warning      1 rating of 1 movie that is not in the movies file"
has out "warning      1 rating repeats an earlier (user, movie) pair (all kept)"
empty err

# JSON
run 0 stats --json "$fx/small/ratings.csv" "$fx/small/movies.csv"
has out '{"ratings":9,"users":4,"movies":11,"rated_movies":6,"movies_total":12,"genres":["(no genres listed)","Adventure",'
has out '"rating_min":0.5,"rating_max":5,'
has out '"rating_histogram":{"0.5":1,"1.0":1,"1.5":0,"2.0":1,"2.5":0,"3.0":1,"3.5":1,"4.0":1,"4.5":1,"5.0":2}'
has out '"first_timestamp":964981247,"last_timestamp":1445715000,"tags":0,"warnings":["1 rating of 1 movie that is'
checks=$((checks + 1))
[ "$(wc -l <"$tmp/out")" = 1 ] || fail "--json should print exactly one line"

# older layouts, Latin-1 titles
run 0 stats --json "$fx/ml-100k"
has out '"ratings":6,"users":3,"movies":6,"rated_movies":5'
has out '"Children'"'"'s"'
run 0 stats "$fx/ml-1m"
has out "ratings      6"
has out "movies       7 in the catalogue, 6 of them rated"

# bad input: message on stderr with file:line: reason, nothing on stdout
run 1 stats "$fx/bad/rating_out_of_range.csv"
has err "rating_out_of_range.csv:3: rating \"7.5\" is outside 0.5-5"
empty out
run 1 stats "$fx/bad/unterminated.csv"
has err "unterminated.csv:3: unterminated quoted field"
run 1 stats "$fx/bad/image.png"
has err "image.png: this is a PNG image, not a MovieLens text file"
run 1 stats "$fx/bad/empty.csv"
has err "empty.csv: the file is empty; expected"
run 1 stats "$fx/bad/unknown_header.csv"
has err "unknown_header.csv: unrecognised file: the first line is \"id,name,score\""
run 1 stats "$fx/small/movies.csv"
has err "no ratings file among the input"
has err "expected a ratings file"
run 1 stats "$tmp/does-not-exist.csv"
has err "does-not-exist.csv: cannot open: No such file or directory"
run 1 stats "$fx/bad"
has err "this folder holds no MovieLens data files"

# out of memory is a message, not a crash (not under AddressSanitizer, which
# reserves terabytes of address space)
if ldd "$bin" 2>/dev/null | grep -q asan; then
    echo "SKIP: out-of-memory check (sanitizer build)"
else
    seq 1 1000000 | awk 'BEGIN { print "userId,movieId,rating,timestamp" } { print $1 ",1,4.0,1" }' >"$tmp/big.csv"
    checks=$((checks + 1))
    (ulimit -v 12000 && "$bin" stats "$tmp/big.csv") >"$tmp/out" 2>"$tmp/err"
    [ $? = 1 ] || fail "stats under a 12 MB memory limit should exit 1"
    has err "big.csv:"
    has err ": out of memory after"
fi

# the real ml-latest-small, when present
small="$src/../shared/data/ml-latest-small"
if [ -f "$small/ratings.csv" ]; then
    run 0 stats --json "$small"
    has out '"ratings":100836,"users":610,"movies":9742,"rated_movies":9724,'
    has out '"genres":["(no genres listed)","Action",'
    has out '"rating_min":0.5,"rating_max":5,'
    has out '"warnings":[]}'
    checks=$((checks + 1))
    n=$(grep -o '"genres":\[[^]]*\]' "$tmp/out" | tr ',' '\n' | wc -l)
    [ "$n" = 20 ] || fail "expected 20 genres, got $n"
else
    echo "SKIP: $small not found; real MovieLens checks skipped"
fi

finish stats.sh
