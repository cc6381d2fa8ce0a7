#!/bin/bash
# bench.t: resident bench on real processes. Density figures against pages
# the test program dirties exactly; startup distributions; the limits it
# refuses; and, in every way a run can end, no process left behind.
. "$(dirname "$0")/tap.sh"
plan 29
chmod 755 "$TMP"
cp "$PROGS/dirty" "$TMP/idle"	# a name of its own, to count what is left
left() { pgrep -c -f "^$TMP/idle" || true; }
as_nobody() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; else "$@"; fi; }
B() { "$RESIDENT" bench -q --settle 5 "$@"; }

# density: 256 more dirty heap pages must show as 1024 kB more per instance.
# meminfo is the whole machine's, and other work runs meanwhile: where the
# run has a memory cgroup (root), the assertions are on its own figures;
# on meminfo's, three rounds, the median kept, and each bound widened by
# the noise the run measured (meminfo's total moving, nothing started).
cg=0
if [ -w /sys/fs/cgroup/memory ] || grep -qw memory /sys/fs/cgroup/unified/cgroup.subtree_control 2> /dev/null; then
	cg=1
fi
jqe() { [ -s "$2" ] && jq -e "$1" "$2" > /dev/null; }	# empty input is not true
"$RESIDENT" bench -q --settle 5 -n 100 --rounds 3 --json -- "$TMP/idle" --vs "$TMP/idle" --heap 256 > "$TMP/d.json" &
pid=$!
wait $pid
is "$?" 0 "density of two commands: exit 0"
is "$(left)" 0 "no instance left after a run"
jqe '.schema == "resident-bench/1" and (.commands | length == 2) and
	all(.commands[].density[0]; .alive == 100 and .per_instance_kb.total > 50)' "$TMP/d.json"
ok $? "JSON: both commands, 100 instances alive each, a total per instance \
($(jq -c '[.commands[].density[0] | {alive, total: .per_instance_kb.total}]' "$TMP/d.json" 2>&1 | head -c 300))"
d() { jq ".commands[$1].density[0].$2" "$TMP/d.json"; }
# the noise of both commands' kept rounds, twice: a bound on the deltas' error
noise=$(awk -v a="$(d 0 meminfo_noise_per_instance_kb)" -v b="$(d 1 meminfo_noise_per_instance_kb)" \
	'BEGIN { print 2 * (a + b) }')
diag "meminfo noise: $(d 0 meminfo_noise_kb) and $(d 1 meminfo_noise_kb) kB, nothing started"
if [ $cg = 1 ]; then
	base=$(d 0 cgroup.anon_kb)
	more=$(d 1 cgroup.anon_kb)
	within "$(awk -v a="$base" -v b="$more" 'BEGIN { print b - a }')" 1024 8 \
		"the run's memory cgroup: 256 dirty pages more = 1024 kB more anon per instance (got $base and $more)"
else
	base=$(d 0 per_instance_kb.anon)
	more=$(d 1 per_instance_kb.anon)
	within "$(awk -v a="$base" -v b="$more" 'BEGIN { print b - a }')" 1024 "$(awk -v n="$noise" 'BEGIN { print 40 + n }')" \
		"meminfo AnonPages, median of 3 rounds: 256 dirty pages more = 1024 kB more per instance (got $base and $more)"
fi
uss=$(jq '.commands[1].density[0].uss_kb - .commands[0].density[0].uss_kb' "$TMP/d.json")
within "$uss" 1024 8 "and resident cost's reader sees the same 1024 kB in USS"
kst=$(d 0 per_instance_kb.kernel_stack)
within "$kst" 16 "$(awk -v n="$noise" 'BEGIN { print 2 + n }')" \
	"kernel stack: 16 kB per single-threaded instance (THREAD_SIZE), within meminfo's noise"
model=$(d 0 model_kb)
total=$(d 0 per_instance_kb.total)
within "$model" "$total" "$(awk -v t="$total" -v n="$noise" 'BEGIN { print t * 0.15 + n }')" \
	"resident cost's model ($model kB) within 15% of the kernel's deltas ($total kB), and meminfo's noise"
if [ $cg = 1 ]; then
	jqe '.cgroup.used and (.commands[1].density[0].cgroup.total_kb > 1024)' "$TMP/d.json"
	ok $? "the run's memory cgroup charged each instance more than its 1024 kB of heap"
else
	jqe '.cgroup.used == false and (.cgroup.why | length > 0)' "$TMP/d.json"
	ok $? "no writable memory cgroup here, and the JSON says why"
fi
ns=$(stat -L -c %i /proc/self/ns/pid)
is "$(ls /sys/fs/cgroup/*/ 2> /dev/null | grep -c "^resident-bench-$ns-$pid-")" 0 "no cgroup left behind"

# several N: a linear fit; its slope, the cost of one more instance: the
# bare program's plus 64 pages of heap (the median of 3 rounds for meminfo's)
B -n 50,150 --rounds $((3 - 2 * cg)) --json -- "$TMP/idle" --heap 64 > "$TMP/fit.json"
B -n 50,150 -- "$TMP/idle" --heap 64 > "$TMP/fit.txt"
grep -Eq "^$TMP/idle --heap 64: [0-9.]+ KiB per instance, -?[0-9]+ KiB fixed, R\^2 [01]\.[0-9]+\$" "$TMP/fit.txt"
ok $? "two N: the fit line"
if [ $cg = 1 ]; then
	slope=$(jq '.commands[0].cgroup_fit.kb_per_instance' "$TMP/fit.json")
	bare=$(d 0 cgroup.total_kb)
	within "$slope" "$(awk -v b="$bare" 'BEGIN { print b + 256 }')" 16 \
		"the cgroup's fit: $slope kB per instance, the bare program's $bare kB + 256 kB of heap"
else
	slope=$(jq '.commands[0].fit.kb_per_instance' "$TMP/fit.json")
	fnoise=$(jq '[.commands[0].density[].meminfo_noise_per_instance_kb] | add * 2' "$TMP/fit.json")
	within "$slope" 420 "$(awk -v n="$fnoise" 'BEGIN { print 120 + n }')" \
		"meminfo's fit (median of 3 rounds): $slope kB near 256 kB heap + the program's ~165 kB"
fi

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
jqe '.commands[0].density[0].alive == 30 and .commands[0].density[0].uss_kb >= 90' "$TMP/n.json"
ok $? "as nobody: density measured, 30 instances, their own pages read (USS)"

# ending early: SIGINT, SIGTERM, and resident itself killed
for sig in INT TERM KILL; do
	"$RESIDENT" bench -q --settle 30 -n 3000 -r 0 -- "$TMP/idle" > /dev/null 2>&1 &
	pid=$!
	# bounds on the waits, a minute each, not timings
	for _ in $(seq 600); do [ "$(left)" -ge 100 ] && break; sleep 0.1; done
	n=$(left)
	kill -$sig $pid
	wait $pid 2> /dev/null
	rc=$?
	for _ in $(seq 600); do [ "$(left)" = 0 ] && break; sleep 0.1; done
	is "$rc:$(left)" "$((128 + $(kill -l $sig))):0" "SIG$sig with $n instances running: resident dies of it, no instance left"
done
# the killed run's cgroups (empty: the PID namespace died with it) go with
# the next run
B -r 1 -- /bin/true > /dev/null 2>&1
is "$(ls /sys/fs/cgroup/*/ 2> /dev/null | grep -c "^resident-bench-$ns-$pid-")" 0 "the SIGKILLed run's cgroups: removed by the next run"
