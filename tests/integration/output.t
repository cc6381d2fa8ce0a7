#!/bin/sh
# output.t: the JSON schema, the Prometheus exposition (parsed by the
# reference Python client), -o written atomically, -w, -n, --per-process,
# --libs and --totals, on real instances.
. "$(dirname "$0")/tap.sh"
plan 51
run() { "$PROGS/spawn" -n 3 "$PROGS/dirty" --heap 8 -- "$RESIDENT" cost "$@"; }
run --json -n 1000 > "$TMP/j"
is "$(jq -r .schema "$TMP/j")" resident-cost/1 "JSON: schema resident-cost/1"
d='.programs[] | select(.exe | endswith("/dirty"))'
is "$(jq "$d | .instances" "$TMP/j")" 3 "JSON: three instances"
is "$(jq -r "$d | .roles | keys | join(\",\")" "$TMP/j")" "anon,data,files,heap,image,ldso,libc,libs,special,stack,text" "JSON: every role"
for f in rss_kb pss_kb uss_kb own_kb; do
	sum=$(jq "$d | [.roles[] | .$f] | add" "$TMP/j")
	tot=$(jq "$d | .per_instance.$f" "$TMP/j")
	within "$sum" "$tot" 0.5 "JSON: roles add up to the total $f ($sum vs $tot)"
done
ok $(jq -e "$d | (.projection.kb - 1000 * .marginal_kb | fabs) < 1000" "$TMP/j" > /dev/null; echo $?) "-n 1000: projection is 1000 x marginal"
ok $(jq -e "$d | .marginal_kb - .per_instance.own_kb - .kernel.total_kb | fabs < 0.2" "$TMP/j" > /dev/null; echo $?) \
	"marginal = own pages + kernel side"
ok $(jq -e "$d | [.advice[].id] | index(\"relocated-libraries\") != null" "$TMP/j" > /dev/null; echo $?) \
	"advice: relocated library pages named"

# --fast: totals from smaps_rollup, roles from 2 instances' full smaps
"$PROGS/spawn" -n 6 "$PROGS/dirty" --heap 256 -- sh -c "
	'$RESIDENT' cost -p dirty --json > '$TMP/full.json'; '$RESIDENT' cost -p dirty --fast --json > '$TMP/fast.json'"
f() { jq -r ".programs[0] | $1" "$2"; }
is "$(f .roles_sampled "$TMP/fast.json"):$(f .instances "$TMP/fast.json")" "2:6" "--fast: roles from 2 of the 6 instances, said"
within "$(f .roles.heap.own_kb "$TMP/fast.json")" "$(f .roles.heap.own_kb "$TMP/full.json")" 8 \
	"--fast: the heap role as the full read has it, scaled to all 6"
within "$(f .marginal_kb "$TMP/fast.json")" "$(f .marginal_kb "$TMP/full.json")" 8 "--fast: the marginal cost as the full read's"
"$RESIDENT" cost --fast --totals 2> "$TMP/err"
is "$?" 2 "--fast with --totals: a usage error"

# --diff OLD.json NEW.json: two saved reports, program by program
"$PROGS/spawn" -n 2 "$PROGS/dirty" --heap 64 -- "$RESIDENT" cost --json > "$TMP/a.json"
"$PROGS/spawn" -n 4 "$PROGS/dirty" --heap 64 -- "$RESIDENT" cost --json > "$TMP/b.json"
"$RESIDENT" cost --diff "$TMP/a.json" "$TMP/b.json" --json > "$TMP/sd.json"
dd='.programs[] | select(.exe | endswith("/dirty"))'
is "$(jq -c "$dd | .instances" "$TMP/sd.json"):$(jq "$dd | .marginal_total_kb[1] > 1.8 * .marginal_total_kb[0]" "$TMP/sd.json")" \
	"[2,4]:true" "--diff on saved JSON: dirty's 2 then 4 instances, its total cost doubled"
