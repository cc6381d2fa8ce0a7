#!/bin/bash
# bench-contain.t: everything a run of resident bench starts dies with it,
# or it is reported (exit 4, one line). The commands here start processes
# that leave the process group (setsid), each a program of its own name,
# so that pgrep counts exactly those, whatever else runs on the machine.
# Then the layers are taken away one at a time: the PID namespace
# (--no-pidns), the cgroups (as nobody), both (in a user namespace that
# may make no more namespaces), resident itself (SIGKILL).
. "$(dirname "$0")/tap.sh"
plan 21
chmod 755 "$TMP"
cp "$PROGS/dirty" "$TMP/idle"
root=0
[ "$(id -u)" = 0 ] && root=1
as_nobody() { if [ $root = 1 ]; then setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; else "$@"; fi; }
esc() { cp "$PROGS/dirty" "$TMP/$1"; }	# a program of its own name
n() { pgrep -c -f "^$TMP/$1\$" || true; }
# until none of them runs, for a minute at most (a bound, not a timing)
gone() { for _ in $(seq 600); do [ "$(n "$1")" = 0 ] && return 0; sleep 0.1; done; return 1; }
# until at least $2 of them run
seen() { for _ in $(seq 600); do [ "$(n "$1")" -ge "$2" ] && return 0; sleep 0.1; done; return 1; }
stop_all() { for p in $(pgrep -f "^$TMP/$1\$"); do kill -9 "$p"; done; }
daemon() { echo "setsid $TMP/$1 & exec $TMP/idle"; }
B() { "$RESIDENT" bench -q --settle 2 "$@"; }
ns=$(stat -L -c %i /proc/self/ns/pid)
skip() { ok 0 "# SKIP $1"; }
# jq -e FILTER FILE, which must not be empty (jq finds empty input true)
jqe() { [ -s "$2" ] && jq -e "$1" "$2" > /dev/null; }

# density: each instance leaves a daemon behind, the probe instance too
esc e1
B -n 20 -r 0 -- sh -c "$(daemon e1)" > /dev/null 2> "$TMP/err"
is "$?:$(n e1)" "0:0" "density, setsid'd children: exit 0, none left"
is "$(grep -c 'e1 & exec .*: 20 processes left the process group at N=20' "$TMP/err")" 1 \
	"and one line says so: $(cat "$TMP/err")"

# startup: each run leaves a daemon behind (3 warm-up runs + 2 x 20)
esc e2
B -r 20 -- sh -c "setsid $TMP/e2 &" > /dev/null 2> "$TMP/err"
is "$?:$(n e2)" "0:0" "startup runs, setsid'd children: exit 0, none left"
grep -q 'e2 &: leaves processes running after it exits' "$TMP/err"
ok $? "and one line says so: $(cat "$TMP/err")"

# as nobody: no cgroup is writable; a PID namespace in a user namespace
esc e3
as_nobody "$RESIDENT" bench -q --settle 2 -n 20 -r 0 --json -- sh -c "$(daemon e3)" > "$TMP/j" 2> /dev/null
is "$?:$(n e3)" "0:0" "as nobody, density: exit 0, none left ($(jq -c .containment "$TMP/j"))"
esc e4
as_nobody "$RESIDENT" bench -q -r 10 -- sh -c "setsid $TMP/e4 &" > /dev/null 2>&1
is "$?:$(n e4)" "0:0" "as nobody, startup runs: exit 0, none left"

# neither namespaces nor cgroups: a user namespace whose limits allow no
# more namespaces (as nobody, nothing in /sys/fs/cgroup is writable there)
esc e5
if as_nobody unshare -Ur true 2> /dev/null; then
	as_nobody unshare -Ur sh -c 'echo 0 > /proc/sys/user/max_pid_namespaces &&
		echo 0 > /proc/sys/user/max_user_namespaces && exec "$0" "$@"' \
		"$RESIDENT" bench -q --settle 2 -n 20 -r 10 --timeout 1 --json -- sh -c "$(daemon e5)" --vs sh -c "setsid $TMP/e5 &" \
		> "$TMP/j" 2> /dev/null
else
	as_nobody "$RESIDENT" bench -q --settle 2 -n 20 -r 10 --timeout 1 --json -- sh -c "$(daemon e5)" --vs sh -c "setsid $TMP/e5 &" \
		> "$TMP/j" 2> /dev/null
fi
rc=$?
is "$rc:$(n e5)" "1:0" "no namespaces, no cgroups: none left (exit 1: the first command never exits, for startup)"
jqe '.containment.pid_namespace == false and .containment.kill_cgroup == null and
	.commands[0].escaped.processes == 20 and .commands[0].escaped.killed_by == "subreaper" and
	.commands[1].startup_leftovers.killed_by == "subreaper"' "$TMP/j"
ok $? "found as resident's orphans: $(jq -c '[.containment, .commands[].escaped, .commands[].startup_leftovers]' "$TMP/j")"

# root: without the PID namespace, the kill cgroup catches them
esc e6
if [ $root = 1 ]; then
	B -n 20 -r 0 --no-pidns --json -- sh -c "$(daemon e6)" > "$TMP/j" 2> /dev/null
	is "$?:$(n e6)" "0:0" "--no-pidns, density: exit 0, none left"
	jqe '.commands[0].escaped.killed_by | test("cgroup")' "$TMP/j"
	ok $? "killed by the cgroup: $(jq -c '[.containment, .commands[0].escaped]' "$TMP/j")"
	B -r 10 --no-pidns -- sh -c "setsid $TMP/e6 &" > /dev/null 2> "$TMP/err"
	is "$?:$(n e6)" "0:0" "--no-pidns, startup runs: exit 0, none left: $(cat "$TMP/err")"
