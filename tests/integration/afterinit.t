#!/bin/bash
# afterinit.t: snap --after-init captures at main, after every constructor,
# only where the evidence says that is exact (issue 14).  Real programs
# (perl, clang-format) run from such an image as they run normally, with
# this run's argv, environment, argc and guards; constructors that do what
# an image cannot freeze are refused with where and why; a constructor's
# getenv makes the image depend on that variable.
. "$(dirname "$0")/tap.sh"
plan 73
cd "$TMP" || exit 1

# prog NAME CONSTRUCTOR-BODY MAIN-BODY: a C program whose constructor runs
# the body; `kept` is a global it may set, main prints it
prog() {
	cat > "$1.c" <<EOF
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static const char *kept = "none";
static long n;
static void *idle(void *a) { return a; }
static void bye(void) { printf("bye %s\n", kept); }
__attribute__((constructor)) static void init(int argc, char **argv, char **envp)
{
	(void)argc; (void)argv; (void)envp; (void)idle; (void)bye;
	$2;
}
int main(int argc, char **argv)
{
	(void)n;
	$3;
	printf("%s %d %s %s %s\n", kept, argc, argv[argc - 1], program_invocation_short_name,
	       getenv("HOME") ? "home" : "nohome");
	return 7;
}
EOF
	cc -O1 -o "$1" "$1.c" -lpthread
}

# accepted: an atexit handler (glibc mangles it with the pointer guard),
# heap, a once
mkdir img
prog pure 'char *s = malloc(100); strcpy(s, "heap"); kept = s; atexit(bye)' ''
"$RESIDENT" snap --after-init -o img/pure ./pure > out 2> err
is "$?:$(cat err)" "0:" "a constructor that mallocs and registers an atexit handler: captured after init"
grep -q "after-init image of" out; ok $? "... and snap says it is an after-init image: $(cat out)"
RESIDENT_DEBUG=2 ./img/pure a "b c" > got 2> err
is "$?:$(cat got | tr '\n' '|')" "7:heap 3 b c pure home|bye heap|" \
	"the image runs main with this run's argc, argv, short name, environment; the handler runs at exit"
grep -q restored err; ok $? "... from the image, not the program: $(cat err)"
(cd / && env -i RESIDENT_DEBUG=2 "$TMP/img/pure" x) > got 2> err
is "$(tr '\n' '|' < got):$(grep -c restored err)" "heap 2 x pure nohome|bye heap|:1" \
	"another environment, another directory, argv[0] with a path"
ln -s pure img/other
RESIDENT_DEBUG=1 ./img/other > got 2> err
is "$(head -c 4 got):$(grep -c 'run by another name than at snap' err)" "heap:1" \
	"run by another name (a constructor may test it): the program runs normally"
"$RESIDENT" check --image img/pure ./pure -- 1 2 3 > out 2>&1
is "$?:$(grep -c restored out)" "0:1" "check: the after-init image and the program agree"
"$RESIDENT" inspect img/pure > out
grep -q "^start    at main, after the constructors" out; ok $? "inspect says where it starts"
"$RESIDENT" verify img/pure > /dev/null 2>&1; ok $? "verify: its pages are what snap wrote"

# refused: each with what and where
refused() { # NAME WHAT-IN-MESSAGE DESCRIPTION
	"$RESIDENT" snap --after-init -o "$1.img" "./$1" > /dev/null 2> err
	local rc=$?
	is "$rc:$(grep -c -- "$2" err):$(test -e "$1.img"; echo $?)" "4:1:1" "$3: $(cat err)"
}
prog pid 'n = getpid()' ''
refused pid "made getpid at" "a constructor that keeps its PID: refused, named, nothing written"
prog clock 'n = time(NULL)' ''
refused clock "called time()" "a constructor that reads the clock (the vDSO makes no syscall): refused at the call"
prog opener 'n = open("/etc/hostname", O_RDONLY)' ''
refused opener "left descriptor [0-9]* open at main" "a constructor that keeps a file open: refused"
prog thread 'pthread_t t; pthread_create(&t, 0, idle, 0)' ''
refused thread "a constructor made \(rt_sig[a-z]*\|clone\)" "a constructor that starts a thread: refused"
prog arg0 'kept = strdup(argv[0])' ''
refused arg0 "depends on the run" "a constructor that copies argv[0] (it differs in the second run): refused"
prog envcopy 'kept = envp[0] ? strdup(envp[0]) : "x"' ''
refused envcopy "reads the environment itself" "a constructor that copies a variable it found by itself: refused"
prog envscan 'for (char **e = envp; *e; e++) if (!strncmp(*e, "RESIDENT_T_UNSET=", 17)) kept = "set"' ''
refused envscan "reads the environment itself" \
	"a constructor that looks for a variable (set in neither run) by scanning environ: refused (the second review)"
