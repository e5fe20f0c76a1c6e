#!/bin/bash
# capture.sh - refresh the seed corpora (tests/fuzz/corpus) from real
# traffic: run integration tests with capture.so preloaded into every
# server, tool and client, then keep, per target, the captured messages
# that add coverage (libFuzzer -merge) to what the corpus already has.
#
#   tests/fuzz/capture.sh [--build DIR] [TEST...]
#
# DIR: a configured and built pfs build directory (default ./build).
# TEST: integration tests to run (default: a set that sends every kind of
# message).  Needs what those tests need (tests/README.md) and clang for
# the merge (run.sh builds the harnesses).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
build=$SRC/build
tests=""
while [ $# -gt 0 ]; do
    case $1 in
    --build) build=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) tests="$tests $1"; shift ;;
    esac
done
build=$(cd "$build" && pwd)
: "${tests:=ensemble_mpich structured_io collective_io local_io namespace_tools
    shared_fp layouts object_removal cp_tree mds_crash}"

cap=$build/fuzz/capture
rm -rf "$cap"
mkdir -p "$cap/raw"
# shellcheck disable=SC2046
gcc -shared -fPIC -O1 -Wall -Wextra -I"$build" -I"$SRC/include" -I"$SRC/common" \
    $(pkg-config --cflags ucx) "$HERE/capture.c" -o "$cap/capture.so" -ldl || exit 1

for t in $tests; do
    echo "== $t (captured)"
    (cd "$build" && top_srcdir=$SRC top_builddir=$build \
        PFS_FUZZ_CAPTURE=$cap/raw LD_PRELOAD=$cap/capture.so \
        bash "$SRC/tests/integration/$t.sh" >"$cap/$t.log" 2>&1) ||
        echo "   $t failed (log $cap/$t.log); its messages are kept all the same"
done

"$HERE/run.sh" --build "$build" --runs 0 >/dev/null 2>&1 # build the harnesses
for t in $("$HERE/run.sh" --list); do
    raw=$cap/raw/$t seeds=$HERE/corpus/$t
    mkdir -p "$seeds"
    [ -d "$raw" ] || { echo "$t: nothing captured"; continue; }
    before=$(find "$seeds" -type f | wc -l)
    "$build/fuzz/bin/fuzz_$t" -merge=1 "$seeds" "$raw" >"$cap/merge-$t.log" 2>&1 ||
        { echo "$t: merge failed (log $cap/merge-$t.log)"; continue; }
    echo "$t: $(find "$raw" -type f | wc -l) captured, corpus $before -> $(find "$seeds" -type f | wc -l)"
done
