#!/bin/bash
# vcluster.sh - a virtual cluster on one machine: network namespaces as
# hosts on a bridge, each with its own address, loopback, host name and
# storage directory, links optionally shaped with tc.  Used by the
# multihost_*.sh integration tests and bench/run_multihost_bench.sh, and
# by hand (as root):
#
#   tests/vcluster.sh up 4 [--rate 2gbit] [--delay 0.1ms]   # prints the cluster directory
#   export VCLUSTER=/tmp/vcluster.XXXXXX
#   tests/vcluster.sh exec h1 hostname                      # h1
#   tests/vcluster.sh exec head mpiexec.mpich -launcher ssh \
#       -launcher-exec "$VCLUSTER/ssh" -iface eth0 -hosts h1,h2 -n 2 hostname
#   tests/vcluster.sh down
#
# Hosts are h1..hN plus "head", a login node from which launchers run.
# Each has:
#   - a network namespace with lo and eth0 (10.A.B.I/24; head is .254),
#     its eth0 a veth whose other end is a port of a bridge made here.
#     The bridge has no address: nothing outside the namespaces made here
#     is reachable from them, and they are not reachable from outside.
#   - its host name (a UTS namespace per command) and /etc/hosts naming
#     every host (/etc/netns/NS/hosts, which `ip netns exec` mounts).
#   - its storage: DIR/hosts/NAME, seen by its commands at DIR/local (a
#     bind mount in the command's own mount namespace), so the same path,
#     e.g. --root DIR/local/pfs, is host-local storage on every host.
#     DIR/shared is the same directory on all hosts (a cluster's shared
#     file system, e.g. for the ensemble descriptor).
#   - IPC: shared by all hosts by default, as containers with separate
#     network namespaces often are (the hard case for UCX's shared-memory
#     transports); `up --ipc private` gives each host its own.
#
# Commands:
#   up N [--rate R] [--delay D] [--mtu M] [--ipc shared|private] [--base DIR]
#         create; prints the cluster directory.  R/D in tc's units
#         (2gbit, 0.1ms).  A host's upload is shaped on its eth0 (tbf, and
#         netem for the delay), its download on the bridge side of its veth
#         (tbf): each host's link is R in each direction, one-way delay D.
#         The delay needs the kernel's netem qdisc (some kernels, like the
#         development VM's, lack it: then --delay fails and says so).
#   down                 remove everything `up` created, by the names it
#                        recorded, after ending the processes still in
#                        those namespaces (by PID)
#   exec HOST CMD...     run CMD on HOST (exec: the PID is CMD's own)
#   ssh [-opts] HOST CMD...   ssh-like launcher agent (MPICH's
#                        -launcher-exec, Open MPI's plm_rsh_agent): the
#                        words of CMD are joined and run by sh -c on HOST.
#                        DIR/ssh is a wrapper with the directory built in.
#   shape HOST|all R [D] / unshape HOST|all
#   cut HOST / heal HOST  take HOST's link down (the bridge side of its
#                        veth) and up again: nothing reaches it or leaves
#                        it, and nobody gets a reset (a host that vanished)
#   freeze HOST / thaw HOST   SIGSTOP / SIGCONT every process on HOST
#   hosts | addr HOST | pids | status | list
#
# The cluster comes from -C DIR or $VCLUSTER (its directory), or -i ID.
# Everything `up` creates is appended to a record as it is created, and
# `down` (and a failed `up`) undoes exactly those lines, in reverse order.
# The record lives in /run/vcluster/ID ($VCLUSTER_RUN), not in DIR: a
# cluster whose directory someone removed can still be taken down
# (`down -i ID`; `list` shows the clusters there).

set -u

VC_SELF=$(readlink -f "${BASH_SOURCE[0]}")
VC_DIR=${VCLUSTER:-}
VC_RUN=${VCLUSTER_RUN:-/run/vcluster}
VC_ID=""

vc_die() {
    echo "vcluster: $*" >&2
    exit 1
}

