#!/bin/sh
# sweep.sh [--after-init] [DIR...]: every dynamically linked, non-setuid
# program in DIR (default /usr/bin).  Plain: `resident check P -- --version`,
# the ones that differ or fall back printed, then the counts.  With
# --after-init: `resident snap --after-init` of each, the refusals counted
# by kind (the first words of snap's reason), and each accepted image
# compared with its program by `resident check --image` on --version and
# on --help: an accepted image whose output differs is a defect in the
# evidence, printed as DEFECT.  Long (minutes); not in make bench.
top=$(cd "$(dirname "$0")/.." && pwd)
res=${RESIDENT:-$top/resident}
ai=0
[ "${1:-}" = --after-init ] && ai=1 && shift
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 same=0 accepted=0 agree=0 defects=0 diffs_as_image=0
[ $# -gt 0 ] || set -- /usr/bin
for p in $(for d; do ls -d "$d"/*; done 2>/dev/null); do
	[ -f "$p" ] && [ -x "$p" ] || continue
	head -c 4 "$p" | grep -q ELF || continue
	readelf -l "$p" 2>/dev/null | grep -q INTERP || continue
	{ [ -u "$p" ] || [ -g "$p" ]; } && continue
	n=$((n + 1))
	if [ $ai = 0 ]; then
		out=$(timeout 20 "$res" check "$p" -- --version < /dev/null 2>&1)
		if [ $? -eq 0 ] && echo "$out" | grep -q restored; then
			same=$((same + 1))
		else
			echo "$p: $(echo "$out" | grep -E 'resident:|DIFFERENT|because' | head -n 1)"
		fi
		continue
	fi
	if ! timeout 60 "$res" snap --after-init -o "$tmp/img" "$p" < /dev/null > /dev/null 2> "$tmp/err"; then
		# the kind: what a constructor did, without addresses and names
		sed -e 's/^resident: [^:]*: //' -e 's/ (at 0x.*//' -e 's/ at 0x.*//' -e 's/ from 0x.*//' -e 's/(".*")/(NAME)/' \
			-e 's/the word at .*/a word differs between the runs/' -e 's/ (signal [0-9]*)//' \
			-e 's/syscall [0-9]*/a syscall/' "$tmp/err" | head -n 1 >> "$tmp/kinds"
		continue
	fi
	accepted=$((accepted + 1))
	ok=1
	for a in --version --help; do
		out=$(timeout 20 "$res" check --image "$tmp/img" "$p" -- $a < /dev/null 2>&1)
		rc=$?
		if echo "$out" | grep -q DIFFERENT; then
			# any image differs where the program reads /proc/self/exe
			# (clang prints its name from it): compared with the
			# before-constructor image at the same path, the same answer
			# is not the evidence's defect
			cp "$tmp/img" "$tmp/ai"
			"$res" snap -o "$tmp/img" "$p" > /dev/null 2>&1
			bc=$(timeout 20 "$res" check --image "$tmp/img" "$p" -- $a < /dev/null 2>&1)
			if [ "$(echo "$bc" | grep -E '^(image|DIFF)' | sed 's/, [0-9.]* ms//')" = \
			     "$(echo "$out" | grep -E '^(image|DIFF)' | sed 's/, [0-9.]* ms//')" ]; then
				echo "$p $a: differs from the program as the before-constructor image does"
				diffs_as_image=$((diffs_as_image + 1))
			else
				echo "DEFECT $p $a: $(echo "$out" | grep DIFFERENT | head -n 1)"
				defects=$((defects + 1))
			fi
			mv "$tmp/ai" "$tmp/img"
			ok=0
		elif [ $rc -ne 0 ] || ! echo "$out" | grep -q restored; then
			echo "$p $a: $(echo "$out" | tail -n 1)"
			ok=0
		fi
	done
	[ $ok = 1 ] && agree=$((agree + 1))
	rm -f "$tmp/img"
done
if [ $ai = 0 ]; then
	echo "$n programs: $same identical and restored, $((n - same)) not"
	exit 0
fi
echo "$n programs: $accepted accepted after init, $agree of them identical and restored on --version and --help;"
echo "$diffs_as_image runs differ from the program as the before-constructor image does, $defects differ where it does not (defects)"
echo "refused, by kind:"
sort "$tmp/kinds" 2>/dev/null | uniq -c | sort -rn
