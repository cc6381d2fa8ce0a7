#!/bin/sh
# mutation.sh [CASES]: the mutation test's counts, larger (docs/images.md
# quotes them): CASES damaged copies per region and kind of damage (a
# flipped bit, a byte, an 8-byte word, a cut) of three images of Debian's
# cat (one layout, three, a system image), each run and classified by
# tests/progs/mutate.c.  Not a timing: the classes are what matter.
set -eu
CASES=${1:-100}
. "$(dirname "$0")/lib.sh"
make -s build/tests/progs/mutate
d=$w/mutation
rm -rf $d && mkdir -p $d/sys
seq 2000 > $d/in
/usr/bin/cat $d/in > $d/want
./resident snap -o $d/one /usr/bin/cat > /dev/null
./resident snap --layouts 3 -o $d/three /usr/bin/cat > /dev/null
./resident snap --system -o $d/sys/cat /usr/bin/cat > /dev/null
for img in one three sys/cat; do
	f=$top/$d/$img
	regions=$(./resident inspect --json "$f" | jq -r --arg f "$f" '
		.regions as $r | ($r.locator.offset) as $l | ($l + $r.locator.size) as $le |
		"-r loader:\($f):0:\($l):report", "-r locator:\($f):\($l):\($le):strict",
		"-r pad0:\($f):\($le):\($r.layouts[0].tables_offset):strict",
		($r.layouts | to_entries[] | .key as $k | .value as $v | ($v.tables_offset + $v.tables_size) as $te |
			"-r tables\($k + 1):\($f):\($v.tables_offset):\($te):strict",
			"-r pad\($k + 1):\($f):\($te):\((($te + 4095) / 4096 | floor) * 4096):strict"),
		(if .pages_file then "-r sidecar:\(.pages_file):0:\(.saved_bytes):strict"
		 else ($r.layouts | to_entries[] | "-r pages\(.key + 1):\($f):\(.value.pages_offset):\(.value.pages_offset + .value.pages_size):cuts") end)')
	echo "== $img"
	# shellcheck disable=SC2086
	build/tests/progs/mutate -n "$CASES" -s 12 -i "$f" -o $d/want -x 0 $regions -- "$f" $top/$d/in | grep -v '^BAD'
done