vc_usage() {
    sed -n '2,/^$/p' "$VC_SELF" | sed 's/^# \{0,1\}//'
}

# ---- state ---------------------------------------------------------------

vc_load() {
    if [ -n "$VC_ID" ]; then
        [ -f "$VC_RUN/$VC_ID/state" ] || vc_die "no cluster $VC_ID in $VC_RUN"
        # shellcheck disable=SC1090
        . "$VC_RUN/$VC_ID/state"
        return
    fi
    [ -n "$VC_DIR" ] || vc_die "no cluster: give -C DIR, -i ID or set VCLUSTER"
    [ -f "$VC_DIR/state" ] || vc_die "$VC_DIR is not a vcluster directory (try: $0 list)"
    # shellcheck disable=SC1091
    . "$VC_DIR/state"
}

# vc_ns HOST: the namespace name of HOST
vc_ns() {
    case " $VC_HOSTS " in
    *" $1 "*) echo "vc$VC_ID-$1" ;;
    *) vc_die "no host '$1' in this cluster (hosts: $VC_HOSTS)" ;;
    esac
}

vc_addr() {
    local h=$1
    case $h in
    head) echo "$VC_NET.254" ;;
    h*) echo "$VC_NET.${h#h}" ;;
    esac
}

# record KIND NAME: what was just created, for down
vc_record() { echo "$1 $2" >>"$VC_RUN/$VC_ID/created"; }

# ---- up / down -----------------------------------------------------------

vc_pick_subnet() {
    local i a b
    for i in $(seq 1 50); do
        a=$((200 + RANDOM % 50))
        b=$((RANDOM % 250))
        # not an address or route this machine already has
        if ! ip -4 addr show | grep -q "inet 10\.$a\.$b\." &&
            ! ip -4 route show | grep -q "^10\.$a\.$b\."; then
            echo "10.$a.$b"
            return 0
        fi
    done
    return 1
}

vc_up() {
    local n="" rate="" delay="" mtu=1500 ipc=shared base=${TMPDIR:-/tmp}
    VC_DIR="" # a new one, never the caller's $VCLUSTER
    while [ $# -gt 0 ]; do
        case $1 in
        --rate) rate=$2; shift 2 ;;
        --delay) delay=$2; shift 2 ;;
        --mtu) mtu=$2; shift 2 ;;
        --ipc) ipc=$2; shift 2 ;;
        --base) base=$2; shift 2 ;;
        [0-9]*) n=$1; shift ;;
        *) vc_die "up: unknown argument '$1'" ;;
        esac
    done
    [ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -le 200 ] || vc_die "up: give a host count 1..200"
    case $ipc in shared | private) ;; *) vc_die "up: --ipc shared|private" ;; esac
    [ "$(id -u)" = 0 ] || vc_die "up: needs root (network namespaces)"
    command -v ip >/dev/null || vc_die "up: no 'ip' (apt-get install iproute2)"
    command -v unshare >/dev/null || vc_die "up: no 'unshare' (util-linux)"

    VC_ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
    mkdir -p "$VC_RUN" && mkdir "$VC_RUN/$VC_ID" || vc_die "up: cannot make $VC_RUN/$VC_ID"
    : >"$VC_RUN/$VC_ID/created"
    # from here on, a failure undoes what was made
    trap 'echo "vcluster: up failed, removing what it made" >&2; vc_down >/dev/null 2>&1' EXIT
    VC_DIR=$(mktemp -d "$base/vcluster.XXXXXX") || vc_die "up: mktemp in $base"
    chmod 755 "$VC_DIR"
    VC_NET=$(vc_pick_subnet) || vc_die "up: no free 10.x.y.0/24"
    VC_HOSTS="head"
    local i
    for i in $(seq 1 "$n"); do VC_HOSTS="$VC_HOSTS h$i"; done
    VC_BRIDGE="vcb$VC_ID"
    cat >"$VC_DIR/state" <<EOF
