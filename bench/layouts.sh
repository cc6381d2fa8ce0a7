#!/bin/sh
# layouts.sh: issue 5's per-run layout randomisation lever, measured in one
# run: the tiny program and Debian's s6-supervise from images of 1, 4 and 16
# layouts (snap --layouts K).  Image size and capture time (hyperfine -N,
# each capture into a fresh path), then density at N instances and startup
# over R runs (resident bench), all side by side.  Writes
# bench/results-layouts.json.  Usage: sh bench/layouts.sh [N [R]]
set -eu
N=${1:-1000} R=${2:-2000}
. "$(dirname "$0")/lib.sh"
prog tiny dynamic
s6=$(command -v s6-supervise)
for k in 1 4 16; do
	./resident snap --layouts $k -o $w/tiny-k$k $w/tiny-dynamic > /dev/null
	./resident snap --layouts $k -o $w/s6-k$k "$s6" > /dev/null
done
img=$w/layouts.img
hyperfine -N --warmup 2 --runs 15 --prepare "rm -f $img" --export-json $w/layouts-snap.json \
	-n "tiny K=1" "./resident snap -o $img $w/tiny-dynamic" \
	-n "tiny K=4" "./resident snap --layouts 4 -o $img $w/tiny-dynamic" \
	-n "tiny K=16" "./resident snap --layouts 16 -o $img $w/tiny-dynamic" > /dev/null
rm -f $img
svc_dirs "$N"
./resident bench -n "$N" -r "$R" --json -o $w/layouts.json -- \
	$w/tiny-k1 %m --vs $w/tiny-k4 %m --vs $w/tiny-k16 %m \
	--vs $w/s6-k1 $w/svc/%m%d --vs $w/s6-k4 $w/svc/%m%d --vs $w/s6-k16 $w/svc/%m%d > /dev/null
rm -rf $w/svc
/usr/bin/python3 - $w bench/results-layouts.json <<'PY'
import json, os, sys
w, out = sys.argv[1], sys.argv[2]
r = json.load(open(f"{w}/layouts.json"))
snap = {x["command"]: x["median"] * 1e3 for x in json.load(open(f"{w}/layouts-snap.json"))["results"]}
rows = [(f"{p} image, K={k}", f"{w}/{p2}-k{k}", k, p) for p, p2 in (("tiny", "tiny"), ("s6-supervise", "s6"))
        for k in (1, 4, 16)]
res = {}
print(f"{'':26}{'image kB':>9}{'snap ms':>8}{'kB/inst':>8}{'anon':>7}{'spawn us':>9}{'vs K=1':>7}")
base = {}
for (name, path, k, prog), c in zip(rows, r["commands"]):
    d = c["density"][0]["per_instance_kb"]
    st = c["startup"]["posix_spawn"]["median_us"]
    base.setdefault(prog, st)
    s = snap.get(f"tiny K={k}") if prog == "tiny" else None
    res[name] = {"image_kb": os.path.getsize(path) / 1024, "snap_ms": s, "kb_per_instance": d["total"],
                 "anon_kb": d["anon"], "spawn_us": st, "spawn_vs_k1": st / base[prog]}
    print(f"{name:<26}{os.path.getsize(path) / 1024:>9.0f}{(f'{s:.2f}' if s else '-'):>8}{d['total']:>8.1f}"
          f"{d['anon']:>7.1f}{st:>9.0f}{st / base[prog]:>7.2f}")
json.dump(res, open(out, "w"), indent=1)
PY
