#!/bin/bash
# run.sh - build the libFuzzer harnesses of tests/fuzz and run them.
#
#   tests/fuzz/run.sh [--seconds N | --runs N] [--build DIR] [--jobs N]
#                     [--skip-missing] [--list] [TARGET...]
#
# Builds each target (all of them by default; --list names them) with
# clang, -fsanitize=fuzzer,address,undefined, into DIR/fuzz (DIR: a
# configured pfs build directory for config.h; default $top_builddir,
# else ./build), then runs each for N seconds (default 10) or N inputs,
# starting from the seeds kept in tests/fuzz/corpus/TARGET (read only) and
# a working corpus in DIR/fuzz/corpus/TARGET.  A crash, sanitizer report,
# leak, timeout or failed FUZZ_CHECK is a finding: its input is saved in
# DIR/fuzz/findings/ and the script exits 1.  One summary line per target.
#
# --skip-missing: exit 77 (automake's SKIP) when clang or libFuzzer is not
# installed, instead of failing.  CLANG selects the compiler (default
# clang-14, else clang).  Debian 12: apt-get install clang-14
# libclang-rt-14-dev (scripts/common.sh installs them).
set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)

TARGETS="proto:hdr proto:hello_req proto:challenge_rep proto:status_rep
    proto:layout_spec proto:path_req proto:attr proto:cap
    proto:readdir_req proto:readdir_rep proto:dirents proto:rename_req
    proto:rename_rep proto:fp_req proto:fp_rep proto:setattr_req proto:lease_req
    proto:io_req proto:io_rep proto:remove_req proto:remove_rep
    proto:statfs_rep proto:errmsg proto:handle
    sio:sio_runs sio:sio_exec local:local_req local:local_rep
    store:store_super store:store_inode store:store_dentry
    store:store_removal"

# the sources the harnesses test: codecs and plans only, no transport
LIB_SRCS="common/wire.c common/proto.c common/proto_md.c common/cred.c common/sio.c
    common/local.c common/layout.c common/util.c common/status.c
    mds/mds_rec.c"

seconds=10 runs="" build="${top_builddir:-$SRC/build}" skip_missing=0
want=""
while [ $# -gt 0 ]; do
    case $1 in
    --seconds) seconds=$2; runs=""; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --skip-missing) skip_missing=1; shift ;;
    --list) for t in $TARGETS; do echo "${t#*:}"; done; exit 0 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) want="$want $1"; shift ;;
    esac
done

missing() {
    if [ "$skip_missing" = 1 ]; then
        echo "SKIP: $* (Debian 12: apt-get install clang-14 libclang-rt-14-dev)"
        exit 77
    fi
    echo "run.sh: $* (Debian 12: apt-get install clang-14 libclang-rt-14-dev)" >&2
    exit 1
}

build=$(cd "$build" 2>/dev/null && pwd) || { echo "run.sh: no build directory" >&2; exit 2; }
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
[ -n "$CLANG" ] || missing "clang is not installed"
[ -f "$build/config.h" ] || {
    echo "run.sh: $build is not a configured pfs build directory (no config.h); use --build DIR" >&2
    exit 2
}

OUT=$build/fuzz
mkdir -p "$OUT/obj" "$OUT/bin" "$OUT/corpus" "$OUT/findings" "$OUT/logs"
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-g -O1 -fno-omit-frame-pointer $SAN -Wall -Wextra -Werror -Wno-unused-function -Wno-unused-parameter"
CPPFLAGS="-I$build -I$SRC/include -I$SRC/common -I$SRC/mds $(pkg-config --cflags ucx 2>/dev/null)"

# libFuzzer itself: a program that links with it, or nothing to run
probe=$OUT/obj/probe
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { return 0; }\n' >"$probe.c"
"$CLANG" -fsanitize=fuzzer,address,undefined "$probe.c" -o "$probe" 2>"$probe.log" ||
    missing "$CLANG cannot link -fsanitize=fuzzer,address,undefined: $(head -c 300 "$probe.log")"

# the code under test, instrumented for coverage once
objs=""
for s in $LIB_SRCS; do
    o=$OUT/obj/$(basename "$s" .c).o
    if [ ! -f "$o" ] || [ "$SRC/$s" -nt "$o" ] || [ "$build/config.h" -nt "$o" ] ||
        [ -n "$(find "$SRC/common" "$SRC/mds" "$SRC/include" -name '*.h' -newer "$o" 2>/dev/null | head -1)" ]; then
        # shellcheck disable=SC2086
        "$CLANG" $CFLAGS -fsanitize=fuzzer-no-link $CPPFLAGS -c "$SRC/$s" -o "$o" || exit 1
    fi
    objs="$objs $o"
done

selected=""
for t in $TARGETS; do
    name=${t#*:}
    if [ -z "$want" ] || [[ " $want " == *" $name "* ]]; then
        selected="$selected $t"
    fi
done
for w in $want; do
    known=0
    for t in $TARGETS; do
        [ "${t#*:}" = "$w" ] && known=1
    done
    [ "$known" = 1 ] || {
        echo "run.sh: unknown target $w (--list names them)" >&2
        exit 2
    }
done

build_target() {
    local file=$1 name=$2 bin=$OUT/bin/fuzz_$2 src=$HERE/fuzz_$1.c
    if [ -f "$bin" ] && [ "$bin" -nt "$src" ] && [ "$bin" -nt "$HERE/fuzz.h" ] &&
        [ -z "$(find $objs -newer "$bin" | head -1)" ]; then
        return 0
    fi
    # shellcheck disable=SC2086
    "$CLANG" $CFLAGS -fsanitize=fuzzer $CPPFLAGS -DFUZZ_TARGET="$name" \
        "$src" $objs -o "$bin"
}

status=0
printf "%-13s %12s %8s %9s %8s %s\n" target inputs seconds exec/s corpus findings
for t in $selected; do
    file=${t%%:*} name=${t#*:}
    build_target "$file" "$name" || { echo "$name: build failed"; status=1; continue; }
    work=$OUT/corpus/$name seeds=$HERE/corpus/$name log=$OUT/logs/$name.log
    mkdir -p "$work"
    [ -d "$seeds" ] || seeds=""
    limit="-max_total_time=$seconds"
    [ -n "$runs" ] && limit="-runs=$runs"
    start=$(date +%s.%N)
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
        "$OUT/bin/fuzz_$name" $limit -print_final_stats=1 -timeout=10 \
        -rss_limit_mb=2048 -max_len=65536 \
        -artifact_prefix="$OUT/findings/$name-" "$work" ${seeds:+"$seeds"} >"$log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    corp=$(find "$work" ${seeds:+"$seeds"} -type f | xargs -r md5sum 2>/dev/null | awk '{print $1}' | sort -u | wc -l)
    finding=0
    if [ "$rc" != 0 ]; then
        finding=1
        status=1
    fi
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    rate=$(awk -v n="${execs:-0}" -v s="$secs" 'BEGIN { printf "%d", (s > 0 ? n / s : 0) }')
    printf '%-13s %12s %8s %9s %8s %s\n' "$name" "${execs:-?}" "$secs" "$rate" "$corp" "$finding"
    if [ "$finding" = 1 ]; then
        echo "---- $name: exit $rc, log $log"
        grep -E "ERROR|SUMMARY|fuzz check failed|Test unit written|deadly" "$log" | head -20
    fi
done
exit "$status"