VC_ID=$VC_ID
VC_NET=$VC_NET
VC_HOSTS="$VC_HOSTS"
VC_BRIDGE=$VC_BRIDGE
VC_IPC=$ipc
VC_DIR=$VC_DIR
EOF
    cp "$VC_DIR/state" "$VC_RUN/$VC_ID/state"
    mkdir -p "$VC_DIR/local" "$VC_DIR/shared" "$VC_DIR/hosts"
    chmod 1777 "$VC_DIR/shared"

    # the launcher agent, with this cluster built in
    cat >"$VC_DIR/ssh" <<EOF
#!/bin/sh
VCLUSTER=$VC_DIR exec "$VC_SELF" ssh "\$@"
EOF
    chmod 755 "$VC_DIR/ssh"

    ip link add "$VC_BRIDGE" type bridge || vc_die "up: cannot create bridge $VC_BRIDGE"
    vc_record link "$VC_BRIDGE"
    ip link set "$VC_BRIDGE" up

    # the hosts file every host sees
    {
        echo "127.0.0.1 localhost"
        for h in $VC_HOSTS; do echo "$(vc_addr "$h") $h"; done
    } >"$VC_DIR/hosts.txt"
    if [ ! -d /etc/netns ]; then
        mkdir /etc/netns && vc_record dir /etc/netns
    fi

    local h ns
    for h in $VC_HOSTS; do
        ns="vc$VC_ID-$h"
        ip netns add "$ns" || vc_die "up: cannot create namespace $ns"
        vc_record netns "$ns"
        ip link add "$ns" mtu "$mtu" type veth peer name eth0 mtu "$mtu" netns "$ns" ||
            vc_die "up: cannot create veth $ns"
        vc_record link "$ns"
        ip link set "$ns" master "$VC_BRIDGE" up
        ip -n "$ns" link set lo up
        ip -n "$ns" addr add "$(vc_addr "$h")/24" dev eth0
        ip -n "$ns" link set eth0 up
        mkdir "/etc/netns/$ns" && vc_record dir "/etc/netns/$ns"
        cp "$VC_DIR/hosts.txt" "/etc/netns/$ns/hosts" && vc_record file "/etc/netns/$ns/hosts"
        mkdir -p "$VC_DIR/hosts/$h"
        if [ "$ipc" = private ]; then
            # a persistent IPC namespace per host, bound to a file
            touch "$VC_DIR/ipc-$h"
            unshare --ipc="$VC_DIR/ipc-$h" true || vc_die "up: cannot create the IPC namespace of $h"
            vc_record mount "$VC_DIR/ipc-$h"
        fi
    done
    # every link up and every host reachable from head
    for h in $VC_HOSTS; do
        ns="vc$VC_ID-$h"
        for i in $(seq 1 50); do
            ip netns exec "vc$VC_ID-head" ping -c1 -W1 -q "$(vc_addr "$h")" >/dev/null 2>&1 && break
            sleep 0.1
        done
        [ "$i" -lt 50 ] || vc_die "up: $h ($(vc_addr "$h")) does not answer ping from head"
    done
    if [ -n "$rate" ]; then
        vc_shape all "$rate" "$delay" || vc_die "up: tc failed"
    fi
    trap - EXIT
    echo "$VC_DIR"
}

# end the processes left in NS (they can only have been started through
# this script), by PID
vc_end_pids() {
    local ns=$1 pids i
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    [ -n "${pids// /}" ] || return 0
    kill -CONT $pids 2>/dev/null
    kill -TERM $pids 2>/dev/null
    for i in $(seq 1 20); do
        pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
        [ -n "${pids// /}" ] || return 0
        sleep 0.1
    done
    kill -KILL $pids 2>/dev/null
    sleep 0.2
}

