#!/bin/sh
# roles.t: a program that dirties exactly K pages of heap (and pages of stack
# and data) is reported with those pages in the right roles, within a page.
. "$(dirname "$0")/tap.sh"
plan 13
own() { # ARGS... -> heap data stack own kB of one dirty instance; stack pages per mincore
	DIRTY_REPORT="$TMP/rep" "$PROGS/spawn" -n 1 "$PROGS/dirty" "$@" -- "$RESIDENT" cost --json > "$TMP/j" ||
		echo "# resident cost failed"
	jq -r '.programs[0].roles | "\(.heap.own_kb) \(.data.own_kb) \(.stack.own_kb)"' "$TMP/j"
	sed -n 's/^stack_pages //p' "$TMP/rep"
}
for k in 1 10 100 1000; do
	set -- $(own --heap $k)
	within "$1" $((k * 4)) 4 "--heap $k: heap holds $k pages ($1 kB)"
done
set -- $(own); base_data=$2
set -- $(own --data); with_data=$2
within $((with_data - base_data)) 4 4 "--data: one more page of program data ($base_data -> $with_data kB)"
for s in 1 8; do
	set -- $(own --stack $s)
	within "$3" $(($4 * 4)) 4 "--stack $s: stack is what mincore says resident ($3 kB, $4 pages)"
	ok $(test "$4" -ge "$s"; echo $?) "--stack $s: at least $s pages resident"
done
set -- $(own --heap 50 --stack 8 --data)
within "$1" 200 4 "all three at once: heap 50 pages"
within "$3" $(($4 * 4)) 4 "all three at once: stack as mincore says"
# the table shows the same process under its program
"$PROGS/spawn" -n 3 "$PROGS/dirty" --heap 25 -- "$RESIDENT" cost -p dirty > "$TMP/t"
grep -Eq "/dirty +3 " "$TMP/t"; ok $? "table: three instances grouped under one program"
grep -q "100 KiB/instance of dirty heap" "$TMP/t"; ok $? "table: advice names the 100 kB of heap"
