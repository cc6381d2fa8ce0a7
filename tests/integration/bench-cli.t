#!/bin/sh
# bench-cli.t: resident bench's command line as Unix users type it: options
# in any order before --, the commands after it (with their own options,
# and --vs between them); a usage error is one line and exit status 2;
# --help goes to standard output.
. "$(dirname "$0")/tap.sh"
plan 26
one_line() { # STATUS EXPECTED-LINE DESCRIPTION, of the last run
	is "$1:$(wc -l < "$TMP/err")" "2:1" "$3: exit 2, one line"
	is "$(cat "$TMP/err")" "$2" "$3: says why"
}
see="(see resident bench --help)"
"$RESIDENT" bench --bogus -- /bin/true > /dev/null 2> "$TMP/err"
one_line $? "resident: bench: --bogus: unknown option $see" "unknown option"
"$RESIDENT" bench -x -- /bin/true > /dev/null 2> "$TMP/err"
one_line $? "resident: bench: -x: unknown option $see" "unknown short option"
"$RESIDENT" bench -n > /dev/null 2> "$TMP/err"
one_line $? "resident: bench: -n: needs a value $see" "-n without its value"
"$RESIDENT" bench -r lots -- /bin/true > /dev/null 2> "$TMP/err"
one_line $? "resident: bench: --startup: 'lots' is not a number of runs $see" "-r lots"
"$RESIDENT" bench -r 2 /bin/true > /dev/null 2> "$TMP/err"
one_line $? "resident: bench: /bin/true: the commands go after -- $see" "a command before --"
"$RESIDENT" bench -r 2 -- /bin/true --vs > /dev/null 2> "$TMP/err"
one_line $? "resident: bench: an empty command (before or after --vs) $see" "an empty command after --vs"
# options in any order; after --, sh's -c and the second command are theirs
"$RESIDENT" bench --json -r 2 -q --timeout 5 -- sh -c 'exit 0' --vs /bin/true -q > "$TMP/j" 2> "$TMP/err"
# (but a note that it cleaned up after a run killed meanwhile, elsewhere)
is "$?:$(grep -v 'left running by an earlier resident bench' "$TMP/err")" "0:" \
	"options in any order before --: exit 0, nothing on stderr"
jq -e '.runs == 2 and ([.commands[].argv] == [["sh", "-c", "exit 0"], ["/bin/true", "-q"]])' "$TMP/j" > /dev/null
ok $? "what follows -- is the commands': $(jq -c '[.commands[].argv]' "$TMP/j")"
"$RESIDENT" bench --help > "$TMP/out" 2> "$TMP/err"
is "$?:$(wc -c < "$TMP/err")" "0:0" "--help: exit 0, nothing on stderr"
grep -q '^usage: resident bench \[OPTIONS\] -- CMD' "$TMP/out"
ok $? "--help: the usage on standard output"

# as hyperfine users expect (issue 15): names, Markdown, --warmup, a
# command that exits non-zero, one that stays up
"$RESIDENT" bench --warmup 0 -- /bin/true > /dev/null 2> "$TMP/err"
one_line $? "resident: bench: --warmup: '0' is not a number from 1 to 1000 $see" "--warmup 0"
"$RESIDENT" bench -q -r 5 --json --name yes --name no --export-markdown "$TMP/b.md" -- /bin/true --vs /bin/false \
	> "$TMP/j" 2> "$TMP/err"
is "$?:$(jq -r '[.commands[].command] | join(",")' "$TMP/j")" "0:yes,no" "--name: the commands' names in the results"
is "$(grep -c '^| `yes` | [0-9.]* |' "$TMP/b.md"):$(grep -c '^| `no` |' "$TMP/b.md"):$(head -n 1 "$TMP/b.md" | cut -c 1-33)" \
	"1:1:| command | fork+exec median [ms]" "--export-markdown: a Markdown table, a row per command"
is "$(jq '.commands[1].startup.nonzero_runs' "$TMP/j"):$(grep -c 'no: exited with status 1 in 13 of 13 startup runs' "$TMP/err")" \
	"13:1" "a command that exits 1: timed, counted in the JSON, and said (3 warm-up + 2 x 5 runs)"
"$RESIDENT" bench -q -r 5 --fail -- /bin/true --vs /bin/false > /dev/null 2> "$TMP/err"
is "$?" 1 "--fail: a command that exits 1 fails the run"
"$RESIDENT" bench -q -r 3 -- /bin/true --vs python3 -m http.server --bind 127.0.0.1 0 > "$TMP/o" 2> "$TMP/err"
is "$?:$(grep -c 'python3.*stays up (waits in \(poll\|select\|epoll_wait\)' "$TMP/o")" "1:1" \
	"a server in startup mode: said to stay up after its first warm-up run, not timed ($(grep python3 "$TMP/o" | cut -c 34-90))"
# the adversarial pass: a shell waiting for a sleeping child is no server;
# an export path that cannot be written fails before the runs
"$RESIDENT" bench -q -r 1 --warmup 1 -- sh -c 'sleep 1.5' > "$TMP/o" 2> "$TMP/err"
is "$?:$(grep -c 'stays up' "$TMP/o")" "0:0" "sh -c 'sleep 1.5' (waiting for its child): timed, not called a server"
"$RESIDENT" bench -q -r 50 --export-markdown "$TMP/no/such/dir/x.md" -- /bin/true > "$TMP/o" 2> "$TMP/err"
is "$?:$(wc -c < "$TMP/o"):$(wc -l < "$TMP/err")" "4:0:1" "--export-markdown into a missing directory: exit 4 before any run, one line"
"$RESIDENT" bench -q -r 1 -N "$(printf 'a\033[31mb\nc')" -- /bin/true > "$TMP/o" 2> "$TMP/err"
is "$(grep -c "$(printf '\033')" "$TMP/o"):$(grep -c '^a?\[31mb?c ' "$TMP/o")" "0:1" "a name with ESC and a newline: shown with '?' for each"
