#!/bin/bash
# layouts.t: per-run layout randomisation (snap --layouts K, issue 5).  An
# image of K captures, each at the addresses its own run got; every exec
# picks one at random.  The program must run exactly as the original from
# every layout, more than one layout must show up, a damaged layout must
# send that exec to the original program, and a capture where the kernel
# did not randomise addresses must be refused.  The program reports its own
# address space: cat /proc/self/maps.
. "$(dirname "$0")/tap.sh"
plan 20
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
CAT=/usr/bin/cat
LIB=libc.so.6

"$RESIDENT" snap --layouts 4 -o "$TMP/cat" $CAT > "$TMP/o"
ok $? "snap --layouts 4 $CAT"
grep -q ', 4 layouts$' "$TMP/o"
ok $? "snap says how many layouts: $(cat "$TMP/o")"
is "$("$RESIDENT" inspect --json "$TMP/cat" | jq .layouts)" 4 "inspect --json: 4 layouts"
"$RESIDENT" inspect "$TMP/cat" | grep -q '^layouts  4, one picked at random per exec'
ok $? "inspect names the layouts"

# where libc is, in 40 runs of the image and of the original
bases() { # IMAGE-OR-PROGRAM: libc's base in 40 runs, one per line
	for i in $(seq 40); do
		RESIDENT_DEBUG=1 "$1" /proc/self/maps 2>> "$TMP/err" | grep -m1 "/$LIB" | cut -d- -f1
	done
}
: > "$TMP/err"
bases "$TMP/cat" > "$TMP/b"
n=$(sort -u "$TMP/b" | wc -l)
is "$(wc -l < "$TMP/b")" 40 "40 runs of the image each listed their own maps"
[ ! -s "$TMP/err" ]
ok $? "no run fell back to the original program ($(head -1 "$TMP/err"))"
[ "$n" -ge 2 ] && [ "$n" -le 4 ]
ok $? "libc sat at $n of the 4 captured addresses (2 to 4 expected in 40 runs; one layout 40 times: p = 4^-39)"
bases $CAT | sort -u > "$TMP/bn"
[ -z "$(comm -12 "$TMP/bn" <(sort -u "$TMP/b"))" ]
ok $? "the image's addresses are its captures', not those of fresh exec'd runs"

# the same output as the original, whichever layout runs
seq 100000 > "$TMP/in"
good=0
for i in $(seq 20); do
	"$TMP/cat" "$TMP/in" - < /etc/passwd | cmp -s - <(cat "$TMP/in" /etc/passwd) && good=$((good + 1))
done
is $good 20 "20 runs from random layouts: output identical to $CAT's"

# a system image: K layouts' pages in the sidecar, one after another
mkdir "$TMP/sys"
"$RESIDENT" snap --system --layouts 3 -o "$TMP/sys/cat" $CAT > /dev/null
ok $? "snap --system --layouts 3"
saved=$("$RESIDENT" inspect --json "$TMP/sys/cat" | jq .saved_bytes)
is "$saved" "$(stat -c %s "$TMP"/sys/.cat.??????.resident-pages)" "the sidecar holds the 3 layouts' saved pages ($saved bytes)"
: > "$TMP/err"
n=$(bases "$TMP/sys/cat" | sort -u | wc -l)
[ "$n" -ge 2 ] && [ "$n" -le 3 ] && [ ! -s "$TMP/err" ]
ok $? "the system image restores from $n of its 3 layouts, never falling back"

# damage in one layout's tables: that layout's execs run the original
# program; the others still restore
cp "$TMP/cat" "$TMP/bad"
"$RESIDENT" inspect --json "$TMP/bad" > "$TMP/bad.json"
off=$(("$(jq '.regions.layouts[2].tables_offset' "$TMP/bad.json")" + 200))
printf 'X' | dd of="$TMP/bad" bs=1 seek="$off" conv=notrunc 2> /dev/null
"$RESIDENT" inspect "$TMP/bad" > /dev/null 2> "$TMP/e"
is "$?:$(cat "$TMP/e")" "4:resident: $TMP/bad: layout 3 of 4: damaged image (checksum)" "inspect names the damaged layout"
fell=0 restored=0 good=0
for i in $(seq 40); do
	RESIDENT_DEBUG=1 "$TMP/bad" /etc/hostname > "$TMP/o" 2> "$TMP/e"
	cmp -s "$TMP/o" /etc/hostname && good=$((good + 1))
	if grep -q 'damaged image (checksum): running' "$TMP/e"; then fell=$((fell + 1)); else restored=$((restored + 1)); fi
done
is $good 40 "40 runs of the damaged image: all print what $CAT prints"
[ $fell -ge 1 ] && [ $restored -ge 1 ]
ok $? "the damaged layout ran the original ($fell runs), the others restored ($restored runs)"

# no randomisation, no layouts: refused, nothing written
setarch -R "$RESIDENT" snap --layouts 2 -o "$TMP/norand" $CAT > /dev/null 2> "$TMP/e"
r=$?
[ $r = 2 ] && grep -q 'address space randomisation is off' "$TMP/e" && [ -z "$(ls -A "$TMP" | grep norand)" ]
ok $? "setarch -R: refused as snap refuses, exit 2 ($r: $(cat "$TMP/e")), nothing left behind"

# cut short anywhere in the locator's page: the program, or one line and
# 127, never a signal (a --layouts image died of SIGBUS there)
loc=$("$RESIDENT" inspect --json "$TMP/cat" | jq .regions.locator.offset)
bad=0 n=0
for ((cut = loc & ~4095; cut < (loc & ~4095) + 8192; cut += 97)); do
	head -c $cut "$TMP/cat" > "$TMP/cut" && chmod +x "$TMP/cut"
	{ "$TMP/cut" /etc/hostname > "$TMP/o" 2> "$TMP/e"; } 2> /dev/null
	r=$?
	n=$((n + 1))
	{ [ $r = 0 ] && cmp -s "$TMP/o" /etc/hostname; } || { [ $r = 127 ] && [ "$(wc -l < "$TMP/e")" = 1 ]; } ||
		{ bad=$((bad + 1)); diag "cut at $cut: exit $r"; }
done
is "$bad" 0 "a 4-layout image cut at $n places around its locator: the program, or one line and 127"

# bad counts
for k in 0 17 two; do
	"$RESIDENT" snap --layouts $k -o "$TMP/x" $CAT 2> "$TMP/e"
	echo "$?:$(cat "$TMP/e")"
done > "$TMP/bad-k"
is "$(grep -c '^2:resident: snap: --layouts .*: not a number from 1 to 16 (see resident snap --help)$' "$TMP/bad-k")" 3 "--layouts 0, 17, two: usage errors, one line each"

# as an ordinary user (the capture uses ptrace)
mkdir "$TMP/nobody" && chmod 777 "$TMP/nobody" && chmod 755 "$TMP"
as_nobody "$RESIDENT" snap --layouts 3 -o "$TMP/nobody/cat" $CAT > /dev/null
ok $? "as nobody: snap --layouts 3"
: > "$TMP/err"
n=$(bases "$TMP/nobody/cat" | sort -u | wc -l)
[ "$n" -ge 2 ] && [ ! -s "$TMP/err" ]
ok $? "as nobody: the image restores from $n layouts"
