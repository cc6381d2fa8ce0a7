#!/bin/bash
# images.t: programs run from their images exactly as they run normally:
# same stdout, stderr and exit status, over several argument, environment
# and stdin sets.  RESIDENT_DEBUG=1 is set for every run, so an image that
# silently fell back would show as a stderr difference.
. "$(dirname "$0")/tap.sh"
plan 45
export RESIDENT_DEBUG=1
mkdir "$TMP/img"
snap() { RESIDENT_DEBUG= "$RESIDENT" snap -o "$TMP/img/$1" "$2" > /dev/null; ok $? "snap $2"; }
# same LABEL STDIN ENVMODE PROG IMAGE ARGS...: both runs with argv[0] "prog"
run() { # envmode prog stdin out err args...
	local mode=$1 prog=$2 in=$3 out=$4 err=$5
	shift 5
	case $mode in
	empty) env -i RESIDENT_DEBUG=1 bash -c 'exec -a prog "$@"' sh "$prog" "$@" ;;
	long) env $(for i in $(seq 150); do printf 'VAR%03d=%0500d ' "$i" "$i"; done) \
		bash -c 'exec -a prog "$@"' sh "$prog" "$@" ;;
	*) bash -c 'exec -a prog "$@"' sh "$prog" "$@" ;;
	esac < "$in" > "$out" 2> "$err"
}
same() { # label stdin envmode prog image args...
	local label=$1 in=$2 mode=$3 prog=$4 img=$5
	shift 5
	run "$mode" "$prog" "$in" "$TMP/o1" "$TMP/e1" "$@" 2> /dev/null; local r1=$?
	run "$mode" "$img" "$in" "$TMP/o2" "$TMP/e2" "$@" 2> /dev/null; local r2=$?
	cmp -s "$TMP/o1" "$TMP/o2" && cmp -s "$TMP/e1" "$TMP/e2" && [ $r1 = $r2 ]
	ok $? "$label: same output and exit status ($r1)"
	cmp -s "$TMP/o1" "$TMP/o2" || diff "$TMP/o1" "$TMP/o2" | head -n 5 | sed 's/^/#   /'
	cmp -s "$TMP/e1" "$TMP/e2" || diff "$TMP/e1" "$TMP/e2" | head -n 5 | sed 's/^/#   /'
}
printf 'line two\nline one\n\xc3\xa9t\xc3\xa9\n' > "$TMP/in"
: > "$TMP/none"
S=$PROGS/show
snap show "$S"
for mode in inherit empty long; do
	same "show, $mode env" "$TMP/none" $mode "$S" "$TMP/img/show" a b --exit 3
done
same "show, unicode and spaces in arguments" "$TMP/none" inherit "$S" "$TMP/img/show" 'héllo wörld' '' ' lead' '*' '日本語'
same "show, stdin piped" "$TMP/in" inherit "$S" "$TMP/img/show" --stdin
same "show, no arguments" "$TMP/none" inherit "$S" "$TMP/img/show"
# fds, cwd and a signal
pushd /usr/share > /dev/null; exec 7< /dev/null
same "show, in another cwd with fd 7 open" "$TMP/none" inherit "$S" "$TMP/img/show"
exec 7<&-; popd > /dev/null
same "show, dies of SIGTERM" "$TMP/none" inherit "$S" "$TMP/img/show" --kill 15
{ ( "$TMP/img/show" --kill 15 > /dev/null 2>&1 ); } 2> /dev/null; is $? 143 "the image dies of SIGTERM (status 143)"
# fresh guards every run
c1=$("$TMP/img/show" --canary 2> /dev/null | grep canary=)
c2=$("$TMP/img/show" --canary 2> /dev/null | grep canary=)
ok $(test -n "$c1" -a "$c1" != "$c2"; echo $?) "two runs of an image have different canaries and pointer guards"
ok $(echo "$c1" | grep -q 'canary=[0-9a-f]*00 '; echo $?) "the canary keeps glibc's zero low byte"
# the PID is the exec's own: $$ of a shell is the image's getpid
bash -c 'echo "shell=$$"; exec "$0" --pid' "$TMP/img/show" 2> /dev/null > "$TMP/pid"
is "$(sed -n 's/^pid=//p' "$TMP/pid")" "$(sed -n 's/^shell=//p' "$TMP/pid")" "a real exec: the image keeps the PID of the shell that exec'd it"

# captured as exec'd: the executable keeps its own region, and the program
# sees the same; captured through ld.so (the default): the snap said so
RESIDENT_DEBUG= "$RESIDENT" snap --as-exec -o "$TMP/img/show-exec" "$S" > /dev/null
ok $? "snap --as-exec show"
same "show, captured --as-exec" "$TMP/none" inherit "$S" "$TMP/img/show-exec" a b
"$RESIDENT" snap -o "$TMP/img/show2" "$S" > /dev/null 2> "$TMP/snaperr"
grep -q "ld.so under ptrace" "$TMP/snaperr" && ! grep -q "captured as exec'd" "$TMP/snaperr"
ok $? "RESIDENT_DEBUG=1 snap prints its phases; the capture through ld.so was exact"

