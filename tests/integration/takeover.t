#!/bin/bash
# takeover.t: an image never takes its program's place, and never runs
# another file than the one a normal exec of its name would.  snap refuses
# to write over the program, a name on its way to it, or a file it depends
# on; the image directory never writes through the links its mirror keeps
# to real directories; an image put in its program's place anyway runs
# nothing rather than itself for ever; and the program's name is followed
# exactly: a symlink switched between hard links of one program (a deploy)
# changes $ORIGIN, and the image sees it.  From the issue 12 review.
. "$(dirname "$0")/tap.sh"
plan 16
chmod 755 "$TMP"
cd "$TMP" || exit 1
cp /usr/bin/true prog && ln -s prog link
sum=$(md5sum < prog)
"$RESIDENT" snap -o prog ./prog > /dev/null 2> e
is "$?:$(md5sum < prog):$(cat e)" "2:$sum:resident: prog: that is $TMP/prog: an image cannot take its program's place" \
	"snap -o PROG PROG: refused, the program untouched"
"$RESIDENT" snap -o link ./link > /dev/null 2> e
is "$?:$(readlink link)" "2:prog" "snap -o LINK LINK, LINK a symlink to the program: refused, the link kept"
# (a library of the test's own: a regression must not write over the system's)
mkdir dep && printf 'int g(void) { return 0; }\n' > g.c && cc -shared -fPIC -o dep/libg.so g.c
printf 'int g(void);\nint main(void) { return g(); }\n' > mg.c && cc -o mg mg.c -Ldep -lg -Wl,-rpath,"$TMP/dep"
sum=$(md5sum < dep/libg.so)
"$RESIDENT" snap -o dep/libg.so ./mg > /dev/null 2> e
is "$?:$(md5sum < dep/libg.so):$(cat e)" "2:$sum:resident: dep/libg.so: that is $TMP/dep/libg.so, which the program's exec looks up" \
	"snap -o a library the program maps: refused, the library untouched"
# its soname link: a name ld.so opens, with an identity of its own (from
# the second review: snap renamed the image over it)
mv dep/libg.so dep/libg.so.1.0 && ln -s libg.so.1.0 dep/libg.so
"$RESIDENT" snap -o dep/libg.so ./mg > /dev/null 2> e
is "$?:$(readlink dep/libg.so):$(cat e)" "2:libg.so.1.0:resident: dep/libg.so: that is $TMP/dep/libg.so, which the program's exec looks up" \
	"snap -o the symlink ld.so opens the library by: refused, the link kept"
# the library's directory under a second name (a bind mount, root only)
if [ "$(id -u)" = 0 ]; then
	mkdir alias
	unshare -m sh -c 'mount --bind dep alias && "$0" snap -o alias/libg.so.1.0 ./mg' "$RESIDENT" > /dev/null 2> e
	is "$?:$(md5sum < dep/libg.so.1.0):$(cat e)" "2:$sum:resident: alias/libg.so.1.0: that is $TMP/dep/libg.so.1.0, which the program's exec looks up" \
		"snap -o the library by a bind mount of its directory: refused, the library untouched"
else
	skip "a bind mount (needs root)"
fi

# the image directory's mirror: snapping a program of a sibling directory
# after one of its neighbour's must not write through the link back
mkdir -p pre/bin pre/sbin
cp /usr/bin/true pre/bin/a && cp /usr/bin/true pre/sbin/b
sum=$(md5sum < pre/sbin/b)
export XDG_DATA_HOME=$TMP/xdg
"$RESIDENT" snap "$TMP/pre/bin/a" > /dev/null
is "$(readlink "$XDG_DATA_HOME/resident/root$TMP/pre/sbin")" "$TMP/pre/sbin" "after snap pre/bin/a the mirror links pre/sbin back"
"$RESIDENT" snap "$TMP/pre/sbin/b" > /dev/null
is "$?:$(md5sum < pre/sbin/b)" "0:$sum" "snap pre/sbin/b then: done, the program itself untouched"
[ -d "$XDG_DATA_HOME/resident/root$TMP/pre/sbin" ] && [ ! -L "$XDG_DATA_HOME/resident/root$TMP/pre/sbin" ] &&
	"$RESIDENT" inspect "$XDG_DATA_HOME/resident/bin/b" > /dev/null
