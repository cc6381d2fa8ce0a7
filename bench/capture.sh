#!/bin/sh
# capture.sh: what `resident snap` costs next to one normal run of the
# program (issue 5's target: at most 2x), side by side in one run
# (hyperfine -N, each capture into a fresh path); then where the capture's
# time goes (RESIDENT_DEBUG=1 phases, median of 11 captures).  Writes
# bench/results-capture.json.
set -eu
. "$(dirname "$0")/lib.sh"
prog tiny dynamic
cf=/usr/lib/llvm-14/bin/clang-format
py=/usr/bin/python3
img=$w/capture.img
hyperfine -N --warmup 3 --runs 40 --prepare "rm -f $img" --export-json $w/capture.json \
	-n "tiny" "$w/tiny-dynamic" -n "snap tiny" "./resident snap -o $img $w/tiny-dynamic" \
	-n "python3 -c pass" "$py -c pass" -n "snap python3" "./resident snap -o $img $py" \
	-n "clang-format --version" "$cf --version" -n "snap clang-format" "./resident snap -o $img $cf" > /dev/null
for p in "$w/tiny-dynamic" "$py" "$cf"; do
	for i in 1 2 3 4 5 6 7 8 9 10 11; do
		rm -f $img
		RESIDENT_DEBUG=1 ./resident snap -o $img "$p" 2>&1 >/dev/null | sed "s|^resident: |$(basename "$p")\t|"
	done
done > $w/capture-phases.txt
rm -f $img
/usr/bin/python3 - $w bench/results-capture.json <<'PY'
import json, sys, statistics
w, out = sys.argv[1], sys.argv[2]
t = {x["command"]: x["median"] * 1e3 for x in json.load(open(f"{w}/capture.json"))["results"]}
print(f"{'capture':<26}{'normal ms':>10}{'snap ms':>9}{'ratio':>7}")
res = {}
for prog, snap in (("tiny", "snap tiny"), ("python3 -c pass", "snap python3"),
                   ("clang-format --version", "snap clang-format")):
    r = t[snap] / t[prog]
    res[prog] = {"normal_ms": t[prog], "snap_ms": t[snap], "ratio": r}
    print(f"{prog:<26}{t[prog]:>10.2f}{t[snap]:>9.2f}{r:>7.2f}")
ph = {}
for line in open(f"{w}/capture-phases.txt"):
    f = line.rstrip("\n").split("\t")
    if len(f) == 2 and f[1].endswith(" ms"):
        name, ms = f[1].rsplit(": ", 1)
        ph.setdefault(f[0], {}).setdefault(name, []).append(float(ms[:-3]))
print("\nwhere a capture's time goes (ms, median of 11)")
for prog, phases in ph.items():
    med = {k: statistics.median(v) for k, v in phases.items()}
    res.setdefault("phases", {})[prog] = med
    print(f"  {prog:<16}" + "  ".join(f"{k} {v:.2f}" for k, v in med.items()))
json.dump(res, open(out, "w"), indent=1)
PY
