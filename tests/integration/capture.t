#!/bin/bash
# capture.t: what a capture lets the program do.  Snap runs the program's
# dynamic linker, and with it every IFUNC resolver of the program and its
# libraries, with the privileges of whoever snaps: only what ld.so needs
# passes its seccomp filter, and anything else is refused before it runs
# (its effect would be snap's, its answer frozen into every instance).
# Root captures only code root owns; ld.so's debugging and auditing
# variables are refused; a program its user may not exec is not snapped,
# and its image does not run it either.  From the issue 12 review.
. "$(dirname "$0")/tap.sh"
plan 21
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
chmod 755 "$TMP"
cd "$TMP" || exit 1
# resolver BODY: a program whose IFUNC resolver runs BODY at relocation
resolver() { # NAME BODY
	cat > "$1.c" <<EOF
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/syscall.h>
#include <unistd.h>
static int impl(void) { return 0; }
static void *resolve(void) { $2; return (void *)impl; }
int f(void) __attribute__((ifunc("resolve")));
int main(void) { return f(); }
EOF
	cc -o "$1" "$1.c"
}
echo "root's secret" > secret && chmod 600 secret
resolver chmodder "syscall(SYS_chmod, \"$TMP/secret\", 0666)"
"$RESIDENT" snap -o chmodder.img ./chmodder > /dev/null 2> e
is "$?:$(stat -c %a secret)" "4:600" "a resolver that chmods a file: refused before it runs, the file untouched"
grep -q "made syscall 90 before handing over" e; ok $? "... and snap says which syscall: $(cat e)"
resolver uid "if (getuid() == 0) (void)0"
"$RESIDENT" snap -o uid.img ./uid > /dev/null 2> e
is "$?:$(grep -c 'made syscall 102' e)" "4:1" "a resolver that asks for its uid (its choice would be frozen): refused"
resolver procself "close(open(\"/proc/self/status\", O_RDONLY))"
"$RESIDENT" snap -o procself.img ./procself > /dev/null 2> e
is "$?:$(grep -c 'looked at /proc/self/status before handing over' e)" "4:1" "a resolver that reads /proc/self: refused"
# what passes the filter only for ld.so's own use: the descriptors it
# opened, stderr, its own stack limit (from the second review)
resolver stdin "char c; (void)read(0, &c, 1)"
echo secret | "$RESIDENT" snap -o stdin.img ./stdin > /dev/null 2> e
is "$?:$(grep -c 'used descriptor 0, which it did not open' e)" "4:1" "a resolver that reads snap's stdin: refused"
resolver stdout "(void)write(1, \"x\", 1)"
"$RESIDENT" snap -o stdout.img ./stdout > o 2> e
is "$?:$(wc -c < o):$(grep -c 'made syscall 1 ' e)" "4:0:1" "a resolver that writes to snap's stdout: refused, nothing written"
resolver uname "struct utsname u; uname(&u)"
"$RESIDENT" snap -o uname.img ./uname > /dev/null 2> e
is "$?:$(grep -c 'made syscall 63 ' e)" "4:1" "a resolver that asks uname: refused"
resolver limit "struct rlimit l; syscall(SYS_prlimit64, 1, RLIMIT_NOFILE, 0, &l)"
"$RESIDENT" snap -o limit.img ./limit > /dev/null 2> e
is "$?:$(grep -c 'made syscall 302 ' e)" "4:1" "a resolver that asks another process's limits: refused"
resolver procroot "close(open(\"/proc/self/root/etc/hostname\", O_RDONLY))"
"$RESIDENT" snap -o procroot.img ./procroot > /dev/null 2> e
is "$?:$(grep -c 'looked at /proc/self/root/etc/hostname before handing over' e)" "4:1" \
	"a resolver that reads a file through /proc/self/root: refused"
# a FIFO looked at: what it gives differs from run to run (third review)
mkfifo fifo
resolver readfifo "close(open(\"$TMP/fifo\", O_RDONLY | O_NONBLOCK))"
"$RESIDENT" snap -o readfifo.img ./readfifo > /dev/null 2> e
is "$?:$(grep -c "looked at $TMP/fifo before handing over" e)" "4:1" "a resolver that opens a FIFO: refused"
# /proc/self/exe read by a resolver names ld.so when captured as `ld.so
# PROGRAM`: captured as exec'd instead, it names the program, as normally
cat > exe.c <<EOF
#include <stdio.h>
#include <unistd.h>
static char seen[256];
static const char *impl(void) { return seen; }
static void *resolve(void) { long n = readlink("/proc/self/exe", seen, 255); if (n > 0) seen[n] = 0; return (void *)impl; }
const char *f(void) __attribute__((ifunc("resolve")));
int main(void) { puts(f()); return 0; }
EOF
cc -fno-stack-protector -o exe exe.c
"$RESIDENT" snap -o exe.img ./exe > /dev/null
is "$?:$(RESIDENT_DEBUG=1 ./exe.img 2>&1)" "0:$TMP/exe" "a resolver that reads /proc/self/exe: the image gives the program's name, as a normal exec does"
# a relative interpreter: the kernel finds it from the caller's directory
printf 'int main(void) { return 0; }\n' > r0.c && cc -o relinterp r0.c -Wl,--dynamic-linker=lib/ld.so
"$RESIDENT" snap -o relinterp.img ./relinterp > /dev/null 2> e
is "$?:$(cat e)" "2:resident: $TMP/relinterp: its interpreter (PT_INTERP) is not an absolute path: not captured" \
	"a program whose interpreter is a relative path: refused before anything runs"
