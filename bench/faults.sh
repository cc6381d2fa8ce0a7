#!/bin/sh
# faults.sh [PROGRAM ARGS...]: where one start of PROGRAM's image goes, per
# exec: its syscalls by name (strace -f -c) and its page faults by the
# mapping they hit (perf record -e page-faults, addresses matched against a
# image's maps, resident inspect --json: an image's addresses are its
# capture's, the same in every run); then where the time of RUNS starts
# goes (perf record -g: by object, and the share under the page-fault
# handler).  Default: clang-format --version.  RUNS=100 unless set.
# docs/images.md quotes it for clang-format and for the tiny program
# (sh bench/faults.sh build/bench/tiny-dynamic).  SNAP_FLAGS=--after-init
# measures an after-init image.  perf runs with -N: its build-id cache
# hard-links the program, which changes its ctime and makes every image of
# it stale.
set -eu
. "$(dirname "$0")/lib.sh"
[ $# -gt 0 ] || set -- /usr/lib/llvm-14/bin/clang-format --version
# named as its program: an after-init image depends on it
mkdir -p $w/faults
img=$w/faults/$(basename "$1")
# shellcheck disable=SC2086
./resident snap ${SNAP_FLAGS:-} -o $img "$1" > /dev/null
shift
echo "syscalls per exec of the image (strace -f -c)"
strace -f -c -o $w/faults-strace.txt $img "$@" > /dev/null 2>&1
awk 'NR > 2 && $1 !~ /^-/ { printf "  %-18s %s\n", $NF, $4 }' $w/faults-strace.txt | sort -k2 -rn
perf record -N -q -e page-faults -c 1 -d -o $w/faults.data -- $img "$@" > /dev/null 2>&1
perf script -i $w/faults.data -F addr 2> /dev/null > $w/faults.addr
./resident inspect --json $img > $w/faults.json
/usr/bin/python3 - $w/faults.json $w/faults.addr <<'PY'
import collections, json, sys
prot = lambda p: "".join(c if p & b else "-" for c, b in (("r", 1), ("w", 2), ("x", 4)))
img = json.load(open(sys.argv[1]))
maps = [(m["start"], m["end"], prot(m["prot"]), m["file"].rsplit("/", 1)[-1] if "file" in m else "image's " + m["kind"])
        for m in img["maps"]]
c = collections.Counter()
for l in open(sys.argv[2]):
    x = int(l.split()[0], 16)
    c[next((f"{n} {p}" for a, b, p, n in maps if a <= x < b), "elsewhere: the stack, a new heap, new mmaps")] += 1
print(f"page faults of one start: {sum(c.values())}, by mapping")
for k, v in c.most_common(12):
    print(f"  {v:6}  {k}")
PY
# the profile: RUNS starts under perf record -g, everything on the CPU
# (kernel included) by object, and the share under the page-fault handler
runs=${RUNS:-100}
perf record -N -q -F 20000 -g -o $w/faults-prof.data -- \
	sh -c 'n=$1; shift; i=0; while [ $i -lt $n ]; do "$@" > /dev/null 2>&1; i=$((i + 1)); done' - "$runs" $img "$@"
echo "profile of $runs starts (perf record -g): share of samples"
perf report -i $w/faults-prof.data --no-children --sort dso --stdio -g none 2> /dev/null |
	awk '/^ +[0-9.]+%/ && n++ < 6 { printf "  %8s  %s\n", $1, $2 }'
perf report -i $w/faults-prof.data --children --sort sym --stdio -g none 2> /dev/null |
	awk '$NF == "asm_exc_page_fault" { printf "  %8s  under the page-fault handler\n", $1; exit }'