vc_down() {
    local kind name rec=$VC_RUN/$VC_ID/created
    [ -n "$VC_ID" ] && [ -f "$rec" ] || vc_die "down: no record $rec"
    # processes first: a namespace with processes outlives its name
    while read -r kind name; do
        [ "$kind" = netns ] && vc_end_pids "$name"
    done <"$rec"
    tac "$rec" | while read -r kind name; do
        case $kind in
        netns)
            ip netns del "$name" 2>/dev/null
            ! ip netns list | grep -q "^$name\b" ||
                echo "vcluster: could not remove namespace $name" >&2
            ;;
        link)
            # a veth goes with its namespace; the bridge is removed here
            ip link del "$name" 2>/dev/null
            ! ip link show "$name" >/dev/null 2>&1 ||
                echo "vcluster: could not remove link $name" >&2
            ;;
        file) rm -f "$name" ;;
        dir) rmdir "$name" 2>/dev/null ;; # /etc/netns: only if empty
        mount) umount "$name" 2>/dev/null; rm -f "$name" ;;
        esac
    done
    rm -rf "${VC_RUN:?}/$VC_ID"
    rmdir "$VC_RUN" 2>/dev/null
    # the storage of all hosts goes with the cluster, unless asked to keep it
    if [ -z "${VC_KEEP:-}" ]; then
        rm -rf "$VC_DIR"
    elif [ -d "$VC_DIR" ]; then
        echo "vcluster: kept $VC_DIR" >&2
    fi
}

# ---- shaping -------------------------------------------------------------

# shape_dev NETNS-OR-EMPTY DEV RATE DELAY
vc_shape_dev() {
    local ns=$1 dev=$2 rate=$3 delay=$4 tcn
    tcn="tc"
    [ -n "$ns" ] && tcn="tc -n $ns"
    $tcn qdisc del dev "$dev" root 2>/dev/null
    # burst: 1 ms at the rate, at least 256 KiB (veth hands tbf GSO
    # packets of up to 64 KiB; a burst below that drops them)
    $tcn qdisc add dev "$dev" root handle 1: tbf rate "$rate" burst 256kb latency 20ms || return 1
    if [ -n "$delay" ]; then
        $tcn qdisc add dev "$dev" parent 1:1 handle 10: netem delay "$delay" limit 100000 2>/dev/null || {
            echo "vcluster: cannot add a netem qdisc (is CONFIG_NET_SCH_NETEM in this kernel?): no --delay here" >&2
            return 1
        }
    fi
}

vc_shape() {
    local which=$1 rate=$2 delay=${3:-} h
    for h in $VC_HOSTS; do
        [ "$which" = all ] || [ "$which" = "$h" ] || continue
        # upload (with the delay) inside the host, download on the bridge side
        vc_shape_dev "vc$VC_ID-$h" eth0 "$rate" "$delay" || return 1
        vc_shape_dev "" "vc$VC_ID-$h" "$rate" "" || return 1
    done
    echo "rate=$rate delay=$delay on $which" >>"$VC_DIR/shaping"
}

vc_unshape() {
    local which=$1 h
    for h in $VC_HOSTS; do
        [ "$which" = all ] || [ "$which" = "$h" ] || continue
        tc -n "vc$VC_ID-$h" qdisc del dev eth0 root 2>/dev/null
        tc qdisc del dev "vc$VC_ID-$h" root 2>/dev/null
    done
    echo "unshaped $which" >>"$VC_DIR/shaping"
}

# ---- failures ------------------------------------------------------------

vc_cut() {
    ip link set "$(vc_ns "$1")" down && echo "cut $1" >>"$VC_DIR/shaping"
}

vc_heal() {
    local ns i
    ns=$(vc_ns "$1")
    ip link set "$ns" up || return 1
    # back when head reaches it again
    for i in $(seq 1 50); do
        ip netns exec "vc$VC_ID-head" ping -c1 -W1 -q "$(vc_addr "$1")" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "vcluster: $1 does not answer after heal" >&2
    return 1
}

