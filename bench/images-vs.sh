#!/bin/sh
# images-vs.sh REV [N [R]]: images made by this tree's resident next to
# images made by REV's (built in a temporary worktree), for the tiny
# program and Debian's s6-supervise, with glibc static and musl static as
# references; density at N instances and startup over R runs, side by side
# in one `resident bench`.  docs/images.md quotes it for the stack-under-
# the-program lever.
set -eu
rev=${1:?usage: sh bench/images-vs.sh REV [N [R]]}
N=${2:-1000} R=${3:-2000}
. "$(dirname "$0")/lib.sh"
old=$w/rev-$rev
prog tiny dynamic
prog tiny static
prog tiny musl
rm -rf "$old" && git worktree prune
git worktree add -f --detach "$old" "$rev" > /dev/null 2>&1
trap 'git worktree remove --force "$old"' EXIT
make -C "$old" -j2 resident > /dev/null
s6=$(command -v s6-supervise)
"$old/resident" snap -o $w/tiny-vs-old $w/tiny-dynamic > /dev/null
./resident snap -o $w/tiny-vs-new $w/tiny-dynamic > /dev/null
"$old/resident" snap -o $w/s6-vs-old "$s6" > /dev/null
./resident snap -o $w/s6-vs-new "$s6" > /dev/null
for i in tiny-vs-new s6-vs-new; do
	printf '%s: stack %s the program\n' $i \
		"$(./resident inspect --json $w/$i | jq -r 'if .stack_under then "under" else "above" end')"
done
svc_dirs "$N"
./resident bench -n "$N" -r "$R" --json -o $w/images-vs.json -- \
	$w/tiny-static %m --vs $w/tiny-musl %m --vs $w/tiny-vs-old %m --vs $w/tiny-vs-new %m \
	--vs $w/s6-vs-old $w/svc/%m%d --vs $w/s6-vs-new $w/svc/%m%d > /dev/null
rm -rf $w/svc
/usr/bin/python3 - $w/images-vs.json "$rev" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rev = sys.argv[2]
names = ["tiny, glibc static", "tiny, musl static", f"tiny image, {rev}", "tiny image, now",
         f"s6-supervise image, {rev}", "s6-supervise image, now"]
print(f"{'':30}{'kB/inst':>8}{'tables':>8}{'anon':>7}{'slab':>7}{'spawn us':>9}")
for name, c in zip(names, r["commands"]):
    k = c["density"][0]["per_instance_kb"]
    st = c["startup"]["posix_spawn"]["median_us"]
    print(f"{name:<30}{k['total']:>8.1f}{k['page_tables']:>8.1f}{k['anon']:>7.1f}{k['slab_unreclaimable']:>7.1f}{st:>9.0f}")
PY
