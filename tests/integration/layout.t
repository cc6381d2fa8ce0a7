#!/bin/bash
# layout.t: the compact layout of a restored image (issue 5).  The loader
# moves the kernel's stack to just above the program so that one process
# needs fewer page-table pages; the stack must still grow to RLIMIT_STACK
# and fault where the normal program faults, and the kernel must describe
# the moved stack (cmdline, environ, auxv, [stack]) as it would any other.
. "$(dirname "$0")/tap.sh"
plan 22
D=$PROGS/deep
"$RESIDENT" snap -o "$TMP/deep" "$D" > /dev/null
ok $? "snap deep"
top=$("$RESIDENT" inspect --json "$TMP/deep" | jq .stack_top)
[ "$top" -gt 0 ]
ok $? "with an 8 MiB RLIMIT_STACK the image moves the stack (stack_top $top)"

# growth: 6 MiB of recursion works, 12 MiB overflows, both exactly as normal
for mb in 6 12; do
	# (12 MiB dies of SIGSEGV, as it should: the shell is not to say so)
	{ "$D" $mb > "$TMP/o1" 2>/dev/null; } 2> /dev/null; r1=$?
	{ RESIDENT_DEBUG=1 "$TMP/deep" $mb > "$TMP/o2" 2> "$TMP/e2"; } 2> /dev/null; r2=$?
	cmp -s "$TMP/o1" "$TMP/o2" && [ $r1 = $r2 ] && ! grep -q running "$TMP/e2"
	ok $? "deep $mb: the moved stack grows as the kernel's does (exit $r1, image exit $r2)"
done