ok $? "the mirror's pre/sbin is a directory of its own now, with b's image, current"
# a capture that fails leaves nothing in the image directory
printf 'int f(void);\nint main(void) { return f(); }\n' > m.c && printf 'int f(void) { return 0; }\n' > f.c
mkdir libs && cc -shared -fPIC -o libs/libf.so f.c && cc -o m m.c -Llibs -lf -Wl,-rpath,"$TMP/libs" && rm libs/libf.so
"$RESIDENT" snap "$TMP/m" > /dev/null 2>&1
is "$?:$(ls "$XDG_DATA_HOME/resident/bin")" "4:a
b" "a snap whose capture fails (a library missing): exit 4, no bin/m"
unset XDG_DATA_HOME

# an image put in its program's place anyway (cp): it runs nothing, once
cp /usr/bin/true self && "$RESIDENT" snap -o self.img ./self > /dev/null && cp self.img self
timeout 10 ./self > o 2> e
is "$?:$(wc -l < e)" "127:1" "an image copied over its own program: exit 127, one line, no loop"
# two images each the other's program, made by snaps and renames: A's
# fallback finds an image and runs nothing (it looped, from the second review)
mkdir loop && cp /usr/bin/true loop/A && "$RESIDENT" snap -o loop/B "$TMP/loop/A" > /dev/null &&
	cp /usr/bin/true loop/prog && "$RESIDENT" snap -o loop/A.new "$TMP/loop/prog" > /dev/null &&
	mv loop/A.new loop/A && mv loop/B loop/prog
timeout 10 loop/A > o 2> e
is "$?:$(cat e)" "127:resident: loop/A: a file it depends on changed: its program $TMP/loop/prog is an image: running nothing" \
	"two images each the other's program: exit 127, one line, no loop"
# or its program a script whose interpreter is the image (third review)
cp /usr/bin/true loop/S && "$RESIDENT" snap -o loop/S.img "$TMP/loop/S" > /dev/null &&
	printf '#!%s\n' "$TMP/loop/S.img" > loop/S.new && chmod 755 loop/S.new && mv loop/S.new loop/S
timeout 10 loop/S.img > o 2> e
is "$?:$(cat e)" "127:resident: loop/S.img: a file it depends on changed: its program $TMP/loop/S is an image: running nothing" \
	"its program a script run by the image itself: exit 127, one line, no loop"

# the name followed as exec follows it: hard links of one program in two
# releases, a symlink switched from one to the other
printf 'const char *who(void) { return WHO; }\n' > who.c
printf '#include <stdio.h>\nconst char *who(void);\nint main(void) { puts(who()); return 0; }\n' > main.c
mkdir -p r1/bin r1/lib r2/bin r2/lib
gcc -shared -fPIC -DWHO='"release 1"' -Wl,-soname,libwho.so.1 -o r1/lib/libwho.so.1 who.c
gcc -shared -fPIC -DWHO='"release 2"' -Wl,-soname,libwho.so.1 -o r2/lib/libwho.so.1 who.c
gcc -o r1/bin/prog main.c r1/lib/libwho.so.1 -Wl,-rpath,'$ORIGIN/../lib' && ln r1/bin/prog r2/bin/prog
ln -s r1 current
"$RESIDENT" snap -o rel.img "$TMP/current/bin/prog" > /dev/null
is "$(RESIDENT_DEBUG=1 ./rel.img 2>&1)" "release 1" "release 1 deployed: the image restores it"
ln -sfn r2 current.new && mv -T current.new current
is "$(RESIDENT_DEBUG=1 ./rel.img 2>&1)" "resident: ./rel.img: a symlink to the program changed ($TMP/current): running $TMP/current/bin/prog
release 2" "the symlink switched to release 2 (the same inode): the image runs release 2, and says why"
"$RESIDENT" inspect rel.img | grep -q "^state    stale: a symlink to the program changed ($TMP/current)"
ok $? "inspect: stale, naming the link"

# switched while snap runs (held open 300 ms before the capture starts)
cc -shared -fPIC -O2 -o slow.so "$SRC/lib/slow.c" -ldl
cp /usr/bin/true ta && cp /usr/bin/false tb && ln -s ta tool
SLOW=fork ASAN_OPTIONS=verify_asan_link_order=0 LD_PRELOAD=$TMP/slow.so "$RESIDENT" snap -o tool.img ./tool > /dev/null 2> e &
pid=$!
sleep 0.15 && ln -sfn tb tool.new && mv -T tool.new tool
wait $pid
is "$?:$(grep -c 'changed while it was captured: try again' e)" "4:1" "the name switched during the snap: refused, try again"
