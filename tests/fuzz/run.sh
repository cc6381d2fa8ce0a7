#!/bin/sh
# run.sh FUZZER SECONDS [WHAT]: fuzz from a seed corpus; TAP output.  WHAT
# proc (the /proc parsers: this machine's real /proc files and the
# malformed fixtures) or image (the image reader: real images of Debian's
# cat made by $RESIDENT, one layout, three, a system image, each as it is
# and to be sealed again after mutation).
set -u
fuzzer=$1 secs=$2 what=${3:-proc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus" "$work/crashes"
i=0
seed() { # selector-byte file
	[ -r "$2" ] || return 0
	{ printf "\\$(printf %03o "$1")"; head -c 65536 "$2"; } > "$work/corpus/seed$i" 2>/dev/null
	i=$((i + 1))
}
if [ "$what" = image ]; then
	mkdir "$work/img"
	"${RESIDENT:-./resident}" snap -o "$work/img/one" /usr/bin/cat > /dev/null
	"${RESIDENT:-./resident}" snap --layouts 3 -o "$work/img/three" /usr/bin/cat > /dev/null
	"${RESIDENT:-./resident}" snap --system -o "$work/img/sys" /usr/bin/cat > /dev/null
	for f in "$work"/img/one "$work"/img/three "$work"/img/sys; do
		seed 0 "$f"
		seed 1 "$f"
	done
	label="the image reader"
else
	seed 0 /proc/self/smaps
	seed 0 /proc/self/maps
	seed 0 /proc/self/smaps_rollup
	seed 1 /proc/self/status
	seed 2 /proc/meminfo
	for f in tests/fixtures/smaps/*; do seed 0 "$f"; done
	for f in tests/fixtures/status/*; do seed 1 "$f"; done
	for f in tests/fixtures/meminfo/*; do seed 2 "$f"; done
	label="the /proc parsers"
fi
echo "1..2"
"$fuzzer" -max_total_time="$secs" -rss_limit_mb=1024 -print_final_stats=1 -max_len=65536 \
	-artifact_prefix="$work/crashes/" "$work/corpus" > "$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
if [ $rc -eq 0 ] && [ -z "$(ls "$work/crashes")" ]; then
	echo "ok 1 - no crash in $secs s of fuzzing $label"
else
	echo "not ok 1 - the fuzzer found a crash (exit $rc)"
	sed 's/^/# /' "$work/log" | tail -n 40
	for c in "$work"/crashes/*; do [ -e "$c" ] && echo "# input (base64): $(base64 -w0 "$c")"; done
fi
if [ "${runs:-0}" -gt 1000 ]; then
	echo "ok 2 - the fuzzer ran $runs inputs"
else
	echo "not ok 2 - the fuzzer ran only ${runs:-0} inputs"
fi
