#!/bin/sh
# deps.sh [REV [R]]: what checking everything a normal exec looks at costs
# an image on every exec (issue 12: under 5 us for a program with five
# libraries).  A program with five libraries of its own, found through
# RUNPATH $ORIGIN/lib (so that ld.so also probes glibc-hwcaps
# subdirectories and looks for libc there first), snapped by this tree and
# by REV (default 6c7d252, the last revision before issue 12).  Two
# figures, one run: the checks alone, timed in a loop with the loader's
# own code (bench/depcheck.c), against format 3's; and whole execs of both
# images, R runs each, side by side in one `resident bench`.
set -eu
rev=${1:-6c7d252} R=${2:-4000}
. "$(dirname "$0")/lib.sh"
d=$w/five
rm -rf $d && mkdir -p $d/lib
for i in 1 2 3 4 5; do
	cc -O2 -shared -fPIC -DNAME=five$i -o $d/lib/libfive$i.so bench/five-lib.c
done
cc -O2 -o $d/five bench/five.c -L$d/lib -lfive1 -lfive2 -lfive3 -lfive4 -lfive5 -Wl,-rpath,'$ORIGIN/lib'
cc -O2 -Wall -D_GNU_SOURCE -o $w/depcheck bench/depcheck.c src/image/verify.c src/image/read.c src/proc/plainfile.c src/lib/err.c
./resident snap -o $d/five-now $d/five > /dev/null
$w/depcheck $d/five-now 300
old=$w/rev-$rev
rm -rf "$old" && git worktree prune
git worktree add -f --detach "$old" "$rev" > /dev/null 2>&1
trap 'git worktree remove --force "$old"' EXIT
make -C "$old" -j2 resident > /dev/null
"$old/resident" snap -o $d/five-$rev $d/five > /dev/null
./resident bench -q -r "$R" --json -o $w/deps.json -- $d/five-$rev --vs $d/five-now > /dev/null
/usr/bin/python3 - $w/deps.json "$rev" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
a, b = (c["startup"]["posix_spawn"]["median_us"] for c in r["commands"])
print(f"whole exec, median of {r['runs']} runs: image by {sys.argv[2]} {a:.0f} us, now {b:.0f} us ({b - a:+.0f} us, {b / a:.3f}x)")
PY