# a running instance, as the kernel sees it
coproc W { exec -a deepw "$TMP/deep" wait; }
read -r -n 1 -u "${W[0]}" _
p=$W_PID
stack=$(grep '\[stack\]' /proc/$p/maps)
end=$((0x$(echo "$stack" | cut -d' ' -f1 | cut -d- -f2)))
is "$end" "$top" "[stack] ends at the image's stack_top"
under=$("$RESIDENT" inspect --json "$TMP/deep" | jq .stack_under)
sstart=$((0x$(echo "$stack" | cut -d' ' -f1 | cut -d- -f1)))
below=0 lo=0 tramp=0
while read -r range perms _ _ _ path; do
	case $path in "[stack]"|"[vsyscall]") continue ;; esac
	s=$((0x${range%-*})) e=$((0x${range#*-}))
	[ "$e" -le "$sstart" ] && [ "$e" -gt "$below" ] && below=$e
	[ "$s" = "$end" ] && [ $((e - s)) = 4096 ] && tramp=1 && continue
	[ "$s" -ge "$end" ] && { [ "$lo" = 0 ] || [ "$s" -lt "$lo" ]; } && lo=$s
done < /proc/$p/maps
[ $((end - below)) -ge $((9 << 20)) ]
ok $? "RLIMIT_STACK and the guard gap are free below the stack ($(((end - below) >> 20)) MiB)"
if [ "$under" = true ]; then
	# the trampoline's page between the stack and the program's lowest
	# map, all in one PTE page
	[ $tramp = 1 ] && [ $((lo - end)) = 4096 ] && [ $(((end - 1) >> 21)) = $((lo >> 21)) ]
	ok $? "the stack ends one page (the trampoline's) under the program, in its lowest map's PTE page"
else
	[ $tramp = 1 ] && [ $(((end - 1) >> 30)) = $((below >> 30)) ]
	ok $? "the stack ends above the program, in its 1 GiB (PMD), the trampoline's page above it"
fi
is "$(tr '\0' ' ' < /proc/$p/cmdline)" "deepw wait " "/proc/PID/cmdline reads the moved arguments"
grep -qz '^PATH=' /proc/$p/environ
ok $? "/proc/PID/environ reads the moved environment"
start=$((0x$(echo "$stack" | cut -d- -f1)))
sstack=$(awk '{print $28}' /proc/$p/stat)
[ "$sstack" -ge "$start" ] && [ "$sstack" -lt "$end" ]
ok $? "/proc/PID/stat startstack lies in [stack]"
# auxv: AT_EXECFN (31) and AT_RANDOM (25) point into the moved stack
inside=0
while read -r t v; do
	case $t in 25|31) [ "$v" -ge "$start" ] && [ "$v" -lt "$end" ] && inside=$((inside + 1)) ;; esac
done < <(od -An -t u8 -w16 -v /proc/$p/auxv)
is "$inside" 2 "/proc/PID/auxv: AT_RANDOM and AT_EXECFN point into the moved stack"
# captured through ld.so, the executable was mapped by ld.so like a library
exe=$(awk -v d="$D" '$6 == d {print $1; exit}' /proc/$p/maps)
libc=$(awk '$6 ~ /\/libc\.so/ {print $1; exit}' /proc/$p/maps)
[ -n "$exe" ] && [ -n "$libc" ] && [ $((0x${exe%-*} >> 30)) = $((0x${libc%-*} >> 30)) ]
ok $? "the executable lies beside its libraries, in the same 1 GiB (exe $exe, libc $libc)"
pte_img=$(awk '/VmPTE/ {print $2}' /proc/$p/status)
vmas_img=$(wc -l < /proc/$p/maps)
kill $p; wait $p 2>/dev/null
# captured as exec'd, the executable keeps the kernel's place, away from them
"$RESIDENT" snap --as-exec -o "$TMP/deep-exec" "$D" > /dev/null
coproc X { exec "$TMP/deep-exec" wait; }
read -r -n 1 -u "${X[0]}" _
exe=$(awk -v d="$D" '$6 == d {print $1; exit}' /proc/$X_PID/maps)
libc=$(awk '$6 ~ /\/libc\.so/ {print $1; exit}' /proc/$X_PID/maps)
kill $X_PID; wait $X_PID 2>/dev/null
[ -n "$exe" ] && [ $((0x${exe%-*} >> 30)) != $((0x${libc%-*} >> 30)) ]
ok $? "snap --as-exec: the executable stays where the kernel put it (exe $exe, libc $libc)"

coproc N { exec "$D" wait; }
read -r -n 1 -u "${N[0]}" _
pte_n=$(awk '/VmPTE/ {print $2}' /proc/$N_PID/status)
vmas_n=$(wc -l < /proc/$N_PID/maps)
kill $N_PID; wait $N_PID 2>/dev/null
[ "$pte_img" -lt "$pte_n" ]
ok $? "fewer page-table pages than the program run normally (VmPTE $pte_img kB, normal $pte_n kB)"
# the executable's own PUD, PMD and PTE pages and the stack's PMD are gone;
# either run may need one PTE page more where its libraries cross 2 MiB
[ "$pte_img" -le $((pte_n - 12)) ]
ok $? "at least 3 page-table pages fewer: the executable's and the stack's own (saved $((pte_n - pte_img)) kB)"
[ "$vmas_img" -le $((vmas_n + 1)) ]
ok $? "no more maps than the program run normally, but the trampoline's page ($vmas_img, normal $vmas_n)"

# a program that grows its heap after the start: no heap was captured, so
# the heap starts on the page after the program's highest map (stack
# under it) or after the trampoline's page (stack above it), in page
# tables the program has anyway
"$RESIDENT" snap -o "$TMP/dirty" "$PROGS/dirty" > /dev/null
coproc H { exec "$TMP/dirty" --heap 64; }
read -r -n 1 -u "${H[0]}" _
heap=$(grep '\[heap\]' /proc/$H_PID/maps)
htop=$("$RESIDENT" inspect --json "$TMP/dirty" | jq .stack_top)
hunder=$("$RESIDENT" inspect --json "$TMP/dirty" | jq .stack_under)
hs=$((0x$(echo "$heap" | cut -d- -f1))); he=$((0x$(echo "$heap" | cut -d' ' -f1 | cut -d- -f2)))
if [ "$hunder" = true ]; then
	prev=$(grep -B1 '\[heap\]' /proc/$H_PID/maps | head -1 | cut -d' ' -f1)
	is "$hs" $((0x${prev#*-})) "stack under the program: the heap starts right after its highest map"
	near=$((0x${prev#*-} - 1))
else
	is "$hs" $((htop + 4096)) "stack above the program: the heap starts above the stack and its trampoline page"
	near=$((htop - 1))
fi
[ $((he - hs)) -ge $((64 * 4096)) ] && [ $((hs >> 21)) = $((near >> 21)) ]
ok $? "it grew by the 64 pages the program asked for, and its first pages share its neighbour's PTE page"
kill $H_PID; wait $H_PID 2>/dev/null

# the 1 MiB bss it never writes is saved as holes
size=$(stat -c %s "$TMP/deep")
alloc=$(($(stat -c %b "$TMP/deep") * $(stat -c %B "$TMP/deep")))
[ "$size" -gt $((1 << 20)) ] && [ "$alloc" -lt $((512 << 10)) ]
ok $? "zero pages are holes in the image ($alloc of $size bytes allocated)"

# an unlimited RLIMIT_STACK has no room to move into: the stack stays, and
# the image still runs exactly
(
	ulimit -s unlimited
	"$RESIDENT" snap -o "$TMP/deepu" "$D" > /dev/null &&
		is "$("$RESIDENT" inspect --json "$TMP/deepu" | jq .stack_top)" 0 "unlimited RLIMIT_STACK: the stack is not moved"
	RESIDENT_DEBUG=1 "$TMP/deepu" 6 > "$TMP/o3" 2> "$TMP/e3"
	[ "$(cat "$TMP/o3")" = "deep 6 ok" ] && ! grep -q running "$TMP/e3"
	ok $? "unlimited RLIMIT_STACK: the image restores and recurses 6 MiB"
)
_n=$((_n + 2))

# as an ordinary user: the move needs no privilege
cp "$TMP/deep" "$TMP/deepn" && chmod 755 "$TMP" "$TMP/deepn"
out=$(RESIDENT_DEBUG=1 setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/deepn" 6 2>&1)
is "$out" "deep 6 ok" "as nobody: the image restores with the moved stack"
