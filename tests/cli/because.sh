#!/usr/bin/env bash
# "Because you rated" in recommend and foldin (JSON "because" and the line
# under each title): on taste data (user u rates genre u % 4 at 4.5 and a
# few other movies at 2), every reason is a movie the user rated 4 or more,
# at most 3 per movie, never the movie itself; a 1-star movie of a visitor
# is never a reason; popularity gives none; similar has no "because".
#   bash tests/cli/because.sh path/to/towerlens
source "$(dirname "$0")/check.bash" "$@"
data="$tmp/taste"
taste_data "$data"
# user 1's ratings as {movieId: stars}
liked1='Object.fromEntries(Array.from({length: 10}, (_, i) => [4 * i + 1, 4.5]))'

for preset in default ease blend; do
    model="$tmp/$preset.tlm"
    run 0 train "$data" --preset "$preset" --test-fraction 0 --out "$model"
    run 0 recommend --model "$model" --user 1 -k 8 --json
    js 'o.items.length === 8 && o.items.every((i) => Array.isArray(i.because) && i.because.length <= 3)'
    js "o.items.every((i) => i.because.every((b) => ($liked1)[b.movieId] === b.rating && b.rating >= 4))"
    js 'o.items.some((i) => i.because.length > 0)'
    js 'o.items.every((i) => i.because.every((b) => typeof b.title === "string" && b.title.startsWith("Film ")))'
    # with the seen movies included (EASE needs them to score) a movie is never its own reason
    if [ "$preset" = default ]; then
        run 0 recommend --model "$model" --user 1 -k 20 --include-seen --json
        js 'o.items.every((i) => i.because.every((b) => b.movieId !== i.movieId))'
        js "o.items.every((i) => i.because.every((b) => ($liked1)[b.movieId] === 4.5))"
    fi
    # plain text: one line under a title
    run 0 recommend --model "$model" --user 1 -k 3
    has out "     because you rated: Film "
    has out "(4.5)"
    # a visitor: 5 and 9 at 5 stars, 13 at 4, 2 and 6 at 1 star, 3 at 3
    run 0 foldin --model "$model" --rated 5:5,9:5,13:4,2:1,6:1,3:3 -k 8 --json
    js 'o.items.every((i) => i.because.length <= 3 && i.because.every((b) => [5, 9, 13].includes(b.movieId)))'
    js 'o.items.every((i) => i.because.every((b) => b.rating === (b.movieId === 13 ? 4 : 5)))'
    js 'o.items.some((i) => i.because.length > 0)'
    # larger shares first: the order the reasons come in is the model's, checked in test_because
    run 0 foldin --model "$model" --rated 5:5,9:5 -k 2
    has out "because you rated: Film "
    run 0 similar --model "$model" --movie 5 -k 3 --json
    js 'o.items.every((i) => !("because" in i))'
done

run 0 train "$data" --preset popularity --test-fraction 0 --out "$tmp/pop.tlm"
run 0 recommend --model "$tmp/pop.tlm" --user 1 -k 5 --json
js 'o.items.length === 5 && o.items.every((i) => Array.isArray(i.because) && i.because.length === 0)'
run 0 foldin --model "$tmp/pop.tlm" --rated 5:5,9:5 -k 5 --json
js 'o.items.every((i) => i.because.length === 0)'
finish because
