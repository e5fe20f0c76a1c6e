#!/bin/sh
# check_format.sh - every C file of pfs follows .clang-format, checked with
# clang-format 14 (Debian 12's; another version formats some constructs
# differently, so the check is pinned to it).  The ROMIO and OMPIO drivers
# under adio/ follow ROMIO's and Open MPI's own style and are left out.
#
#   scripts/check_format.sh [SOURCE_DIR]      (exit 77 without clang-format-14)
#   scripts/check_format.sh --fix [SOURCE_DIR]   reformat in place
fix=
if [ "${1:-}" = --fix ]; then
    fix=1
    shift
fi
top=${1:-$(dirname "$0")/..}
cf=$(command -v clang-format-14 || true)
if [ -z "$cf" ]; then
    echo "SKIP: clang-format-14 is not installed (apt-get install clang-format-14)"
    exit 77
fi
cd "$top" || exit 1
files=$(find bench common examples h5fd include iosrv libpio mds tests tools \
    -name '*.[ch]' -not -name pio_version.h | sort)
if [ -n "$fix" ]; then
    echo "$files" | xargs "$cf" -i
    exit 0
fi
bad=0
for f in $files; do
    if ! "$cf" --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "$f: not formatted as .clang-format says (scripts/check_format.sh --fix)"
        "$cf" "$f" | diff -u "$f" - | head -20
        bad=$((bad + 1))
    fi
done
n=$(echo "$files" | wc -l)
echo "$n C files checked, $bad not formatted"
[ "$bad" = 0 ]
