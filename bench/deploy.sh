#!/bin/sh
# deploy.sh [N]: docs/deploy.md's recipes, measured side by side in one run.
#   1. an s6-svscan tree and a runsvdir tree of N services (default 1000):
#      s6-supervise and runsv as installed, then enabled (resident enable);
#      per instance, by resident cost: pages of its own, kernel side,
#      marginal cost;
#   2. a serial -O0 build of this project's C files with clang by its
#      absolute path (/usr/bin/clang, as CMAKE_C_COMPILER would name it),
#      as installed and enabled: wall time, median of 3 alternating runs.
# Root only: it runs in a mount namespace whose /usr, /etc and /var are
# overlays, so that enabling there changes nothing on the machine.
set -eu
N=${1:-1000}
top=$(cd "$(dirname "$0")/.." && pwd)
R=$top/resident
[ "$(id -u)" = 0 ] || { echo "deploy.sh: run as root (it enables programs in a namespace of its own)" >&2; exit 2; }
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
export W N R top
# (a PID namespace too: pgrep and pkill see only these trees)
unshare -m -p -f --mount-proc --propagation private sh -eu -c '
for d in /usr /etc /var; do
	n=$(echo "$d" | tr / _); mkdir -p "$W/up$n" "$W/wk$n"
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$W/up$n,workdir=$W/wk$n" "$d"
done
mkdir "$W/run" && mount -t tmpfs tmpfs "$W/run"
tree() { # SCANNER SUPERVISOR: N services, each a sleep, under one scanner
	rm -rf "$W/run/svc" && mkdir "$W/run/svc"
	i=0
	while [ $i -lt "$N" ]; do
		i=$((i + 1)); mkdir "$W/run/svc/s$i"
		printf "#!/bin/sh\nexec sleep 100000\n" > "$W/run/svc/s$i/run"; chmod +x "$W/run/svc/s$i/run"
	done
	# (s6-svscan supervises at most 500 services unless told: -c)
	case $1 in s6-svscan) set -- "$1 -c $((N + 10))" "$2" ;; esac
	$1 "$W/run/svc" > /dev/null 2>&1 &
	echo $! > "$W/scan.pid"
	t=0
	while [ "$(pgrep -c -x "$2")" -lt "$N" ] || [ "$(pgrep -c -f "sleep 100000")" -lt "$N" ]; do
		t=$((t + 1)); [ $t -lt 900 ] || { echo "deploy.sh: $N services under $1 not up after 3 minutes" >&2; exit 1; }
		sleep 0.2
	done
	sleep 2
}
untree() { # SUPERVISOR
	kill -HUP "$(cat "$W/scan.pid")"; kill "$(cat "$W/scan.pid")" 2> /dev/null || true
	pkill -x "$1" || true; pkill -f "sleep 100000" || true
	while pgrep -x "$1" > /dev/null; do sleep 0.2; done
}
measure() { # SUPERVISOR LABEL
	"$R" cost --json -p "$1" > "$W/cost.json"
	jq -r --arg l "$2" ".programs[0] | [\$l, .instances, .per_instance.own_kb, .per_instance.pss_kb, .kernel.total_kb, .marginal_kb, .exe] | @tsv" "$W/cost.json"
}
for pair in s6-svscan:s6-supervise runsvdir:runsv; do
	scan=${pair%:*} sup=${pair#*:}
	echo "$scan tree of $N services: $sup per instance (resident cost)"
	printf "%-10s %9s %9s %9s %10s %12s  %s\n" "" instances own_kB pss_kB kernel_kB marginal_kB exe
	tree "$scan" "$sup"; measure "$sup" installed > "$W/a"; untree "$sup"
	"$R" enable "$sup" > /dev/null
	tree "$scan" "$sup"; measure "$sup" enabled > "$W/b"; untree "$sup"
	awk -F"\t" "{ printf \"%-10s %9d %9.1f %9.1f %10.1f %12.1f  %s\n\", \$1, \$2, \$3, \$4, \$5, \$6, \$7 }" "$W/a" "$W/b"
	a=$(cut -f6 "$W/a"); b=$(cut -f6 "$W/b")
	awk -v a="$a" -v b="$b" -v n="$N" "BEGIN { printf \"marginal cost enabled / installed: %.2fx; %d services: %.1f MB -> %.1f MB\n\n\", b / a, n, a * n / 1024, b * n / 1024 }"
	"$R" disable "$sup" > /dev/null
done

files=$(cd "$top" && ls src/lib/*.c src/proc/*.c src/cost/*.c src/image/*.c src/snap/*.c src/enable/*.c src/refresh/*.c src/doctor/*.c src/bench/*.c src/cli/*.c)
build() { # wall seconds of a serial -O0 build with /usr/bin/clang
	s=$(date +%s.%N)
	for f in $files; do /usr/bin/clang -O0 -std=gnu11 -D_GNU_SOURCE -c "$top/$f" -o "$W/o.o"; done
	e=$(date +%s.%N); echo "$e - $s" | bc
}
echo "serial -O0 build of $(echo $files | wc -w) C files with /usr/bin/clang"
: > "$W/t.inst"; : > "$W/t.en"
for round in 1 2 3; do
	build >> "$W/t.inst"
	"$R" enable /usr/bin/clang > /dev/null
	build >> "$W/t.en"
	"$R" disable /usr/bin/clang > /dev/null
done
mi=$(sort -n "$W/t.inst" | sed -n 2p); me=$(sort -n "$W/t.en" | sed -n 2p)
awk -v a="$mi" -v b="$me" "BEGIN { printf \"installed %.2f s, enabled %.2f s: %.2fx faster\n\", a, b, a / b }"
'
