#!/bin/sh
# demo.sh: resident's main job on this machine: what every program costs,
# then what one program started here would cost at 1000 instances.
set -eu
cd "$(dirname "$0")/.."
r=./resident
echo "== resident cost: the 10 most costly programs on this machine, 1000 more instances of each"
echo
status=0
"$r" cost -n 1000 --top 10 || status=$?
echo
echo "== 20 instances of Debian's cat, each waiting on a pipe, projected to 1000 instances"
echo
dir=$(mktemp -d)
trap 'kill $pids 2> /dev/null; rm -rf "$dir"' EXIT INT TERM
mkfifo "$dir/in"
exec 9<> "$dir/in"
pids=
i=0
while [ $i -lt 20 ]; do
	/bin/cat <&9 > /dev/null &
	pids="$pids $!"
	i=$((i + 1))
done
sleep 0.5
"$r" cost --libs -n 1000 $pids
echo
echo "== clang-format started from a resident image: ld.so's relocation work done once, at capture"
echo
./resident snap -o "$dir/clang-format" /usr/lib/llvm-14/bin/clang-format
./resident check --image "$dir/clang-format" /usr/lib/llvm-14/bin/clang-format -- --version
echo
echo "(exit status of the machine-wide run: $status; other users' unreadable processes are counted in it, not an error)"
