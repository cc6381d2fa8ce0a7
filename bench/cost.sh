#!/bin/sh
# cost.sh N: start N instances of a small program, then time `resident cost`
# (all processes, with roles; --totals; --fast) side by side with smemstat and
# smem on the same processes, in one hyperfine run.  Prints the ratios and
# writes bench/results-cost.json (hyperfine's own export).
set -eu
n=${1:-1000}
. "$(dirname "$0")/lib.sh"
out=bench/results-cost.json
build/tests/progs/spawn -n "$n" build/tests/progs/dirty -- sh -c '
	out=$1
	echo "processes on the machine: $(ls -d /proc/[0-9]* | wc -l)"
	hyperfine -N -i --warmup 2 --runs 20 --export-json "$out" \
		-n "resident cost" "./resident cost -a" \
		-n "resident cost --totals" "./resident cost -a --totals" \
		-n "resident cost --fast" "./resident cost -a --fast" \
		-n "smemstat" "smemstat" \
		-n "smem" "smem" > /dev/null
' sh "$out"
# ratios against resident cost, from hyperfine's medians
python3 - "$out" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
base = r["resident cost"]["median"]
print(f"{'command':<26}{'median ms':>10}{'min ms':>9}{'x resident cost':>17}")
for name, x in r.items():
    print(f"{name:<26}{x['median']*1e3:>10.1f}{x['min']*1e3:>9.1f}{x['median']/base:>17.2f}")
print(f"smemstat / resident cost = {r['smemstat']['median']/base:.1f}x,"
      f" smem / resident cost = {r['smem']['median']/base:.1f}x,"
      f" smemstat / resident cost --totals = {r['smemstat']['median']/r['resident cost --totals']['median']:.1f}x,"
      f" smemstat / resident cost --fast = {r['smemstat']['median']/r['resident cost --fast']['median']:.1f}x")
PY
