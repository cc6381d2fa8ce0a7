#!/bin/sh
# deploy.t: docs/deploy.md's recipes, run for real at a small scale (the
# figures come from bench/deploy.sh): an s6-svscan tree whose s6-supervise
# is enabled, every supervisor restored from its image; a runsvdir tree
# whose runsv is enabled, the same; a build that names
# clang by its absolute path, restored; what looks at /proc/PID/exe (data
# found relative to it, perf) sees what it expects.  In overlays
# of /usr, /etc and /var: the machine never sees the enabled programs.
. "$(dirname "$0")/tap.sh"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP enabling programs: run as root"
	exit 0
fi
plan 8
top=$(cd "$(dirname "$0")/../.." && pwd)
cat > "$TMP/inner.sh" <<'EOF_INNER'
cd "$TMP"
"$R" enable s6-supervise > /dev/null
echo "1 $?"
mkdir svc
for i in $(seq 20); do
	mkdir svc/s$i && printf '#!/bin/sh\nexec sleep 100000\n' > svc/s$i/run && chmod +x svc/s$i/run
done
s6-svscan "$TMP/svc" > /dev/null 2>&1 &
scan=$!
for i in $(seq 100); do [ "$(pgrep -c -x s6-supervise)" -ge 20 ] && break; sleep 0.1; done
sleep 0.5
n=0 own=0
for p in $(pgrep -x s6-supervise); do
	n=$((n + 1))
	[ "$(readlink /proc/$p/exe)" = /usr/bin/s6-supervise ] && own=$((own + 1))
done
echo "2 $n $own $(pgrep -c -f 'sleep 100000')"
"$R" cost -p s6-supervise --json > cost.json
echo "3 $(jq '.programs[0].instances' cost.json)"
kill $scan; pkill -x s6-supervise; pkill -f 'sleep 100000'
# the same with runit: runsvdir starts a runsv for each service
"$R" enable runsv > /dev/null
mkdir rsv
for i in $(seq 20); do
	mkdir rsv/s$i && printf '#!/bin/sh\nexec sleep 100001\n' > rsv/s$i/run && chmod +x rsv/s$i/run
done
runsvdir "$TMP/rsv" > /dev/null 2>&1 &
dir=$!
for i in $(seq 100); do [ "$(pgrep -c -x runsv)" -ge 20 ] && [ "$(pgrep -c -f 'sleep 100001')" -ge 20 ] && break; sleep 0.1; done
n=0 own=0
for p in $(pgrep -x runsv); do
	n=$((n + 1))
	[ "$(readlink /proc/$p/exe)" = /usr/bin/runsv ] && own=$((own + 1))
done
echo "6 $n $own $(pgrep -c -f 'sleep 100001')"
kill -HUP $dir; sleep 0.5; pkill -x runsv; pkill -f 'sleep 100001'
# a build naming the compiler by its absolute path
"$R" enable /usr/bin/clang > /dev/null
echo "4 $? $(readlink -f /usr/bin/clang)"
printf 'int f(void) { return 42; }\n' > f.c
RESIDENT_DEBUG=2 /usr/bin/clang -O0 -c f.c -o f.o 2> clang.err
echo "5 $? $(grep -c 'restored' clang.err) $(nm f.o | grep -c ' T f$')"
# what looks at /proc/PID/exe: data found relative to the executable, perf
cp "$PROGS/finddata" /usr/local/bin/finddata && mkdir -p /usr/local/share/finddata && echo "found me" > /usr/local/share/finddata/data
"$R" enable /usr/local/bin/finddata > /dev/null
echo "7 $(RESIDENT_DEBUG=2 finddata --exe 2>&1 | tr '\n' ' ')"
printf 'volatile unsigned long n;\nvoid spin_here(void) { for (unsigned long i = 0; i < 400000000UL; i++) n += i; }\nint main(void) { spin_here(); return 0; }\n' > spin.c
cc -O1 -g -o /usr/local/bin/spin spin.c && "$R" enable /usr/local/bin/spin > /dev/null
if perf record -N -q -o perf.data -- /usr/local/bin/spin > /dev/null 2>&1; then
	echo "8 $(perf report -i perf.data --stdio --sort dso,sym 2> /dev/null | grep -m1 'spin_here' | sed 's/.*%  *//; s/  */ /g')"
else
	echo "8 skip"
fi
"$R" disable --all > /dev/null
EOF_INNER
# (in a PID namespace too: pgrep and pkill see only the recipe's processes)
R=$RESIDENT TMP=$TMP PROGS=$PROGS in_system_sandbox "exec unshare -p -f --mount-proc sh -c '. $TMP/inner.sh'" > "$TMP/out" 2> "$TMP/err"
got() { sed -n "s/^$1 //p" "$TMP/out"; }
is "$(got 1)" 0 "resident enable s6-supervise"
is "$(got 2)" "20 20 20" "s6-svscan tree of 20 services: 20 supervisors, each restored (/proc/PID/exe the image at /usr/bin/s6-supervise; a fallback would name s6-supervise.resident-orig), 20 services up"
is "$(got 3)" 20 "resident cost -p s6-supervise finds the 20 by their program"
is "$(got 6)" "20 20 20" "runsvdir tree of 20 services, runsv enabled: 20 runsv, each restored, 20 services up"
is "$(got 4)" "0 /usr/lib/llvm-14/bin/clang" "resident enable /usr/bin/clang: enabled at the file its links lead to"
is "$(got 5)" "0 1 1" "/usr/bin/clang -c: restored (clang 14 runs cc1 in its own process); the object file right"
is "$(got 7)" "resident: /usr/local/bin/finddata: restored (layout 1) exe: /usr/local/bin/finddata data: found me " \
	"a program that finds its data relative to /proc/self/exe: enabled, it names its own path and finds it"
case "$(got 8)" in
skip) skip "perf record (no perf events here)" ;;
*) is "$(got 8)" "spin.resident-orig [.] spin_here" "perf attributes an enabled program's samples to its original's file, with its symbols" ;;
esac
if [ -s "$TMP/err" ]; then diag "$(head -5 "$TMP/err")"; fi
