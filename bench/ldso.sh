#!/bin/sh
# ldso.sh: issue 5's compact-layout lever, before and after in one run:
# images captured as exec'd (snap --as-exec: the executable in its own
# region) next to images captured through ld.so (the default), for the
# tiny program and Debian's s6-supervise; density at N instances, startup
# over R runs.  Usage: sh bench/ldso.sh [N [R]]
set -eu
N=${1:-1000} R=${2:-2000}
. "$(dirname "$0")/lib.sh"
prog tiny dynamic
prog tiny static
s6=$(command -v s6-supervise)
./resident snap --as-exec -o $w/tiny-as-exec $w/tiny-dynamic > /dev/null
./resident snap -o $w/tiny-image $w/tiny-dynamic > /dev/null
./resident snap --as-exec -o $w/s6-as-exec "$s6" > /dev/null
./resident snap -o $w/s6-supervise-image "$s6" > /dev/null
svc_dirs "$N"
./resident bench -n "$N" -r "$R" --json -o $w/ldso.json -- \
	$w/tiny-static %m --vs $w/tiny-as-exec %m --vs $w/tiny-image %m \
	--vs $w/s6-as-exec $w/svc/%m%d --vs $w/s6-supervise-image $w/svc/%m%d > /dev/null
rm -rf $w/svc
/usr/bin/python3 - $w/ldso.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
names = ["tiny, glibc static", "tiny image, as exec'd", "tiny image, through ld.so",
         "s6-supervise image, as exec'd", "s6-supervise image, through ld.so"]
print(f"{'':34}{'kB/inst':>8}{'tables':>8}{'anon':>7}{'slab':>7}{'spawn us':>9}")
for name, c in zip(names, r["commands"]):
    k = c["density"][0]["per_instance_kb"]
    st = c["startup"]["posix_spawn"]["median_us"] if c["startup"] else float("nan")
    print(f"{name:<34}{k['total']:>8.1f}{k['page_tables']:>8.1f}{k['anon']:>7.1f}{k['slab_unreclaimable']:>7.1f}{st:>9.0f}")
PY