# vc_signal HOST SIG: to every process on HOST, by PID
vc_signal() {
    local pids
    pids=$(ip netns pids "$(vc_ns "$1")" | tr '\n' ' ')
    [ -n "${pids// /}" ] || return 0
    # shellcheck disable=SC2086
    kill -"$2" $pids
}

# ---- running commands on hosts --------------------------------------------

# The command runs in the host's network namespace (ip netns exec, which
# also gives it a mount namespace with the host's /etc/hosts), in a UTS
# namespace with the host's name, and with DIR/local bound to the host's
# storage.  Each step execs the next, so the caller's $! is the command.
vc_exec() {
    local h=$1 ns ipc=""
    shift
    [ $# -gt 0 ] || vc_die "exec: no command"
    ns=$(vc_ns "$h")
    [ "$VC_IPC" = private ] && ipc="nsenter --ipc=$VC_DIR/ipc-$h --"
    export VC_HOST=$h VC_ADDR VC_LOCAL=$VC_DIR/local VC_SHARED=$VC_DIR/shared VCLUSTER=$VC_DIR
    VC_ADDR=$(vc_addr "$h")
    # shellcheck disable=SC2086
    exec ip netns exec "$ns" $ipc unshare --uts -- /bin/sh -c '
        hostname "$VC_HOST" &&
        mount --bind "$0" "$VC_LOCAL" || exit 126
        exec "$@"' "$VC_DIR/hosts/$h" "$@"
}

# ssh-like: options are skipped, the host is the first other word, the
# remaining words are joined with spaces and run by the host's shell
vc_ssh() {
    while [ $# -gt 0 ]; do
        case $1 in
        -[bcDEeFIiJLlmOopQRSWw]) shift 2 ;; # ssh options taking a value
        -*) shift ;;
        *) break ;;
        esac
    done
    [ $# -ge 2 ] || vc_die "ssh: usage: ssh [options] HOST COMMAND..."
    local h=$1
    shift
    vc_exec "$h" /bin/sh -c "$*"
}

vc_status() {
    local h ns
    echo "cluster $VC_DIR: id $VC_ID, net $VC_NET.0/24, bridge $VC_BRIDGE, ipc $VC_IPC"
    for h in $VC_HOSTS; do
        ns="vc$VC_ID-$h"
        printf '%-5s %-15s ns %-14s pids: %s\n' "$h" "$(vc_addr "$h")" "$ns" \
            "$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
        tc -n "$ns" qdisc show dev eth0 | sed 's/^/      up:   /'
        tc qdisc show dev "$ns" | sed 's/^/      down: /'
    done
}

# ---- main ----------------------------------------------------------------

case ${1:-} in
-C) VC_DIR=$2; shift 2 ;;
-i) VC_ID=$2; shift 2 ;;
esac
cmd=${1:-help}
[ $# -gt 0 ] && shift
case $cmd in
up) vc_up "$@" ;;
down) vc_load; vc_down ;;
exec) vc_load; vc_exec "$@" ;;
ssh) vc_load; vc_ssh "$@" ;;
shape) vc_load; vc_shape "$@" ;;
unshape) vc_load; vc_unshape "${1:-all}" ;;
cut) vc_load; vc_cut "$1" ;;
heal) vc_load; vc_heal "$1" ;;
freeze) vc_load; vc_signal "$1" STOP ;;
thaw) vc_load; vc_signal "$1" CONT ;;
hosts) vc_load; echo "$VC_HOSTS" ;;
addr) vc_load; vc_ns "$1" >/dev/null; vc_addr "$1" ;;
pids)
    vc_load
    for h in $VC_HOSTS; do ip netns pids "vc$VC_ID-$h" 2>/dev/null; done
    ;;
status) vc_load; vc_status ;;
list)
    for d in "$VC_RUN"/*/state; do
        [ -f "$d" ] && (. "$d"; echo "$VC_ID $VC_DIR $VC_HOSTS")
    done
    ;;
help | -h | --help) vc_usage ;;
*) vc_usage >&2; exit 2 ;;
esac