else
	skip "--no-pidns as root"; skip "--no-pidns as root"; skip "--no-pidns as root"
fi

# what cannot be killed is reported: a set-user-ID program that becomes
# another user entirely, started by nobody without a PID namespace (where
# set-user-ID would not apply); only root can make one (owned by daemon,
# executable by group nogroup alone)
esc e7
if [ $root = 1 ] && id daemon > /dev/null 2>&1; then
	mkdir "$TMP/suid" && chgrp nogroup "$TMP/suid" && chmod 750 "$TMP/suid"
	cp /usr/bin/setpriv "$TMP/suid/sp" && chown daemon:nogroup "$TMP/suid/sp" && chmod 4750 "$TMP/suid/sp"
	as_nobody "$RESIDENT" bench -q --settle 2 -n 2 -r 0 --no-pidns -- "$TMP/suid/sp" --reuid=daemon "$TMP/e7" \
		> /dev/null 2> "$TMP/err"
	rc=$?
	left=$(n e7)
	stop_all e7
	rm -f "$TMP/suid/sp"
	is "$rc:$(wc -l < "$TMP/err"):$left" "4:1:3" "unkillable processes (the probe's and 2): exit 4, one line"
	grep -q '^resident: 3 processes the run started could not be killed (pid [0-9]' "$TMP/err"
	ok $? "the line names them: $(cat "$TMP/err")"
else
	skip "a set-user-ID program needs root"; skip "a set-user-ID program needs root"
fi

# resident SIGKILLed with 100 and more daemons running: the PID namespace
# dies with it
esc e8
"$RESIDENT" bench -q --settle 60 -n 300 -r 0 -- sh -c "$(daemon e8)" > /dev/null 2>&1 &
pid=$!
killed=$pid
seen e8 100
k=$(n e8)
{ kill -KILL $pid; wait $pid; } 2> /dev/null	# no "Killed" from the shell
gone e8
ok $? "SIGKILL of resident with $k daemons running: none left ($(n e8))"
gone idle
ok $? "nor an instance"

# without the PID namespace they outlive it, in the run's cgroup; the
# next run kills them and removes the cgroup
esc e9
if [ $root = 1 ]; then
	"$RESIDENT" bench -q --settle 60 -n 300 -r 0 --no-pidns -- sh -c "$(daemon e9)" > /dev/null 2>&1 &
	pid=$!
	seen e9 100
	{ kill -KILL $pid; wait $pid; } 2> /dev/null
	diag "$(n e9) daemons outlived resident (SIGKILL) in its cgroup"
	B -r 1 -- /bin/true > /dev/null 2> "$TMP/err"
	is "$?:$(n e9)" "0:0" "the next run killed them: $(cat "$TMP/err")"
	is "$(ls /sys/fs/cgroup/*/ | grep -c "^resident-bench-$ns-$pid-")" 0 "and removed the killed run's cgroups"
else
	skip "cgroups need root"; skip "cgroups need root"
fi

# a startup run that never exits, and resident SIGKILLed meanwhile
esc e10
"$RESIDENT" bench -q -r 5 --timeout 1000 -- "$TMP/e10" > /dev/null 2>&1 &
pid=$!
killed="$killed $pid"
seen e10 1
{ kill -KILL $pid; wait $pid; } 2> /dev/null	# no "Killed" from the shell
gone e10
ok $? "SIGKILL of resident during a startup run: the run's process is gone"

# earlier runs' cgroups in a cgroup v2 hierarchy (cgroup.kill): a dead
# run's is emptied and removed, a live one's left alone (named after this
# shell, which runs)
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
esc e11
esc e12
if [ $root = 1 ] && [ -n "$v2" ] && [ -w "$v2" ]; then
	sh -c 'exit 0' &
	dead=$!
	wait $dead
	start=$(awk '{ print $22 }' /proc/$$/stat)
	dcg=$v2/resident-bench-$ns-$dead-1-0
	lcg=$v2/resident-bench-$ns-$$-$start-0
	mkdir "$dcg" "$lcg"
	sh -c "echo \$\$ > $dcg/cgroup.procs && exec $TMP/e11 > /dev/null" &
	sh -c "echo \$\$ > $lcg/cgroup.procs && exec $TMP/e12 > /dev/null" &
	seen e11 1
	seen e12 1
	B -r 1 -- /bin/true > /dev/null 2> "$TMP/err"
	is "$(n e11):$(test -d "$dcg"; echo $?)" "0:1" "a dead run's v2 cgroup: its process killed, the cgroup removed"
	is "$(n e12):$(test -d "$lcg"; echo $?)" "1:0" "a live run's: untouched"
	{ stop_all e11; stop_all e12; wait; } 2> /dev/null
	rmdir "$lcg" "$dcg" 2> /dev/null
else
	skip "no writable cgroup2 hierarchy"; skip "no writable cgroup2 hierarchy"
fi
# the cgroups of the runs SIGKILLed here, empty: removed by the next run
B -r 1 -- /bin/true > /dev/null 2>&1
is "$(for p in $killed $$; do ls /sys/fs/cgroup/*/ 2> /dev/null | grep "^resident-bench-$ns-$p-"; done | wc -l)" 0 \
	"nothing of this test left in the cgroups"