prog keepsecret 'const char *t = getenv("RESIDENT_T_TOKEN"); kept = t ? strdup(t) : "none"' ''
RESIDENT_T_TOKEN=sekrit-4711 "$RESIDENT" snap --after-init -o keepsecret.img ./keepsecret > /dev/null 2> err
is "$?:$(grep -c 'kept the value of RESIDENT_T_TOKEN' err):$(test -e keepsecret.img; echo $?)" "4:1:1" \
	"a constructor that keeps a variable's value: refused, the value would be in the image for all to read"
prog reserve 'char *r = mmap(0, 16ul << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0); kept = r == MAP_FAILED ? "failed" : "reserved"' ''
"$RESIDENT" snap --after-init -o img/reserve ./reserve > /dev/null 2> err
is "$?:$(cat err):$(( $(stat -c %s img/reserve) < 4000000 ))" "0::1" \
	"a constructor's 16 GiB PROT_NONE reservation: made again empty, not read or saved (the second review)"
is "$(./img/reserve a | head -c 8)" "reserved" "... and the image runs as the program does"
prog seed 'srand((unsigned)(size_t)&n ^ (unsigned)(size_t)__builtin_frame_address(0)); n = rand()' ''
refused seed "depends on the run" "a constructor seeding from a stack address: refused"
prog pidstr 'char b[32]; snprintf(b, sizeof b, "%d", (int)syscall(SYS_getpid)); kept = strdup(b)' ''
refused pidstr "made getpid" "a constructor that asks for its PID through syscall(): refused"

