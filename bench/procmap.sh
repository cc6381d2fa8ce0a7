#!/bin/sh
# procmap.sh N: N instances of a small program, then every process's
# mappings counted from the maps text and by PROCMAP_QUERY, alternated
# three times (bench/procmap.c; issue 15: what the ioctl would save
# `resident cost --totals`, which reads maps only for these counts).
set -eu
n=${1:-1000}
. "$(dirname "$0")/lib.sh"
cc -O2 -Wall -o $w/procmap bench/procmap.c
build/tests/progs/spawn -n "$n" build/tests/progs/dirty -- sh -c '
	for i in 1 2 3; do "$1" text 5; "$1" query 5; done' sh $w/procmap
