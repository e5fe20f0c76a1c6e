# multihost_lib.sh - helpers of the multihost_*.sh tests, sourced after
# lib.sh: a virtual cluster (tests/vcluster.sh) made for the test and
# removed when it ends (also when it fails), an ensemble launched across
# its storage hosts by one mpiexec/mpirun line from the head node, and
# MPI programs launched across its compute hosts.
#
# Layout used by the tests: the MDS on h1, I/O servers on h2..h(1+n),
# clients on the hosts after them (none of which runs a server), launchers
# and pfs-ctl on "head".  Every host stores under the same path,
# $VCLUSTER/local/pfs, which is its own directory ($VCLUSTER/hosts/H).

VCLUSTER_SH=$top_srcdir/tests/vcluster.sh
MPICH_PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
VCLUSTER=""

if [ "$(id -u)" != 0 ]; then
    log "SKIP: needs root (network namespaces); CI runs it as root"
    exit 77
fi
command -v ip >/dev/null && command -v tc >/dev/null && command -v ping >/dev/null ||
    { log "missing iproute2 or iputils-ping (apt-get install iproute2 iputils-ping)"; FAILED=1; exit 1; }

# The cluster goes with the test, also when it fails (its hosts' storage
# is then kept and named).  It is taken down by its id: its record lives
# in /run/vcluster, so even a cluster directory that someone else removed
# (a sweep of /tmp) does not leave namespaces behind.
mh_cleanup() {
    if [ -n "$MH_VC_ID" ]; then
        [ "$FAILED" = 0 ] || export VC_KEEP=1
        "$VCLUSTER_SH" -i "$MH_VC_ID" down || log "vcluster down reported a problem"
        MH_VC_ID=""
    fi
    cleanup
}
MH_VC_ID=""
trap mh_cleanup EXIT

# mh_up N [vcluster up options]: N hosts (plus head), made for this test.
# pfs-ctl then runs on head (PFS_CTL is a wrapper), so lib.sh's
# stop_ensemble works across hosts as it does on one.
mh_up() {
    VCLUSTER=$("$VCLUSTER_SH" up "$@") || fail "vcluster up $* failed"
    MH_VC_ID=$(sed -n 's/^VC_ID=//p' "$VCLUSTER/state")
    export VCLUSTER
    export PFS_ENSEMBLE=$VCLUSTER/shared/ensemble
    PFS_CTL=$WORK/pfs-ctl-on-head
    printf '#!/bin/sh\nexec "%s" exec head "%s" "$@"\n' "$VCLUSTER_SH" "$B/pfs-ctl" >"$PFS_CTL"
    chmod +x "$PFS_CTL"
    log "virtual cluster $VCLUSTER: $("$VCLUSTER_SH" hosts)"
}

# on HOST CMD...: run CMD on HOST
on() { "$VCLUSTER_SH" exec "$@"; }

# host_addr HOST
host_addr() { "$VCLUSTER_SH" addr "$1"; }

# mpirun_on HOSTS NP CMD...: an MPI program on the hosts (h4:2,h5:2 puts
# two ranks on each), started from head by MPICH's hydra through the
# cluster's ssh agent, ended after $MPIRUN_TIMEOUT seconds (300).  Extra
# mpiexec options in $MPIRUN_OPTS, another mpiexec in $MPIRUN_MPIEXEC.
mpirun_on() {
    local hosts=$1 np=$2
    shift 2
    # shellcheck disable=SC2086
    on head timeout "${MPIRUN_TIMEOUT:-300}" "${MPIRUN_MPIEXEC:-$MPIEXEC_MPICH}" -launcher ssh -launcher-exec "$VCLUSTER/ssh" -iface eth0 \
        -hosts "$hosts" ${MPIRUN_OPTS:-} -n "$np" "$@"
}

# mpiio_env: MPIIO_LIBS is the LD_LIBRARY_PATH of MPI-IO programs: those
# built against Debian's MPICH run with the pfs ROMIO driver from
# $MPICH_PREFIX, and with this build's libpio ahead of the one installed
# there (the driver calls libpio's public API; the transport under test
# is this tree's).  Only the MPI-IO programs get it, not the servers.
mpiio_env() {
    [ -f "$MPICH_PREFIX/lib/libmpi.so.12" ] ||
        fail "no MPICH with the pfs driver in $MPICH_PREFIX: run adio/build-mpich.sh"
    MPIIO_LIBS=$B/.libs:$MPICH_PREFIX/lib
}

