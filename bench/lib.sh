# lib.sh: sourced by the bench scripts, first thing after `set -eu`: goes
# to the top of the tree, sets w=build/bench and makes it.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
w=build/bench
mkdir -p $w

# prog NAME KIND: $w/NAME-KIND from bench/NAME.c, KIND dynamic, static or
# musl (static); rebuilt only when older than its source, so that images
# another script snapped from it stay current
prog() {
	out=$w/$1-$2
	[ "$out" -nt "bench/$1.c" ] && return 0
	case $2 in
	dynamic) cc -O2 -o "$out" "bench/$1.c" ;;
	static) cc -O2 -static -o "$out" "bench/$1.c" ;;
	musl) musl-gcc -O2 -static -o "$out" "bench/$1.c" ;;
	esac
}

# svc_dirs N: $w/svc with one s6 service directory per instance
# (density0...), each with a down file so that the supervisor waits and
# starts nothing; for startup runs the directory does not exist, so
# s6-supervise starts, fails to chdir and exits (111).
svc_dirs() {
	rm -rf $w/svc && mkdir -p $w/svc
	i=0
	while [ $i -lt "$1" ]; do
		mkdir $w/svc/density$i
		printf '#!/bin/sh\nexec sleep 1000\n' > $w/svc/density$i/run
		chmod +x $w/svc/density$i/run
		: > $w/svc/density$i/down
		i=$((i + 1))
	done
}
