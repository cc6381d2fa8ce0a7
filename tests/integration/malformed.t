#!/bin/sh
# malformed.t: a copy of /proc (--proc DIR) holding one real process and
# malformed files beside it: each bad file is skipped with a one-line
# warning naming it, the good process is still reported, nothing crashes.
. "$(dirname "$0")/tap.sh"
plan 13
fx=$(cd "$(dirname "$0")/../fixtures" && pwd)
root=$TMP/proc
mkdir -p "$root"
cp /proc/meminfo /proc/loadavg "$root/"
# 100: a real running instance, copied whole
"$PROGS/spawn" -n 1 "$PROGS/dirty" --heap 3 -- sh -c "
	mkdir '$root/100' && cp /proc/\$1/status /proc/\$1/smaps '$root/100/' &&
	ln -s \"\$(readlink /proc/\$1/exe)\" '$root/100/exe'" sh
# 101: real status, malformed smaps
mkdir "$root/101" && cp "$root/100/status" "$root/101/" && cp "$fx/smaps/bad-number.txt" "$root/101/smaps"
# 102: malformed status
mkdir "$root/102" && cp "$fx/status/bad-threads.txt" "$root/102/status"
# 103: status but no smaps: it exited between the two reads
mkdir "$root/103" && cp "$root/100/status" "$root/103/"
# 104: a real kernel thread's status
kt=$(grep -l '^Kthread:[[:space:]]*1' /proc/[0-9]*/status 2>/dev/null | head -n 1)
mkdir "$root/104" && cp "$kt" "$root/104/status"
# 105: a huge value in smaps
mkdir "$root/105" && cp "$root/100/status" "$root/105/" && cp "$fx/smaps/huge-value.txt" "$root/105/smaps"

"$RESIDENT" cost --proc "$root" --json > "$TMP/j" 2> "$TMP/err"
is "$?" 1 "exit 1: some processes could not be read"
jq -e . "$TMP/j" > /dev/null; ok $? "the JSON is whole"
is "$(jq -c '[.processes.read, .processes.malformed, .processes.gone, .processes.kernel_threads]' "$TMP/j")" \
	"[1,3,1,1]" "1 read, 3 malformed, 1 gone, 1 kernel thread"
is "$(jq '.programs[0].roles.heap.own_kb' "$TMP/j")" 12 "the good process is reported in full (heap 12 kB)"
grep -qx "resident: warning: /proc/101/smaps: line 3: bad number: process skipped" "$TMP/err"
ok $? "bad number: one line naming file, line and reason"
grep -qx "resident: warning: /proc/102/status: line 2: bad number: process skipped" "$TMP/err"
ok $? "bad status: one line naming it"
grep -qx "resident: warning: /proc/105/smaps: line 2: number too large: process skipped" "$TMP/err"
ok $? "huge value: one line naming it"
is "$(wc -l < "$TMP/err")" 3 "three warnings, nothing else"
is "$(jq -r '[.unreadable[] | .state] | unique | join(",")' "$TMP/j")" malformed "listed as malformed"
# a task count no kernel has (loadavg's "running/total" near 2^63): refused,
# THREAD_SIZE falls back to its default, no arithmetic on it overflows
cp "$root/loadavg" "$TMP/loadavg.good"
cp "$fx/loadavg/huge-tasks.txt" "$root/loadavg"
"$RESIDENT" cost --proc "$root" --json > "$TMP/j" 2> "$TMP/err"
is "$?:$(jq -r .host.thread_size_from "$TMP/j")" "1:default" "huge task count in loadavg: refused, THREAD_SIZE by default"
is "$(grep -c -v '^resident: warning: /proc/10[125]/' "$TMP/err")" 0 "and nothing but the three warnings (no UBSan report)"
grep -v '^resident: warning: /proc/10[125]/' "$TMP/err" | head -n 3 | while read -r l; do diag "$l"; done
cp "$TMP/loadavg.good" "$root/loadavg"
# a malformed meminfo: the report goes on without machine figures
printf 'MemTotal 1\n' > "$root/meminfo"
"$RESIDENT" cost --proc "$root" > /dev/null 2>&1
is "$?" 1 "malformed meminfo: still a report"
"$RESIDENT" cost --proc "$TMP/nowhere" 2> "$TMP/err"
is "$?:$(cat "$TMP/err")" "4:resident: $TMP/nowhere: No such file or directory" "a missing proc root: exit 4, one line"
