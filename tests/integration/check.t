#!/bin/bash
# check.t: resident check reports what is so.  An image found in PATH
# stands for its original (the README's own example); --image must be an
# image of that program; "restored" is the loader's own word; whatever
# ends check, the run in progress dies and the scratch directory goes;
# standard input is replayed within a limit.
. "$(dirname "$0")/tap.sh"
plan 30
chmod 755 "$TMP"
mkdir "$TMP/scratch"
export TMPDIR=$TMP/scratch
export XDG_DATA_HOME=$TMP/xdg

# the README's steps: snap into the image directory, put it first in PATH
"$RESIDENT" snap /usr/bin/sort > /dev/null
PATH=$XDG_DATA_HOME/resident/bin:$PATH "$RESIDENT" check sort -- -r < /etc/passwd > "$TMP/c"; rc=$?
is "$rc:$(sed -n 's/^program  //p' "$TMP/c")" "0:/usr/bin/sort" "check NAME, its image first in PATH: checks the program it stands for"
grep -q "^image    $XDG_DATA_HOME/resident/bin/sort\$" "$TMP/c" && grep -q ", restored\$" "$TMP/c"
ok $? "... against that very image, which restored"
PATH=$XDG_DATA_HOME/resident/bin:$PATH "$RESIDENT" snap sort > "$TMP/o" 2>&1
is "$?:$(cat "$TMP/o")" "0:$XDG_DATA_HOME/resident/root/usr/bin/sort: image of /usr/bin/sort, $(sed 's/.*, //' "$TMP/o")" \
	"snap NAME, its image first in PATH: snaps the program again"

# --image must be an image, of that program
"$RESIDENT" snap -o "$TMP/cat.img" /usr/bin/cat > /dev/null
for x in /etc/passwd "$TMP/nowhere" "$TMP/cat.img"; do
	"$RESIDENT" check --image "$x" /usr/bin/ls > "$TMP/o" 2> "$TMP/e"
	echo "$?:$(wc -l < "$TMP/e"):$(wc -c < "$TMP/o")"
done > "$TMP/r"
is "$(tr '\n' ' ' < "$TMP/r")" "2:1:0 2:1:0 2:1:0 " "--image that is no image, is missing, or is another program's: exit 2, one line, no report"
grep -q "an image of /usr/bin/cat, not of /usr/bin/ls" "$TMP/e"; ok $? "and it says whose image it is: $(cat "$TMP/e")"

# "restored" is evidence, not the absence of a complaint
echo hi | "$RESIDENT" check /usr/bin/cat --image "$TMP/cat.img" > "$TMP/c"
is "$?:$(grep -c ', restored$' "$TMP/c"):$(sed -n 's/^image    //p' "$TMP/c" | head -1)" "0:1:$TMP/cat.img" "options after the program: --image taken as check's, the image restored"
LD_BIND_NOT=1 "$RESIDENT" check --image "$TMP/cat.img" /usr/bin/cat < /dev/null > "$TMP/c"
grep -q ", ran the program normally\$" "$TMP/c" && grep -q "^because  an LD_\*, GLIBC_TUNABLES or MALLOC_\* variable differs" "$TMP/c"
ok $? "a fallback is called one, with the loader's reason"
cp /usr/bin/cat "$TMP/plain-cat"
"$RESIDENT" check --image "$TMP/plain-cat" /usr/bin/cat < /dev/null 2> "$TMP/e"
is "$?" 2 "a program given as --image: refused, never called restored"

# a program exec refuses: both runs say so as a shell would, 126
cp /usr/bin/true "$TMP/noexec" && "$RESIDENT" snap -o "$TMP/noexec.img" "$TMP/noexec" > /dev/null && chmod a-x "$TMP/noexec"
"$RESIDENT" check --image "$TMP/noexec.img" "$TMP/noexec" < /dev/null > "$TMP/c"
is "$?:$(grep -c '^normal   exit 126' "$TMP/c"):$(grep -c '^image    exit 126' "$TMP/c")" "0:1:1" "a program made unrunnable: both runs exit 126, the same"

