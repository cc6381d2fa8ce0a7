#!/bin/bash
# bench.t: resident bench on real processes. Density figures against pages
# the test program dirties exactly; startup distributions; the limits it
# refuses; and, in every way a run can end, no process left behind.
. "$(dirname "$0")/tap.sh"
plan 28
chmod 755 "$TMP"
cp "$PROGS/dirty" "$TMP/idle"	# a name of its own, to count what is left
left() { pgrep -c -f "^$TMP/idle" || true; }
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
B() { "$RESIDENT" bench -q --settle 5 "$@"; }

# density: 256 more dirty heap pages must show as 1024 kB more per instance
B -n 100 --json -- "$TMP/idle" --vs "$TMP/idle" --heap 256 > "$TMP/d.json"
is "$?" 0 "density of two commands: exit 0"
is "$(left)" 0 "no instance left after a run"
jq -e '.schema == "resident-bench/1" and (.commands | length == 2) and
	all(.commands[].density[0]; .alive == 100 and .per_instance_kb.total > 50)' "$TMP/d.json" > /dev/null
ok $? "JSON: both commands, 100 instances alive each, a total per instance"
base=$(jq '.commands[0].density[0].per_instance_kb.anon' "$TMP/d.json")
more=$(jq '.commands[1].density[0].per_instance_kb.anon' "$TMP/d.json")
within "$(awk -v a="$base" -v b="$more" 'BEGIN { print b - a }')" 1024 40 \
	"meminfo AnonPages: 256 dirty pages more = 1024 kB more per instance (got $base and $more)"
uss=$(jq '.commands[1].density[0].uss_kb - .commands[0].density[0].uss_kb' "$TMP/d.json")
within "$uss" 1024 8 "and resident cost's reader sees the same 1024 kB in USS"
kst=$(jq '.commands[0].density[0].per_instance_kb.kernel_stack' "$TMP/d.json")
within "$kst" 16 2 "kernel stack: 16 kB per single-threaded instance (THREAD_SIZE)"
model=$(jq '.commands[0].density[0].model_kb' "$TMP/d.json")
total=$(jq '.commands[0].density[0].per_instance_kb.total' "$TMP/d.json")
within "$model" "$total" "$(awk -v t="$total" 'BEGIN { print t * 0.15 }')" \
	"resident cost's model ($model kB) within 15% of the kernel's deltas ($total kB)"
if [ -w /sys/fs/cgroup/memory ] || grep -qw memory /sys/fs/cgroup/unified/cgroup.subtree_control 2> /dev/null; then
	jq -e '.cgroup.used and (.commands[1].density[0].cgroup.total_kb > 1024)' "$TMP/d.json" > /dev/null
	ok $? "the run's memory cgroup charged each instance more than its 1024 kB of heap"
else
	jq -e '.cgroup.used == false and (.cgroup.why | length > 0)' "$TMP/d.json" > /dev/null
	ok $? "no writable memory cgroup here, and the JSON says why"
fi
ls /sys/fs/cgroup/memory /sys/fs/cgroup/unified 2> /dev/null | grep -c resident-bench > "$TMP/cg"
is "$(cat "$TMP/cg")" 0 "no cgroup left behind"

# several N: a linear fit
B -n 50,150 -- "$TMP/idle" --heap 64 > "$TMP/fit.txt"
grep -Eq "^$TMP/idle --heap 64: [0-9.]+ kB per instance, -?[0-9]+ kB fixed, R\^2 [01]\.[0-9]+\$" "$TMP/fit.txt"
ok $? "two N: the fit line"
slope=$(sed -n "s|^$TMP/idle --heap 64: \([0-9.]*\) kB per instance.*|\1|p" "$TMP/fit.txt")
within "$slope" 420 120 "fit slope ($slope kB) near 256 kB heap + the program's ~165 kB"

