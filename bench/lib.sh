# lib.sh - sourced by the bench/run_*_bench.sh scripts: a local ensemble
# (1 pfs-mds, 2 pfs-iosrv on 127.0.0.1) in a scratch directory, stopped
# (by pfs-ctl, else by the launcher's PID) and removed on exit.
# Expects BUILD; sets WORK and LAUNCHER and exports PFS_ENSEMBLE.

# MPICH's hydra: do not inherit a PMI world from the caller
unset PMI_FD PMI_RANK PMI_SIZE PMIX_RANK PMIX_NAMESPACE 2>/dev/null || true
LAUNCHER=""
WORK=""

bench_stop() {
    if [ -n "$LAUNCHER" ]; then
        "$BUILD/pfs-ctl" stop >/dev/null 2>&1 || kill "$LAUNCHER" 2>/dev/null || true
        wait "$LAUNCHER" 2>/dev/null || true
        LAUNCHER=""
    fi
    [ -n "$WORK" ] && rm -rf "$WORK"
    WORK=""
}
trap bench_stop EXIT

# bench_start BASE NAME [pfs-mds options...]: a new WORK under BASE (its
# pfs storage in WORK/pfs) and an ensemble on it.
bench_start() {
    local base=$1 name=$2
    shift 2
    WORK=$(mktemp -d "$base/pfs-$name.XXXXXX")
    mkdir -p "$WORK/pfs"
    export PFS_ENSEMBLE=$WORK/pfs/ensemble
    mpiexec.mpich -n 1 "$BUILD/pfs-mds" --root "$WORK/pfs" --listen 127.0.0.1 "$@" : \
        -n 2 "$BUILD/pfs-iosrv" --root "$WORK/pfs" --listen 127.0.0.1 \
        >"$WORK/servers.log" 2>&1 &
    LAUNCHER=$!
    "$BUILD/pfs-ctl" wait -t 60 >/dev/null || { cat "$WORK/servers.log"; exit 1; }
}

# bench_storage: the device and file system type holding WORK
bench_storage() {
    echo "$(df -h "$WORK" | awk 'NR==2 {print $1}') ($(stat -f -c %T "$WORK"))"
}
