#!/bin/bash
# run_multihost_bench.sh - the server path at link speed, on a virtual
# cluster (tests/vcluster.sh) whose hosts' links are shaped to --rate, in
# one run; every figure is reported as a ratio to its ceiling:
#
#   ceiling  raw UCX/TCP between two hosts: bench/ucx_bw (UCP active
#            messages of 4 MiB received with ucp_am_recv_data_nbx, 4 in
#            flight, error mode PEER, both sides sleeping when idle, as pfs
#            does; ucx_perftest polls, and on this shared 2-core VM measured
#            the scheduler, 0.5x of the link), UCX_TLS=tcp, both directions
#            (h6 -> h2, h2 -> h6)
#   a        4 client hosts (h6-h9, one rank each) write and read 128 MiB
#            each (8 MiB pio_write/pio_read calls) to 1, 2 and 4 I/O-server
#            hosts (h2..): aggregate vs servers x link rate (the clients'
#            4 links are the limit beyond 4 servers)
#   b        one client (h6) to one I/O server (h2), 256 MiB: vs the raw
#            UCX/TCP rate between h6 and h2; then the same with the links
#            unshaped (b-unshaped: the CPU is the limit, which shows what
#            the server path itself costs)
#   c        small collective patterns from the 4 client hosts to 4
#            I/O-server hosts: strided 47008-byte blocks and 2-D tiles of
#            64-byte rows, in libpio_mpi's automatic choice, direct and
#            two-phase mode; vs the link ceiling of that mode (direct: each
#            byte crosses a client link once; two-phase with 4 ranks on 4
#            hosts: the busiest client link carries 1.75 bytes per byte,
#            3/4 in the exchange and 1 to or from the servers)
#   loopback unshaped, no namespaces: 1 MDS + 2 I/O servers on 127.0.0.1,
#            storage on tmpfs, 4 ranks of the plain MPI-IO bench/mpiio_bench
#            with local access off (every byte through the servers, as for
#            a client on another host) side by side with ROMIO ufs: on
#            tmpfs: contiguous collective, 4 MiB independent transfers
#            (IOR -t 4m), strided and tiled; needs adio/build-mpich.sh's
#            MPICH (skipped without it)
#
# The MDS is on h1, launchers on head; storage on tmpfs (/dev/shm) so the
# links, not the disks, are the limit.  Results: bench/results/
# multihost-DATE.csv, with the machine's load average before and after
# (the development VM is shared: other work there moves the figures).
#
#   bench/run_multihost_bench.sh [BUILD_DIR] [--rate 1gbit] [--reps 3]
#                                [--mib 128] [--no-loopback]
# Needs root (network namespaces).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$TOP/build
RATE=1gbit
REPS=3
MIB=128
LOOPBACK=1
while [ $# -gt 0 ]; do
    case $1 in
    --rate) RATE=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --mib) MIB=$2; shift 2 ;;
    --no-loopback) LOOPBACK=0; shift ;;
    -*) echo "usage: $0 [BUILD_DIR] [--rate R] [--reps N] [--mib M] [--no-loopback]" >&2; exit 2 ;;
    *) BUILD=$(cd "$1" && pwd); shift ;;
    esac
done
VC_SH=$TOP/tests/vcluster.sh
PREFIX=${PFS_MPICH_PREFIX:-/var/tmp/pfs-mpich/install}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)" >&2; exit 1; }
[ -x "$BUILD/bench/link_bench" ] && [ -x "$BUILD/bench/ucx_bw" ] ||
    { echo "no $BUILD/bench/link_bench or ucx_bw: make first" >&2; exit 1; }
unset PMI_FD PMI_RANK PMI_SIZE PMIX_RANK PMIX_NAMESPACE 2>/dev/null || true

# the link rate in MiB/s (tc units: kbit, mbit, gbit)
case $RATE in
*gbit) LINK=$(awk -v r="${RATE%gbit}" 'BEGIN { printf "%.1f", r * 1e9 / 8 / 1048576 }') ;;
*mbit) LINK=$(awk -v r="${RATE%mbit}" 'BEGIN { printf "%.1f", r * 1e6 / 8 / 1048576 }') ;;
*) echo "--rate: give Nmbit or Ngbit" >&2; exit 2 ;;
esac

OUT=$TOP/bench/results/multihost-$(date +%Y%m%d-%H%M%S).csv
mkdir -p "$TOP/bench/results"
VCLUSTER=""
VC_ID=""
LAUNCH=""
LO_WORK=""
LO_LAUNCH=""

stop_ensemble() {
    if [ -n "$LAUNCH" ]; then
        "$VC_SH" exec head "$BUILD/pfs-ctl" stop >/dev/null 2>&1 || kill "$LAUNCH" 2>/dev/null
        wait "$LAUNCH" 2>/dev/null
        LAUNCH=""
    fi
}

