#!/bin/sh
# man.sh HELP2MAN PROGRAM VERSION OUT - the manual page of one pfs program,
# made from its --help by help2man, so that the two cannot drift apart.
# Used by make (Makefile.am: nodist_man1_MANS).
set -e
help2man=$1 prog=$2 version=$3 out=$4
case ${prog##*/} in
pfs) what="one program for all pfs administration and namespace commands" ;;
pfs-mds) what="pfs metadata server" ;;
pfs-iosrv) what="pfs I/O server" ;;
pfs-ls) what="list pfs directories" ;;
pfs-stat) what="show attributes and layout of pfs files and directories" ;;
pfs-mkdir) what="create pfs directories" ;;
pfs-rm) what="remove pfs files and directory trees" ;;
pfs-mv) what="rename a pfs file or directory atomically" ;;
pfs-df) what="show capacity and use of the pfs I/O servers' storage" ;;
pfs-setstripe) what="set the layout of a pfs directory or new file" ;;
pfs-getstripe) what="show the layout of pfs files and directories" ;;
pfs-chmod) what="set permission bits of pfs files and directories" ;;
pfs-chown) what="set owner and group of pfs files and directories" ;;
pfs-cp) what="copy files and trees into, out of and within pfs" ;;
pfs-ctl) what="wait for, list, ping, inspect and stop a pfs ensemble" ;;
pfs-fsck) what="check the metadata store and data objects of a stopped pfs ensemble" ;;
*) echo "man.sh: no description for $prog" >&2; exit 1 ;;
esac
"$help2man" --no-info --no-discard-stderr --version-string="$version" \
    --name="$what" --source=pfs --section=1 --output="$out.tmp" "$prog"
mv "$out.tmp" "$out"