"$RESIDENT" cost --diff "$TMP/a.json" "$TMP/b.json" > "$TMP/sd.txt"
sed -n 4p "$TMP/sd.txt" | grep -q '/dirty  *2  *4 .* +[0-9.]*[KM]$'
ok $? "--diff table: the largest growth first, with its change ($(sed -n 4p "$TMP/sd.txt" | tr -s ' '))"
# the adversarial pass's saved reports: each one line, exit 4, nothing hangs
printf '{"schema":"resident-cost/1","programs":[{"exe":null}]}' > "$TMP/null.json"
mkfifo "$TMP/fifo.json"
printf '{"schema":"resident-cost/1","programs":[{"exe":"/x","instances":"NaN"}]}' > "$TMP/nan.json"
for bad in null.json fifo.json nan.json missing.json; do
	timeout 10 "$RESIDENT" cost --diff "$TMP/$bad" "$TMP/b.json" > /dev/null 2> "$TMP/err"
	echo "$?:$(wc -l < "$TMP/err")"
done > "$TMP/bad"
is "$(tr '\n' ' ' < "$TMP/bad")" "4:1 4:1 4:1 4:1 " \
	"--diff of a null exe, a FIFO, a string for a number, a missing file: exit 4, one line each (no crash, no hang)"
printf '{"schema":"resident-cost/1","time":"a\\"b","programs":[]}' > "$TMP/t.json"
"$RESIDENT" cost --diff "$TMP/t.json" "$TMP/b.json" --json | jq -e '.a.time == "a\"b"' > /dev/null
ok $? "--diff --json: a saved report's time is escaped, the output stays JSON"
"$RESIDENT" cost --diff "$TMP/b.json" 1 2> "$TMP/err"
is "$?" 2 "--diff of a saved report and a PID: a usage error"
echo '{"schema":"other/1"}' > "$TMP/other.json"
"$RESIDENT" cost --diff "$TMP/other.json" "$TMP/b.json" > /dev/null 2> "$TMP/err"
is "$?:$(cat "$TMP/err")" "4:resident: $TMP/other.json: not a report of resident cost --json (schema resident-cost/1, by program)" \
	"--diff of a file that is not a report: exit 4, one line naming it"

# --walk-limit: a process with more RSS is read from status, not walked
"$PROGS/spawn" -n 1 "$PROGS/dirty" --heap 25600 -- sh -c "
	'$RESIDENT' cost -p dirty --walk-limit 50M --json > '$TMP/wl.json'; '$RESIDENT' cost -p dirty --json > '$TMP/w0.json'
	'$RESIDENT' cost -p dirty --walk-limit 50M > '$TMP/wl.txt'"
is "$(jq .processes.not_walked "$TMP/wl.json"):$(jq .processes.not_walked "$TMP/w0.json"):$(jq '.programs[0].per_instance.own_kb >= 102400' "$TMP/wl.json")" \
	"1:0:true" "--walk-limit 50M: the 100 MiB process is not walked, its anonymous pages from status; without it, walked"
grep -q '^1 process over --walk-limit' "$TMP/wl.txt"; ok $? "... and the table says so"

# --maps PID: each mapping with its role, as pmap -X
"$PROGS/spawn" -n 1 "$PROGS/dirty" --heap 256 -- sh -c "
	'$RESIDENT' cost --maps \$1 --json > '$TMP/maps.json'; '$RESIDENT' cost --json \$1 > '$TMP/one.json'
	'$RESIDENT' cost --maps \$1 > '$TMP/maps.txt'" sh
is "$(jq '[.maps[] | select(.role == "heap") | .own_kb] | add >= 1024' "$TMP/maps.json"):$(jq -r .exe "$TMP/maps.json" | sed 's|.*/||')" \
	"true:dirty" "--maps PID: the heap mapping holds the 1 MiB dirty heap, owned"
within "$(jq '[.maps[].own_kb] | add' "$TMP/maps.json")" "$(jq '.programs[0].per_instance.own_kb' "$TMP/one.json")" 4 \
	"--maps: the mappings' own pages add up to the process's"
is "$(head -n 1 "$TMP/maps.txt" | tr -s ' '):$(grep -c '^kernel side: page tables' "$TMP/maps.txt")" \
	"ADDRESS PERM ROLE RSS PSS PRIV SHARED SWAP OWN MAPPING:1" "--maps table: its columns, then the kernel side"

