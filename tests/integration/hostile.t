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
plan 21
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
	if [ -f "$3" ] && [ ! -L "$3" ] && [ "$(stat -c %U "$3")" = root ] && eval "$4" < "$3" > /dev/null 2>&1; then
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

# --- snap and check: cases go here --------------------------------------------
# (another change adds them: root's snap and check against what nobody
# plants, in the same form: plant, run under timeout, check root's files)
