#!/bin/sh
# headline.sh: the headline table of `make bench`, from one `resident bench`
# run: the same tiny program as glibc dynamic, glibc static, musl static and
# a resident image of the dynamic build, and Debian's s6-supervise normal
# and as an image; density at N instances, startup over R runs.  Writes
# bench/results.json and bench/results.svg and compares with the reference
# figures of this machine kind (issue 4).
set -eu
N=${1:-1000} R=${2:-2000}
. "$(dirname "$0")/lib.sh"
prog tiny dynamic
prog tiny static
prog tiny musl
./resident snap -o $w/tiny-image $w/tiny-dynamic > /dev/null
s6=$(command -v s6-supervise)
./resident snap -o $w/s6-supervise-image "$s6" > /dev/null
svc_dirs "$N"
./resident bench -n "$N" -r "$R" --json -o bench/results.json --svg bench/results.svg -- \
	$w/tiny-dynamic %m --vs $w/tiny-static %m --vs $w/tiny-musl %m --vs $w/tiny-image %m \
	--vs "$s6" $w/svc/%m%d --vs $w/s6-supervise-image $w/svc/%m%d
rm -rf $w/svc
/usr/bin/python3 - bench/results.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
names = ["glibc dynamic", "glibc static", "musl static", "image of glibc dynamic",
         "s6-supervise", "s6-supervise image"]
# reference figures measured on this machine kind (issue 4): kB per instance, spawn us
ref_kb = [170, 117, 69, None, 213, None]
ref_us = [516, 375, 196, None, None, None]
n, runs = r["instances"][0], r["runs"]
print(f"\nmake bench: {n} instances (density) and {runs} runs (startup) of each, one run, side by side")
print(f"{'':24}{'kB/inst':>8}{'ref':>6}{'/ref':>6}{'USS':>7}{'x dyn':>7}   {'spawn us':>8}{'p99':>7}{'ref':>6}{'/ref':>6}{'x dyn':>7}")
c = r["commands"]
def d(i): return c[i]["density"][0]["per_instance_kb"]["total"]
def s(i): return c[i]["startup"]["posix_spawn"]["median_us"]
for i, name in enumerate(names):
    dd, ss = c[i]["density"][0], c[i]["startup"]
    kb = dd["per_instance_kb"]["total"]
    line = f"{name:<24}{kb:>8.1f}"
    line += f"{ref_kb[i]:>6}{kb / ref_kb[i]:>6.2f}" if ref_kb[i] else f"{'':>12}"
    line += f"{dd['uss_kb']:>7.1f}{kb / d(0):>7.2f}   "
    if ss:
        us = ss["posix_spawn"]["median_us"]
        line += f"{us:>8.0f}{ss['posix_spawn']['p99_us']:>7.0f}"
        line += f"{ref_us[i]:>6}{us / ref_us[i]:>6.2f}" if ref_us[i] else f"{'':>12}"
        line += f"{us / s(0):>7.2f}"
    print(line)
print("(kB/inst: /proc/meminfo deltas of AnonPages+PageTables+KernelStack+SUnreclaim+Percpu per running instance;")
print(" spawn: posix_spawn to exit, median; s6-supervise's startup is a start that fails to chdir; details: bench/results.json, bench/results.svg)")
PY