# %d: each instance gets its own argument
mkdir "$TMP/dirs"
B -n 10 -r 0 -- sh -c "echo > $TMP/dirs/i%d; exec $TMP/idle" > /dev/null
is "$(ls "$TMP/dirs" | sort -V | tr '\n' ' ')" "i0 i1 i2 i3 i4 i5 i6 i7 i8 i9 " "%d: instances 0 to 9, each with its own file"
is "$(left)" 0 "nothing left, the shell's exec'd program included"

# a command that exits at once cannot be measured for density
B -n 20 -r 0 -- /bin/true > "$TMP/t.txt"
is "$?:$(grep -c "exited at once" "$TMP/t.txt")" "1:1" "density of /bin/true: exit 1, reported as exiting at once"

# startup: distributions, faults, ratio, CSV, SVG
B -r 30 --csv --svg "$TMP/s.svg" -- /bin/true --vs "$PROGS/show" --exit 0 > "$TMP/s.csv"
is "$?" 0 "startup of two commands: exit 0"
head -1 "$TMP/s.csv" | grep -q '^kind,command,n,metric,value$'; ok $? "CSV header"
awk -F, '$1 == "startup" && $4 == "fork_exec_faults" && $5 > 10 { n++ } END { exit n != 2 }' "$TMP/s.csv"
ok $? "page faults per exec counted for both (more than 10 each)"
awk -F, '$1 == "startup" && $4 ~ /_median_us$/ && $5 > 50 && $5 < 1000000 { n++ } END { exit n != 4 }' "$TMP/s.csv"
ok $? "a median time for each command and method"
/usr/bin/python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); sys.exit(len(d.getElementsByTagName("rect")) < 3)' "$TMP/s.svg"
ok $? "the SVG parses as XML and has its bars"
B -r 3 --timeout 0.5 -- "$TMP/idle" > "$TMP/to.txt"
is "$?:$(grep -c "time limit" "$TMP/to.txt"):$(left)" "1:1:0" "startup of a program that never exits: reported, killed, exit 1"

# refusals, before anything starts
B -n 50000000 -- "$TMP/idle" 2> "$TMP/e"
is "$?:$(wc -l < "$TMP/e"):$(left)" "2:1:0" "beyond pid_max: exit 2, one line, nothing started"
grep -q "pid_max is $(cat /proc/sys/kernel/pid_max)" "$TMP/e"; ok $? "the message gives the numbers: $(cat "$TMP/e")"
B -n 5000 -- "$TMP/idle" --heap 50000 2> "$TMP/e"
is "$?:$(grep -c "MemAvailable" "$TMP/e"):$(left)" "2:1:0" "5000 x 200 MB: refused against MemAvailable: $(cat "$TMP/e")"
as_nobody prlimit --nproc=40:40 "$RESIDENT" bench -q -n 100 -- "$TMP/idle" 2> "$TMP/e"
is "$?:$(grep -c "ulimit -u. is 40" "$TMP/e")" "2:1" "as nobody, ulimit -u 40: refused with the numbers: $(cat "$TMP/e")"
as_nobody "$RESIDENT" bench -q --settle 5 -n 30 --json -- "$TMP/idle" > "$TMP/n.json"
jq -e '.commands[0].density[0].alive == 30 and .commands[0].density[0].per_instance_kb.total > 50' "$TMP/n.json" > /dev/null
ok $? "as nobody: density measured, 30 instances"

# ending early: SIGINT, SIGTERM, and resident itself killed
for sig in INT TERM KILL; do
	"$RESIDENT" bench -q --settle 30 -n 3000 -r 0 -- "$TMP/idle" > /dev/null 2>&1 &
	pid=$!
	for _ in $(seq 200); do [ "$(left)" -ge 100 ] && break; sleep 0.05; done
	n=$(left)
	kill -$sig $pid
	wait $pid 2> /dev/null
	rc=$?
	for _ in $(seq 100); do [ "$(left)" = 0 ] && break; sleep 0.05; done
	is "$rc:$(left)" "$((128 + $(kill -l $sig))):0" "SIG$sig with $n instances running: resident dies of it, no instance left"
done