snap cxx "$PROGS/cxx"
same "C++: constructors, iostreams, exceptions" "$TMP/none" inherit "$PROGS/cxx" "$TMP/img/cxx" b a b
snap tls "$PROGS/tls"
same "threads and TLS" "$TMP/none" inherit "$PROGS/tls" "$TMP/img/tls"

# Debian's programs, the real ELF files
for p in /usr/bin/ls /usr/bin/cat /usr/bin/sort /usr/bin/bash /usr/bin/perl /usr/bin/python3.11 \
	/usr/lib/llvm-14/bin/clang-format; do
	snap "${p##*/}" "$p"
done
same "ls -la" "$TMP/none" inherit /usr/bin/ls "$TMP/img/ls" -la /usr/share/doc/bash
same "ls of a missing file (exit 2)" "$TMP/none" inherit /usr/bin/ls "$TMP/img/ls" /nonexistent
same "cat, stdin" "$TMP/in" inherit /usr/bin/cat "$TMP/img/cat"
same "cat, empty env" "$TMP/in" empty /usr/bin/cat "$TMP/img/cat" -n
same "sort" "$TMP/in" inherit /usr/bin/sort "$TMP/img/sort" -r
same "bash -c" "$TMP/none" inherit /usr/bin/bash "$TMP/img/bash" -c 'echo "$0 $1 ${#BASH_VERSION}"; exit 5' x 'y z'
same "bash -c, long env" "$TMP/none" long /usr/bin/bash "$TMP/img/bash" -c 'env | wc -l'
same "perl -e" "$TMP/none" inherit /usr/bin/perl "$TMP/img/perl" -e 'print "@ARGV\n"; print STDERR "e\n"; exit 4' a 'b c'
same "perl, empty env" "$TMP/in" empty /usr/bin/perl "$TMP/img/perl" -ne 'print uc'
same "python3 -c" "$TMP/none" inherit /usr/bin/python3.11 "$TMP/img/python3.11" -c 'import sys; print(sys.argv[1:], sys.flags.optimize); sys.exit(6)' 1 2
same "python3, unicode stdin" "$TMP/in" inherit /usr/bin/python3.11 "$TMP/img/python3.11" -c 'import sys; print(sys.stdin.read().upper())'
printf 'int  main( ){ if(x){return 0;} }\n' > "$TMP/x.cpp"
cf=/usr/lib/llvm-14/bin/clang-format
same "clang-format, a C++ file on stdin" "$TMP/x.cpp" inherit "$cf" "$TMP/img/clang-format"
same "clang-format --version" "$TMP/none" inherit "$cf" "$TMP/img/clang-format" --version

# 1000 runs in a row: no fallback (an address collision would say so)
fallbacks=0
for i in $(seq 1000); do
	"$TMP/img/show" --exit 0 > /dev/null 2> "$TMP/e" || fallbacks=$((fallbacks + 1000))
	grep -q '^resident:' "$TMP/e" && fallbacks=$((fallbacks + 1))
done
is "$fallbacks" 0 "1000 runs in a row, none fell back"
unset RESIDENT_DEBUG

# resident cost sees an image for what it is: the loader and saved pages as
# the image role, the program's own mappings as text
"$RESIDENT" snap -o "$TMP/img/dirty" "$PROGS/dirty" > /dev/null
"$PROGS/spawn" -n 3 "$TMP/img/dirty" --heap 5 -- "$RESIDENT" cost --json -p dirty > "$TMP/j"
p='.programs[] | select(.exe | endswith("/img/dirty"))'
is "$(jq "$p | .instances" "$TMP/j")" 3 "cost: three image instances grouped"
ok $(jq -e "$p | .roles.image.maps >= 5 and .roles.text.maps >= 2 and .roles.ldso.maps >= 2" "$TMP/j" > /dev/null; echo $?) \
	"cost: loader and saved pages in the image role, the program's own maps as text, ld.so as ld.so"
is "$(jq "$p | .roles.heap.own_kb" "$TMP/j")" 20 "cost: the restored program's heap is its own (5 pages)"
# sharing: with 50 instances, an image page is private only where written
"$PROGS/spawn" -n 50 "$TMP/img/dirty" -- "$RESIDENT" cost --json -p dirty > "$TMP/j"
jq -e "$p | .roles.image | .private_clean_kb == 0 and .private_dirty_kb == .anonymous_kb and .shared_clean_kb > .private_dirty_kb" "$TMP/j" > /dev/null
ok $? "50 instances: saved pages read-only are shared; the only private ones are copies written ($(jq -c "$p | .roles.image | {private_dirty_kb, anonymous_kb, shared_clean_kb}" "$TMP/j"))"