# mh_start_ensemble LAUNCHER MDS_HOST "IOSRV_HOSTS" [server args...]
# LAUNCHER: mpich or pmix (Open MPI's mpirun).  One MPMD line from head,
# one segment per server, ranks placed in host order.  Each server stores
# under its host's $VCLUSTER/local/pfs.  MH_LISTEN=addr (default): each
# listens on its host's address (--listen); MH_LISTEN=name: on all
# addresses, advertising its host name.  MH_DESCRIPTOR: where the MDS
# writes the descriptor (default $VCLUSTER/shared/ensemble; "local" for
# its own storage, ROOT/ensemble on the MDS host only).  Sets LAUNCH_PID
# and SERVER_PIDS like start_ensemble.
mh_start_ensemble() {
    local launcher=$1 mds=$2 iosrvs=$3 h hosts="" segs="" seg role desc
    shift 3
    desc=${MH_DESCRIPTOR:-$VCLUSTER/shared/ensemble}
    for h in $mds $iosrvs; do
        hosts="$hosts${hosts:+,}$h:1"
        if [ "$h" = "$mds" ]; then
            role="$PFS_MDS"
            [ "$desc" = local ] || role="$role --descriptor $desc"
        else
            role=$PFS_IOSRV
        fi
        seg="-n 1 $role --root $VCLUSTER/local/pfs"
        [ "${MH_LISTEN:-addr}" = addr ] && seg="$seg --listen $(host_addr "$h")"
        segs="$segs${segs:+ : }$seg $*"
    done
    export PFS_ENSEMBLE=$VCLUSTER/shared/ensemble
    rm -f "$PFS_ENSEMBLE"
    case $launcher in
    mpich)
        need "$MPIEXEC_MPICH" "MPICH's mpiexec" "apt-get install mpich"
        # shellcheck disable=SC2086
        on head "$MPIEXEC_MPICH" -launcher ssh -launcher-exec "$VCLUSTER/ssh" -iface eth0 \
            -hosts "$hosts" $segs >"$WORK/servers.log" 2>&1 &
        ;;
    pmix)
        need "$MPIRUN_OMPI" "Open MPI's mpirun" "apt-get install openmpi-bin"
        # shellcheck disable=SC2086
        on head "$MPIRUN_OMPI" --mca plm_rsh_agent "$VCLUSTER/ssh" --bind-to none \
            --host "$hosts" $segs >"$WORK/servers.log" 2>&1 &
        ;;
    esac
    LAUNCH_PID=$!
    MH_MDS_HOST=$mds
    MH_DESC_LOCAL=0
    [ "$desc" = local ] && MH_DESC_LOCAL=1
    if [ "$desc" = local ]; then
        # the descriptor stays on the MDS host: copy it to where clients
        # look, as an administrator would (scp, a shared directory)
        wait_until 60 on "$mds" test -s "$VCLUSTER/local/pfs/ensemble" ||
            fail "no descriptor on $mds"
        on "$mds" cat "$VCLUSTER/local/pfs/ensemble" >"$PFS_ENSEMBLE.tmp" &&
            chmod 600 "$PFS_ENSEMBLE.tmp" && mv "$PFS_ENSEMBLE.tmp" "$PFS_ENSEMBLE"
    fi
    if ! "$PFS_CTL" wait -t 60 >"$WORK/wait.log" 2>&1; then
        cat "$WORK/wait.log"
        fail "ensemble ($launcher, MDS on $mds, I/O servers on $iosrvs) did not come up"
    fi
    SERVER_PIDS=$(server_pids "$PFS_ENSEMBLE")
    log "ensemble up via $launcher: MDS on $mds, I/O servers on $iosrvs; pids $SERVER_PIDS"
}

# mh_stop_ensemble: stop_ensemble across hosts: a clean stop through
# pfs-ctl (on head), the launcher exits 0, no server is left, and the
# descriptor is gone (the MDS's own; a copy made at start is removed).
mh_stop_ensemble() {
    if [ "$MH_DESC_LOCAL" = 1 ]; then
        "$PFS_CTL" stop >"$WORK/stop.log" 2>&1 || { cat "$WORK/stop.log"; fail "pfs-ctl stop failed"; }
        wait_pid "$LAUNCH_PID" 30 || fail "launcher still running 30 s after stop"
        [ "$WAIT_STATUS" = 0 ] || fail "launcher exited with status $WAIT_STATUS after a clean stop"
        on "$MH_MDS_HOST" test -e "$VCLUSTER/local/pfs/ensemble" &&
            fail "descriptor on $MH_MDS_HOST not removed on clean stop"
        rm -f "$PFS_ENSEMBLE"
        LAUNCH_PID=""
        for pid in $SERVER_PIDS; do
            pid_alive "$pid" && fail "server $pid still alive after stop"
        done
        SERVER_PIDS=""
        log "ensemble stopped cleanly"
    else
        stop_ensemble
    fi
}

# host_of_pid PID: the vcluster host whose namespace runs PID
host_of_pid() {
    local ns
    ns=$(ip netns identify "$1" 2>/dev/null)
    echo "${ns#vc*-}"
}