# the scratch directory goes, however check ends
cp /usr/bin/sleep "$TMP/napper"
left() { pgrep -f "^$TMP/napper" | wc -l; }
ulimit -c 0	# (SIGQUIT's default dumps core)
for sig in TERM INT HUP QUIT USR1; do
	# (a background job of a script starts with SIGINT ignored: given back)
	env --default-signal=$sig "$RESIDENT" check "$TMP/napper" -- 1000 > /dev/null 2>&1 &
	pid=$!
	for _ in $(seq 200); do [ "$(left)" -ge 1 ] && break; sleep 0.05; done
	kill -$sig $pid
	{ wait $pid; } 2> /dev/null; rc=$?
	for _ in $(seq 50); do [ "$(left)" = 0 ] && break; sleep 0.05; done
	is "$rc:$(left):$(ls -A "$TMP/scratch")" "$((128 + $(kill -l $sig))):0:" "SIG$sig while the program runs: check dies of it, the program too, no scratch left"
done
# SIGKILL cannot be caught: the scratch directory stays, but the run dies
"$RESIDENT" check "$TMP/napper" -- 1000 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do [ "$(left)" -ge 1 ] && break; sleep 0.05; done
kill -KILL $pid
{ wait $pid; } 2> /dev/null
for _ in $(seq 50); do [ "$(left)" = 0 ] && break; sleep 0.05; done
is "$(left)" 0 "SIGKILL while the program runs: the program dies with check"
pkill -f "^$TMP/napper"; rm -rf "${TMP:?}"/scratch/*
# killed just as the run starts: the run is killed too (slow.c holds check
# 300 ms after each fork; the run's program is up meanwhile)
cc -shared -fPIC -O2 -o "$TMP/slow.so" "$SRC/lib/slow.c" -ldl
SLOW=forked ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$TMP/slow.so "$RESIDENT" check "$TMP/napper" -- 1000 > /dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do [ "$(left)" -ge 1 ] && break; sleep 0.01; done
kill -TERM $pid
{ wait $pid; } 2> /dev/null; rc=$?
for _ in $(seq 50); do [ "$(left)" = 0 ] && break; sleep 0.05; done
is "$rc:$(left):$(ls -A "$TMP/scratch")" "143:0:" "SIGTERM between the run's fork and check's note of it: the program dies too, no scratch left"
pkill -f "^$TMP/napper"; rm -rf "${TMP:?}"/scratch/*
# killed while it snaps (a big program: the capture takes a while)
for delay in 0.01 0.05 0.1 0.2; do
	"$RESIDENT" check /usr/lib/llvm-14/bin/clang-format -- --version > /dev/null 2>&1 &
	pid=$!
	sleep $delay
	kill -TERM $pid 2> /dev/null	# (it may be over already)
	wait $pid
	echo "$?:$(ls -A "$TMP/scratch" | wc -l)"
done > "$TMP/r"
is "$(awk -F: '$2 != 0' "$TMP/r" | wc -l)" 0 "SIGTERM at 4 moments of its snap: no scratch left ($(tr '\n' ' ' < "$TMP/r"))"
# killed while it cleans up on exit: the handler's cleanup finishes it
{ SLOW=unlink-image ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$TMP/slow.so "$RESIDENT" check /usr/bin/true > /dev/null; } 2> /dev/null
is "$?:$(ls -A "$TMP/scratch")" "143:" "SIGTERM while check removes its scratch on exit: it dies of it, no scratch left"
rm -rf "${TMP:?}"/scratch/*
# killed by a pipe closed on its stderr, as RESIDENT_DEBUG=1 writes there
perl -e 'pipe(R, W) or die; close R; open(STDERR, ">&W") or die; exec @ARGV' \
	env RESIDENT_DEBUG=1 "$RESIDENT" check /usr/bin/true > /dev/null
is "$?:$(ls -A "$TMP/scratch")" "141:" "SIGPIPE on stderr while it snaps: check dies of it, no scratch left"
rm -rf "${TMP:?}"/scratch/*

# what a run does cannot keep anything behind either
cp "$PROGS/check_probe" "$TMP/probe"
"$RESIDENT" check "$TMP/probe" -- mkdir > "$TMP/c"
is "$?:$(ls -A "$TMP/scratch")" "0:" "a run that makes a directory beside its executable (the image, in scratch): removed with it"
rm -rf "${TMP:?}"/scratch/* "$TMP/.cache"
cp /usr/bin/sleep "$TMP/lingerer"
"$RESIDENT" check "$TMP/probe" -- escape "$TMP/lingerer" > "$TMP/c"
is "$?:$(pgrep -fc "^$TMP/lingerer")" "0:0" "children that left the run's process group (setsid): killed when the run ends"
pkill -f "^$TMP/lingerer"
timeout 30 script -qec "'$RESIDENT' check '$TMP/probe' -- tty > /dev/null 2> '$TMP/e'" /dev/null < /dev/null > /dev/null
is "$?:$(cat "$TMP/e"):$(ls -A "$TMP/scratch")" "4:resident: $TMP/probe: stopped by SIGTTIN: check cannot run a program that uses the terminal:" \
	"a run that reads its terminal (stopped: not the foreground): exit 4, said, not a hang"
rm -rf "${TMP:?}"/scratch/*
env --ignore-signal=HUP "$RESIDENT" check "$TMP/probe" -- sighup > "$TMP/c"
is "$(grep -c ' exit 10,' "$TMP/c")" 2 "SIGHUP ignored when check starts: ignored in both runs too, as the program would have it"

# standard input that cannot be read, a scratch place that cannot run an image
"$RESIDENT" check /usr/bin/cat < / > /dev/null 2> "$TMP/e"
is "$?:$(cat "$TMP/e"):$(ls -A "$TMP/scratch")" "2:resident: standard input: Is a directory:" "standard input a directory: exit 2, said, never replayed as empty input"
mkdir "$TMP/noexec-tmp"
if unshare -m true 2> /dev/null; then
	unshare -m sh -c "mount -t tmpfs -o noexec tmpfs '$TMP/noexec-tmp' && TMPDIR='$TMP/noexec-tmp' '$RESIDENT' check /usr/bin/true > /dev/null 2> '$TMP/e'; echo \$?:\$(ls -A '$TMP/noexec-tmp')" > "$TMP/r"
	is "$(cat "$TMP/r"):$(sed "s/resident-check-[A-Za-z0-9]*/X/" "$TMP/e")" \
		"4::resident: $TMP/noexec-tmp/X: on a file system mounted noexec: an image made there cannot run (set TMPDIR, or give --image)" \
		"TMPDIR mounted noexec: exit 4, naming it, nothing left (the image run is not called different)"