# the issue 14 review's findings: each accepted and wrong before its fix
prog argscan 'for (int i = 1; i < argc; i++) if (!strcmp(argv[i], "-v")) kept = "verbose"' ''
refused argscan "reads its arguments (argv\[1\])" "a constructor that parses its arguments: refused where it reads one"
prog tramp 'unsigned char *t = mmap(0, 4096, 7, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); memcpy(t, (void *)getenv, 16); kept = (const char *)t' ''
refused tramp "copied code from .*getenv" "a constructor that copies a function's first bytes (a hook's trampoline) saw a breakpoint byte: refused"
prog rnd4 'unsigned u; getrandom(&u, 4, 0); n = u' ''
refused rnd4 "drew 4 random bytes" "4 random bytes in a word with another field: refused, not redrawn as 8"
prog coin 'unsigned long u; getrandom(&u, 8, 0); n = (long)(u & 1)' ''
refused coin "computed from them" "a coin tossed from random bytes (the same in both runs half the time): refused"
prog auxuid 'char **e = envp; while (*e) e++; for (unsigned long *a = (unsigned long *)(e + 1); a[0]; a += 2) if (a[0] == AT_EUID) kept = a[1] ? "user" : "root"' ''
refused auxuid "depends on the run" "a constructor that reads AT_EUID from the auxv itself: refused"
prog execfn 'kept = strdup((char *)getauxval(AT_EXECFN))' ''
refused execfn "called getauxval(31)" "getauxval(AT_EXECFN): refused (each exec names itself)"
prog unset 'unsetenv("RESIDENT_T_SECRET")' ''
refused unset "called unsetenv" "unsetenv scans environ itself: refused"
prog poison 'char *p = malloc(3 * 4096); madvise((void *)(((unsigned long)p + 4095) & ~4095ul), 4096, 100)' ''
refused poison "made madvise" "madvise with advice that reaches past the process (MADV_HWPOISON): refused before it runs"
cat > main4.c <<'EOF'
#include <elf.h>
#include <stdio.h>
int main(int argc, char **argv, char **envp, Elf64_auxv_t *auxv)
{
	(void)argc; (void)argv; (void)envp;
	int n = 0;
	while (auxv && auxv[n].a_type != AT_NULL)
		n++;
	printf("auxv %s\n", auxv && n > 5 ? "given" : "missing");
	return 0;
}
EOF
cc -O1 -o main4 main4.c
"$RESIDENT" snap --after-init -o img/main4 ./main4 > /dev/null 2>&1
is "$(./img/main4)" "auxv given" "main's fourth argument, the auxv, as glibc's start leaves it in %rcx"
cat > patch.c <<'EOF'
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
__attribute__((noinline)) int fast(void) { return 0; }
__attribute__((constructor)) static void init(void)
{
	char *pg = (char *)((unsigned long)fast & ~4095ul);
	mprotect(pg, 8192, PROT_READ | PROT_WRITE | PROT_EXEC);
	memcpy((void *)fast, "\xb8\x01\x00\x00\x00\xc3", 6);	/* mov $1,%eax; ret */
	mprotect(pg, 8192, PROT_READ | PROT_EXEC);
}
int main(void) { printf("fast %d\n", fast()); return 0; }
EOF
cc -O1 -o patch patch.c
"$RESIDENT" snap --after-init -o img/patch ./patch > /dev/null 2>&1
is "$(./patch):$(./img/patch)" "fast 1:fast 1" "code a constructor patched beside snap's breakpoints is saved, not mapped from the file"
cat > owngetenv.c <<'EOF'
#include <stdio.h>
#include <string.h>
static const char *mode = "?";
char *getenv(const char *name) { return strcmp(name, "RESIDENT_T_MODE") ? NULL : (char *)"own"; }
__attribute__((constructor)) static void init(void) { mode = getenv("RESIDENT_T_MODE"); }
int main(void) { printf("%s\n", mode); return 0; }
EOF
cc -O1 -rdynamic -o owngetenv owngetenv.c
"$RESIDENT" snap --after-init -o img/owngetenv ./owngetenv > /dev/null 2>&1
"$RESIDENT" inspect img/owngetenv | grep -q "RESIDENT_T_MODE must not be set"
ok $? "a program's own getenv (bash has one) is watched too: the variable asked for is a dependency"

# getenv in a constructor: the image depends on the variable
prog asks 'kept = getenv("RESIDENT_T_COLOUR") ? getenv("RESIDENT_T_COLOUR") : "unset"' ''
env -u RESIDENT_T_COLOUR "$RESIDENT" snap --after-init -o img/asks ./asks > /dev/null 2> err
is "$?:$(cat err)" "0:" "a constructor that calls getenv: captured, the variable a dependency"
"$RESIDENT" inspect img/asks | grep -q "RESIDENT_T_COLOUR must not be set"
ok $? "inspect shows the dependency"
env -u RESIDENT_T_COLOUR RESIDENT_DEBUG=2 ./img/asks > got 2> err
is "$(head -c 5 got):$(grep -c restored err)" "unset:1" "unset, as at snap: restored"
RESIDENT_T_COLOUR=blue RESIDENT_DEBUG=1 ./img/asks > got 2> err
is "$(head -c 4 got):$(grep -c 'a variable a constructor found unset is set' err)" "blue:1" \
	"set now: the program runs normally and sees it (the image says why)"
RESIDENT_T_COLOUR=red "$RESIDENT" snap --after-init -o img/asks ./asks > /dev/null 2>&1
RESIDENT_T_COLOUR=red ./img/asks > got; a=$(head -c 3 got)
RESIDENT_T_COLOUR=green RESIDENT_DEBUG=1 ./img/asks > got 2> err
is "$a:$(head -c 5 got):$(grep -c 'has another value' err)" "red:green:1" \
	"snapped with red: red restores, green runs the program"
RESIDENT_T_COLOUR=crimson-4711 "$RESIDENT" snap --after-init -o img/asks ./asks > /dev/null 2>&1
is "$(grep -c crimson-4711 img/asks; "$RESIDENT" inspect --json img/asks | grep -c crimson-4711)" "0
0" "the value a constructor read is kept as a hash, not as text (it may be a secret; images are readable)"

