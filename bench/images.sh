#!/bin/sh
# images.sh: what an image buys, side by side in one run (hyperfine, -N):
# startup of a C hello (glibc dynamic, its image, glibc static, musl
# static) and of clang-format --version (normal, image); then memory per
# running instance (100 instances each): Private_Dirty, Pss, own pages,
# marginal cost, from resident cost.  Writes bench/results-images.json.
set -eu
. "$(dirname "$0")/lib.sh"
prog hello dynamic
prog hello static
prog hello musl
./resident snap -o $w/hello-image $w/hello-dynamic > /dev/null
cf=/usr/lib/llvm-14/bin/clang-format
./resident snap -o $w/clang-format-image $cf > /dev/null
out=bench/results-images.json
hyperfine -N --warmup 20 --runs 1000 --export-json $w/hello.json \
	-n "hello glibc dynamic" $w/hello-dynamic -n "hello image" $w/hello-image \
	-n "hello glibc static" $w/hello-static -n "hello musl static" $w/hello-musl > /dev/null
hyperfine -N --warmup 5 --runs 100 --export-json $w/cf.json \
	-n "clang-format --version" "$cf --version" -n "clang-format image --version" "$w/clang-format-image --version" > /dev/null
# syscalls per exec (strace -f -c: every syscall of the run, execve included)
for x in "hello glibc dynamic:$w/hello-dynamic" "hello image:$w/hello-image" "hello glibc static:$w/hello-static" \
	"hello musl static:$w/hello-musl" "clang-format --version:$cf --version" \
	"clang-format image --version:$w/clang-format-image --version"; do
	# shellcheck disable=SC2086
	strace -f -c -o $w/strace.txt ${x#*:} > /dev/null 2>&1
	printf '%s\t%s\n' "${x%%:*}" "$(awk '$NF == "total" {print $4}' $w/strace.txt)"
done > $w/syscalls.txt
# memory: 100 instances of the test program that sleeps, normal vs image
./resident snap -o $w/dirty-image build/tests/progs/dirty > /dev/null
build/tests/progs/spawn -n 100 build/tests/progs/dirty -- ./resident cost --json -p dirty > $w/mem-normal.json
build/tests/progs/spawn -n 100 $w/dirty-image -- ./resident cost --json -p dirty-image > $w/mem-image.json
python3 - $w $out <<'PY'
import json, sys
w, out = sys.argv[1], sys.argv[2]
res = {}
for f in ("hello", "cf"):
    for x in json.load(open(f"{w}/{f}.json"))["results"]:
        res[x["command"]] = x
def t(name):
    return res[name]["median"] * 1e6
print(f"{'startup':<32}{'median us':>10}{'ratio':>8}")
base = t("hello glibc dynamic")
for n in ("hello glibc dynamic", "hello image", "hello glibc static", "hello musl static"):
    print(f"{n:<32}{t(n):>10.0f}{t(n)/base:>8.2f}")
cbase = t("clang-format --version")
for n in ("clang-format --version", "clang-format image --version"):
    print(f"{n:<32}{t(n):>10.0f}{t(n)/cbase:>8.2f}")
mem = {}
for kind in ("normal", "image"):
    p = json.load(open(f"{w}/mem-{kind}.json"))["programs"][0]
    pi = p["per_instance"]
    mem[kind] = {"instances": p["instances"], "private_dirty_kb": pi["private_dirty_kb"], "pss_kb": pi["pss_kb"],
                 "own_kb": pi["own_kb"], "kernel_kb": p["kernel"]["total_kb"], "marginal_kb": p["marginal_kb"]}
print(f"\n{'per instance (100 running)':<32}{'normal':>9}{'image':>9}{'ratio':>8}")
for k in ("private_dirty_kb", "pss_kb", "own_kb", "kernel_kb", "marginal_kb"):
    a, b = mem["normal"][k], mem["image"][k]
    print(f"{k:<32}{a:>9.1f}{b:>9.1f}{b/a:>8.2f}")
sc = dict(l.rstrip("\n").split("\t") for l in open(f"{w}/syscalls.txt"))
print(f"\n{'syscalls per exec (strace -f -c)':<32}{'calls':>9}")
for n, v in sc.items():
    print(f"{n:<32}{v:>9}")
json.dump({"startup_us": {n: t(n) for n in res}, "memory_kb": mem,
           "syscalls": {n: int(v) for n, v in sc.items()}}, open(out, "w"), indent=1)
print(f"\nstartup: image/dynamic = {t('hello image')/base:.2f}, image/glibc-static = {t('hello image')/t('hello glibc static'):.2f},"
      f" clang-format normal/image = {cbase/t('clang-format image --version'):.1f}x")
PY
