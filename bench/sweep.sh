#!/bin/sh
# sweep.sh [DIR...]: `resident check P -- --version` for every dynamically
# linked, non-setuid program in DIR (default /usr/bin): prints the ones that
# differ or fall back, then the counts.  Long (minutes); not in make bench.
top=$(cd "$(dirname "$0")/.." && pwd)
n=0 same=0
for p in $(ls -d "${@:-/usr/bin}"/* 2>/dev/null); do
	[ -f "$p" ] && [ -x "$p" ] || continue
	head -c 4 "$p" | grep -q ELF || continue
	readelf -l "$p" 2>/dev/null | grep -q INTERP || continue
	{ [ -u "$p" ] || [ -g "$p" ]; } && continue
	n=$((n + 1))
	out=$(timeout 20 "$top/resident" check "$p" -- --version < /dev/null 2>&1)
	if [ $? -eq 0 ] && echo "$out" | grep -q restored; then
		same=$((same + 1))
	else
		echo "$p: $(echo "$out" | grep -E 'resident:|DIFFERENT|because' | head -n 1)"
	fi
done
echo "$n programs: $same identical and restored, $((n - same)) not"
