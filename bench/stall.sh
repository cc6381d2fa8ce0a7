#!/bin/sh
# stall.sh: the stall `resident cost` causes in a process it reads (issue
# 15): bench/stall.c maps and touches SIZE MiB (one VMA, 4 KiB pages) and
# times its own mmap+munmap pairs (the mmap lock, for writing) and page
# faults for SECS seconds, once alone and once while another process reads
# its smaps in a loop: resident cost (full smaps), resident cost --totals
# (smaps_rollup) and smem.  Medians, p99 and maxima in microseconds.
set -eu
. "$(dirname "$0")/lib.sh"
size=${SIZE:-4096} secs=${SECS:-5}
cc -O2 -o $w/stall bench/stall.c
run() { # LABEL READER-COMMAND (empty: none)
	$w/stall "$size" "$secs" > $w/stall.out &
	pid=$!
	while ! grep -q ready $w/stall.out 2> /dev/null; do sleep 0.1; done
	reads=0
	if [ -n "$2" ]; then
		while kill -0 $pid 2> /dev/null; do
			sh -c "$2" > /dev/null 2>&1 || true
			reads=$((reads + 1))
		done
	fi
	wait $pid
	awk -v l="$1" -v r="$reads" '$1 != "ready" { printf "  %-34s %-12s n %8d  median %6.1f  p99 %8.1f  max %9.1f us  (%d reads)\n", l, $1, $2, $3, $4, $5, r }' $w/stall.out
}
echo "a process with $size MiB in one VMA, $secs s each:"
run "alone" ""
run "resident cost -p stall" "./resident cost -p stall"
run "resident cost --totals -p stall" "./resident cost --totals -p stall"
run "resident cost --walk-limit 1G -p stall" "./resident cost --walk-limit 1G -p stall"
command -v smem > /dev/null && run "smem -P stall" "smem -P stall"
