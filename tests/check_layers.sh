#!/bin/sh
# check_layers.sh (test) - scripts/check_layers.sh on this source tree, as
# a test of make check (a wrapper, so that its log is written in the build
# tree's tests/, not next to the script in scripts/, which make dist ships).
exec "${top_srcdir:-.}/scripts/check_layers.sh" "${top_srcdir:-.}"
