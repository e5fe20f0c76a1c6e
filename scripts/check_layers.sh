#!/bin/bash
# check_layers.sh - every folder's #includes against the "May depend on"
# paragraph of its README (the layering rules of doc/architecture.md).
#
#   scripts/check_layers.sh [SOURCE_DIR]
#
# The paragraph starts with "May depend on:" and ends at a blank line.
# Its entries, separated by ";" or ",":
#   `dir/`            any header of that folder of ours
#   `dir/module`      only dir/module.h of that folder
#   LIB               an outside library: UCX, MPI, PMIx, LevelDB, CUnit,
#                     ROMIO, Open MPI, HDF5, libcrypto
#   LIB (only `f.c`, `g.c`)  ... and only in those files of the folder
# A "Not on:" paragraph lists `dir/module`s excluded even though their
# folder is allowed.  A folder may always include its own headers and the
# public ones (include/pfs/), and the build's config.h.  Prints each
# violation as FILE:LINE: what; exit 1 if there is any, 0 if none.
set -u
TOP=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$TOP" || exit 2
FOLDERS="common libpio mds iosrv tools examples bench adio/ad_pfs adio/ompio adio/shared"
status=0
found=$(mktemp)

# the paragraph starting with $2 in README $1, on one line
paragraph() {
    awk -v key="$2" 'index($0, key) == 1 { p = 1 } p && /^[[:space:]]*$/ { exit }
        p { printf "%s ", $0 }' "$1"
}

# the outside library a header belongs to, or nothing
library_of() {
    case $1 in
    ucp/* | ucs/* | uct/*) echo UCX ;;
    mpi.h | pfs/pio_mpi.h) echo MPI ;;
    pmix.h | pmix/*) echo PMIx ;;
    leveldb/*) echo LevelDB ;;
    CUnit/*) echo CUnit ;;
    adio.h | mpiu_greq.h | ../../mpi-io/*) echo ROMIO ;;
    ompi/* | opal/* | ompi_config.h) echo "Open MPI" ;;
    hdf5.h | H5*.h) echo HDF5 ;;
    openssl/*) echo libcrypto ;;
    esac
}

# folder of ours holding header $2 included from folder $1 ("" if none)
folder_of() {
    local from=$1 h=$2 hit
    [ -f "$from/$h" ] && { echo "$from"; return; }
    [ -f "include/$h" ] && { echo include; return; }
    hit=$(find common libpio mds iosrv tools adio -name "${h##*/}" -path "*$h" 2>/dev/null | head -1)
    [ -n "$hit" ] && dirname "$hit"
}

violation() {
    echo "$1: $2"
    status=1
}

for f in $FOLDERS; do
    readme=$f/README.md
    [ -f "$readme" ] && grep -q '^May depend on:' "$readme" || readme=$(dirname "$f")/README.md
    if ! grep -q '^May depend on:' "$readme" 2>/dev/null; then
        violation "$f" "no 'May depend on:' paragraph in $f/README.md"
        continue
    fi
    allowed=$(paragraph "$readme" "May depend on:")
    denied=$(paragraph "$readme" "Not on:")
    for src in "$f"/*.c "$f"/*.h; do
        [ -f "$src" ] || continue
        base=${src##*/}
        grep -n '^[[:space:]]*#[[:space:]]*include' "$src" |
            sed -E 's/^([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1 \2/' |
            while read -r line h; do
                [ "$h" = config.h ] && continue
                lib=$(library_of "$h")
                if [ -n "$lib" ]; then
                    # LIB, or LIB (only `a.c`, `b.c`)
                    entry=$(echo "$allowed" | grep -oE "(^|[:;,] *)$lib( \(only [^)]*\))?" | head -1)
                    if [ -z "$entry" ]; then
                        violation "$src:$line" "includes $h: $lib is not in the folder's 'May depend on'"
                    elif echo "$entry" | grep -q "(only" && ! echo "$entry" | grep -q "\`$base\`"; then
                        violation "$src:$line" "includes $h: $lib only in $(echo "$entry" | sed 's/.*(only //; s/)$//')"
                    fi
                    continue
                fi
                dir=$(folder_of "$f" "$h")
                [ -z "$dir" ] && continue # a system header
                [ "$dir" = "$f" ] || [ "$dir" = include ] || [ "${dir#include/}" != "$dir" ] && continue
                module=$dir/${h##*/}
                module=${module%.h}
                if echo "$denied" | grep -q "\`$module\`"; then
                    violation "$src:$line" "includes $h: \`$module\` is in the folder's 'Not on'"
                elif ! echo "$allowed" | grep -qE "\`($dir/|$module)\`"; then
                    violation "$src:$line" "includes $h from $dir/, not in the folder's 'May depend on'"
                fi
            done | tee -a "$found"
    done
done
if [ -s "$found" ]; then
    status=1
fi
rm -f "$found"
[ "$status" = 0 ] && echo "check_layers: every #include within its folder's 'May depend on'"
exit "$status"
