#!/bin/sh
# afterinit.sh: what capturing after the constructors buys (issue 14), side
# by side in one run (hyperfine -N): clang-format --version, clang-format of
# a small file, clang -c of a small file and perl -e 1, each normal, from a
# before-constructor image and from an after-init image where snap accepts
# one (else its refusal is printed); snap's time for each; memory per
# running instance.  Writes bench/results-afterinit.json.
set -eu
. "$(dirname "$0")/lib.sh"
cf=/usr/lib/llvm-14/bin/clang-format
cl=/usr/lib/llvm-14/bin/clang
printf 'int  main( ) {return 0 ;}\n' > $w/small.c
for p in $cf $cl /usr/bin/perl; do
	n=$(basename $p)
	./resident snap -o $w/$n-bc $p > /dev/null
	t0=$(date +%s%N)
	if ./resident snap --after-init -o $w/$n-ai $p > /dev/null 2> $w/$n-ai.err; then
		echo "$n: after-init image in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	else
		echo "$n: $(cat $w/$n-ai.err)"
		rm -f $w/$n-ai
	fi
done
# side3 JSON LABEL PROGRAM ARGS: normal, before-ctor and (if any) after-init
side3() {
	json=$1 label=$2 p=$3 n=$(basename "$3")
	shift 3
	if [ -x $w/$n-ai ]; then
		hyperfine -N --warmup 5 --runs "${RUNS:-60}" --export-json "$json" \
			-n "$label normal" "$p $*" -n "$label before-ctor" "$w/$n-bc $*" \
			-n "$label after-init" "$w/$n-ai $*" > /dev/null
	else
		hyperfine -N --warmup 5 --runs "${RUNS:-60}" --export-json "$json" \
			-n "$label normal" "$p $*" -n "$label before-ctor" "$w/$n-bc $*" > /dev/null
	fi
}
side3 $w/ai-cfv.json "clang-format --version" $cf --version
side3 $w/ai-cff.json "clang-format small.c" $cf $w/small.c
side3 $w/ai-cc.json "clang -c small.c" $cl -c -o $w/small.o $w/small.c
RUNS=200 side3 $w/ai-perl.json "perl -e 1" /usr/bin/perl -e 1
python3 - $w bench/results-afterinit.json <<'PY'
import json, sys
w, out = sys.argv[1], sys.argv[2]
rows = []
for f in ("ai-cfv", "ai-cff", "ai-cc", "ai-perl"):
    res = json.load(open(f"{w}/{f}.json"))["results"]
    base = res[0]["median"]
    for x in res:
        rows.append({"command": x["command"], "median_ms": x["median"] * 1e3, "speedup": base / x["median"]})
print(f"{'startup (median of hyperfine -N)':<40}{'ms':>9}{'x normal':>10}")
for r in rows:
    print(f"{r['command']:<40}{r['median_ms']:>9.2f}{r['speedup']:>10.2f}")
json.dump(rows, open(out, "w"), indent=1)
PY
