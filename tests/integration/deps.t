#!/bin/bash
# deps.t: an image never runs code a normal exec would not.  It depends on
# every file ld.so mapped and on everything a normal exec looks at to choose
# them: paths probed and not found (RPATH, RUNPATH, glibc-hwcaps
# subdirectories), ld.so.cache, ld.so.preload, the symlinks on the way, the
# program's own name.  Each case changes one such thing after the snap, the
# way an administrator or an upgrade would; the image must then run exactly
# what the program runs now, and RESIDENT_DEBUG=1 must name what changed.
# Cases that touch /etc or /usr/lib run in a mount namespace of their own
# (in_sandbox), so that the machine never sees them.
. "$(dirname "$0")/tap.sh"
plan 38
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
chmod 755 "$TMP"
cd "$TMP" || exit 1
printf 'const char *who(void) { return WHO; }\n' > who.c
printf '#include <stdio.h>\nconst char *who(void);\nint main(void) { puts(who()); return 0; }\n' > main.c
lib() { # DIR WHO: libwho.so.1 in DIR whose who() says WHO
	mkdir -p "$1" && gcc -shared -fPIC -DWHO="\"$2\"" -Wl,-soname,libwho.so.1 -o "$1/libwho.so.1" who.c
}
# same LABEL IMAGE PROGRAM: the image prints what the program prints now,
# and says it ran the program normally because of WHAT (a fixed string)
same_as_now() { # LABEL IMAGE PROGRAM WHAT
	local want got
	want=$("$3" 2>&1)
	got=$(RESIDENT_DEBUG=1 "$2" 2> "$TMP/e")
	[ "$got" = "$want" ] && grep -qF -- "$4" "$TMP/e"
	ok $? "$1: prints '$want' as the program now does, and says why ($(head -c 160 "$TMP/e"))"
}

# --- RPATH and RUNPATH: a library added to a directory searched earlier
lib rp/b "from b"
gcc -o rpath main.c rp/b/libwho.so.1 -Wl,--disable-new-dtags,-rpath,"$TMP/rp/a:$TMP/rp/b"
"$RESIDENT" snap -o rpath.img ./rpath > /dev/null
is "$(RESIDENT_DEBUG=1 ./rpath.img 2>&1)" "from b" "RPATH a:b, library in b: the image restores"
lib rp/a "from a"
same_as_now "RPATH: a library appears in a, searched first" ./rpath.img ./rpath "a directory ld.so searched changed ($TMP/rp): running $TMP/rpath"
# a searched directory whose time is far ahead (a tarball from a skewed
# clock): snap does not wait for it (it slept until then, second review)
lib fut/b "future"
mkdir fut/a && touch -d 2100-01-01 fut/a
gcc -o future main.c fut/b/libwho.so.1 -Wl,--disable-new-dtags,-rpath,"$TMP/fut/a:$TMP/fut/b"
timeout 20 "$RESIDENT" snap -o future.img ./future > /dev/null
is "$?:$(RESIDENT_DEBUG=1 ./future.img 2>&1)" "0:future" "a searched directory dated 2100: snapped at once, restores (124: snap slept)"
lib ru/b "from b"
gcc -o runpath main.c ru/b/libwho.so.1 -Wl,--enable-new-dtags,-rpath,"$TMP/ru/b"
"$RESIDENT" snap -o runpath.img ./runpath > /dev/null
is "$(RESIDENT_DEBUG=1 ./runpath.img 2>&1)" "from b" "RUNPATH b: the image restores"
lib ru/b/glibc-hwcaps/x86-64-v2 "from b, x86-64-v2"
same_as_now "RUNPATH: a library appears in a glibc-hwcaps subdirectory" ./runpath.img ./runpath "a directory ld.so searched changed ($TMP/ru/b): running"
# $ORIGIN, as Debian's own packages use it
mkdir -p or/bin && lib or/lib "from origin"
gcc -o or/bin/prog main.c or/lib/libwho.so.1 -Wl,-rpath,'$ORIGIN/../lib'
"$RESIDENT" snap -o origin.img or/bin/prog > /dev/null
is "$(RESIDENT_DEBUG=1 ./origin.img 2>&1)" "from origin" "RUNPATH \$ORIGIN/../lib: the image restores, from any directory"
lib or/lib "from origin, rebuilt"
same_as_now "\$ORIGIN: the library rebuilt" ./origin.img or/bin/prog "a file it depends on changed ($TMP/or/bin/../lib/libwho.so.1)"

