#!/bin/bash
# fuzz_check.sh - the short fuzz run of make check: every libFuzzer target
# of tests/fuzz for 1 second (about a minute in all, after the first
# build of the harnesses), from the seed corpora kept in the repository.
# SKIP (77) only when clang or libFuzzer is not installed.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
exec "$top_srcdir/tests/fuzz/run.sh" --skip-missing --seconds "${PFS_FUZZ_SECONDS:-1}" \
    --build "${top_builddir:-$top_srcdir/build}"
