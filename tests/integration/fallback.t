#!/bin/bash
# fallback.t: an image never runs wrong code.  When a file it depends on
# changes, when LD_*/GLIBC_TUNABLES/MALLOC_* differ, when the image is
# damaged or truncated anywhere in its header and tables, it runs the
# original program instead; when that is gone, it fails with one line, 127.
. "$(dirname "$0")/tap.sh"
plan 18
SRC=${SRC:-$(cd "$(dirname "$0")/../progs" && pwd)}
mkdir "$TMP/lib"
cc -shared -fPIC -O2 -DVALUE=1 -o "$TMP/lib/libresident_test.so" "$SRC/lib/resident_test_lib.c"
cc -O2 -o "$TMP/uselib" "$SRC/uselib.c" -L"$TMP/lib" -lresident_test -Wl,-rpath,"$TMP/lib"
"$RESIDENT" snap -o "$TMP/uselib.img" "$TMP/uselib" > /dev/null
is "$(RESIDENT_DEBUG=1 "$TMP/uselib.img" 2>&1)" "resident_test_lib says 1" "a program with the test's own library runs from its image"
sleep 0.01	# a new mtime even on coarse clocks
cc -shared -fPIC -O2 -DVALUE=2 -o "$TMP/lib/libresident_test.so.new" "$SRC/lib/resident_test_lib.c"
mv "$TMP/lib/libresident_test.so.new" "$TMP/lib/libresident_test.so"
RESIDENT_DEBUG=1 "$TMP/uselib.img" > "$TMP/o" 2> "$TMP/e"
is "$(cat "$TMP/o")" "resident_test_lib says 2" "library rebuilt: the image runs the program normally, with the new library"
grep -q ": a file it depends on changed ($TMP/lib/libresident_test.so): running $TMP/uselib\$" "$TMP/e"; ok $? "and RESIDENT_DEBUG=1 says why in one line, naming the file"

S=$PROGS/show
# the same argv[0] for program and image; bash's $_ names the last command
as_prog() { (exec -a prog "$@") | grep -v '^env=<_='; return "${PIPESTATUS[0]}"; }
"$RESIDENT" snap -o "$TMP/show.img" "$S" > /dev/null
as_prog "$S" a > "$TMP/want" 2> /dev/null
steer() { # VAR=value
	env "$1" RESIDENT_DEBUG=1 bash -c 'exec -a prog "$0" a' "$TMP/show.img" 2> "$TMP/e" | grep -v -e "^env=<$1>" -e RESIDENT_DEBUG -e '^env=<_=' > "$TMP/got"
	env "$1" RESIDENT_DEBUG=1 bash -c 'exec -a prog "$0" a' "$S" 2> /dev/null | grep -v -e "^env=<$1>" -e RESIDENT_DEBUG -e '^env=<_=' > "$TMP/want2"
	cmp -s "$TMP/got" "$TMP/want2" && grep -q 'variable differs: running' "$TMP/e"
}
steer LD_LIBRARY_PATH=/nonexistent; ok $? "LD_LIBRARY_PATH set: falls back, same output"
steer GLIBC_TUNABLES=glibc.malloc.tcache_count=0; ok $? "GLIBC_TUNABLES set: falls back, same output"
steer MALLOC_ARENA_MAX=1; ok $? "MALLOC_ARENA_MAX set: falls back, same output"
# a variable given twice must not stand for one that is missing: snapped
# with LD_PRELOAD and MALLOC_ARENA_MAX, run with MALLOC_ARENA_MAX twice
printf '#include <stdio.h>\n__attribute__((constructor)) static void c(void) { puts("preloaded"); }\n' > "$TMP/pre.c"
cc -shared -fPIC -o "$TMP/libpre.so" "$TMP/pre.c"
# (resident loads the library too, under ASan only if told it may)
env -i LD_PRELOAD="$TMP/libpre.so" MALLOC_ARENA_MAX=2 ASAN_OPTIONS=verify_asan_link_order=0 "$RESIDENT" snap -o "$TMP/true.img" /usr/bin/true > /dev/null
is "$(env -i LD_PRELOAD="$TMP/libpre.so" MALLOC_ARENA_MAX=2 RESIDENT_DEBUG=2 "$TMP/true.img" 2>&1 | tr '\n' ' ')" \
	"resident: $TMP/true.img: restored (layout 1) preloaded " "snapped with LD_PRELOAD: with the same variables, restored, the library preloaded"
printf '#include <unistd.h>\nint main(int c, char **v) { char *e[] = { "MALLOC_ARENA_MAX=2", "MALLOC_ARENA_MAX=2", 0 }; (void)c; execve(v[1], v + 1, e); return 127; }\n' > "$TMP/ex.c"
cc -o "$TMP/ex" "$TMP/ex.c"
is "$("$TMP/ex" "$TMP/true.img" 2>&1):$("$TMP/ex" /usr/bin/true 2>&1)" ":" "a variable repeated in place of a missing LD_PRELOAD: the image runs what exec runs (nothing preloaded)"
env -i bash -c 'exec -a prog "$0" a' "$TMP/show.img" > "$TMP/o" 2> "$TMP/e"
env -i bash -c 'exec -a prog "$0" a' "$S" > "$TMP/o2" 2> /dev/null
cmp -s "$TMP/o" "$TMP/o2"; ok $? "env -i: same output as the program (no steering variable, no fallback needed)"

