#!/bin/sh
# folios.sh: issue 14's large-folio lever, measured.  clang-format
# --version started normally and from the images bench/afterinit.sh made
# (bc, ai, ai+pf), with the page cache of the libraries it maps in two
# shapes, each twice, alternating: order-0 folios (read a page at a time)
# and PMD-size folios (faulted in through an MADV_HUGEPAGE mapping; ext4
# on 6.18 caches in large folios).  With PMD-size folios the kernel maps a
# 2 MiB-aligned text range with one PMD (smaps FilePmdMapped), in the
# program and in an image alike: an image keeps the program's addresses.
# Needs root (kpageflags) and nothing else mapping the libraries.
set -eu
. "$(dirname "$0")/lib.sh"
cf=/usr/lib/llvm-14/bin/clang-format
[ -x $w/bc/clang-format ] && [ -x $w/aipf/clang-format ] || sh bench/afterinit.sh > /dev/null
cc -O2 -o $w/pagecache bench/pagecache.c
libs=$(ldd $cf | awk '/libLLVM|libclang-cpp/ { print $3 }' | xargs readlink -f)
for shape in small huge small huge; do
	$w/pagecache $shape $libs
	echo "== page cache: $shape"
	$w/pagecache show $libs | sed 's/^/   /'
	hyperfine -N --warmup 3 --runs "${RUNS:-40}" -n normal "$cf --version" -n bc "$w/bc/clang-format --version" \
		-n ai "$w/ai/clang-format --version" -n ai+pf "$w/aipf/clang-format --version" \
		--export-json $w/folios-$shape.json > /dev/null
	for v in "normal:$cf" "bc:$w/bc/clang-format" "ai:$w/ai/clang-format" "ai+pf:$w/aipf/clang-format"; do
		f=$(perf stat -x, -e page-faults -r 5 ${v#*:} --version 2>&1 > /dev/null | cut -d, -f1)
		ms=$(jq -r --arg n "${v%%:*}" '.results[] | select(.command == $n) | .median * 1000' $w/folios-$shape.json)
		printf '   %-7s %7.2f ms median, %5s page faults\n' "${v%%:*}" "$ms" "$f"
	done
	sleep 60 | $cf > /dev/null &
	sleep 1
	pid=$(pgrep -n -f "^$cf\$" || true)
	[ -n "$pid" ] && echo "   normal run's libLLVM text: $(awk '/libLLVM/ && / r-xp / { on = 1; next } on && /FilePmdMapped/ { print $2, $3, "PMD-mapped"; exit }' /proc/$pid/smaps)"
	pkill -f "^sleep 60$" || true
	[ -n "$pid" ] && kill "$pid" 2> /dev/null || true
	wait 2> /dev/null || true
done
