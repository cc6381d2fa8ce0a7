#!/bin/sh
# vanish.t: processes start and exit while resident reads them.  Every run
# must finish with whole output and exit 0 or 1, never crash.
. "$(dirname "$0")/tap.sh"
plan 4
churn() { while :; do /bin/true; /bin/true; /bin/true; done; }
churn & c1=$!
churn & c2=$!
"$PROGS/spawn" -n 100 "$PROGS/dirty" > /dev/null -- true &
bad=0 badjson=0 gone=0
i=0
while [ $i -lt 25 ]; do
	"$RESIDENT" cost --json > "$TMP/j" 2> "$TMP/err"
	rc=$?
	[ $rc -le 1 ] || { bad=$((bad + 1)); diag "run $i: exit $rc: $(head -n 3 "$TMP/err")"; }
	jq -e .programs "$TMP/j" > /dev/null || badjson=$((badjson + 1))
	gone=$((gone + $(jq '.processes.gone' "$TMP/j" 2>/dev/null || echo 0)))
	i=$((i + 1))
done
kill $c1 $c2
wait $c1 $c2 2> /dev/null
is "$bad" 0 "25 runs under churn: every exit status 0 or 1"
is "$badjson" 0 "25 runs under churn: every JSON whole"
ok $(test "$gone" -gt 0; echo $?) "processes that exited while read were counted ($gone)"
"$RESIDENT" cost > /dev/null 2> "$TMP/err"
ok $(test $? -le 1 && ! grep -q Sanitizer "$TMP/err"; echo $?) "table form: no sanitizer report"
