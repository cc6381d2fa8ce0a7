#!/bin/bash
# mutation.t: damage anywhere in an image runs the program right, runs it
# normally, or runs nothing with one line; never anything else.  Real
# images of Debian's cat (one layout, three layouts, a system image) are
# damaged region by region (a flipped bit, a byte, an 8-byte word, a cut)
# and each damaged copy is run and classified (tests/progs/mutate.c).  The
# bar: nothing but same, fallback or error in the locator, the tables and
# the padding, nor for a cut anywhere past the loader (or, where a cut leaves
# no ELF header to speak of, the kernel's own refusal); the saved pages
# (which only `resident verify` checks) and the loader's own code are
# counted, not judged.  docs/images.md quotes the counts of a larger run.
. "$(dirname "$0")/tap.sh"
plan 7
M=$PROGS/mutate
CASES=${MUTATE_CASES:-8}
seq 2000 > "$TMP/in"
/usr/bin/cat "$TMP/in" > "$TMP/want"
mkdir "$TMP/sys"
"$RESIDENT" snap -o "$TMP/one" /usr/bin/cat > /dev/null &&
	"$RESIDENT" snap --layouts 3 -o "$TMP/three" /usr/bin/cat > /dev/null &&
	"$RESIDENT" snap --system -o "$TMP/sys/cat" /usr/bin/cat > /dev/null
ok $? "three images of /usr/bin/cat"

# regions IMAGE: the -r arguments for mutate, from inspect --json
regions() {
	"$RESIDENT" inspect --json "$1" | jq -r --arg f "$1" '
		.regions as $r | ($r.locator.offset) as $l | ($l + $r.locator.size) as $le |
		"-r loader:\($f):0:\($l):report",
		"-r locator:\($f):\($l):\($le):strict",
		"-r pad0:\($f):\($le):\($r.layouts[0].tables_offset):strict",
		($r.layouts | to_entries[] | .key as $k | .value as $v |
			($v.tables_offset + $v.tables_size) as $te |
			"-r tables\($k + 1):\($f):\($v.tables_offset):\($te):strict",
			"-r pad\($k + 1):\($f):\($te):\((($te + 4095) / 4096 | floor) * 4096):strict"),
		(if .pages_file then "-r sidecar:\(.pages_file):0:\(.saved_bytes):strict"
		 else ($r.layouts | to_entries[] | "-r pages\(.key + 1):\($f):\(.value.pages_offset):\(.value.pages_offset + .value.pages_size):cuts") end)'
}
for img in one three sys/cat; do
	# shellcheck disable=SC2046
	"$M" -n "$CASES" -s 1 -i "$TMP/$img" -o "$TMP/want" -x 0 $(regions "$TMP/$img") -- "$TMP/$img" "$TMP/in" > "$TMP/m.out" 2>&1
	rc=$?
	is "$rc" 0 "$img: $(awk 'NR > 1 && !/^BAD/ { n += $3; w += $8 + $9 + $10 } END { print n " damaged copies, " w " crashed, hung or went wrong, all in saved pages or the loader" }' "$TMP/m.out")"
	[ $rc = 0 ] || sed 's/^/#   /' "$TMP/m.out"
done
# nothing wrong anywhere but in the saved pages, crashes only in the
# loader's code and saved pages: the totals over all regions and kinds
"$M" -n "$CASES" -s 2 -i "$TMP/one" -o "$TMP/want" -x 0 $(regions "$TMP/one") -- "$TMP/one" "$TMP/in" > "$TMP/m.out" 2>&1
awk '$1 !~ /^(pages|loader)/ && NR > 1 && ($8 + $9 + $10) > 0 { bad++ } END { exit bad > 0 }' "$TMP/m.out"
ok $? "another seed: no crash, hang or wrong output outside the saved pages and the loader"
"$RESIDENT" verify "$TMP/one" "$TMP/three" > /dev/null
ok $? "after all that, each image is whole again (resident verify)"
"$RESIDENT" verify "$TMP/sys/cat" > /dev/null 2> "$TMP/e"
is "$?:$(grep -c 'every exec runs the program normally' "$TMP/e")" "1:1" "and the system image's sidecar, written to, is not the one it records: verify says so"
