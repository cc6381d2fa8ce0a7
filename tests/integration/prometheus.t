#!/bin/bash
# prometheus.t: resident cost in a fleet, for real (issue 15).  Debian's
# node_exporter (textfile collector) and Prometheus, started by the test on
# loopback: resident's file refreshed as the documented timer does, scraped,
# and a PromQL query over the HTTP API returns the per-program marginal
# cost and the kernel side of 4 instances of dirty.  promtool checks the
# exposition and the recording and alerting rules (data/prometheus/).
. "$(dirname "$0")/tap.sh"
if ! command -v prometheus > /dev/null || ! command -v prometheus-node-exporter > /dev/null ||
	! command -v promtool > /dev/null; then
	echo "1..0 # SKIP prometheus, prometheus-node-exporter and promtool are needed (make deps)"
	exit 0
fi
plan 10
cd "$TMP" || exit 1
top=$(cd "$SRC/../.." && pwd)
mkdir tf db
cp "$PROGS/dirty" "$TMP/dirty"
"$TMP/dirty" --heap 256 > /dev/null & d1=$!
"$TMP/dirty" --heap 256 > /dev/null & d2=$!
"$TMP/dirty" --heap 256 > /dev/null & d3=$!
"$TMP/dirty" --heap 256 > /dev/null & d4=$!
cleanup() { kill $d1 $d2 $d3 $d4 $ne $pr $loop 2> /dev/null; wait 2> /dev/null; }
trap cleanup EXIT
sleep 0.3

"$RESIDENT" cost --prometheus > one.prom
promtool check metrics < one.prom > lint 2>&1
is "$?:$(cat lint)" "0:" "promtool check metrics: the exposition is clean"
(cd "$top/tests/prom" && promtool check rules "$top/data/prometheus/resident.rules.yml" > /dev/null 2>&1 &&
	promtool test rules rules_test.yml > "$TMP/rules" 2>&1)
ok $? "the documented recording and alerting rules: promtool check rules, promtool test rules ($(grep -o SUCCESS rules))"

# two free ports on loopback
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
pne=$(port) ppr=$(port)
# the documented service and timer (make install puts them in
# /usr/lib/systemd/system): systemd-analyze verify accepts them
sed "s|@BINDIR@|$(dirname "$RESIDENT")|" "$top/data/resident-cost.service.in" > resident-cost.service
cp "$top/data/resident-cost.timer" .
if command -v systemd-analyze > /dev/null; then
	systemd-analyze verify --man=no ./resident-cost.timer ./resident-cost.service > sa 2>&1
	is "$?:$(grep -v 'resident-cost.service.*Command .* is not executable' sa | head -c 300)" "0:" \
		"systemd-analyze verify: the service and the timer, not a warning"
else
	skip "no systemd-analyze"
fi
# the service's command, every second here instead of every minute, into
# the textfile directory, for the 4 dirty instances
cmd=$(sed -n 's/^ExecStart=[^ ]* //p' resident-cost.service | sed "s|/var/lib/prometheus/node-exporter|$TMP/tf|")
( while :; do "$RESIDENT" $cmd -p dirty; sleep 1; done ) & loop=$!
prometheus-node-exporter --web.listen-address=127.0.0.1:$pne --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$TMP/tf" > ne.log 2>&1 & ne=$!
cat > prom.yml <<EOF_CONF
global:
  scrape_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$pne']
EOF_CONF
prometheus --config.file=prom.yml --storage.tsdb.path="$TMP/db" --web.listen-address=127.0.0.1:$ppr \
	> pr.log 2>&1 & pr=$!
q() { curl -s --get "http://127.0.0.1:$ppr/api/v1/query" --data-urlencode "query=$1"; }
got=
for i in $(seq 60); do
	got=$(q 'resident_program_marginal_bytes{program="dirty"}' 2> /dev/null)
	[ "$(echo "$got" | jq -r '.data.result | length' 2> /dev/null)" = 1 ] && break
	sleep 0.5
done
is "$(echo "$got" | jq -r '.status')" success "PromQL over the HTTP API: a result"
marginal=$(echo "$got" | jq -r '.data.result[0].value[1]')
ok $(( marginal > 1048576 && marginal < 4 * 1048576 ? 0 : 1 )) \
	"resident_program_marginal_bytes{program=\"dirty\"}: one more instance, 1 MiB of heap and its kernel side ($marginal bytes)"
is "$(q 'resident_program_instances{program="dirty"}' | jq -r '.data.result[0].value[1]')" 4 \
	"resident_program_instances: the 4 instances"
kernel=$(q 'sum by (program) (resident_program_kernel_bytes{program="dirty"})' | jq -r '.data.result[0].value[1]')
awk -v k="$kernel" 'BEGIN { exit !(k > 4 * 16384 && k < 4 * 1048576) }'
ok $? "the kernel side of the 4, summed over its parts in PromQL ($kernel bytes)"
total=$(q 'resident_program_marginal_bytes{program="dirty"} * resident_program_instances{program="dirty"}' |
	jq -r '.data.result[0].value[1]')
is "$total" "$(( marginal * 4 ))" "marginal x instances, as the recording rule computes it"
labels=$(q 'resident_program_marginal_bytes{program="dirty"}' | jq -r '.data.result[0].metric | [.exe, .program, .job] | join(" ")')
is "$labels" "$TMP/dirty dirty node" "labels: exe (the path), program (its name), and the scrape's job"
q 'node_textfile_scrape_error' | jq -e '.data.result[0].value[1] == "0"' > /dev/null
ok $? "node_exporter read resident's file without error"