# what constructors ask the kernel (src/snap/ctorsys.h): files they read
# or look for become dependencies, questions are asked again, signal
# state is checked and set again
printf one > conf
prog readconf "char b[64] = \"\"; int fd = open(\"$TMP/conf\", O_RDONLY); read(fd, b, 63); close(fd); kept = strdup(b)" ''
"$RESIDENT" snap --after-init -o img/readconf ./readconf > /dev/null 2> err
is "$?:$(cat err):$("$RESIDENT" inspect img/readconf | grep -c "current  file   $TMP/conf")" "0::1" \
	"a constructor that reads a file: captured, the file a dependency"
RESIDENT_DEBUG=2 ./img/readconf > got 2> err
is "$(head -c 4 got):$(grep -c restored err)" "one :1" "... restored while it is unchanged"
printf two > conf
RESIDENT_DEBUG=1 ./img/readconf > got 2> err
is "$(head -c 4 got):$(grep -c "a file it depends on changed ($TMP/conf)" err)" "two :1" \
	"rewritten: the program runs normally and reads it"
prog lookfor "kept = access(\"$TMP/later\", F_OK) ? \"missing\" : \"there\"" ''
"$RESIDENT" snap --after-init -o img/lookfor ./lookfor > /dev/null 2> err
is "$?:$(cat err):$(./img/lookfor | head -c 7)" "0::missing" "a constructor that finds no file: captured"
touch later
is "$(./img/lookfor | head -c 5)" "there" "... the file made: the program runs normally and finds it"
prog nofs "struct statfs f; kept = statfs(\"$TMP/mnt\", &f) ? \"nofs\" : \"fs\"" ''
"$RESIDENT" snap --after-init -o img/nofs ./nofs > /dev/null 2> err
is "$?:$(cat err):$(./img/nofs | head -c 4)" "0::nofs" "statfs of a path that is not there (libselinux's /sys/fs/selinux): captured"
mkdir mnt
is "$(./img/nofs | head -c 3)" "fs " "... made: the program runs normally"
prog rootfs 'struct statfs f; n = statfs("/", &f)' ''
refused rootfs "asked statfs about /" "statfs of a path that is there (a file system's state, in no file): refused"
printf secret > secret.txt; chmod 600 secret.txt
prog private "char b[64]; int fd = open(\"$TMP/secret.txt\", O_RDONLY); n = read(fd, b, 63); close(fd)" ''
refused private "a file not everyone may read" \
	"a constructor that reads a file only its owner may read: refused (the image would show what it read)"
prog whoami 'kept = getuid() ? "user" : "root"' ''
"$RESIDENT" snap --after-init -o img/whoami ./whoami > /dev/null 2> err
is "$?:$(cat err):$("$RESIDENT" inspect img/whoami | grep -c 'getuid() must be 0')" "0::1" "getuid in a constructor: captured, asked again"
prog relative 'n = access("conf", F_OK)' ''
refused relative "relative to its directory" "a lookup relative to the directory (another at each run): refused"
prog selfexe 'char b[256]; n = readlink("/proc/self/exe", b, sizeof b)' ''
refused selfexe "looked at /proc/self/exe" "readlink of /proc/self/exe (the image's, at capture): refused"
prog domain 'char b[64] = ""; FILE *f = fopen("/proc/sys/kernel/domainname", "r"); fgets(b, sizeof b, f); fclose(f); b[strcspn(b, "\n")] = 0; kept = strdup(b)' ''
"$RESIDENT" snap --after-init -o img/domain ./domain > /dev/null 2> err
is "$?:$(cat err):$("$RESIDENT" inspect img/domain | grep -c 'content /proc/sys/kernel/domainname')" "0::1" \
	"a constructor that reads a kernel file through stdio: captured, its contents a dependency"
is "$(RESIDENT_DEBUG=2 ./img/domain 2>&1 | grep -c restored):$(./img/domain | cut -d' ' -f1)" "1:$(./domain | cut -d' ' -f1)" \
	"... restored while the kernel says the same"
got=$(unshare -u sh -c "echo resident-t-domain > /proc/sys/kernel/domainname; RESIDENT_DEBUG=1 ./img/domain" 2>&1)
is "$(echo "$got" | grep -c 'a kernel file a constructor read says otherwise now'):$(echo "$got" | grep -c '^resident-t-domain ')" "1:1" \
	"another domain name (a UTS namespace): the program runs normally and reads it"
