#!/bin/sh
# programs.t: real Debian programs, running: their roles add up to what the
# kernel's own smaps_rollup says, and each library lands in the right role.
. "$(dirname "$0")/tap.sh"
plan 23
pids=
# an asynchronous command's stdin is /dev/null unless redirected inside it
start() { "$@" <&9 & pids="$pids $!"; }
trap 'kill $pids 2> /dev/null; rm -rf "$TMP"' EXIT
mkfifo "$TMP/in"
exec 9<> "$TMP/in"	# a stdin that never ends: readers wait on it
start /usr/bin/python3 -c 'import sys; sys.stdin.read()'
start /usr/bin/perl -e '<STDIN>'
start /bin/bash -c 'read x'
start /bin/cat
start /usr/bin/clang-format
sleep 1
"$RESIDENT" cost --json --libs --per-process $pids > "$TMP/j"
is "$?" 0 "all five read"
for pid in $pids; do
	exe=$(readlink /proc/$pid/exe)
	p=".per_process[] | select(.pid == $pid)"
	name=$(basename "$exe")
	rollup=$(awk '$1 == "Rss:" { print $2 }' /proc/$pid/smaps_rollup)
	within "$(jq "$p | .memory.rss_kb" "$TMP/j")" "$rollup" 16 "$name: Rss as smaps_rollup says ($rollup kB)"
	within "$(jq "$p | [.roles[].rss_kb] | add" "$TMP/j")" "$(jq "$p | .memory.rss_kb" "$TMP/j")" 0.5 \
		"$name: roles add up to its Rss"
	ok $(jq -e "$p | .roles.ldso.maps >= 1 and .roles.libc.maps >= 1 and .roles.text.maps >= 1 and .roles.stack.maps == 1" \
		"$TMP/j" > /dev/null; echo $?) "$name: ld.so, libc, text and one stack"
done
lib() { # program-basename library-substring
	jq -e --arg p "$1" --arg l "$2" \
		'.programs[] | select(.exe | endswith("/" + $p)) | .libs | map(.path) | any(contains($l))' "$TMP/j" > /dev/null
}
lib python3.11 libexpat; ok $? "python3: libexpat among its libraries"
lib perl libm.so; ok $? "perl: libm among its libraries (Debian builds libperl in)"
lib bash libtinfo; ok $? "bash: libtinfo among its libraries"
lib clang-format libclang-cpp; ok $? "clang-format: libclang-cpp among its libraries"
ok $(jq -e '.programs[] | select(.exe | endswith("/clang-format")) | .roles.libs.rss_kb > .roles.libc.rss_kb' "$TMP/j" > /dev/null; echo $?) \
	"clang-format: its C++ libraries outweigh libc"
lib cat libc.so.6; ok $? "cat: libc.so.6 listed with --libs"
ok $(jq -e '.programs[] | select(.exe == "/usr/bin/cat") | .roles.libs.maps == 0' "$TMP/j" > /dev/null; echo $?) \
	"cat: no other shared library"
