#!/bin/sh
# diff.t: --diff puts two processes or programs side by side, role by role.
. "$(dirname "$0")/tap.sh"
plan 6
"$PROGS/spawn" -n 1 "$PROGS/dirty" --heap 10 -- "$PROGS/spawn" -n 1 "$PROGS/dirty" --heap 60 -- \
	sh -c "'$RESIDENT' cost --diff --json \$1 \$2 > '$TMP/j'; '$RESIDENT' cost --diff \$1 \$2 > '$TMP/t'" sh
is "$(jq -r .schema "$TMP/j")" resident-cost-diff/1 "JSON: schema resident-cost-diff/1"
is "$(jq -c '.kb_per_instance["heap.own"]' "$TMP/j")" "[40,240]" "heap: 10 pages vs 60 pages"
is "$(jq -c '.kb_per_instance["libc.own"] | .[0] == .[1]' "$TMP/j")" true "libc's own pages alike"
grep -Eq '^heap\.own +40K +240K +\+200K$' "$TMP/t"; ok $? "table: heap.own 40K 240K +200K"
"$PROGS/spawn" -n 2 "$PROGS/dirty" -- sh -c "sleep 30 & s=\$!; sleep 0.2; '$RESIDENT' cost --diff dirty sleep > '$TMP/t2'; echo \$? > '$TMP/rc'; kill \$s" sh
is "$(cat "$TMP/rc")" 0 "programs by name: exit 0"
"$RESIDENT" cost --diff no-such-program-x 1 2> "$TMP/err"
is "$?" 3 "a program nobody runs: exit 3"