prog capbset 'kept = prctl(PR_CAPBSET_READ, 21) == 1 ? "admin" : "noadmin"' ''
"$RESIDENT" snap --after-init -o img/capbset ./capbset > /dev/null 2> err
is "$?:$(cat err):$("$RESIDENT" inspect img/capbset | grep -c 'prctl(PR_CAPBSET_READ, 21) must be 1')" "0::1" \
	"prctl(PR_CAPBSET_READ) in a constructor (libcap's): captured, the question asked again at each start"
is "$(./img/capbset | head -c 6):$(setpriv --bounding-set -sys_admin ./img/capbset | head -c 7)" "admin :noadmin" \
	"... without CAP_SYS_ADMIN in the bounding set: another answer, the program runs normally"
# libcap 2.66's constructor, in short: its kernel file checked with
# fstatfs, then the process's capability state asked
prog libcap 'char b[8] = ""; struct statfs f; int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY); fstatfs(fd, &f); read(fd, b, 7); close(fd); kept = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) ? "nnp" : "free"' ''
"$RESIDENT" snap --after-init -o img/libcap ./libcap > /dev/null 2> err
is "$?:$(cat err):$("$RESIDENT" inspect img/libcap | grep -c 'content /proc/sys/kernel/cap_last_cap\|prctl(PR_GET_NO_NEW_PRIVS) must be 0')" "0::2" \
	"libcap's way (cap_last_cap, fstatfs, PR_GET_NO_NEW_PRIVS): captured, the file and the answer checked"
is "$(./img/libcap | head -c 4):$(setpriv --no-new-privs ./img/libcap | head -c 3)" "free:nnp" \
	"... under no_new_privs: another answer, the program runs normally"
prog ignusr1 'signal(SIGUSR1, SIG_IGN)' 'raise(SIGUSR1)'
"$RESIDENT" snap --after-init -o img/ignusr1 ./ignusr1 > /dev/null 2> err
RESIDENT_DEBUG=2 ./img/ignusr1 > got 2> err2
is "$(cat err):$(head -c 4 got):$(grep -c restored err2)" ":none:1" \
	"a constructor that ignores SIGUSR1: set again at each start (main raises it and lives)"
prog askhup 'struct sigaction o; sigaction(SIGHUP, NULL, &o); kept = o.sa_handler == SIG_IGN ? "hupign" : "hupdfl"' ''
# SIGHUP's default set for the snap and the first start: `make check` may
# itself run under nohup, and a shell cannot reset what it found ignored
dflhup="env --default-signal=HUP"
$dflhup "$RESIDENT" snap --after-init -o img/askhup ./askhup > /dev/null 2> err
is "$(cat err):$($dflhup ./img/askhup | head -c 6):$(nohup ./img/askhup 2>/dev/null | head -c 6)" ":hupdfl:hupign" \
	"a constructor that asks whether SIGHUP is ignored: under nohup the program runs normally"
prog block 'sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR2); sigprocmask(SIG_BLOCK, &s, 0)' \
	'sigset_t c; sigprocmask(0, 0, &c); kept = sigismember(&c, SIGUSR2) ? "blocked" : "unblocked"; raise(SIGUSR2)'
"$RESIDENT" snap --after-init -o img/block ./block > /dev/null 2> err
is "$(cat err):$(./img/block | head -c 8)" ":blocked " "a constructor that blocks SIGUSR2: blocked again at each start"

# real programs
"$RESIDENT" snap --after-init -o img/ls /usr/bin/ls > /dev/null 2> err
is "$?:$(cat err)" "0:" "ls (libselinux's constructor: statfs, /proc/filesystems, /etc/selinux/config): captured"
"$RESIDENT" inspect img/ls > out
is "$(grep -c 'absent /sys/fs/selinux\|content /proc/filesystems\|absent /etc/selinux/config' out)" "3" \
	"... depending on what libselinux looked at"