# --- the system's search: ld.so.cache, /usr/local/lib, ld.so.preload
# (the issue's reproduction, word for word but for the names)
cat > sys.sh <<'EOF'
cd "$W"
gcc -shared -fPIC -DWHO='"system"' -Wl,-soname,libfoo.so.1 -o /usr/lib/x86_64-linux-gnu/libfoo.so.1 who.c
ldconfig
gcc -o main main.c /usr/lib/x86_64-linux-gnu/libfoo.so.1
"$R" snap -o main.img ./main > /dev/null
echo "1 $(RESIDENT_DEBUG=1 ./main.img 2>&1)"
# a library put in /usr/local/lib but no ldconfig: a normal exec still
# finds the system one in the cache, and so does the image, restored
gcc -shared -fPIC -DWHO='"override"' -Wl,-soname,libfoo.so.1 -o /usr/local/lib/libfoo.so.1 who.c
echo "2 $(./main) $(RESIDENT_DEBUG=1 ./main.img 2>&1)"
ldconfig
echo "3 $(./main) $(RESIDENT_DEBUG=1 ./main.img 2>&1 | tr '\n' ' ')"
"$R" snap -o main.img ./main > /dev/null
echo "4 $(RESIDENT_DEBUG=1 ./main.img 2>&1)"
# (the preloaded library speaks only where asked: every program here loads it)
printf '#include <stdio.h>\n#include <stdlib.h>\n__attribute__((constructor)) static void c(void) { if (getenv("SAY")) puts("preloaded"); }\n' > pre.c
gcc -shared -fPIC -o /usr/local/lib/libpre.so pre.c
echo /usr/local/lib/libpre.so > /etc/ld.so.preload
echo "5 $(SAY=1 ./main | tr '\n' ' ')$(SAY=1 RESIDENT_DEBUG=1 ./main.img 2>&1 | tr '\n' ' ')"
rm /etc/ld.so.preload
echo "6 $(RESIDENT_DEBUG=1 ./main.img 2>&1)"
# root's ld.so.preload readable by root alone: nobody's exec goes without
# it, and so must root's image run by nobody (third review)
echo /usr/local/lib/libpre.so > /etc/ld.so.preload && chmod 600 /etc/ld.so.preload
ASAN_OPTIONS=verify_asan_link_order=0 "$R" snap -o main.img ./main > /dev/null && chmod 755 "$W"
N="setpriv --reuid=nobody --regid=nogroup --clear-groups"
echo "7 $(SAY=1 $N ./main | tr '\n' ' ')$(SAY=1 RESIDENT_DEBUG=1 $N ./main.img 2>&1 | tr '\n' ' ')"
EOF
W=$TMP R=$RESIDENT in_sandbox "$(cat sys.sh)" > sys.out 2> sys.err
if [ $? = 77 ]; then
	for i in 1 2 3 4 5 6 7; do skip "the system's library search (needs root for a mount namespace)"; done