else
	skip "TMPDIR mounted noexec: needs root for a mount namespace"
fi

printf '#!/bin/sh\necho hi\n' > "$TMP/script" && chmod +x "$TMP/script"
"$RESIDENT" check "$TMP/script" > /dev/null 2> "$TMP/e"
is "$?:$(ls -A "$TMP/scratch")" "2:" "a refused snap (a script): exit 2, no scratch left"

# standard input: replayed whole, within a limit
head -c 70000000 /dev/zero | "$RESIDENT" check --image "$TMP/cat.img" /usr/bin/cat > /dev/null 2> "$TMP/e"
is "$?:$(cat "$TMP/e"):$(ls -A "$TMP/scratch")" "2:resident: standard input: more than 64 MiB: too much to replay:" "70 MB on stdin: refused with the limit, nothing left"
seq 100000 | "$RESIDENT" check --image "$TMP/cat.img" /usr/bin/cat > "$TMP/c"
is "$?:$(grep -c 'stdout 588895 bytes' "$TMP/c")" "0:2" "600 kB on stdin: both runs got all of it"

# what it writes, it writes or says it could not
"$RESIDENT" check --image "$TMP/cat.img" /usr/bin/cat < /dev/null > /dev/full 2> "$TMP/e"
is "$?:$(cat "$TMP/e")" "4:resident: standard output: No space left on device" "stdout on /dev/full: exit 4, one line"
"$RESIDENT" check --frobnicate /usr/bin/cat 2> "$TMP/e"
is "$?:$(cat "$TMP/e")" "2:resident: check: --frobnicate: unknown option (see resident check --help)" "an unknown option: exit 2, one line"
