# lib.sh - shared helpers of the integration tests: start an ensemble on
# loopback with a real launcher, stop it, clean up by PID.
#
# Sourced by the tests; expects top_builddir/top_srcdir (set by make check,
# defaulting to the current directory), MPIEXEC_MPICH and MPIRUN_OMPI.

set -u

: "${top_builddir:=$(pwd)}"
: "${top_srcdir:=$top_builddir}"
: "${MPIEXEC_MPICH:=$(command -v mpiexec.mpich || true)}"
: "${MPIRUN_OMPI:=$(command -v mpirun.openmpi || true)}"

B=$top_builddir
PFS_MDS=$B/pfs-mds
PFS_IOSRV=$B/pfs-iosrv
PFS_CTL=$B/pfs-ctl
EXAMPLE=$B/examples/pio_mpi_example
# Programs that run on the MPICH of adio/build-mpich.sh load its ROMIO
# driver's libpio.so.0 from $PFS_MPICH_PREFIX/lib (the driver links it
# dynamically); tests put this tree's libpio first on LD_LIBRARY_PATH
# ($B/.libs, see mpich_libpath), so that client and servers always speak
# the same protocol even when the MPICH was built from another tree.
# PFS_SANITIZED: this tree was built with --enable-sanitizers.
if grep -q -- '-fsanitize=address' "$B/Makefile" 2>/dev/null; then
    PFS_SANITIZED=yes
else
    PFS_SANITIZED=no
fi

# Open MPI refuses root without these; harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# MPICH's hydra: do not inherit a stale PMI world from the caller.
unset PMI_FD PMI_RANK PMI_SIZE PMIX_RANK PMIX_NAMESPACE 2>/dev/null || true

TEST_NAME=$(basename "$0" .sh)
# PFS_TEST_TMPDIR: where the work directory goes (scripts/sanitize.sh
# gives each test its own, to search its logs); else TMPDIR, else /tmp
# (without it every path below would be under /: stop at once)
WORK=$(mktemp -d "${PFS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/pfs-test-$TEST_NAME.XXXXXX") ||
    { echo "$TEST_NAME: cannot make a work directory" >&2; exit 99; }
LAUNCH_PID=""
SERVER_PIDS=""
FAILED=0

log() { printf '%s: %s\n' "$TEST_NAME" "$*"; }

fail() {
    log "FAIL: $*"
    FAILED=1
    exit 1
}

pass() { log "ok: $*"; }