finish() {
    stop_ensemble
    [ -n "$LO_LAUNCH" ] && kill "$LO_LAUNCH" 2>/dev/null && wait "$LO_LAUNCH" 2>/dev/null
    [ -n "$VC_ID" ] && "$VC_SH" -i "$VC_ID" down
    [ -n "$LO_WORK" ] && rm -rf "$LO_WORK"
}
trap finish EXIT
trap 'exit 1' INT TERM

# start_ensemble NIOSRV: MDS on h1, I/O servers on h2.., a fresh store
start_ensemble() {
    local n=$1 i segs hosts=h1:1 root
    root=$VCLUSTER/local/pfs-$n
    segs="-n 1 $BUILD/pfs-mds --root $root --descriptor $PFS_ENSEMBLE"
    for i in $(seq 2 $((n + 1))); do
        segs="$segs : -n 1 $BUILD/pfs-iosrv --root $root"
        hosts="$hosts,h$i:1"
    done
    rm -f "$PFS_ENSEMBLE"
    # shellcheck disable=SC2086
    "$VC_SH" exec head mpiexec.mpich -launcher ssh -launcher-exec "$VCLUSTER/ssh" -iface eth0 \
        -hosts "$hosts" $segs >"$VCLUSTER/servers-$n.log" 2>&1 &
    LAUNCH=$!
    "$VC_SH" exec head "$BUILD/pfs-ctl" wait -t 60 >/dev/null ||
        { cat "$VCLUSTER/servers-$n.log"; exit 1; }
}

# clients HOSTS NP ARGS...: link_bench on the client hosts
clients() {
    local hosts=$1 np=$2
    shift 2
    "$VC_SH" exec head mpiexec.mpich -launcher ssh -launcher-exec "$VCLUSTER/ssh" -iface eth0 \
        -hosts "$hosts" -n "$np" "$BUILD/bench/link_bench" --reps "$REPS" "$@"
}

# raw SERVER CLIENT PORT [COUNT]: MiB/s of 4 MiB UCX messages from CLIENT
# to SERVER, the best of 3
raw() {
    local i srv best=0 v
    for i in 1 2 3; do
        UCX_TLS=tcp "$VC_SH" exec "$1" "$BUILD/bench/ucx_bw" --server --port "$3" >/dev/null 2>&1 &
        srv=$!
        sleep 0.3
        v=$(UCX_TLS=tcp "$VC_SH" exec "$2" "$BUILD/bench/ucx_bw" --client "$1" --port "$3" \
            --count "${4:-64}" 2>/dev/null | awk '{ print $(NF - 1) }')
        wait "$srv" 2>/dev/null
        best=$(awk -v a="$best" -v b="${v:-0}" 'BEGIN { print (b > a ? b : a) }')
    done
    echo "$best"
}

# row SECTION CASE CEILING_WHAT CEILING < link_bench lines
row() {
    awk -F, -v s="$1" -v c="$2" -v what="$3" -v ceil="$4" '
        { printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%.1f,%s,%.2f\n",
                 s, c, $2, $3, $4, $5, $6, $7, $9, ceil, what, $9 / ceil }'
}

VCLUSTER=$("$VC_SH" up 9 --rate "$RATE" --base /dev/shm) || exit 1
VC_ID=$(sed -n 's/^VC_ID=//p' "$VCLUSTER/state")
export VCLUSTER
export PFS_ENSEMBLE=$VCLUSTER/shared/ensemble

