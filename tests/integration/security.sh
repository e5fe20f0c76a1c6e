#!/bin/bash
# security.sh - issue 17: the cluster key never crosses the wire, and the
# I/O servers serve only what the MDS granted (doc/security.md).
#   - HELLO: a recorded HELLO replayed (on its connection, on a new one,
#     without a challenge), a modified one, one proved with a wrong key:
#     refused, at the MDS and at an I/O server;
#   - capabilities (crafted client, tests/integration/pfs_hostile.c):
#     knowing only a file id gets nothing; file A's capability does not
#     open file B; a read-only one cannot write; tampered ones and one
#     at a server outside the layout are refused; expired ones are
#     refused and renewed ones work;
#   - a normal libpio open keeps working over several capability
#     lifetimes, and an old exported handle still imports.
# The expiry checks run on a second ensemble whose MDS has
# --cap-lifetime 3; the others on the default (an hour), so that a loaded
# machine cannot expire their capabilities half-way.
#   - a capture of HELLO exchanges on loopback (tcpdump) holds no trace
#     of the cluster key.
. "${top_srcdir:-.}/tests/integration/lib.sh"

H=$B/tests/integration/pfs_hostile
LIFETIME=3
start_ensemble mpich "$WORK/root" 2

alive() {
    local pid
    for pid in $SERVER_PIDS; do
        pid_alive "$pid" || fail "server $pid died ($1)"
    done
}

# hello_capture: HELLO exchanges captured on loopback (tcpdump) hold no
# trace of the cluster key
hello_capture() {
    local key i
    key=$(awk '$1 == "key" { print $2 }' "$PFS_ENSEMBLE")
    [ ${#key} = 64 ] || fail "no key in the descriptor"
    if ! command -v tcpdump >/dev/null 2>&1; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            apt-get install -y -q tcpdump >"$WORK/apt.log" 2>&1
        fi
    fi
    if command -v tcpdump >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        tcpdump -i lo -s 0 -U -w "$WORK/hello.pcap" 'tcp' >"$WORK/tcpdump.log" 2>&1 &
        TCPDUMP=$!
        sleep 1
        for i in 1 2 3; do
            "$PFS_CTL" status >/dev/null || fail "pfs-ctl status"
            "$B/pfs-ls" / >/dev/null || fail "pfs-ls"
        done
        sleep 1
        kill -INT "$TCPDUMP"
        wait "$TCPDUMP"
        [ -s "$WORK/hello.pcap" ] || fail "tcpdump captured nothing"
        # the capture holds the exchanges: the protocol's magic "PFS1" and
        # the challenge opcode in the headers
        version=$(awk '$1 == "#define" && $2 == "PFS_PROTO_VERSION" { print $3 + 0 }' \
            "$top_srcdir/common/proto.h")
        python3 - "$WORK/hello.pcap" "$key" "$version" <<'PY' || fail "the key is in the capture of HELLO exchanges"
import sys
data = open(sys.argv[1], 'rb').read()
key = bytes.fromhex(sys.argv[2])
magic = (0x31534650).to_bytes(4, 'little') + int(sys.argv[3]).to_bytes(2, 'little')
challenge = magic + (4).to_bytes(2, 'little')
hello = magic + (1).to_bytes(2, 'little')
n_ch, n_he = data.count(challenge), data.count(hello)
print("  capture: %d bytes, %d challenge and %d hello messages" % (len(data), n_ch, n_he))
if n_ch < 3 or n_he < 3:
    print("  the capture does not hold the HELLO exchanges")
    sys.exit(2)
for probe in (key, key[:16], key[16:], sys.argv[2].encode(), sys.argv[2].upper().encode()):
    if probe in data:
        print("  found key bytes in the capture")
        sys.exit(1)
PY
        pass "a tcpdump capture of HELLO exchanges on loopback holds no trace of the cluster key"
    else
        log "tcpdump not available (apt-get install tcpdump): capture check skipped"
    fi
}

for s in mds 0; do
    "$H" replay -s "$s" >"$WORK/replay.$s" 2>&1 ||
        fail "HELLO replay at $s: $(cat "$WORK/replay.$s")"
    sed "s/^/  [$s] /" "$WORK/replay.$s"
done
alive "replays"
grep -q "without a challenge on this connection" "$WORK/servers.log" ||
    fail "the servers did not log the refused replay"
pass "recorded, replayed, modified and wrongly proved HELLOs refused by the MDS and an I/O server"

"$H" caps -s 0 >"$WORK/caps" 2>&1 || fail "capabilities: $(cat "$WORK/caps")"
sed 's/^/  /' "$WORK/caps"
alive "capabilities"
pass "I/O servers and the MDS refuse requests without a valid capability, with the reason"

# the HELLO exchange on the wire: no cluster key
hello_capture

# short-lived capabilities
stop_ensemble
MDS_ARGS="--cap-lifetime $LIFETIME" start_ensemble mpich "$WORK/root2" 2
"$H" expired -s 1 -t $((LIFETIME + 2)) >"$WORK/expired" 2>&1 ||
    fail "expiry: $(cat "$WORK/expired")"
sed 's/^/  /' "$WORK/expired"
pass "an expired capability is refused; renewed, it works"

# a normal open over three lifetimes: libpio renews by itself
"$B/tests/integration/pio_longopen" /longopen $((LIFETIME + 1)) 3 >"$WORK/long" 2>&1 ||
    fail "a long-running open: $(cat "$WORK/long")"
sed 's/^/  /' "$WORK/long"
pass "a libpio open keeps working past its capability's expiry (renewed), an old handle imports"

alive "the end"
stop_ensemble
log PASS