else
	is "$(sed -n 's/^1 //p' sys.out)" "system" "libfoo in /usr/lib, cached by ldconfig: the image restores"
	is "$(sed -n 's/^2 //p' sys.out)" "system system" "an override in /usr/local/lib, no ldconfig: both still run the system one, the image restored"
	is "$(sed -n 's/^3 //p' sys.out)" "override resident: ./main.img: a file it depends on changed (/etc/ld.so.cache): running $TMP/main override " "ldconfig: the program runs the override, and so does the image (ld.so.cache changed)"
	is "$(sed -n 's/^4 //p' sys.out)" "override" "snapped again: the image restores, with the override"
	is "$(sed -n 's/^5 //p' sys.out)" "preloaded override resident: ./main.img: a file ld.so did not find is there now (/etc/ld.so.preload): running $TMP/main preloaded override " \
		"/etc/ld.so.preload appears: the image runs the program, preload and all"
	is "$(sed -n 's/^6 //p' sys.out)" "override" "ld.so.preload gone again: the image restores"
	is "$(sed -n 's/^7 //p' sys.out)" "override resident: ./main.img: a file it depends on is not readable by this user (/etc/ld.so.preload): running $TMP/main override " \
		"root's image, a 0600 ld.so.preload, run by nobody: no preload, as nobody's exec"
	[ -s sys.err ] && diag "$(head -5 sys.err)"
fi

# --- the program's own name: a symlink switched (update-alternatives)
gcc -o one -x c - <<'EOF'
#include <stdio.h>
int main(void) { puts("one"); return 0; }
EOF
gcc -o two -x c - <<'EOF'
#include <stdio.h>
int main(void) { puts("two"); return 0; }
EOF
mkdir -p alt/bin alt/etc alt/admin
ua() { update-alternatives --altdir "$TMP/alt/etc" --admindir "$TMP/alt/admin" --quiet "$@"; }
ua --install "$TMP/alt/bin/tool" tool "$TMP/one" 20 && ua --install "$TMP/alt/bin/tool" tool "$TMP/two" 10
"$RESIDENT" snap -o tool.img alt/bin/tool > snap.out
grep -q "image of $TMP/alt/bin/tool," snap.out; ok $? "snap names the program as called, symlinks kept: $(cat snap.out)"
is "$(RESIDENT_DEBUG=1 ./tool.img 2>&1)" "one" "the alternative 'one': the image restores"
ua --set tool "$TMP/two"
same_as_now "update-alternatives --set tool two" ./tool.img alt/bin/tool "a file it depends on changed ($TMP/alt/bin/tool): running $TMP/alt/bin/tool"
"$RESIDENT" inspect tool.img > insp.out
grep -q "^state    stale: a file it depends on changed ($TMP/alt/bin/tool); it runs the program normally" insp.out
ok $? "inspect: stale, naming the switched name"

# --- the original made unrunnable: the image does not run it either
cp one locked && "$RESIDENT" snap -o locked.img ./locked > /dev/null
chmod a-x locked
./locked > /dev/null 2>&1; want=$?
./locked.img > o 2> e; got=$?
is "$got:$(cat o):$(cat e)" "126::resident: $TMP/locked: permission denied" "chmod a-x: the image runs nothing, exit 126 as a shell's ($want)"
chmod 755 locked && "$RESIDENT" snap -o locked.img ./locked > /dev/null && chmod 000 locked
as_nobody ./locked.img > o 2> e; got=$?
is "$got:$(cat o):$(cat e)" "126::resident: $TMP/locked: permission denied" "chmod 000, run as nobody: runs nothing, exit 126"