resolver quiet "(void)0"
"$RESIDENT" snap -o quiet.img ./quiet > /dev/null && RESIDENT_DEBUG=1 ./quiet.img
ok $? "a resolver that only chooses: captured, and the image restores"

# root runs only root's code: a program of nobody's, a library of nobody's
if [ "$(id -u)" = 0 ]; then
	mkdir nob && chown nobody nob
	as_nobody cp quiet nob/quiet
	"$RESIDENT" snap -o nob.img nob/quiet > /dev/null 2> e
	is "$?:$(cat e)" "2:resident: $TMP/nob/quiet: the directory $TMP/nob is another user's: root does not run its code to capture it" \
		"root snaps nobody's program: refused"
	printf 'int g(void) { return 0; }\n' > g.c && as_nobody cc -shared -fPIC -o nob/libg.so g.c
	printf 'int g(void);\nint main(void) { return g(); }\n' > mg.c && cc -o mg mg.c -Lnob -lg -Wl,-rpath,"$TMP/nob"
	"$RESIDENT" snap -o mg.img ./mg > /dev/null 2> e
	is "$?:$(grep -c "$TMP/nob/libg.so: the directory $TMP/nob is another user's: root does not run its code" e)" "4:1" \
		"root snaps a program that loads nobody's library: refused before the library is mapped"
	# in root's own directory, a file of nobody's
	mkdir rootlib && cp nob/libg.so rootlib/ && chown nobody rootlib/libg.so
	cc -o mr mg.c -Lrootlib -lg -Wl,-rpath,"$TMP/rootlib"
	"$RESIDENT" snap -o mr.img ./mr > /dev/null 2> e
	is "$?:$(grep -c "$TMP/rootlib/libg.so is another user's: root does not run its code" e)" "4:1" \
		"root snaps a program whose library in root's directory is nobody's: refused"
	# the interpreter is run first of all: the same rule
	mkdir interp && cp "$(readlink -f /lib64/ld-linux-x86-64.so.2)" interp/ld.so && chown nobody interp/ld.so
	cc -o mi mg.c -Lrootlib -lg -Wl,-rpath,"$TMP/rootlib" -Wl,--dynamic-linker="$TMP/interp/ld.so"
	chown root rootlib/libg.so
	"$RESIDENT" snap -o mi.img ./mi > /dev/null 2> e
	is "$?:$(cat e)" "2:resident: $TMP/interp/ld.so is another user's: root does not run its code to capture it" \
		"root snaps a program whose interpreter is nobody's: refused before it runs"
else
	for i in 1 2 3 4; do skip "root's rule (not root here)"; done
fi

# ld.so's debugging and auditing variables: an image would not do it
# (resident itself runs with it: its own ld.so talks too, only its line counts)
LD_DEBUG=libs "$RESIDENT" snap -o x.img /usr/bin/true > /dev/null 2> e
is "$?:$(grep '^resident:' e)" "2:resident: LD_DEBUG: with it ld.so prints, traces or audits at every start, which an image would not: not captured" \
	"LD_DEBUG set: refused"
LD_AUDIT=/nonexistent.so "$RESIDENT" snap -o x.img /usr/bin/true > /dev/null 2>&1
is "$?" 2 "LD_AUDIT set: refused"

# a program one may read but not exec: no image of it, and an image of it
# made by root does not run it for nobody
mkdir own && cp /usr/bin/id own/id && chmod 0744 own/id
as_nobody "$RESIDENT" snap -o "$TMP/nobid" own/id > /dev/null 2> e
is "$?:$(cat e)" "2:resident: $TMP/own/id: Permission denied" "nobody snaps a 0744 program of root's: refused as exec would"
"$RESIDENT" snap -o "$TMP/id.img" own/id > /dev/null && chmod 755 id.img
as_nobody ./id.img -un > o 2> e
is "$?:$(cat o):$(cat e)" "126::resident: $TMP/own/id: permission denied" "root's image of it, run by nobody: runs nothing, 126 as exec would"