# damage: every 8 bytes of the header and tables, then truncation anywhere
hdr=$(grep -boa 'resident-locator:v1' "$TMP/show.img" | head -n 1 | cut -d: -f1)	# inside the loader ELF
"$RESIDENT" inspect --json "$TMP/show.img" > "$TMP/i.json"
hdr_off=$(jq .regions.layouts[0].tables_offset "$TMP/i.json")
tables=$(jq .regions.layouts[0].tables_size "$TMP/i.json")
loc=$(jq .regions.locator.offset "$TMP/i.json")
bad=0 runs=0
for ((off = hdr_off; off < hdr_off + tables; off += 8)); do
	cp "$TMP/show.img" "$TMP/d.img"
	printf '\x5a' | dd of="$TMP/d.img" bs=1 seek=$off conv=notrunc 2> /dev/null
	as_prog "$TMP/d.img" a > "$TMP/o" 2> /dev/null
	rc=$?
	runs=$((runs + 1))
	{ [ $rc = 0 ] && cmp -s "$TMP/o" "$TMP/want"; } || { bad=$((bad + 1)); diag "byte $off: exit $rc $(diff "$TMP/o" "$TMP/want" | head -3 | tr "\n" " ")"; }
done
is "$bad" 0 "each of $runs header and table words damaged in turn: the program still runs right"
bad=0
size=$(stat -c %s "$TMP/show.img")
for cut in 0 64 4096 $((hdr_off - 1)) $((hdr_off + 100)) $((hdr_off + tables)) $((size - 4096)) $((size - 1)); do
	head -c $cut "$TMP/show.img" > "$TMP/t.img"; chmod +x "$TMP/t.img"
	as_prog "$TMP/t.img" a > "$TMP/o" 2> /dev/null; rc=$?
	{ [ $rc = 0 ] && cmp -s "$TMP/o" "$TMP/want"; } ||
		{ [ $cut -lt "$hdr_off" ] && [ ! -s "$TMP/o" ]; } ||
		{ bad=$((bad + 1)); diag "cut at $cut: exit $rc"; }
done
is "$bad" 0 "truncated at 8 places: runs right; cut inside the loader itself, it runs nothing"
# the locator names the program to fall back to: damaged, it runs nothing
# (never another program), with one line; or the damage is in bytes no one
# reads (the path's padding) and the program runs right; every 8th byte
bad=0 runs=0
for ((off = loc; off < loc + 4392; off += 8)); do
	[ $off -gt $((loc + 400)) ] && [ $off -lt $((loc + 4300)) ] && continue	# orig's zero padding: a few suffice
	cp "$TMP/show.img" "$TMP/d.img"
	printf '\x01' | dd of="$TMP/d.img" bs=1 seek=$off conv=notrunc 2> /dev/null
	as_prog "$TMP/d.img" a > "$TMP/o" 2> "$TMP/e"
	rc=$?
	runs=$((runs + 1))
	{ [ $rc = 0 ] && cmp -s "$TMP/o" "$TMP/want"; } ||
		{ [ $rc = 127 ] && [ ! -s "$TMP/o" ] && [ "$(wc -l < "$TMP/e")" = 1 ] && grep -q "no program to run" "$TMP/e"; } ||
		{ bad=$((bad + 1)); diag "locator byte $off: exit $rc: $(head -c 200 "$TMP/e")"; }
done
is "$bad" 0 "each of $runs locator words damaged: it runs right, or nothing (exit 127, one line)"

# the issue's cases: one flipped bit made an image of df run dd; a cut
# made an image of ssh run ss
"$RESIDENT" snap -o "$TMP/df.img" /usr/bin/df > /dev/null
at=$(($(jq .regions.locator.offset < <("$RESIDENT" inspect --json "$TMP/df.img")) + 296 + 10))	# orig, "/usr/bin/d[f]"
printf 'd' | dd of="$TMP/df.img" bs=1 seek=$at conv=notrunc 2> /dev/null
GLIBC_TUNABLES=glibc.malloc.tcache_count=0 "$TMP/df.img" --version > "$TMP/o" 2> "$TMP/e"
is "$?:$(wc -c < "$TMP/o"):$(grep -c 'no program to run' "$TMP/e")" "127:0:1" "df's image with its program's name flipped to dd: runs nothing, one line"
"$RESIDENT" snap -o "$TMP/ssh.img" /usr/bin/ssh > /dev/null
loc=$("$RESIDENT" inspect --json "$TMP/ssh.img" | jq .regions.locator.offset)
head -c $((loc + 296 + 11)) "$TMP/ssh.img" > "$TMP/ss.img" && chmod +x "$TMP/ss.img"	# "/usr/bin/ss"
"$TMP/ss.img" -V > "$TMP/o" 2> "$TMP/e"
is "$?:$(wc -c < "$TMP/o"):$(wc -l < "$TMP/e")" "127:0:1" "ssh's image cut after /usr/bin/ss: runs nothing, one line"

# the original is gone or unreadable: one line, 127 or 126, as a shell says
cp "$S" "$TMP/gone"
"$RESIDENT" snap -o "$TMP/gone.img" "$TMP/gone" > /dev/null
rm "$TMP/gone"
"$TMP/gone.img" > /dev/null 2> "$TMP/e"
is "$?" 127 "original gone: exit 127"
is "$(cat "$TMP/e")" "resident: $TMP/gone: program is gone" "original gone: one line naming it"
cp "$S" "$TMP/locked"
"$RESIDENT" snap -o "$TMP/locked.img" "$TMP/locked" > /dev/null
chmod 0 "$TMP/locked"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/locked.img" > /dev/null 2> "$TMP/e"
is "$?:$(cat "$TMP/e")" "126:resident: $TMP/locked: permission denied" "original unreadable (as nobody): exit 126, one line"
# images run as an ordinary user too (PR_SET_MM_MAP unprivileged)
chmod 755 "$TMP"
RESIDENT_DEBUG=1 setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/show.img" a > "$TMP/o" 2> "$TMP/e"
is "$?:$(wc -c < "$TMP/e")" "0:10" "as nobody: the image runs without falling back (stderr: only its own line)"
