#!/bin/sh
# check_format.sh (test) - scripts/check_format.sh on this source tree, as a
# test of make check (a wrapper, so that its log lands in the build tree).
exec "${top_srcdir:-.}/scripts/check_format.sh" "${top_srcdir:-.}"
