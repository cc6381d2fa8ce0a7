#!/bin/bash
# usage.t: the image commands take a command line as Unix users type it:
# options anywhere before `--`, a usage error as one line naming the command
# and exit 2, and what goes to standard output written or said to have
# failed (exit 4), never a silent success.
. "$(dirname "$0")/tap.sh"
plan 12
mkdir "$TMP/bin"
"$RESIDENT" snap /usr/bin/cat -o "$TMP/bin/cat" > "$TMP/o"
is "$?:$(cat "$TMP/o")" "0:$TMP/bin/cat: image of /usr/bin/cat, $(sed 's/.*, //' "$TMP/o")" "snap PROGRAM -o IMAGE: the option after the operand"
"$RESIDENT" inspect "$TMP/bin/cat" --json | jq -e '.state == "current"' > /dev/null
ok $? "inspect IMAGE --json"
"$RESIDENT" verify "$TMP/bin/cat" > /dev/null; ok $? "verify IMAGE"
for cmd in "snap -x /usr/bin/cat" "snap --layouts" "snap" "inspect" "inspect a b" "ls extra" "verify --json" "check"; do
	# shellcheck disable=SC2086
	"$RESIDENT" $cmd > "$TMP/o" 2> "$TMP/e"
	echo "$?:$(wc -l < "$TMP/e"):$(wc -c < "$TMP/o"):$(grep -c "^resident: ${cmd%% *}: .* (see resident ${cmd%% *} --help)\$" "$TMP/e")"
done > "$TMP/r"
is "$(sort -u "$TMP/r")" "2:1:0:1" "8 usage errors of snap, inspect, ls, verify, check: exit 2, one line naming the command, nothing on stdout"
[ "$(sort -u "$TMP/r")" = "2:1:0:1" ] || diag "$(paste -d' ' "$TMP/r")"
full() { "$@" > /dev/full 2> "$TMP/e"; echo "$?:$(cat "$TMP/e")"; }
want="4:resident: standard output: No space left on device"
is "$(full "$RESIDENT" inspect "$TMP/bin/cat")" "$want" "inspect > /dev/full: exit 4, one line"
is "$(full "$RESIDENT" snap --help)" "$want" "snap --help > /dev/full"
is "$(full "$RESIDENT" help)" "$want" "help > /dev/full"
is "$(full "$RESIDENT" verify "$TMP/bin/cat")" "$want" "verify > /dev/full"
is "$(XDG_DATA_HOME=$TMP/none full "$RESIDENT" ls)" "$want" "ls > /dev/full (an empty image directory says so)"
is "$(full "$RESIDENT" snap -o "$TMP/bin/cat2" /usr/bin/cat)" "$want" "snap > /dev/full: exit 4 (the image is written all the same)"
"$RESIDENT" verify "$TMP/bin/cat2" > /dev/null; ok $? "... and whole"
man=$(dirname "$0")/../../man
groff -man -Tutf8 -ww "$man/resident-verify.1" 2>&1 > /dev/null | grep -q . ; ok $((! $?)) "resident-verify.1 renders without warnings"
