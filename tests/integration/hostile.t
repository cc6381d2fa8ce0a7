#!/bin/sh
# hostile.t: no tool can be turned against its user.  Root runs resident;
# nobody plants what any user can plant where root's runs go: symlinks to
# root's files and FIFOs that never answer, at the names root's output used
# to pass through (FILE.tmp.PID, in a sticky world-writable directory like
# /tmp), and at the name /proc gives a deleted program ("PATH (deleted)").
# Each run must finish (under timeout: a hang fails, it does not stick),
# do its job, and leave root's files alone.
. "$(dirname "$0")/tap.sh"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP root's tools against nobody's plants: run as root"
	exit 0
fi
plan 54
T=30	# seconds after which a run counts as hung
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
chmod 755 "$TMP"
sticky=$TMP/tmp
mkdir -m 1777 "$sticky"
# planted KIND FILE CMD...: nobody plants KIND at FILE.tmp.PID (symlink: to
# FILE.victim, a file of root's; fifo: a FIFO no one opens), PID being
# CMD's own (and @PID@ in CMD); then CMD runs as root under timeout.
planted() {
	kind=$1 file=$2
	shift 2
	echo precious > "$file.victim"
	timeout "$T" sh -c '
		kind=$1 file=$2; shift 2
		if [ "$kind" = symlink ]; then
			setpriv --reuid=nobody --regid=nogroup --clear-groups ln -s "$file.victim" "$file.tmp.$$"
		else
			setpriv --reuid=nobody --regid=nogroup --clear-groups mkfifo "$file.tmp.$$"
		fi || exit 99
		for a; do shift; [ "$a" = @PID@ ] && a=$$; set -- "$@" "$a"; done
		exec "$@"' sh "$kind" "$file" "$@"
}

# wrote RC KIND FILE CHECK WHAT: the results of one run through a plant
wrote() {
	is "$1" 0 "$5: done (124: hung)"
	if [ "$2" = symlink ]; then
		[ "$(cat "$3.victim")" = precious ]
		ok $? "$5: root's file behind the symlink untouched"
		[ "$(cat "$3.victim")" = precious ] || diag "it now holds: $(head -c 60 "$3.victim")..."
	fi
	if [ -f "$3" ] && [ ! -L "$3" ] && [ -s "$3" ] && [ "$(stat -c %U "$3")" = root ] &&
		eval "$4" < "$3" > /dev/null 2>&1; then
		ok 0 "$5: the output is root's own file, whole"
	else
		ok 1 "$5: the output is root's own file, whole"
		diag "$(ls -l "$3"* 2>&1)"
	fi
	left=$(find "$(dirname "$3")" -name "$(basename "$3").tmp.*" -user root)
	is "$left" "" "$5: no temporary of root's left beside it"
	if [ -s "$TMP/err" ]; then diag "stderr: $(cat "$TMP/err")"; fi
}

# --- output files: cost -o, bench -o, bench --svg ---------------------------
for kind in symlink fifo; do
	f=$sticky/cost-$kind.json
	planted $kind "$f" "$RESIDENT" cost --json -o "$f" @PID@ 2> "$TMP/err"
	wrote $? $kind "$f" "jq -e .programs" "cost -o, $kind at FILE.tmp.PID"
	f=$sticky/bench-$kind.json
	planted $kind "$f" "$RESIDENT" bench -q -r 2 --json -o "$f" -- /bin/true 2> "$TMP/err"
	wrote $? $kind "$f" "jq -e .commands" "bench -o, $kind at FILE.tmp.PID"
	f=$sticky/bench-$kind.svg
	planted $kind "$f" "$RESIDENT" bench -q -r 2 --svg "$f" -- /bin/true > /dev/null 2> "$TMP/err"
	wrote $? $kind "$f" "grep -q '</svg>'" "bench --svg, $kind at FILE.tmp.PID"
done