"$RESIDENT" check --image img/ls /usr/bin/ls -- -la / > out 2>&1
is "$?:$(grep -c restored out)" "0:1" "ls -la / from its after-init image: the same output"
# as an ordinary user: root's images, the same kernel answers but getuid's
chmod 755 "$TMP" img
nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
is "$(nobody env RESIDENT_DEBUG=2 ./img/ls -d / 2>&1 | tr '\n' ' ')" "resident: ./img/ls: restored (layout 1) / " \
	"root's after-init image of ls, run by nobody: restored"
is "$(nobody env RESIDENT_DEBUG=1 ./img/whoami 2>&1 | grep -c 'answers a constructor.s question otherwise'):$(nobody ./img/whoami | head -c 4)" \
	"1:user" "getuid's answer differs for nobody: the program runs normally"
"$RESIDENT" snap --after-init -o perl.img /usr/bin/perl > /dev/null 2> err
is "$?:$(cat err)" "0:" "perl: captured after init"
"$RESIDENT" check --image perl.img /usr/bin/perl -- -e 'print "$0 @ARGV ", scalar(keys %ENV), "\n"' a b > out 2>&1
is "$?:$(grep -c restored out)" "0:1" "perl -e from its after-init image: the same output"
printf 'print 6*7, "\\n";\n' | ./perl.img > got
is "$(cat got)" "42" "perl reads its script from stdin"
if [ -x /usr/bin/clang-format ]; then
	# in a fixed environment: in some (2 of 6 tried) a libclang-cpp
	# constructor's copy of uninitialised stack memory holds a stale
	# pointer at places that differ between snap's two runs, and snap
	# refuses (docs/images.md)
	env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 TERM=xterm USER=root \
		"$RESIDENT" snap --after-init -o clang-format.img /usr/bin/clang-format > /dev/null 2> err
	is "$?:$(cat err)" "0:" "clang-format: captured after init (LLVM's getenv(AS_SECURE_LOG_FILE) a dependency)"
	printf 'int  main( ) {return 0 ;}\n' > f.c
	"$RESIDENT" check --image clang-format.img /usr/bin/clang-format -- f.c > out 2>&1
	is "$?:$(grep -c restored out)" "0:1" "clang-format formats a file from its after-init image as it does normally"
	"$RESIDENT" check --image clang-format.img /usr/bin/clang-format -- --help > out 2>&1
	is "$?:$(grep -c restored out)" "0:1" "... and --help (every option the constructors registered)"
else
	skip "no clang-format"; skip "no clang-format"; skip "no clang-format"
fi

# enable --after-init: the image at the program's path is captured at main;
# refresh keeps the mode (in a sandbox: overlays on /usr, /etc, /var)
cat > "$TMP/inner.sh" <<'IN'
# a file of the overlay's upper layer: a hard link to a lower one would
# copy it up under the capture (overlayfs then shows the old inode in maps)
cp /usr/bin/perl /usr/local/bin/perlt
$R enable --after-init /usr/local/bin/perlt > /dev/null || exit 1
echo "inspect: $($R inspect /usr/local/bin/perlt | grep -c '^start    at main')"
echo "run: $(RESIDENT_DEBUG=2 perlt -e 'print 6*7' 2>&1 | tr '\n' ' ')"
touch /usr/local/bin/perlt.resident-orig
$R refresh /usr/local/bin/perlt > /dev/null 2>&1
echo "refreshed: $($R inspect /usr/local/bin/perlt | grep -c '^start    at main')"
$R disable /usr/local/bin/perlt > /dev/null && echo "disabled: $(head -c 4 /usr/local/bin/perlt | tail -c 3)"
IN
TMP=$TMP R=$RESIDENT in_system_sandbox ". $TMP/inner.sh" > "$TMP/out" 2> "$TMP/err"
case $? in
77) skip "enable needs root"; skip "enable needs root" ;;
*)
	is "$(grep -E '^(inspect|run):' "$TMP/out" | tr '\n' '|')" \
		"inspect: 1|run: resident: /usr/local/bin/perlt: restored (layout 1) 42|" \
		"enable --after-init perl: the program's path starts at main, restored $(cat "$TMP/err")"
	is "$(grep -E '^(refreshed|disabled):' "$TMP/out" | tr '\n' '|')" "refreshed: 1|disabled: ELF|" \
		"refresh captures it again after init; disable puts the program back"
	;;
esac