# everything below goes to the terminal and the results file (no pipeline:
# the cleanup must see what the measurements start)
exec > >(tee "$OUT")
{
    echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -srm), $(nproc) cores, UCX $(ucx_info -v 2>/dev/null | sed -n 's/^# Version //p')"
    echo "# virtual cluster: 9 hosts + head (network namespaces, veth + bridge), every link shaped to $RATE each way (tbf) = $LINK MiB/s; no added delay; storage on tmpfs"
    echo "# load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "section,case,pattern,op,ranks,servers,mode,bytes,MiB_s,ceiling_MiB_s,ceiling,ratio"

    w=$(raw h2 h6 13401)
    r=$(raw h6 h2 13402)
    echo "ceiling,raw-ucx-tcp,4MiB-messages,h6->h2,1,0,ucx_bw,,$w,$LINK,link,$(awk -v a="$w" -v b="$LINK" 'BEGIN { printf "%.2f", a / b }')"
    echo "ceiling,raw-ucx-tcp,4MiB-messages,h2->h6,1,0,ucx_bw,,$r,$LINK,link,$(awk -v a="$r" -v b="$LINK" 'BEGIN { printf "%.2f", a / b }')"

    for n in 1 2 4; do
        start_ensemble "$n"
        ceil=$(awk -v n="$n" -v l="$LINK" 'BEGIN { printf "%.1f", (n < 4 ? n : 4) * l }')
        clients h6:1,h7:1,h8:1,h9:1 4 --label a --mib "$MIB" |
            row a "4-clients-$n-servers" "servers_x_link" "$ceil"
        if [ "$n" = 1 ]; then
            clients h6:1 1 --label b --mib $((2 * MIB)) >"$VCLUSTER/b.csv"
            grep ',write,' "$VCLUSTER/b.csv" | row b "1-client-1-server" "raw_ucx_h6_to_h2" "$w"
            grep ',read,' "$VCLUSTER/b.csv" | row b "1-client-1-server" "raw_ucx_h2_to_h6" "$r"
            # unshaped: the CPU is the limit
            "$VC_SH" unshape h2 >/dev/null && "$VC_SH" unshape h6 >/dev/null
            uw=$(raw h2 h6 13403 256)
            ur=$(raw h6 h2 13404 256)
            echo "ceiling,raw-ucx-tcp-unshaped,4MiB-messages,h6->h2,1,0,ucx_bw,,$uw,,,"
            echo "ceiling,raw-ucx-tcp-unshaped,4MiB-messages,h2->h6,1,0,ucx_bw,,$ur,,,"
            clients h6:1 1 --label b --mib $((4 * MIB)) >"$VCLUSTER/bu.csv"
            grep ',write,' "$VCLUSTER/bu.csv" | row b-unshaped "1-client-1-server" "raw_ucx_h6_to_h2_unshaped" "$uw"
            grep ',read,' "$VCLUSTER/bu.csv" | row b-unshaped "1-client-1-server" "raw_ucx_h2_to_h6_unshaped" "$ur"
            "$VC_SH" shape h2 "$RATE" >/dev/null && "$VC_SH" shape h6 "$RATE" >/dev/null
        fi
        if [ "$n" = 4 ]; then
            for p in strided tiles2d; do
                for m in auto direct two-phase; do
                    clients h6:1,h7:1,h8:1,h9:1 4 --label c --pattern "$p" --mode "$m" \
                        --mib 16 >"$VCLUSTER/c.csv"
                    # the ceiling of the mode that actually ran
                    while IFS= read -r line; do
                        case $line in
                        *,direct,*) echo "$line" | row c "$p-$m" "4_x_link" "$(awk -v l="$LINK" 'BEGIN { printf "%.1f", 4 * l }')" ;;
                        *) echo "$line" | row c "$p-$m" "4_x_link/1.75" "$(awk -v l="$LINK" 'BEGIN { printf "%.1f", 4 * l / 1.75 }')" ;;
                        esac
                    done <"$VCLUSTER/c.csv"
                done
            done
        fi
        stop_ensemble
    done

    if [ "$LOOPBACK" = 1 ] && [ -f "$PREFIX/lib/libmpi.so.12" ]; then
        LO_WORK=$(mktemp -d /dev/shm/pfs-mh-loopback.XXXXXX)
        mkdir -p "$LO_WORK/pfs" "$LO_WORK/ufs"
        PFS_ENSEMBLE=$LO_WORK/pfs/ensemble mpiexec.mpich -n 1 "$BUILD/pfs-mds" --root "$LO_WORK/pfs" \
            --listen 127.0.0.1 : -n 2 "$BUILD/pfs-iosrv" --root "$LO_WORK/pfs" --listen 127.0.0.1 \
            >"$LO_WORK/servers.log" 2>&1 &
        lo=$!
        LO_LAUNCH=$lo
        PFS_ENSEMBLE=$LO_WORK/pfs/ensemble "$BUILD/pfs-ctl" wait -t 60 >/dev/null
        # this build's libpio ahead of the one installed with the driver
        PFS_ENSEMBLE=$LO_WORK/pfs/ensemble PFS_LOCAL_IO=off LD_LIBRARY_PATH=$BUILD/.libs:$PREFIX/lib \
            mpiexec.mpich -n 4 "$BUILD/bench/mpiio_bench" --pfs pfs:/bench.dat \
            --ufs "ufs:$LO_WORK/ufs/bench.dat" --label loopback --reps "$REPS" |
            awk -F, '$1 == "loopback" {
                printf "loopback,remote-path-vs-ufs-tmpfs,%s,%s,4,2,via-servers,%s,%s,%s,ufs_tmpfs,%s\n",
                       $2, $3, $4, $5, $6, $7 }'
        PFS_ENSEMBLE=$LO_WORK/pfs/ensemble "$BUILD/pfs-ctl" stop >/dev/null 2>&1 || kill "$lo"
        wait "$lo" 2>/dev/null
        LO_LAUNCH=""
    fi
    echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "results: $OUT" >&2