# --- rewritten in place, the modification time put back: ctime tells
lib rw "same size A"
gcc -o rw/prog main.c rw/libwho.so.1 -Wl,-rpath,"$TMP/rw"
"$RESIDENT" snap -o rw.img rw/prog > /dev/null
cp -p rw/libwho.so.1 rw.ref	# its times, to the nanosecond
lib rw2 "same size B"
cmp -s rw/libwho.so.1 rw2/libwho.so.1; ok $((! $?)) "two builds of the library, same size, different bytes"
dd if=rw2/libwho.so.1 of=rw/libwho.so.1 conv=notrunc 2> /dev/null && touch -r rw.ref rw/libwho.so.1
is "$(stat -c %s:%y rw/libwho.so.1)" "$(stat -c %s:%y rw.ref)" "same size and modification time as before the rewrite"
same_as_now "a library rewritten with dd conv=notrunc, its mtime put back" ./rw.img rw/prog "a file it depends on changed ($TMP/rw/libwho.so.1)"
mkdir sys && "$RESIDENT" snap --system -o sys/cat /usr/bin/cat > /dev/null
side=$(ls sys/.cat.??????.resident-pages)
cp -p "$side" side.ref
chmod u+w "$side" && printf 'XXXX' | dd of="$side" bs=1 seek=8192 conv=notrunc 2> /dev/null && touch -r side.ref "$side"
out=$(echo piped | RESIDENT_DEBUG=1 ./sys/cat 2> e)
is "$out:$(cat e)" "piped:resident: ./sys/cat: a file it depends on changed ($TMP/$side): running /usr/bin/cat" \
	"a system image's sidecar rewritten in place, mtime put back: the original runs"
"$RESIDENT" snap --system -o sys/cat2 /usr/bin/cat > /dev/null && touch sys/.cat2.??????.resident-pages
"$RESIDENT" verify sys/cat2 > o 2> e
is "$?:$(grep -c 'every exec runs the program normally' e)" "1:1" "verify of a system image whose sidecar was touched (its bytes whole): exit 1, it falls back"

# --- a file system whose times tick by the second (ext4 with 128-byte
# inodes): installed, snapped and rewritten in place within one second
if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 > /dev/null; then
	truncate -s 32M fs.img && mkfs.ext4 -q -I 128 fs.img > /dev/null 2>&1 && mkdir mnt
	printf 'char msg[] = WHO;\nconst char *who(void) { return msg; }\n' > cw.c
	gcc -shared -fPIC -DWHO='"old library"' -Wl,-soname,libcw.so.1 -o cw-old.so cw.c
	gcc -shared -fPIC -DWHO='"NEW library"' -Wl,-soname,libcw.so.1 -o cw-new.so cw.c
	unshare -m sh -c '
		mount -o loop fs.img mnt && mkdir mnt/lib && cp cw-old.so mnt/lib/libcw.so.1
		gcc -o mnt/prog main.c mnt/lib/libcw.so.1 -Wl,-rpath,"$PWD/mnt/lib"
		while [ "$(date +%N | cut -c1)" != 0 ]; do :; done	# early in a second
		dd if=cw-old.so of=mnt/lib/libcw.so.1 conv=notrunc status=none
		"$0" snap -o coarse.img mnt/prog > /dev/null
		dd if=cw-new.so of=mnt/lib/libcw.so.1 conv=notrunc status=none
		echo "$(mnt/prog):$(./coarse.img 2> /dev/null)"
		umount mnt' "$RESIDENT" > coarse.out 2>&1
	is "$(cat coarse.out)" "NEW library:NEW library" "1-second times: a library rewritten within the second of its snap is seen (snap waits out the second)"
	# the same, with a newer dependency whose times have nanoseconds (the
	# program, here): each time waits out its own tick (from the second review)
	unshare -m sh -c '
		mount -o loop fs.img mnt && cp cw-old.so mnt/lib/libcw.so.1
		gcc -o mixed main.c mnt/lib/libcw.so.1 -Wl,-rpath,"$PWD/mnt/lib"
		while [ "$(date +%N | cut -c1)" != 0 ]; do :; done
		dd if=cw-old.so of=mnt/lib/libcw.so.1 conv=notrunc status=none
		touch mixed
		"$0" snap -o mixed.img ./mixed > /dev/null
		dd if=cw-new.so of=mnt/lib/libcw.so.1 conv=notrunc status=none
		echo "$(./mixed):$(./mixed.img 2> /dev/null)"
		umount mnt' "$RESIDENT" > mixed.out 2>&1
	is "$(cat mixed.out)" "NEW library:NEW library" "1-second times beside a newer nanosecond one: the library's second is waited out too"
