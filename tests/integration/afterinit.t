#!/bin/bash
# afterinit.t: snap --after-init captures at main, after every constructor,
# only where the evidence says that is exact (issue 14).  Real programs
# (perl, clang-format) run from such an image as they run normally, with
# this run's argv, environment, argc and guards; constructors that do what
# an image cannot freeze are refused with where and why; a constructor's
# getenv makes the image depend on that variable.
. "$(dirname "$0")/tap.sh"
plan 27
cd "$TMP" || exit 1

# prog NAME CONSTRUCTOR-BODY MAIN-BODY: a C program whose constructor runs
# the body; `kept` is a global it may set, main prints it
prog() {
	cat > "$1.c" <<EOF
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
prog pure 'char *s = malloc(100); strcpy(s, "heap"); kept = s; atexit(bye)' ''
"$RESIDENT" snap --after-init -o pure.img ./pure > out 2> err
is "$?:$(cat err)" "0:" "a constructor that mallocs and registers an atexit handler: captured after init"
grep -q "after-init image of" out; ok $? "... and snap says it is an after-init image: $(cat out)"
RESIDENT_DEBUG=2 ./pure.img a "b c" > got 2> err
is "$?:$(cat got | tr '\n' '|')" "7:heap 3 b c pure.img home|bye heap|" \
	"the image runs main with this run's argc, argv, short name, environment; the handler runs at exit"
grep -q restored err; ok $? "... from the image, not the program: $(cat err)"
(cd / && env -i "$TMP/pure.img" x) > got
is "$(tr '\n' '|' < got)" "heap 2 x pure.img nohome|bye heap|" "another environment, another directory, argv[0] with a path"
"$RESIDENT" check --image pure.img ./pure -- 1 2 3 > out 2>&1
is "$?:$(grep -c restored out)" "0:1" "check: the after-init image and the program agree"
"$RESIDENT" inspect pure.img > out
grep -q "^start    at main, after the constructors" out; ok $? "inspect says where it starts"
"$RESIDENT" verify pure.img > /dev/null 2>&1; ok $? "verify: its pages are what snap wrote"

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
refused opener "made openat at" "a constructor that opens a file: refused"
prog thread 'pthread_t t; pthread_create(&t, 0, idle, 0)' ''
refused thread "a constructor made \(rt_sig[a-z]*\|clone\)" "a constructor that starts a thread: refused"
prog arg0 'kept = strdup(argv[0])' ''
refused arg0 "depends on the run" "a constructor that copies argv[0] (it differs in the second run): refused"
prog envcopy 'kept = envp[0] ? strdup(envp[0]) : "x"' ''
refused envcopy "depends on the run" "a constructor that copies a variable it found by itself: refused"
prog seed 'srand((unsigned)(size_t)&n ^ (unsigned)(size_t)__builtin_frame_address(0)); n = rand()' ''
refused seed "depends on the run" "a constructor seeding from a stack address: refused"
prog pidstr 'char b[32]; snprintf(b, sizeof b, "%d", (int)syscall(SYS_getpid)); kept = strdup(b)' ''
refused pidstr "made getpid" "a constructor that asks for its PID through syscall(): refused"

# getenv in a constructor: the image depends on the variable
prog asks 'kept = getenv("RESIDENT_T_COLOUR") ? getenv("RESIDENT_T_COLOUR") : "unset"' ''
env -u RESIDENT_T_COLOUR "$RESIDENT" snap --after-init -o asks.img ./asks > /dev/null 2> err
is "$?:$(cat err)" "0:" "a constructor that calls getenv: captured, the variable a dependency"
"$RESIDENT" inspect asks.img | grep -q "RESIDENT_T_COLOUR must not be set"
ok $? "inspect shows the dependency"
env -u RESIDENT_T_COLOUR RESIDENT_DEBUG=2 ./asks.img > got 2> err
is "$(head -c 5 got):$(grep -c restored err)" "unset:1" "unset, as at snap: restored"
RESIDENT_T_COLOUR=blue RESIDENT_DEBUG=1 ./asks.img > got 2> err
is "$(head -c 4 got):$(grep -c 'a variable a constructor found unset is set' err)" "blue:1" \
	"set now: the program runs normally and sees it (the image says why)"
RESIDENT_T_COLOUR=red "$RESIDENT" snap --after-init -o asks.img ./asks > /dev/null 2>&1
RESIDENT_T_COLOUR=red ./asks.img > got; a=$(head -c 3 got)
RESIDENT_T_COLOUR=green RESIDENT_DEBUG=1 ./asks.img > got 2> err
is "$a:$(head -c 5 got):$(grep -c 'has another value' err)" "red:green:1" \
	"snapped with red: red restores, green runs the program"

# real programs
"$RESIDENT" snap --after-init -o perl.img /usr/bin/perl > /dev/null 2> err
is "$?:$(cat err)" "0:" "perl: captured after init"
"$RESIDENT" check --image perl.img /usr/bin/perl -- -e 'print "$0 @ARGV ", scalar(keys %ENV), "\n"' a b > out 2>&1
is "$?:$(grep -c restored out)" "0:1" "perl -e from its after-init image: the same output"
printf 'print 6*7, "\\n";\n' | ./perl.img > got
is "$(cat got)" "42" "perl reads its script from stdin"
if [ -x /usr/bin/clang-format ]; then
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