# --maps of a process killed at a random moment while it is read: all of
# it (exit 0) or nothing (exit 3), never a listing cut short (the
# adversarial pass: it was 10850 of 30113 mappings, exit 0)
cat > "$TMP/many.py" <<'PY'
import mmap, time
ms = [mmap.mmap(-1, 4096) for _ in range(20000)]
for m in ms: m[0] = 1
print("ready", flush=True)
time.sleep(60)
PY
verdicts=
for i in 1 2 3 4; do
	python3 "$TMP/many.py" > "$TMP/many.out" & P=$!
	while ! grep -q ready "$TMP/many.out" 2> /dev/null; do sleep 0.1; done
	( sleep "0.0$i"; kill -9 $P ) &
	"$RESIDENT" cost --maps $P --json > "$TMP/m.json" 2> /dev/null
	rc=$?
	wait 2> /dev/null
	if [ $rc = 0 ]; then
		verdicts="$verdicts $(jq '.maps | length > 20000' "$TMP/m.json")"
	else
		verdicts="$verdicts $rc:$(wc -c < "$TMP/m.json")"
	fi
done
is "$(echo "$verdicts" | tr ' ' '\n' | grep -cv '^$\|^true$\|^3:0$')" 0 \
	"--maps of a process killed while read: whole (exit 0) or nothing (exit 3), never cut ($verdicts)"

# --top with -P: the N most costly processes, most costly first
"$PROGS/spawn" -n 3 "$PROGS/dirty" --heap 300 -- "$RESIDENT" cost -P --top 2 > "$TMP/tp"
is "$(sed -n 2,3p "$TMP/tp" | grep -c '/dirty '):$(grep -c '^(.* more process\(es\)\?: --all shows them)$' "$TMP/tp"):$(awk '$1 ~ /^[0-9]+$/ && $2 ~ /^(\/|\.\.\.)/' "$TMP/tp" | wc -l)" "2:1:2" \
	"-P --top 2: two rows, the two instances dirtying 1.2 MB first, the rest counted"

# page-tables advice: fewer libraries is for a dynamic program only
cc -O1 -static -o "$TMP/dirty-static" "$SRC/dirty.c" -lpthread
"$PROGS/spawn" -n 2 "$TMP/dirty-static" --spread 64 -- "$RESIDENT" cost --json > "$TMP/s"
adv() { jq -r ".programs[] | select(.exe | endswith(\"/$1\")) | .advice[] | select(.id == \"page-tables\") | .text" "$2"; }
is "$(adv dirty-static "$TMP/s" | grep -c 'mappings placed closer'):$(adv dirty-static "$TMP/s" | grep -c static)" "1:0" \
	"a static program with 64 spread pages: page-tables advice, not to link statically ($(adv dirty-static "$TMP/s"))"
"$PROGS/spawn" -n 2 "$PROGS/dirty" --spread 64 -- "$RESIDENT" cost --json > "$TMP/s"
is "$(adv dirty "$TMP/s" | grep -c 'static linking')" "1" "... the dynamic one is told fewer libraries would need fewer"

run --prometheus > "$TMP/p"
/usr/bin/python3 - "$TMP/p" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
need = ["resident_program_instances", "resident_program_rss_bytes", "resident_program_role_bytes",
        "resident_program_kernel_bytes", "resident_program_marginal_bytes", "resident_processes"]
missing = [n for n in need if n not in fams]
inst = [s.value for s in fams["resident_program_instances"].samples if s.labels["exe"].endswith("/dirty")]
sys.exit(1 if missing or inst != [3.0] else 0)
PY
ok $? "Prometheus: parsed by prometheus_client, 3 instances of dirty"
grep -q '^# HELP resident_program_marginal_bytes .*pages it owns' "$TMP/p"
ok $? "the marginal metric's HELP says what it counts (owned pages, not private dirty)"

out=$TMP/out/metrics.prom
mkdir "$TMP/out"
run --prometheus -o "$out"
ok $? "-o FILE: exit 0"
is "$(ls "$TMP/out")" metrics.prom "-o FILE: the file and no temporary beside it"
"$RESIDENT" cost -o "$TMP/no/such/dir/f" 2> "$TMP/err"
is "$?" 4 "-o into a missing directory: exit 4"
is "$(wc -l < "$TMP/err")" 1 "-o into a missing directory: one line"
(umask 002 && run --json -o "$TMP/out/mode.json")
is "$(stat -c %a "$TMP/out/mode.json")" 664 "-o FILE: mode 0666 less the umask (002), as a plain creation gives"
"$RESIDENT" cost -o "$TMP/out/diff.json" --diff 999999998 999999999 2> /dev/null
is "$?:$(ls "$TMP/out" | tr '\n' ' ')" "3:metrics.prom mode.json " "-o, and the run fails: no file, no temporary left"

