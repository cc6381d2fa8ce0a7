#!/bin/bash
# prefault.t: snap --prefault runs the image once with the arguments given
# and keeps what it had mapped at its exit; each start then populates those
# ranges in a few madvise calls instead of taking a page fault each (issue
# 14's levers).  The image still runs as the program does; a training run
# that cannot be read (it execs) leaves an image without the table, said.
. "$(dirname "$0")/tap.sh"
plan 10
cd "$TMP" || exit 1
mkdir img
"$RESIDENT" snap --prefault -o img/perl /usr/bin/perl -- -e 'print "trained\n"' > out 2> err
is "$?:$(cat err)" "0:" "snap --prefault perl -- -e ...: written, nothing said"
"$RESIDENT" inspect img/perl > out
grep -Eq "^prefault [1-9][0-9]* ranges, [1-9][0-9]* pages" out; ok $? "inspect: $(grep prefault out)"
"$RESIDENT" check --image img/perl /usr/bin/perl -- -e 'print join(",", map { $_ * 2 } 1..5), "\n"' > out 2>&1
is "$?:$(grep -c restored out)" "0:1" "the prefaulted image runs another script as perl does"
"$RESIDENT" snap -o img/perl-plain /usr/bin/perl > /dev/null
f_plain=$(perf stat -x, -e page-faults img/perl-plain -e 1 2>&1 > /dev/null | cut -d, -f1)
f_img=$(perf stat -x, -e page-faults img/perl -e 1 2>&1 > /dev/null | cut -d, -f1)
if [ -n "$f_plain" ] && [ "$f_plain" -gt 0 ] 2>/dev/null; then
	ok $(( f_img * 3 < f_plain * 2 ? 0 : 1 )) \
		"page faults of one start: $f_img prefaulted, $f_plain from the image without the table"
else
	skip "no perf page-fault counts here"
fi
# a fixed environment, as afterinit.t says why
env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 TERM=xterm USER=root \
	"$RESIDENT" snap --after-init --prefault -o img/clang-format /usr/bin/clang-format -- --version > /dev/null 2> err
is "$?:$(cat err)" "0:" "--after-init --prefault together"
printf 'int  main( ) {return 0 ;}\n' > f.c
"$RESIDENT" check --image img/clang-format /usr/bin/clang-format -- f.c > out 2>&1
is "$?:$(grep -c restored out)" "0:1" "... and it formats a file as clang-format does"
# the page cache of libLLVM's and libclang-cpp's text, 2 MiB-aligned,
# read again in 2 MiB folios: the image's start maps it a PMD at a time
cc -O2 -o pagecache "$SRC/../../bench/pagecache.c"
libs=$(ldd /usr/bin/clang-format | awk '/libLLVM|libclang-cpp/ { print $3 }' | xargs readlink -f)
./pagecache huge $libs
can=$(./pagecache show $libs | grep -c ' 512: ')
./pagecache small $libs
before=$(./pagecache show $libs | grep -c ' 512: ')
env -i PATH=/usr/bin:/bin HOME=/root LANG=C.UTF-8 TERM=xterm USER=root \
	"$RESIDENT" snap --after-init --prefault -o img/clang-format /usr/bin/clang-format -- --version > /dev/null 2>&1
after=$(./pagecache show $libs | grep -c ' 512: ')
if [ "$can" = 2 ]; then
	is "$before:$after" "0:2" "snap --prefault: both libraries' text cached in 2 MiB folios ($(./pagecache show $libs | tr '\n' ' '))"
	sleep 20 | img/clang-format > /dev/null &
	sleep 1
	pmd=$(awk '/libLLVM/ && / r-xp / { on = 1; next } on && /FilePmdMapped/ { print $2; exit }' \
		/proc/$(pgrep -n -f "img/clang-format")/smaps)
	pkill -f "^sleep 20$"
	wait
	ok $(( ${pmd:-0} >= 2048 ? 0 : 1 )) "... and a start of the image maps libLLVM's text a PMD at a time ($pmd kB)"
else
	skip "this file system caches no 2 MiB folios"
	skip "... so no PMD maps"
fi
cat > daemon.c <<'EOF'
#include <unistd.h>
int main(void)
{
	if (fork() == 0) {
		setsid();
		sleep(120);	/* a daemon that left its parent's group */
		_exit(0);
	}
	usleep(200000);
	return 0;
}
EOF
cc -O1 -o daemon daemon.c
"$RESIDENT" snap --prefault -o img/daemon ./daemon -- > /dev/null 2>&1
sleep 0.3
is "$(pgrep -f "$TMP/daemon" | wc -l)" "0" "what the training run starts and leaves (setsid) is killed with it (the second review)"
"$RESIDENT" snap --prefault -o img/env /usr/bin/env -- true > /dev/null 2> err
is "$?:$(grep -c 'no prefault: the training run exec' err)" "0:1" \
	"a training run that execs another program: the image is made without the table, and snap says why"
