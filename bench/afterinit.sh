#!/bin/sh
# afterinit.sh: what capturing after the constructors buys (issue 14), side
# by side in one run (hyperfine -N): clang-format --version, clang-format of
# a small file, clang -c of a small file and perl -e 1, each normal, from a
# before-constructor image (bc), an after-init image (ai) and an after-init
# image with a training run's prefault table (ai+pf, trained on --version,
# on the file, on -c, on -e 1); snap's time for each; and what one start of
# clang-format --version made its own at its exit (Private_Dirty, gdb) and
# its page faults (perf stat).
# Images are named as their programs: an after-init image depends on it.
# Writes bench/results-afterinit.json.
set -eu
. "$(dirname "$0")/lib.sh"
cf=/usr/lib/llvm-14/bin/clang-format
cl=/usr/lib/llvm-14/bin/clang
printf 'int  main( ) {return 0 ;}\n' > $w/small.c
mkdir -p $w/bc $w/ai $w/aipf
snap() { # DIR NAME SNAP-ARGUMENTS...
	d=$1 n=$2
	shift 2
	t0=$(date +%s%N)
	if ./resident snap -o $w/$d/$n "$@" > /dev/null 2> $w/$d/$n.err; then
		echo "$d/$n: $(( ($(date +%s%N) - t0) / 1000000 )) ms to snap"
	else
		echo "$d/$n: $(cat $w/$d/$n.err)"
		rm -f $w/$d/$n
	fi
}
for d in bc ai aipf; do rm -f $w/$d/*; done
snap bc clang-format $cf
snap ai clang-format --after-init $cf
snap aipf clang-format --after-init --prefault $cf -- --version
snap bc clang $cl
snap ai clang --after-init $cl
snap aipf clang --after-init --prefault $cl -- -c -o $w/train.o $w/small.c
snap bc perl /usr/bin/perl
snap ai perl --after-init /usr/bin/perl
snap aipf perl --after-init --prefault /usr/bin/perl -- -e 1
# side LABEL NAME PROGRAM ARGS: normal and every image there is, one run
side() {
	label=$1 n=$2 p=$3
	shift 3
	args="$*"
	set -- -n "$label normal" "$p $args"
	for d in bc ai aipf; do
		[ -x $w/$d/$n ] && set -- "$@" -n "$label $d" "$w/$d/$n $args"
	done
	hyperfine -N --warmup 5 --runs "${RUNS:-60}" \
		--export-json "$w/ai-$n-$(echo "$label" | tr -c 'a-z0-9\n' _).json" "$@" > /dev/null
}
side "clang-format --version" clang-format $cf --version
side "clang-format small.c" clang-format $cf $w/small.c
side "clang -c small.c" clang $cl -c -o $w/small.o $w/small.c
RUNS=200 side "perl -e 1" perl /usr/bin/perl -e 1
echo "page faults of one start of clang-format --version (perf stat)"
for v in "normal:$cf" "bc:$w/bc/clang-format" "ai:$w/ai/clang-format" "aipf:$w/aipf/clang-format"; do
	f=$(perf stat -x, -e page-faults ${v#*:} --version 2>&1 > /dev/null | cut -d, -f1)
	printf '  %-8s %s\n' "${v%%:*}" "$f"
done
echo "what one start of clang-format --version made its own, at its exit (kB Private_Dirty)"
for v in "normal:$cf" "bc:$w/bc/clang-format" "ai:$w/ai/clang-format" "aipf:$w/aipf/clang-format"; do
	m=$(gdb -q -batch -x bench/atexit-mem.py --args ${v#*:} --version 2> /dev/null | awk '/^MEM/ {print $2}')
	printf '  %-8s %s\n' "${v%%:*}" "$m"
done
python3 - $w bench/results-afterinit.json <<'PY'
import glob, json, sys
w, out = sys.argv[1], sys.argv[2]
rows = []
for f in sorted(glob.glob(f"{w}/ai-*.json")):
    res = json.load(open(f))["results"]
    base = res[0]["median"]
    for x in res:
        rows.append({"command": x["command"], "median_ms": x["median"] * 1e3, "speedup": base / x["median"]})
print(f"{'startup (median, hyperfine -N)':<40}{'ms':>9}{'x normal':>10}")
for r in rows:
    print(f"{r['command']:<40}{r['median_ms']:>9.2f}{r['speedup']:>10.2f}")
json.dump(rows, open(out, "w"), indent=1)
PY
