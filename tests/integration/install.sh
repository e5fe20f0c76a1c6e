#!/bin/bash
# install.sh - `make install` gives every program, the pfs-* command links
# to the one tools program, and a manual page per program made from its
# --help; `make uninstall` takes all of it away again.
. "${top_srcdir:-.}/tests/integration/lib.sh"

DEST=$WORK/inst
make -s -C "$top_builddir" install DESTDIR="$DEST" >"$WORK/install.log" 2>&1 ||
    { tail -20 "$WORK/install.log"; fail "make install"; }
bindir=$(find "$DEST" -type f -name pfs -path '*/bin/*' | head -1)
[ -n "$bindir" ] || fail "no pfs program installed"
bindir=${bindir%/pfs}
libdir=$(dirname "$(find "$DEST" -name 'libpio.so.0' | head -1)")
mandir=$(find "$DEST" -type d -name man1 | head -1)
n=0
for c in ls stat mkdir rm mv df setstripe getstripe chmod chown cp ctl fsck; do
    [ "$(readlink "$bindir/pfs-$c")" = pfs ] || fail "pfs-$c is not a link to pfs"
    LD_LIBRARY_PATH=$libdir "$bindir/pfs-$c" --help >"$WORK/help.$c" 2>&1 ||
        fail "installed pfs-$c --help failed"
    grep -q "^usage: pfs-$c " "$WORK/help.$c" || fail "pfs-$c --help does not name pfs-$c"
    n=$((n + 1))
done
for p in pfs pfs-mds pfs-iosrv pfs-ls pfs-stat pfs-mkdir pfs-rm pfs-mv pfs-df \
    pfs-setstripe pfs-getstripe pfs-chmod pfs-chown pfs-cp pfs-ctl pfs-fsck; do
    page=$mandir/$p.1
    [ -s "$page" ] || fail "no manual page $p.1"
    grep -q '^\.SH NAME' "$page" || fail "$p.1 has no NAME section"
    if command -v man >/dev/null; then
        LC_ALL=C MANWIDTH=80 man -l "$page" 2>/dev/null | grep -Eq "usage: +$p( |$)" ||
            fail "man $p does not show the usage of --help"
    fi
done
log "installed: pfs, $n command links, 16 manual pages"
make -s -C "$top_builddir" uninstall DESTDIR="$DEST" >"$WORK/uninstall.log" 2>&1 ||
    { tail -20 "$WORK/uninstall.log"; fail "make uninstall"; }
left=$(find "$DEST" -type f -o -type l | grep -v '/fuzz/' | head -5)
[ -z "$left" ] || fail "make uninstall left: $left"
log "PASS"