"$PROGS/spawn" -n 1 "$PROGS/dirty" -- timeout --preserve-status -s INT 2.2 "$RESIDENT" cost -w 0.5 --json -p dirty > "$TMP/w"
is "$?" 0 "-w: interrupted watch exits 0"
ok $(test "$(jq -s length "$TMP/w")" -ge 3; echo $?) "-w 0.5 for 2.2 s: at least 3 reports"
is "$(jq -s '[.[].time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")] | all' "$TMP/w")" "true" "-w --json: each report has its time"
"$PROGS/spawn" -n 1 "$PROGS/dirty" -- timeout 10 "$RESIDENT" cost -w 0.2 -c 3 -p dirty > "$TMP/wc"
is "$?:$(grep -Ec '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$TMP/wc"):$(grep -c '^PROGRAM  *N ' "$TMP/wc")" "0:3:3" \
	"-w 0.2 -c 3: three reports, each under its time, then exit 0"
"$RESIDENT" cost -c 3 2> "$TMP/err"
is "$?" 2 "-c without -w: a usage error"

run --json --per-process > "$TMP/pp"
is "$(jq '[.per_process[] | select(.exe | endswith("/dirty"))] | length' "$TMP/pp")" 3 "--per-process: one entry each"
run --json --libs > "$TMP/l"
ok $(jq -e "$d | .libs | map(.path) | any(endswith(\"/libc.so.6\"))" "$TMP/l" > /dev/null; echo $?) "--libs: libc.so.6 listed"
run --json --totals > "$TMP/t"
ok $(jq -e "$d | has(\"roles\") | not" "$TMP/t" > /dev/null; echo $?) "--totals: no roles"
within "$(jq "$d | .per_instance.own_kb" "$TMP/t")" "$(jq "$d | .per_instance.own_kb" "$TMP/j")" 4 \
	"--totals: own pages as with roles, within a page"

# a program whose path has a quote, a newline and a byte that is not UTF-8
weird=$(printf '%s/we"ird\377\nname' "$TMP")
mkdir "$weird" && cp "$PROGS/dirty" "$weird/dirty"
"$PROGS/spawn" -n 1 "$weird/dirty" -- "$RESIDENT" cost --json > "$TMP/wj"
jq -e '.programs[0].exe | endswith("name/dirty")' "$TMP/wj" > /dev/null; ok $? "odd path: JSON still valid"
# the byte 0xff was written as U+00FF ("ÿ", the name of another path):
# now U+FFFD, and the bytes exactly in exe_hex
hex=$(printf '%s/dirty' "$weird" | od -An -tx1 | tr -d ' \n')
is "$(jq -r '.programs[0].exe_hex' "$TMP/wj"):$(jq -r '.programs[0].exe | contains("\ufffd")' "$TMP/wj"):$(jq -r '.programs[0].exe | contains("\u00ff")' "$TMP/wj")" \
	"$hex:true:false" "odd path: exe_hex gives its bytes; exe shows U+FFFD, not U+00FF"
"$PROGS/spawn" -n 1 "$PROGS/dirty" -- "$RESIDENT" cost --json > "$TMP/nj"
is "$(jq '[.programs[] | has("exe_hex")] | any' "$TMP/nj")" "false" "a UTF-8 path has no exe_hex"
"$PROGS/spawn" -n 1 "$weird/dirty" -- "$RESIDENT" cost --prometheus > "$TMP/wp"
/usr/bin/python3 -c '
import sys
from prometheus_client.parser import text_string_to_metric_families
list(text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()))' "$TMP/wp"
ok $? "odd path: Prometheus output still parses as UTF-8"
"$PROGS/spawn" -n 1 "$weird/dirty" -- "$RESIDENT" cost > "$TMP/wt"
grep -q 'dirty' "$TMP/wt"; ok $? "odd path: table still names it"
