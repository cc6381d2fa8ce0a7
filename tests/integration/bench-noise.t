#!/bin/bash
# bench-noise.t: meminfo is the whole machine's, so a few instances' deltas
# can be anything; resident bench measures how far meminfo moves with
# nothing started, and flags a result that this noise, divided by N,
# swamps: in the text and in the JSON. The noise is made here on purpose:
# processes start and stop all along, each of a random size up to 32 MB, so
# that bench's readings 100 ms apart differ (a fixed size could be seen the
# same five times running: its result was once not flagged).
. "$(dirname "$0")/tap.sh"
plan 5
chmod 755 "$TMP"
cp "$PROGS/dirty" "$TMP/idle"
cp "$PROGS/dirty" "$TMP/churn"
jqe() { [ -s "$2" ] && jq -e "$1" "$2" > /dev/null; }	# empty input is not true
( while :; do "$TMP/churn" --heap $((RANDOM % 8192 + 1)) > /dev/null & c=$!; sleep 0.03; kill $c; wait $c; done ) 2> /dev/null &
gen=$!
"$RESIDENT" bench -q --settle 1 -n 5 --json -- "$TMP/idle" > "$TMP/j"
rc=$?
"$RESIDENT" bench -q --settle 1 -n 5 -- "$TMP/idle" > "$TMP/t"
{ kill -KILL $gen; wait $gen; } 2> /dev/null	# (the shell is not to say it killed it)
for p in $(pgrep -f "^$TMP/churn "); do kill "$p"; done
d='.commands[0].density[0]'
diag "$(jq -c "$d | {meminfo_noise_kb, meminfo_noise_per_instance_kb, total: .per_instance_kb.total}" "$TMP/j")"
is "$rc" 0 "5 instances while memory churns: exit 0"
jqe "$d | .meminfo_too_noisy == true" "$TMP/j"
ok $? "the JSON flags the result (meminfo_too_noisy)"
jqe "$d | .meminfo_noise_kb > 0 and (.meminfo_noise_per_instance_kb - .meminfo_noise_kb / .alive | fabs) < 0.01" "$TMP/j"
ok $? "and gives the noise, in all and per instance"
jqe "$d | .meminfo_too_noisy == (.meminfo_noise_per_instance_kb > 0.1 * (.per_instance_kb.total | fabs))" "$TMP/j"
ok $? "flagged because the noise per instance is over a tenth of the total"
grep -Eq "^warning: $TMP/idle, N=5: meminfo moved by [0-9]+ KiB with nothing started, [0-9.]+ KiB per instance against a TOTAL of -?[0-9.]+: too few instances for meminfo deltas" "$TMP/t"
ok $? "the text says so: $(grep '^warning' "$TMP/t")"
