#!/bin/bash
# races.t: snap under kills and concurrent runs.  Killed at any moment, a
# snap leaves no process behind and never a half-written image under the
# name; concurrent snaps of one name leave a whole, current image and its
# own sidecar; a name in the image directory always resolves, to a whole
# image or to the program, while it is snapped again and again.
. "$(dirname "$0")/tap.sh"
plan 10
chmod 755 "$TMP"
cp /usr/bin/sort "$TMP/victim"	# a name of its own, to count what is left
left() { pgrep -f "^$TMP/victim" | wc -l; }

# SIGKILL at random moments, the first milliseconds most of all (the
# capture's child before it is traced, then stopped and traced)
mkdir "$TMP/k"
bad=0 half=0
for i in $(seq 100); do
	"$RESIDENT" snap -o "$TMP/k/x" "$TMP/victim" > /dev/null 2>&1 &
	pid=$!
	case $((i % 3)) in
	0) ;;
	1) sleep "0.00$((RANDOM % 10))" ;;
	2) sleep "0.0$((RANDOM % 10))" ;;
	esac
	kill -KILL $pid 2> /dev/null
	wait $pid 2> /dev/null
	if [ -e "$TMP/k/x" ] && ! "$RESIDENT" inspect "$TMP/k/x" > /dev/null 2>&1; then half=$((half + 1)); fi
done
for _ in $(seq 100); do [ "$(left)" = 0 ] && break; sleep 0.05; done
is "$(left)" 0 "100 snaps killed (SIGKILL) at random moments: no capture left running or stopped"
is "$half" 0 "and the name never led to a damaged image"
# killed between the fork and the child's death signal, on demand: the
# child would be traced by init and stopped forever
cc -shared -fPIC -O2 -o "$TMP/slow.so" "$SRC/lib/slow.c" -ldl
SLOW=prctl ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$TMP/slow.so "$RESIDENT" snap -o "$TMP/k/y" "$TMP/victim" > /dev/null 2>&1 &
pid=$!
for _ in $(seq 200); do child=$(pgrep -P $pid) && break; sleep 0.01; done
kill -KILL $pid
wait $pid 2> /dev/null
# ended: gone, or a zombie its new parent has not reaped yet (this
# machine's init reaps when it gets to it)
running() { case $(ps -o stat= -p "$1") in '' | Z*) return 1 ;; esac; }
for _ in $(seq 100); do running "$child" || break; sleep 0.02; done
running "$child"; alive=$((! $?))
[ -n "$child" ] && [ "$alive" = 0 ] && [ "$(left)" = 0 ]
ok $? "snap killed before its capture's child set its death signal: the child ($child) ends itself"
kill -KILL "$child" 2> /dev/null
"$RESIDENT" snap -o "$TMP/k/x" "$TMP/victim" > /dev/null
is "$(ls -A "$TMP/k" | tr '\n' ' ')" ".x.resident-lock x " "a snap after them leaves the image alone in its directory (and its lock)"

# the same with a sidecar: killed with SIGTERM (which waits for the
# install) and SIGKILL (which cannot)
mkdir "$TMP/ks"
for i in $(seq 40); do
	"$RESIDENT" snap --system -o "$TMP/ks/x" "$TMP/victim" > /dev/null 2>&1 &
	pid=$!
	sleep "0.0$((RANDOM % 10))"
	kill -$([ $((i % 2)) = 0 ] && echo TERM || echo KILL) $pid 2> /dev/null
	wait $pid 2> /dev/null
	[ -e "$TMP/ks/x" ] && ! "$RESIDENT" inspect "$TMP/ks/x" > /dev/null 2>&1 && echo damaged
done > "$TMP/r"
"$RESIDENT" snap --system -o "$TMP/ks/x" "$TMP/victim" > /dev/null
is "$(cat "$TMP/r"):$(ls -A "$TMP/ks" | sed 's/^\.x\.[a-zA-Z0-9]\{6\}\./.x.X./' | LC_ALL=C sort | tr '\n' ' ')" ":.x.X.resident-pages .x.resident-lock x " \
	"40 system snaps killed: never a damaged image; the next leaves the image and its one sidecar"

# concurrent snaps of one name: each image names its own sidecar
mkdir "$TMP/c"
bad=0
for round in $(seq 6); do
	for j in 1 2 3 4; do "$RESIDENT" snap --system -o "$TMP/c/x" "$TMP/victim" > /dev/null 2>&1 & done
	wait
	out=$(echo b a | RESIDENT_DEBUG=2 "$TMP/c/x" 2>&1)
	[ "$out" = "resident: $TMP/c/x: restored (layout 1)
b a" ] && [ "$(ls -A "$TMP/c" | grep -c resident-pages)" = 1 ] || { bad=$((bad + 1)); diag "round $round: $out: $(ls -A "$TMP/c")"; }
done
is "$bad" 0 "4 system snaps of one name at once, 6 rounds: each time a whole image that restores, with one sidecar"

# concurrent snaps into the image directory, and execs through bin/NAME
# while it is snapped again
export XDG_DATA_HOME=$TMP/xdg
for p in sort cat ls head sort cat ls head; do "$RESIDENT" snap /usr/bin/$p > /dev/null 2>> "$TMP/e" & done
wait
is "$(cat "$TMP/e")" "" "8 snaps into the image directory at once: none fails"
: > "$TMP/runs"
(for i in $(seq 400); do echo "z y" | "$XDG_DATA_HOME/resident/bin/sort" > /dev/null 2>&1 || echo failed; done > "$TMP/runs") &
runner=$!
for i in $(seq 15); do "$RESIDENT" snap /usr/bin/sort > /dev/null; done
wait $runner
is "$(grep -c failed "$TMP/runs")" 0 "400 execs of bin/sort during 15 snaps of it: none failed"
unset XDG_DATA_HOME

# root's umask 077: the system tree is still everyone's
(umask 077; RESIDENT_SYSTEM_DIR=$TMP/sysdir "$RESIDENT" snap --system /usr/bin/cat > /dev/null)
is "$(stat -c %a "$TMP/sysdir" "$TMP/sysdir/bin" "$TMP/sysdir/root/usr/bin" | tr '\n' ' ')" "755 755 755 " "umask 077: the system image directory is 0755"
out=$(echo piped | RESIDENT_DEBUG=1 setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/sysdir/bin/cat" 2>&1)
is "$out" "piped" "and nobody runs the image from it, restored"