# --- cost and the name /proc gives a deleted program -------------------------
# nobody runs a program of its own, deletes it, and puts a FIFO where
# /proc/PID/exe's target now reads, "PATH (deleted)"; root's cost must
# read the process in every mode without opening that name
mkfifo "$TMP/ready"
nobody mkdir "$sticky/prog" && nobody cp "$PROGS/dirty" "$sticky/prog/hostile"
# (setpriv itself in the background, not a function: $! is then the program)
setpriv --reuid=nobody --regid=nogroup --clear-groups "$sticky/prog/hostile" < /dev/null > "$TMP/ready" 2> /dev/null &
hp=$!
trap 'kill "$hp" 2> /dev/null; rm -rf "$TMP"' EXIT
timeout "$T" head -c 1 "$TMP/ready" > /dev/null
nobody rm "$sticky/prog/hostile" && nobody mkfifo "$sticky/prog/hostile (deleted)"
[ "$(readlink "/proc/$hp/exe")" = "$sticky/prog/hostile (deleted)" ] && [ -p "$sticky/prog/hostile (deleted)" ]
ok $? "nobody's deleted program reads as its FIFO: $(readlink "/proc/$hp/exe")"
for mode in -t "" --libs --json --prometheus -P; do
	timeout "$T" "$RESIDENT" cost $mode "$hp" > "$TMP/out" 2> "$TMP/err"
	rc=$?
	is "$rc" 0 "cost ${mode:-(table)}: done, the FIFO at PATH (deleted) left alone (124: hung)"
	grep -q 'hostile' "$TMP/out"
	ok $? "cost ${mode:-(table)}: nobody's process reported"
	if [ -s "$TMP/err" ]; then diag "stderr: $(cat "$TMP/err")"; fi
done
timeout "$T" "$RESIDENT" cost --json --diff "$hp" "$hp" > "$TMP/out" 2> "$TMP/err"
is "$?" 0 "cost --diff: done (124: hung)"
# --watch: the first report must come; then SIGINT ends it with status 0
"$RESIDENT" cost -w 0.2 --json -o "$TMP/watch.json" "$hp" 2> "$TMP/err" &
wp=$!
timeout "$T" sh -c 'until [ -s "$1" ]; do sleep 0.1; done' sh "$TMP/watch.json"
ok $? "cost --watch: a first report (not hung on the FIFO)"
kill -INT "$wp"
wait "$wp"
is "$?" 0 "cost --watch: interrupted, exit 0"

# a name can steer as well as hang: "PATH (deleted)" planted as a file with
# a resident image's mark made root's cost count the program's own pages
# as image pages
nobody rm "$sticky/prog/hostile (deleted)"
nobody sh -c 'printf "\177ELF\2\1\1\0\0resimg1" > "$1"' sh "$sticky/prog/hostile (deleted)"
timeout "$T" "$RESIDENT" cost --json "$hp" > "$TMP/out"
is "$(jq '.programs[0].roles.image.rss_kb' "$TMP/out")" 0 "a planted image mark at PATH (deleted): no image pages"
is "$(jq '.programs[0].roles.text.rss_kb > 0' "$TMP/out")" true "and the program's own pages counted as its text"

# --proc DIR where DIR is nobody's: FIFOs at the machine files and at one
# process's smaps, a symlink to root's file at another's status; a third
# process is a plain copy and is read in full
pr=$sticky/proc
nobody mkdir -p "$pr/100" "$pr/101" "$pr/102"
for f in meminfo loadavg slabinfo; do nobody mkfifo "$pr/$f"; done
nobody sh -c 'cp "/proc/$1/status" "$2/100/" && mkfifo "$2/100/smaps"' sh "$hp" "$pr"
nobody ln -s "$sticky/cost-symlink.json.victim" "$pr/101/status"
nobody sh -c 'cp "/proc/$1/status" "/proc/$1/smaps" "$2/102/"' sh "$hp" "$pr"
timeout "$T" "$RESIDENT" cost --proc "$pr" --json > "$TMP/out" 2> "$TMP/err"
is "$?" 1 "cost --proc nobody's DIR: done, some processes unreadable (124: hung)"
is "$(jq -c '[.processes.read, .processes.malformed]' "$TMP/out")" "[1,2]" \
	"the FIFO and the symlink are damage (malformed, not another user's), the plain copy read"
if [ -s "$TMP/err" ]; then diag "stderr: $(cat "$TMP/err")"; fi

