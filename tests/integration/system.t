#!/bin/bash
# system.t: system images (snap --system). The saved pages live in a
# sidecar, so that once the loader is gone nothing maps the image: a user
# with CAP_CHECKPOINT_RESTORE (root) then gets /proc/self/exe naming the
# original program; an ordinary user gets a working image that keeps its
# own name (and the mirrored prefix of the system image directory).
. "$(dirname "$0")/tap.sh"
plan 21
as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }
chmod 755 "$TMP"
mkdir -p "$TMP/prefix/bin" "$TMP/prefix/share/finddata" "$TMP/sys"
cp "$PROGS/finddata" "$TMP/prefix/bin/" && echo "found me" > "$TMP/prefix/share/finddata/data"

# the files: the image and its sidecar, nothing else
(umask 0; "$RESIDENT" snap --system -o "$TMP/sys/finddata" "$TMP/prefix/bin/finddata" > /dev/null)
ok $? "snap --system"
side=$(ls "$TMP"/sys/.finddata.??????.resident-pages)
is "$(ls -A "$TMP/sys" | sed 's/^\.finddata\.[a-zA-Z0-9]\{6\}\./.finddata.X./' | LC_ALL=C sort | tr '\n' ' ')" ".finddata.X.resident-pages .finddata.resident-lock finddata " "an image, its sidecar (a name of its own) and its lock, no temporary left"
is "$(stat -c %a "$TMP/sys/finddata"):$(stat -c %a "$side")" "755:444" "modes 0755 and 0444 under umask 0 (the program's own, read-only for the sidecar)"
"$RESIDENT" inspect --json "$TMP/sys/finddata" | jq -e --arg p "$side" \
	'.current and .pages_file == $p and .saved_bytes > 0 and (.deps | map(select(.kind == "mapped")) | map(.path) | index($p) != null)' > /dev/null
ok $? "inspect: the sidecar is a dependency, and holds the saved pages"

# root: /proc/self/exe names the original, so its data is found from anywhere
is "$(RESIDENT_DEBUG=1 "$TMP/sys/finddata" --exe 2>&1)" "exe: $TMP/prefix/bin/finddata
data: found me" "as root: /proc/self/exe names the original program; the data is found; no fallback"
# an ordinary user: the image runs, under its own name
is "$(RESIDENT_DEBUG=1 as_nobody "$TMP/sys/finddata" --exe 2>&1 | head -1)" "exe: $TMP/sys/finddata" \
	"as nobody: restored, /proc/self/exe names the image"
# ... and the system image directory mirrors the prefix, as the user's does
RESIDENT_SYSTEM_DIR=$TMP/sysdir "$RESIDENT" snap --system "$TMP/prefix/bin/finddata" > /dev/null
ok $? "snap --system without -o writes into \$RESIDENT_SYSTEM_DIR"
is "$(RESIDENT_DEBUG=1 as_nobody "$TMP/sysdir/bin/finddata" 2>&1)" "data: found me" "as nobody, from the system image directory: the data is found"
RESIDENT_SYSTEM_DIR=$TMP/sysdir "$RESIDENT" ls --system > "$TMP/ls"
is "$?:$(awk '{print $1, $2}' "$TMP/ls")" "0:finddata current" "ls --system lists it, current"

# a running instance of a Debian program: what the kernel says
"$RESIDENT" snap --system -o "$TMP/sys/cat" /usr/bin/cat > /dev/null
ok $? "snap --system /usr/bin/cat"
look() { # RUNNER...: start cat under the runner, keep /proc/PID/exe and maps
	mkfifo "$TMP/fifo"
	"$@" "$TMP/sys/cat" < "$TMP/fifo" > "$TMP/catout" &
	local pid=$!
	exec 7> "$TMP/fifo"
	for _ in $(seq 100); do [ "$(readlink /proc/$pid/exe)" != "$TMP/sys/cat" ] || grep -q resident-pages /proc/$pid/maps && break; sleep 0.02; done
	readlink /proc/$pid/exe > "$TMP/exe"
	cat /proc/$pid/maps > "$TMP/maps"
	"$RESIDENT" cost --json $pid > "$TMP/cost.json"
	echo "through the pipe" >&7
	exec 7>&-
	wait $pid
	echo $? > "$TMP/rc"
	rm -f "$TMP/fifo"
}
look env
is "$(cat "$TMP/exe")" /usr/bin/cat "as root: /proc/PID/exe of a running instance is /usr/bin/cat"
grep -q " $TMP/sys/cat\$" "$TMP/maps"; is "$?" 1 "nothing maps the image file"
grep -q "/.cat.[a-zA-Z0-9]*.resident-pages\$" "$TMP/maps"; ok $? "the saved pages are mapped from the sidecar"
jq -e '.programs[0].roles.image.rss_kb > 0 and .programs[0].roles.image.maps > 0' "$TMP/cost.json" > /dev/null; ok $? "resident cost counts the sidecar's pages as the image role"
is "$(cat "$TMP/catout"):$(cat "$TMP/rc")" "through the pipe:0" "it copies stdin and exits 0"
look setpriv --reuid=nobody --regid=nogroup --clear-groups
is "$(cat "$TMP/exe")" "$TMP/sys/cat" "as nobody: /proc/PID/exe is the image"
is "$(cat "$TMP/catout"):$(cat "$TMP/rc")" "through the pipe:0" "and it works the same"

# the sidecar is checked like any file the image depends on
side=$(ls "$TMP"/sys/.cat.??????.resident-pages)
cp -p "$side" "$TMP/pages.bak"
printf 'x' | dd of="$side" bs=1 seek=100 conv=notrunc 2> /dev/null
out=$(echo piped | RESIDENT_DEBUG=1 "$TMP/sys/cat" 2> "$TMP/e")
is "$out:$(cat "$TMP/e")" "piped:resident: $TMP/sys/cat: a file it depends on changed ($side): running /usr/bin/cat" \
	"a rewritten sidecar: the original runs, with the reason"
rm "$side"
out=$(echo piped | RESIDENT_DEBUG=1 "$TMP/sys/cat" 2> "$TMP/e")
is "$out:$(cat "$TMP/e")" "piped:resident: $TMP/sys/cat: a file it depends on is gone ($side): running /usr/bin/cat" \
	"a removed sidecar: the original runs, with the reason"
"$RESIDENT" inspect "$TMP/sys/cat" > /dev/null
is "$?" 1 "inspect: exit 1, stale"
# the same program through resident check: identical, restored
echo "same bytes" | "$RESIDENT" check --system /usr/bin/cat > "$TMP/c"
is "$?:$(grep -c restored "$TMP/c")" "0:1" "check --system: the same output, restored"
