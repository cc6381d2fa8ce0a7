#!/bin/sh
# capture-vs.sh REV: capture time of this tree's resident next to REV's
# (built in a temporary worktree), and one normal run of each program,
# side by side in one hyperfine -N run, each capture into a fresh path.
# docs/images.md quotes it with REV=b2c6ecc (before issue 5's capture work).
set -eu
rev=${1:?usage: sh bench/capture-vs.sh REV}
. "$(dirname "$0")/lib.sh"
old=$w/rev-$rev
prog tiny dynamic
rm -rf "$old" && git worktree prune
git worktree add -f --detach "$old" "$rev" > /dev/null 2>&1
trap 'git worktree remove --force "$old"' EXIT
make -C "$old" -j2 resident > /dev/null
cf=/usr/lib/llvm-14/bin/clang-format
img=$w/capture-vs.img
hyperfine -N --warmup 3 --runs 30 --prepare "rm -f $img" --export-json $w/capture-vs.json \
	-n "tiny" "$w/tiny-dynamic" -n "snap tiny, $rev" "$old/resident snap -o $img $w/tiny-dynamic" \
	-n "snap tiny, now" "./resident snap -o $img $w/tiny-dynamic" \
	-n "clang-format --version" "$cf --version" -n "snap clang-format, $rev" "$old/resident snap -o $img $cf" \
	-n "snap clang-format, now" "./resident snap -o $img $cf" > /dev/null
rm -f $img
/usr/bin/python3 - $w/capture-vs.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
t = [(x["command"], x["median"] * 1e3) for x in r]
for i in (0, 3):
    base = t[i][1]
    for name, ms in t[i:i + 3]:
        print(f"{name:<34}{ms:>9.2f} ms{ms / base:>7.2f}x")
PY
