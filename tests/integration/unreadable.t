#!/bin/sh
# unreadable.t: other users' processes, processes that do not exist: reported,
# counted and named, never fatal; exit statuses as documented.  Runs the
# privilege-sensitive part as an ordinary user (nobody).
. "$(dirname "$0")/tap.sh"
plan 20
asuser() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
# a root-owned instance, read by nobody
"$PROGS/spawn" -n 1 "$PROGS/dirty" -- sh -c "
	setpriv --reuid=nobody --regid=nogroup --clear-groups '$RESIDENT' cost --json > '$TMP/j' 2> '$TMP/err'
	echo \$? > '$TMP/rc'; echo \$1 > '$TMP/pid'" sh
pid=$(cat "$TMP/pid")
is "$(cat "$TMP/rc")" 0 "as nobody, all processes: exit 0 (others' unreadable processes are counted, not an error)"
jq -e . "$TMP/j" > /dev/null; ok $? "as nobody: the JSON is whole"
is "$(jq -r ".unreadable[] | select(.pid == $pid) | .state" "$TMP/j")" unreadable "root's instance is named unreadable"
is "$(jq -r ".unreadable[] | select(.pid == $pid) | .name" "$TMP/j")" dirty "with its name"
ok $(jq -e ".unreadable[] | select(.pid == $pid) | .kernel.page_tables_kb > 0" "$TMP/j" > /dev/null; echo $?) \
	"and its kernel side from status, which anyone may read"
ok $(jq -e '.processes.unreadable >= 1' "$TMP/j" > /dev/null; echo $?) "counted as unreadable"
ok $(test ! -s "$TMP/err"; echo $?) "no error text for an expected condition"
# nobody's own instances are read in full
asuser "$PROGS/spawn" -n 2 "$PROGS/dirty" --heap 5 -- "$RESIDENT" cost --json > "$TMP/j2"
is "$?" 0 "as nobody, its own processes: exit 0"
is "$(jq '.programs[0].roles.heap.own_kb' "$TMP/j2")" 20 "as nobody: roles read in full (heap 20 kB)"
# root reading nobody's processes by user
setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROGS/spawn" -n 3 "$PROGS/dirty" -- sleep 60 > /dev/null 2>&1 &
bg=$!
for i in $(seq 50); do [ "$(pgrep -u nobody -c -x dirty)" = 3 ] && break; sleep 0.1; done
"$RESIDENT" cost -u nobody -u 65534 --json > "$TMP/j3"
kill $bg; wait $bg 2> /dev/null
for i in $(seq 50); do [ "$(pgrep -u nobody -c -x dirty)" = 0 ] && break; sleep 0.1; done
is "$(pgrep -u nobody -c -x dirty)" 0 "and they are gone afterwards"
ok $(jq -e '[.programs[] | select(.exe | endswith("/dirty"))][0].instances == 3' "$TMP/j3" > /dev/null; echo $?) \
	"-u nobody selects nobody's 3 instances"
"$RESIDENT" cost -u no-such-user-here 2> "$TMP/err"
is "$?:$(cat "$TMP/err")" "2:resident: cost: -u: no-such-user-here: no such user (see resident cost --help)" \
	"-u with an unknown user: exit 2, one line"
# nothing readable is exit 3 (resident(1): the selection matched no readable
# process), one line saying why, and no empty report
"$PROGS/spawn" -n 1 "$PROGS/dirty" -- sh -c "
	setpriv --reuid=nobody --regid=nogroup --clear-groups '$RESIDENT' cost \$1 > '$TMP/o5' 2> '$TMP/e5'
	echo \$? > '$TMP/rc5'; echo \$1 > '$TMP/pid5'" sh
is "$(cat "$TMP/rc5")" 3 "as nobody, root's process by PID: exit 3, none readable"
is "$(cat "$TMP/e5")" "resident: no selected process could be read: pid $(cat "$TMP/pid5"): Permission denied" \
	"one line saying why"
is "$(wc -c < "$TMP/o5")" 0 "no empty report"
# --diff PID PROGRAM reads every process to find the program: other users'
# unreadable ones are not the operands', and do not make it exit 1
chmod 755 "$TMP"
cp "$PROGS/dirty" "$TMP/diffme"
"$PROGS/spawn" -n 2 "$(command -v setpriv)" --reuid=nobody --regid=nogroup --clear-groups "$TMP/diffme" -- sh -c "
	setpriv --reuid=nobody --regid=nogroup --clear-groups '$RESIDENT' cost --json --diff \$1 diffme > '$TMP/d' 2> '$TMP/de'
	echo \$? > '$TMP/drc'" sh
is "$(cat "$TMP/drc"):$(jq -r .b.instances "$TMP/d" 2> /dev/null)" 0:2 \
	"as nobody, --diff of its own PID and program: exit 0, the program's 2 instances"
if [ -s "$TMP/de" ]; then diag "stderr: $(cat "$TMP/de")"; fi
# PIDs that do not exist
"$RESIDENT" cost 999999999 > /dev/null 2> "$TMP/err"
is "$?" 3 "a PID that does not exist: exit 3"
is "$(head -n 1 "$TMP/err")" "resident: warning: pid 999999999: no such process" "and says so"
"$RESIDENT" cost --json $$ 999999999 > "$TMP/j4" 2> /dev/null
is "$?:$(jq '.processes.missing' "$TMP/j4")" "1:1" "one real, one missing PID: exit 1, missing counted"
"$PROGS/spawn" -n 1 "$PROGS/dirty" -- sh -c "'$RESIDENT' cost -p resident-no-such-program -p dirty > /dev/null 2> '$TMP/err'
	echo \$? > '$TMP/rc6'" sh
is "$(cat "$TMP/rc6"):$(cat "$TMP/err")" "1:resident: warning: -p resident-no-such-program: no process runs this program" \
	"-p of a program no process runs, beside one that runs: exit 1, and it says which"