# Kill what this test started, by PID only.
cleanup() {
    local pid
    for pid in $SERVER_PIDS $LAUNCH_PID; do
        kill -CONT "$pid" 2>/dev/null || true
        kill -TERM "$pid" 2>/dev/null || true
    done
    sleep 0.3
    for pid in $SERVER_PIDS $LAUNCH_PID; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    if [ "$FAILED" = 0 ] && [ -z "${PFS_KEEP_WORK:-}" ]; then
        rm -rf "$WORK"
    else
        log "logs and data kept in $WORK"
        for f in "$WORK"/*.log; do
            [ -f "$f" ] || continue
            echo "---- $f (last 30 lines)"
            tail -n 30 "$f"
        done
    fi
}
trap cleanup EXIT
trap 'FAILED=1; exit 1' INT TERM

# need PROGRAM WHAT HOW: a prerequisite this test cannot run without.
# Missing, the test is skipped (exit 77); scripts/check.sh, which installs
# every prerequisite, then fails the run (a skip there means an install
# step is missing).
need() {
    [ -n "$1" ] && [ -x "$1" ] || {
        log "SKIP: missing $2: install it ($3) and re-run configure"
        exit 77
    }
}

# pid_alive PID: running (a zombie that its parent has not reaped yet
# counts as gone).
pid_alive() {
    local state
    state=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    case $state in Z*) return 1 ;; esac
    return 0
}

# server_pids DESCRIPTOR: the PIDs the descriptor lists (all on this host).
server_pids() {
    awk '$1 == "mds" || $1 == "iosrv" { print $4 }' "$1" | tr '\n' ' '
}

# iosrv_pid DESCRIPTOR INDEX
iosrv_pid() {
    awk -v i="$2" '$1 == "iosrv" && $2 == i { print $4 }' "$1"
}

# start_ensemble LAUNCHER ROOT NIOSRV [extra server args...]
# LAUNCHER is "mpich" or "pmix"; $IOSRV_ARGS go to the I/O servers only,
# $MDS_ARGS to the metadata server only.
# Sets LAUNCH_PID, SERVER_PIDS, and
# exports PFS_ENSEMBLE.  Fails the test if the ensemble is not up in 60 s.
start_ensemble() {
    local launcher=$1 root=$2 n=$3
    shift 3
    local args="--root $root --listen 127.0.0.1 $*"
    export PFS_ENSEMBLE=$root/ensemble
    rm -f "$PFS_ENSEMBLE"
    case $launcher in
    mpich)
        need "$MPIEXEC_MPICH" "MPICH's mpiexec" "apt-get install mpich"
        "$MPIEXEC_MPICH" -n 1 "$PFS_MDS" $args ${MDS_ARGS:-} : -n "$n" "$PFS_IOSRV" $args ${IOSRV_ARGS:-} \
            >"$WORK/servers.log" 2>&1 &
        ;;
    pmix)
        need "$MPIRUN_OMPI" "Open MPI's mpirun" "apt-get install openmpi-bin"
        "$MPIRUN_OMPI" --oversubscribe --bind-to none \
            -n 1 "$PFS_MDS" $args ${MDS_ARGS:-} : -n "$n" "$PFS_IOSRV" $args ${IOSRV_ARGS:-} \
            >"$WORK/servers.log" 2>&1 &
        ;;
    esac
    LAUNCH_PID=$!
    if ! "$PFS_CTL" wait -t 60 >"$WORK/wait.log" 2>&1; then
        cat "$WORK/wait.log"
        fail "ensemble ($launcher) did not come up"
    fi
    SERVER_PIDS=$(server_pids "$PFS_ENSEMBLE")
    log "ensemble up via $launcher: servers $SERVER_PIDS, launcher $LAUNCH_PID"
}

# mpich_libpath PREFIX [foreign]: LD_LIBRARY_PATH for a program on the
# MPICH in PREFIX: this tree's libpio, then PREFIX's libraries.  foreign:
# the program was not built here; in a sanitizer build it then keeps
# PREFIX's libpio, since an instrumented libpio cannot be loaded into an
# uninstrumented process (that MPICH must then come from this tree, as
# scripts/check.sh builds it).
mpich_libpath() {
    if [ "${2:-}" = foreign ] && [ "$PFS_SANITIZED" = yes ]; then
        echo "$1/lib"
    else
        echo "$B/.libs:$1/lib"
    fi
}

# wait_pid PID SECONDS: wait for a child to exit; its status in WAIT_STATUS.
wait_pid() {
    local pid=$1 secs=$2 i=0
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        if [ "$i" -gt $((secs * 10)) ]; then
            return 1
        fi
        sleep 0.1
    done
    WAIT_STATUS=0
    wait "$pid" || WAIT_STATUS=$?
    return 0
}

# stop_ensemble: clean stop through pfs-ctl; the launcher must then exit
# with status 0, the descriptor must be gone and no server left.
stop_ensemble() {
    local pid
    "$PFS_CTL" stop >"$WORK/stop.log" 2>&1 || {
        cat "$WORK/stop.log"
        fail "pfs-ctl stop failed"
    }
    wait_pid "$LAUNCH_PID" 30 || fail "launcher still running 30 s after stop"
    [ "$WAIT_STATUS" = 0 ] || fail "launcher exited with status $WAIT_STATUS after a clean stop"
    for pid in $SERVER_PIDS; do
        kill -0 "$pid" 2>/dev/null && fail "server $pid still alive after stop"
    done
    [ -e "$PFS_ENSEMBLE" ] && fail "descriptor not removed on clean stop"
    LAUNCH_PID=""
    SERVER_PIDS=""
    log "ensemble stopped cleanly"
}

# run_example NRANKS ARGS...: the MPI example under MPICH's mpiexec.
run_example() {
    local n=$1
    shift
    need "$MPIEXEC_MPICH" "MPICH's mpiexec" "apt-get install mpich"
    timeout 300 "$MPIEXEC_MPICH" -n "$n" "$EXAMPLE" "$@" >"$WORK/example.log" 2>&1
}

# wait_until SECONDS CMD...: run CMD every 0.2 s until it succeeds; status
# 1 if it never did within SECONDS.  The MDS removes the data objects of
# unlinked files in the background: tests wait for them to go.
wait_until() {
    local secs=$1 i=0
    shift
    until "$@"; do
        i=$((i + 1))
        [ "$i" -gt $((secs * 5)) ] && return 1
        sleep 0.2
    done
    return 0
}

# objects_are ROOT INDEX N: I/O server INDEX holds exactly N objects.
objects_are() { [ "$(object_count "$1" "$2")" = "$3" ]; }

# object_bytes_are ROOT N: all data objects together hold N bytes.
object_bytes_are() { [ "$(object_bytes "$1")" = "$2" ]; }

# object_bytes ROOT: total bytes of all data objects of all I/O servers.
object_bytes() {
    find "$1"/iosrv.* -path '*/objects/*' -type f -printf '%s\n' 2>/dev/null |
        awk '{ s += $1 } END { print s + 0 }'
}

# object_count ROOT INDEX: number of objects on I/O server INDEX.
object_count() {
    find "$1/iosrv.$2/objects" -type f 2>/dev/null | wc -l
}

# The whole first-system round trip under one launcher: start 1 MDS + 2
# I/O servers, run the MPI example on 4 ranks, check the objects on disk,
# stop cleanly, restart on the same directories, find and re-verify the
# file, remove it, stop.
ensemble_round_trip() {
    local launcher=$1 method=$2 root=$WORK/root per_rank=3145739 total n
    total=$((per_rank * 4))

    start_ensemble "$launcher" "$root" 2 --verbose
    n=$(grep -c "wire-up through $method" "$WORK/servers.log")
    [ "$n" = 3 ] || fail "expected 3 servers wired up through $method, log shows $n"
    pass "3 servers wired up through $method"

    "$PFS_CTL" status >"$WORK/status.log" 2>&1 || fail "pfs-ctl status failed"
    [ "$(grep -c -E '^(mds|iosrv) ' "$WORK/status.log")" = 3 ] ||
        fail "pfs-ctl status does not list 3 servers"

    run_example 4 -f pfs:/kept.dat -s "$per_rank" -S 64k --keep ||
        { cat "$WORK/example.log"; fail "example failed"; }
    grep -q "every byte verified: OK" "$WORK/example.log" ||
        fail "example did not verify"
    grep "verified" "$WORK/example.log"
    [ "$(object_count "$root" 0)" = 1 ] && [ "$(object_count "$root" 1)" = 1 ] ||
        fail "expected one object on each I/O server"
    [ "$(object_bytes "$root")" = "$total" ] ||
        fail "objects hold $(object_bytes "$root") bytes, file has $total"
    pass "4 ranks over 2 I/O servers: every byte verified, one object per server"

    stop_ensemble

    start_ensemble "$launcher" "$root" 2
    run_example 4 -f pfs:/kept.dat -s "$per_rank" --verify-only ||
        { cat "$WORK/example.log"; fail "re-read after restart failed"; }
    grep -q "re-read $total bytes.*every byte verified: OK" "$WORK/example.log" ||
        fail "file not found intact after restart"
    pass "after a restart of the ensemble the file is found and verified"

    run_example 4 -f pfs:/removed.dat -s 1m ||
        { cat "$WORK/example.log"; fail "second example failed"; }
    wait_until 30 object_bytes_are "$root" "$total" ||
        fail "unlink left data objects behind (30 s after it)"
    pass "unlink removed the data objects"
    stop_ensemble
}

# ---- Open MPI with pfs's OMPIO components (adio/ompio) ----------------------

# need_ompio: the components were built and Open MPI's tools are here.
# Skips the test (77) only when Open MPI's development headers are absent,
# so that configure could not build the components; fails otherwise.
# Sets OMPI_PKGLIBDIR (Open MPI's own component directory) and
# OMPIO_COMPONENTS (the build tree's), and exports
# OMPI_MCA_mca_base_component_path: it replaces Open MPI's default path,
# so it starts with Open MPI's own directory.
need_ompio() {
    if [ "${PFS_OMPIO_BUILT:-no}" != yes ]; then
        if pkg-config --exists ompi-c 2>/dev/null; then
            log "Open MPI's development headers are installed (pkg-config ompi-c)," \
                "but the OMPIO components were not built: re-run configure"
            FAILED=1
            exit 1
        fi
        log "SKIP: Open MPI's development headers are absent (apt-get install" \
            "libopenmpi-dev), so configure built no OMPIO components"
        exit 77
    fi
    need "$MPIRUN_OMPI" "Open MPI's mpirun" "apt-get install openmpi-bin"
    need "${MPICC_OMPI:-}" "Open MPI's mpicc" "apt-get install libopenmpi-dev"
    need "${OMPI_INFO:-}" "Open MPI's ompi_info" "apt-get install openmpi-bin"
    OMPI_PKGLIBDIR=$("$OMPI_INFO" --path pkglibdir --parsable | sed -n 's/^path:pkglibdir://p')
    [ -d "$OMPI_PKGLIBDIR" ] || fail "ompi_info names no component directory"
    OMPIO_COMPONENTS=$B/adio/ompio/components
    [ -f "$OMPIO_COMPONENTS/mca_fs_pfs.so" ] || fail "no components in $OMPIO_COMPONENTS"
    export OMPI_MCA_mca_base_component_path="$OMPI_PKGLIBDIR:$OMPIO_COMPONENTS"
}

# run_ompi NRANKS PROGRAM ARGS...: under Open MPI's mpirun, oversubscribed
# and unbound (the servers share the cores), with a deadline.
run_ompi() {
    local n=$1
    shift
    timeout "${OMPI_TIMEOUT:-600}" "$MPIRUN_OMPI" --oversubscribe --bind-to none -n "$n" "$@" \
        </dev/null
}
