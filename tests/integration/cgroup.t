#!/bin/sh
# cgroup.t: --cgroup selects exactly a cgroup's processes and reads the
# cgroup's own accounting, which cross-checks the kernel-side estimate.
. "$(dirname "$0")/tap.sh"
plan 15
# the memory hierarchy: cgroup v2 with the memory controller, else v1 memory
if grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
	parent=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
else
	parent=/sys/fs/cgroup/memory$(sed -n 's/^[0-9]*:memory://p' /proc/self/cgroup)
fi
cg=$parent/resident-test-$$
mkdir "$cg"; ok $? "made cgroup $cg"
# spawn and its 50 instances live in the cgroup; resident reads from outside
sh -c "echo \$\$ > '$cg/cgroup.procs' && exec '$PROGS/spawn' -n 50 '$PROGS/dirty' --heap 10 -- \
	sh -c 'echo \$\$ > \"$parent/cgroup.procs\" && exec \"$RESIDENT\" cost --cgroup \"$cg\" --json' sh" > "$TMP/j"
ok $? "resident cost --cgroup exits 0"
is "$(jq '[.programs[] | select(.exe | endswith("/dirty")) | .instances] | add' "$TMP/j")" 50 "the 50 instances are selected"
is "$(jq '.processes.read' "$TMP/j")" 51 "and spawn, nothing else (51 processes)"
version=$(jq '.cgroup.version' "$TMP/j")
ok $(test "$version" = 1 -o "$version" = 2; echo $?) "the cgroup's memory accounting is read (v$version)"
if [ "$version" = 2 ]; then
	kernel=$(jq '.cgroup.stat_bytes.kernel / 1024' "$TMP/j")
	user=$(jq '.cgroup.stat_bytes.anon / 1024' "$TMP/j")
else
	kernel=$(jq '.cgroup.kmem_bytes / 1024' "$TMP/j")
	user=$(jq '.cgroup.stat_bytes.rss / 1024' "$TMP/j")
fi
est=$(jq '[.programs[] | .kernel.total_kb * .instances] | add' "$TMP/j")
own=$(jq '[.programs[] | .per_instance.own_kb * .instances] | add' "$TMP/j")
within "$est" "$kernel" "$(awk -v k="$kernel" 'BEGIN { print k * 0.15 }')" \
	"kernel side: estimate $est kB vs the cgroup's own $kernel kB (15%)"
within "$own" "$user" "$(awk -v k="$user" 'BEGIN { print k * 0.15 }')" \
	"user side: own pages $own kB vs the cgroup's anonymous $user kB (15%)"
# the table's footer: each figure its own (the kernel stack was printed
# as slab: one buffer for two figures), beside memory.stat read at once
sh -c "echo \$\$ > '$cg/cgroup.procs' && exec '$PROGS/spawn' -n 20 '$PROGS/dirty' --heap 10 -- \
	sh -c 'echo \$\$ > \"$parent/cgroup.procs\" && \"$RESIDENT\" cost --cgroup \"$cg\" > \"$TMP/t\" &&
	cat \"$cg/memory.stat\" > \"$TMP/stat\"' sh"
if [ "$version" = 2 ]; then
	foot=$(grep "^cgroup $cg (v2)" "$TMP/t")
	kib() { awk -v k="$1" '$1 == k { printf "%.0f", $2 / 1024 }' "$TMP/stat"; }
	shown() { echo "$foot" | sed -n "s/.* $1 \([0-9.]*\)\([KMG]\)iB.*/\1 \2/p" |
		awk '{ print $1 * ($2 == "K" ? 1 : $2 == "M" ? 1024 : 1048576) }'; }
	within "$(shown kernel_stack)" "$(kib kernel_stack)" "$(( $(kib kernel_stack) / 5 + 16 ))" \
		"footer: kernel_stack as memory.stat says ($foot)"
	within "$(shown slab_unreclaimable)" "$(kib slab_unreclaimable)" "$(( $(kib slab_unreclaimable) / 5 + 16 ))" \
		"footer: slab_unreclaimable as memory.stat says"
else
	grep -q "^cgroup $cg (v1): .*kernel_stack unknown" "$TMP/t"
	ok $? "footer: v1 has no kernel_stack figure, and says so: $(grep "^cgroup" "$TMP/t")"
	skip "v1: no slab_unreclaimable line to compare"
fi
# --by unit and --by cgroup: 3 instances in a cgroup named as a systemd
# service, read from outside it; --by user: nobody's 2
svc=$parent/resident-t-$$.service
mkdir "$svc"
rel=${svc#/sys/fs/cgroup}; rel=${rel#/memory}
sh -c "echo \$\$ > '$svc/cgroup.procs' && exec '$PROGS/spawn' -n 3 '$PROGS/dirty' -- \
	sh -c 'echo \$\$ > \"$parent/cgroup.procs\" && \"$RESIDENT\" cost --by unit --json > \"$TMP/u\" &&
	\"$RESIDENT\" cost --by cgroup --json > \"$TMP/c\" && \"$RESIDENT\" cost --by unit > \"$TMP/ut\"' sh"
is "$(jq -r --arg u "resident-t-$$.service" '.by + " " + ([.programs[] | select(.unit == $u) | .instances] | add | tostring)' "$TMP/u")" \
	"unit 4" "--by unit: the service's row holds its 3 instances and spawn"
is "$(jq -r --arg c "$rel" '[.programs[] | select(.cgroup == $c) | .instances] | add' "$TMP/c")" 4 \
	"--by cgroup: the memory cgroup's path, as /proc/PID/cgroup has it ($rel)"
grep -q "^UNIT .* MARGINAL_TOTAL$" "$TMP/ut" && grep -q "^resident-t-$$.service  *4 " "$TMP/ut"
ok $? "--by unit table: a UNIT column, the service's row"
rmdir "$svc"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$PROGS/spawn" -n 2 "$PROGS/dirty" -- \
	"$RESIDENT" cost --by user --json > "$TMP/us"
is "$(jq -r '[.programs[] | select(.user == "nobody") | .instances] | add' "$TMP/us")" 2 \
	"--by user: nobody's 2 instances in one row, named by the user"
rmdir "$cg"; ok $? "cgroup removed: nothing was left in it"
"$RESIDENT" cost --cgroup /nonexistent/cg 2> "$TMP/err"
is "$?:$(cat "$TMP/err")" "4:resident: /nonexistent/cg/cgroup.procs: No such file or directory" \
	"a cgroup that does not exist: exit 4, one line"