# --- snap, check, inspect, ls, verify ------------------------------------------
# snap -o into the sticky directory: nobody's symlink at the name itself,
# nobody's symlinks at every name a sidecar of that name could take (the
# next snap cleans those: it must remove them, not follow them)
echo precious > "$sticky/snap.victim"
nobody ln -s "$sticky/snap.victim" "$sticky/img"
for t in aaaaaa bbbbbb; do nobody ln -s "$sticky/snap.victim" "$sticky/.img.$t.resident-pages"; done
timeout "$T" "$RESIDENT" snap --system -o "$sticky/img" /usr/bin/cat > /dev/null 2> "$TMP/err"
is "$?:$(cat "$sticky/snap.victim")" "0:precious" "snap -o over nobody's symlink: done, root's file untouched"
[ ! -L "$sticky/img" ] && "$RESIDENT" inspect "$sticky/img" > /dev/null
ok $? "the name is root's image now, not the symlink"
is "$(ls -A "$sticky" | grep -c '^\.img\.[ab]\{6\}\.resident-pages')" 2 "nobody's sidecar-named symlinks left alone (theirs), not followed"
# nobody's own files named as a snap's leftovers would be: not root's to remove
nobody sh -c 'echo mine > "$1/.tool.zzzzzz.resident-pages" && echo mine > "$1/.tool.resident-tmp.zzzzzz"' sh "$sticky"
timeout "$T" "$RESIDENT" snap -o "$sticky/tool" /usr/bin/cat > /dev/null 2>&1
is "$?:$(cat "$sticky/.tool.zzzzzz.resident-pages" "$sticky/.tool.resident-tmp.zzzzzz" | tr '\n' ' ')" "0:mine mine " \
	"root's snap into a sticky directory leaves nobody's files of that name alone"
# nobody holding a lock where root's system snaps go: they do not wait
mkdir -m 755 "$TMP/sysimg"
nobody flock "$TMP/sysimg" sleep 60 &
holder=$!
sleep 0.5
timeout 20 "$RESIDENT" snap --system -o "$TMP/sysimg/cat" /usr/bin/cat > /dev/null 2> "$TMP/err"
is "$?" 0 "nobody holds a flock on root's image directory: root's snap does not wait for it (124: it did)"
kill $holder 2> /dev/null; wait $holder 2> /dev/null
# in a group's shared directory, the lock made and held by another user:
# root's snap makes its own lock, it does not wait on theirs
mkdir -m 2775 "$TMP/proj" && chgrp 4242 "$TMP/proj"
setpriv --reuid=nobody --regid=4242 --clear-groups sh -c 'umask 002; : > "$1/.cat.resident-lock"; exec flock "$1/.cat.resident-lock" sleep 60' sh "$TMP/proj" &
holder=$!
sleep 0.5
timeout 20 "$RESIDENT" snap -o "$TMP/proj/cat" /usr/bin/cat > /dev/null 2> "$TMP/err"
is "$?:$(stat -c %U "$TMP/proj/.cat.resident-lock")" "0:root" "nobody's lock in a shared directory: root's snap replaces it, does not wait (124: it did)"
kill $holder 2> /dev/null; wait $holder 2> /dev/null
# the other way: a user of the group replaces another's 0600 lock; and in
# a sticky directory, nobody's symlink or FIFO at root's lock name does not
# block root (third review)
setpriv --reuid=daemon --regid=4242 --clear-groups "$RESIDENT" snap -o "$TMP/proj/true" /usr/bin/true > /dev/null 2> "$TMP/err"
r1=$?
setpriv --reuid=nobody --regid=4242 --clear-groups "$RESIDENT" snap -o "$TMP/proj/true" /usr/bin/true > /dev/null 2>> "$TMP/err"
r2=$?
nobody ln -s "$TMP/victim" "$sticky/.lk1.resident-lock" && nobody mkfifo "$sticky/.lk2.resident-lock"
timeout 20 "$RESIDENT" snap -o "$sticky/lk1" /usr/bin/true > /dev/null 2>> "$TMP/err"
r3=$?
timeout 20 "$RESIDENT" snap -o "$sticky/lk2" /usr/bin/true > /dev/null 2>> "$TMP/err"
is "$r1:$r2:$r3:$?:$([ -e "$TMP/victim" ] && echo made)" "0:0:0:0:" \
	"locks of others replaced: a group's member after another, root after nobody's symlink and FIFO ($(head -1 "$TMP/err"))"
# an image of nobody's whose names lead to a FIFO and a device: root's
# inspect and verify look at them (stat), they do not open them
mkdir -m 755 "$TMP/alice" && chown nobody "$TMP/alice"
printf 'int g(void) { return 0; }\n' > "$TMP/g.c" && printf 'int g(void);\nint main(void) { return g(); }\n' > "$TMP/mg.c"
nobody sh -e -c 'cd "$1" && mkdir lib && cc -shared -fPIC -o lib/libg.so "$2/g.c" &&
	cc -o prog "$2/mg.c" -Llib -lg -Wl,-rpath,"$1/lib" &&
	"$3" snap -o img ./prog && "$3" snap --system -o simg ./prog && mkfifo fifo &&
	ln -sf "$1/fifo" lib/libg.so && for s in .simg.*.resident-pages; do ln -sf "$1/fifo" "$s"; done' \
	sh "$TMP/alice" "$TMP" "$RESIDENT" > /dev/null 2>&1