else
	skip "1-second times (needs root and mkfs.ext4 for a loop mount)"
	skip "1-second times beside nanosecond ones"
fi

# --- what inspect and ls say is what the loader does
"$RESIDENT" snap -o cat.img /usr/bin/cat > /dev/null
LD_LIBRARY_PATH=/nonexistent "$RESIDENT" inspect cat.img > insp.out; rc=$?
grep -q "^state    stale: an LD_\*, GLIBC_TUNABLES or MALLOC_\* variable differs" insp.out
ok $? "inspect with LD_LIBRARY_PATH set: stale, as the loader will say (exit $rc)"
is "$("$RESIDENT" inspect --json cat.img | jq -r .state)" current "inspect without it: current"
export XDG_DATA_HOME=$TMP/xdg
cp one gone && "$RESIDENT" snap ./gone > /dev/null && rm gone
"$RESIDENT" snap ./rpath > /dev/null
"$RESIDENT" ls > ls.out
grep -Eq "^rpath +current +$TMP/rpath\$" ls.out; ok $? "ls: the image of rpath is current"
: > rp/b/unrelated
"$RESIDENT" ls > ls.out; rc=$?
grep -Eq "^gone +broken +$TMP/gone: the program is gone: $TMP/gone\$" ls.out; ok $? "ls: an image whose program was deleted is broken, not stale"
grep -Eq "^rpath +stale +$TMP/rpath: a directory ld.so searched changed: $TMP/rp/b\$" ls.out
ok $? "ls: a file added where ld.so searched: stale, naming the directory ($(grep rpath ls.out))"
is "$rc" 1 "ls: exit 1"
unset XDG_DATA_HOME

# --- access: an image gives no one more than its program did
cp one private && chmod 0700 private
"$RESIDENT" snap -o private.img ./private > /dev/null && "$RESIDENT" snap --system -o sys/private ./private > /dev/null
is "$(stat -c %a private.img):$(stat -c %a sys/private):$(stat -c %a sys/.private.??????.resident-pages)" "700:700:400" \
	"a 0700 program: image 0700, system image 0700, sidecar 0400"
as_nobody cat private.img > /dev/null 2>&1; ok $((! $?)) "nobody cannot read its saved pages"

# --- hostile tables that pass the checksum: the tools stay up
"$RESIDENT" inspect --json cat.img > i.json
t=$(jq .regions.layouts[0].tables_offset i.json)
for f in deps_off maps_off fixups_off env_off; do
	cp cat.img wrap.img && "$PROGS/reseal" wrap.img "$t" $f 0xfffffffffffffff8
	"$RESIDENT" inspect wrap.img > /dev/null 2> e; rc=$?
	echo "$f $rc $(wc -l < e) $(cat e)"
done > wrap.out
is "$(awk '$2 == 4 && $3 == 1 && /damaged image/' wrap.out | wc -l)" 4 "offsets that wrap past 2^64 under a valid checksum: inspect says damaged, exit 4, one line, four times"
[ "$(awk '$2 == 4 && $3 == 1' wrap.out | wc -l)" = 4 ] || diag "$(cat wrap.out)"

cp cat.img wrap.img && "$PROGS/reseal" wrap.img "$t" vvar_start 0x7ffffffe0000
"$RESIDENT" inspect wrap.img > /dev/null 2> e
is "$?:$(cat e)" "4:resident: wrap.img: damaged image (vdso)" "a sealed header that puts [vvar] above the vDSO (onto the loader, say): damaged"
cp cat.img wrap.img && "$PROGS/reseal" wrap.img "$t" maps_off 0xfffffffffffffff8
out=$(echo piped | ./wrap.img 2>&1); rc=$?
is "$rc:$out" "0:piped" "and the loader runs the program normally"