nobody timeout 20 sh -c 'exec 3> "$1/fifo"; echo released' sh "$TMP/alice" > "$TMP/released" 2>&1 &
writer=$!
sleep 0.3
timeout "$T" "$RESIDENT" inspect "$TMP/alice/img" > "$TMP/out" 2> "$TMP/err"
r1=$?
timeout "$T" "$RESIDENT" verify "$TMP/alice/simg" > /dev/null 2> "$TMP/err"
r2=$?
sleep 0.3
is "$r1:$(grep -c '^state *stale' "$TMP/out"):$r2:$(grep -c 'not a regular file' "$TMP/err"):$(cat "$TMP/released")" "1:1:4:1:" \
	"inspect and verify of nobody's image naming a FIFO: stale and refused, the FIFO never opened"
kill $writer 2> /dev/null; wait $writer 2> /dev/null
# a FIFO where the program should be, and a symlink to one
nobody mkfifo "$sticky/snapprog"
nobody ln -s "$sticky/snapprog" "$sticky/snapprog-link"
for p in snapprog snapprog-link; do
	timeout "$T" "$RESIDENT" snap -o "$TMP/x.img" "$sticky/$p" > /dev/null 2> "$TMP/err"
	echo "$?:$(grep -c 'not a regular file' "$TMP/err")"
done > "$TMP/r"
is "$(tr '\n' ' ' < "$TMP/r")" "2:1 2:1 " "snap of nobody's FIFO, directly or through a symlink: refused at once (124: hung)"
# FIFOs where an image is read
nobody mkfifo "$sticky/fimg"
for cmd in "inspect $sticky/fimg" "verify $sticky/fimg" "check --image $sticky/fimg /usr/bin/cat"; do
	# shellcheck disable=SC2086
	timeout "$T" "$RESIDENT" $cmd < /dev/null > /dev/null 2> "$TMP/err"
	echo "$?:$(grep -c 'not a regular file' "$TMP/err")"
done > "$TMP/r"
is "$(tr '\n' ' ' < "$TMP/r")" "4:1 4:1 2:1 " "inspect, verify, check --image of nobody's FIFO: refused at once"
mkdir -p "$TMP/xdg/resident/bin"
mkfifo "$TMP/xdg/resident/bin/fifo"
XDG_DATA_HOME=$TMP/xdg timeout "$T" "$RESIDENT" ls > "$TMP/out" 2>&1
is "$?:$(grep -c '^fifo  *damaged  *not a regular file' "$TMP/out")" "1:1" "ls with a FIFO in the image directory: listed as damaged"
# check's scratch directory in nobody's sticky TMPDIR: its own, unguessable
nobody sh -c 'for i in 1 2 3; do mkfifo "$1/resident-check-$i"; done' sh "$sticky"
echo hi | TMPDIR=$sticky timeout "$T" "$RESIDENT" check --image "$sticky/img" /usr/bin/cat > "$TMP/out" 2> "$TMP/err"
is "$?:$(grep -c restored "$TMP/out")" "0:1" "check with TMPDIR nobody's sticky directory: done, restored"
# a dependency nobody replaces with a FIFO: the loader is not held by it
mkdir -m 777 "$TMP/libs"
printf 'int f(void) { return 0; }\n' > "$TMP/f.c" && cc -shared -fPIC -o "$TMP/libs/libfifo.so" "$TMP/f.c"	# root's, in a directory nobody may write
printf 'int f(void);\nint main(void) { return f(); }\n' > "$TMP/m.c" && cc -o "$TMP/m" "$TMP/m.c" -L"$TMP/libs" -lfifo -Wl,-rpath,"$TMP/libs" 2> /dev/null
if "$RESIDENT" snap -o "$TMP/m.img" "$TMP/m" > /dev/null 2>&1; then
	nobody sh -c 'rm "$1/libfifo.so" && mkfifo "$1/libfifo.so"' sh "$TMP/libs"
	RESIDENT_DEBUG=1 timeout 5 "$TMP/m.img" 2> "$TMP/err"
	grep -q "a file it depends on changed ($TMP/libs/libfifo.so): running $TMP/m" "$TMP/err"
	ok $? "a library nobody replaced with a FIFO: the loader sees a changed file at once (then ld.so, as in any exec, waits on it)"
else
	skip "a program linked against a copy of libc (could not link it here)"
fi
