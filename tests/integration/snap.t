#!/bin/bash
# snap.t: what snap refuses and why; images written atomically, mode 0755;
# the image directory, where programs that find their data through
# /proc/self/exe still find it; inspect, ls and check.
. "$(dirname "$0")/tap.sh"
plan 29
SRC=${SRC:-$(cd "$(dirname "$0")/../progs" && pwd)}
refuse() { # label expected-message-part program
	"$RESIDENT" snap -o "$TMP/r.img" "$3" > /dev/null 2> "$TMP/e"
	local rc=$?
	[ $rc = 2 ] && grep -q -- "$2" "$TMP/e" && [ "$(wc -l < "$TMP/e")" = 1 ] && [ ! -e "$TMP/r.img" ]
	ok $? "refuses $1 (exit $rc): $(cat "$TMP/e")"
}
cc -static -O2 -D_GNU_SOURCE -o "$TMP/static" "$SRC/show.c"
refuse "a static program" "statically linked" "$TMP/static"
cp "$PROGS/show" "$TMP/suid" && chmod u+s "$TMP/suid"
refuse "a set-user-ID program" "set-user-ID" "$TMP/suid"
cp "$PROGS/show" "$TMP/caps" && setcap cap_net_raw+ep "$TMP/caps" 2> /dev/null ||
	python3 -c 'import os,sys; os.setxattr(sys.argv[1], "security.capability", bytes([1,0,0,2,0x20,0,0,0,0x20,0,0,0,0,0,0,0,0,0,0,0]))' "$TMP/caps"
refuse "a program with file capabilities" "file capabilities" "$TMP/caps"
printf '#!/usr/bin/perl -w\nprint 1;\n' > "$TMP/script" && chmod +x "$TMP/script"
refuse "a script, naming its interpreter" "snap its interpreter (/usr/bin/perl)" "$TMP/script"
cp "$PROGS/show" "$TMP/arm" && printf '\xb7\x00' | dd of="$TMP/arm" bs=1 seek=18 conv=notrunc 2> /dev/null
refuse "a non-x86_64 ELF" "not an x86_64 ELF" "$TMP/arm"
printf 'hello\n' > "$TMP/text" && chmod +x "$TMP/text"
refuse "a file that is not ELF" "not an ELF" "$TMP/text"
refuse "a program that does not exist" "No such file" "$TMP/nowhere"
"$RESIDENT" snap -o "$TMP/no/such/dir/img" "$PROGS/show" 2> "$TMP/e"
is "$?:$(wc -l < "$TMP/e")" "4:1" "an output directory that does not exist: exit 4, one line"

# atomic, 0755 whatever the umask, no temporary left
(umask 0; "$RESIDENT" snap -o "$TMP/out/show" "$PROGS/show" > /dev/null 2>&1) || true
mkdir -p "$TMP/out"
(umask 0; "$RESIDENT" snap -o "$TMP/out/show" "$PROGS/show" > /dev/null)
is "$(stat -c %a "$TMP/out/show")" 755 "written mode 0755 under umask 0"
is "$(ls "$TMP/out")" show "no temporary file beside it"
cp "$TMP/out/show" "$TMP/before"
setpriv --reuid=nobody --regid=nogroup --clear-groups true	# keep setpriv warm
"$RESIDENT" snap -o "$TMP/out/show" "$TMP/text" 2> /dev/null
cmp -s "$TMP/out/show" "$TMP/before"; ok $? "a failed snap leaves the old image as it was"

# as an ordinary user
mkdir "$TMP/nobody" && chmod 777 "$TMP/nobody" && chmod 755 "$TMP"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$RESIDENT" snap -o "$TMP/nobody/show" "$PROGS/show" > /dev/null
ok $? "an ordinary user snaps a program"
out=$(RESIDENT_DEBUG=1 setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/nobody/show" x 2>&1 | grep -c -e '^argv\[1\]=<x>' -e '^resident:')
is "$out" 1 "and runs the image, restored"

# the image directory and programs that find their data through their exe
mkdir -p "$TMP/prefix/bin" "$TMP/prefix/share/finddata"
cp "$PROGS/finddata" "$TMP/prefix/bin/" && echo "found me" > "$TMP/prefix/share/finddata/data"
export XDG_DATA_HOME=$TMP/xdg
"$RESIDENT" snap "$TMP/prefix/bin/finddata" > "$TMP/o"
ok $? "snap without -o writes into the image directory"
is "$(readlink "$TMP/xdg/resident/bin/finddata")" "../root$TMP/prefix/bin/finddata" "bin/finddata links to the image in the mirrored prefix"
is "$(RESIDENT_DEBUG=1 "$TMP/xdg/resident/bin/finddata" 2>&1)" "data: found me" "the program finds its data relative to /proc/self/exe, from the image"
is "$(PATH=$TMP/xdg/resident/bin:$PATH RESIDENT_DEBUG=1 finddata 2>&1)" "data: found me" "and through PATH"
"$RESIDENT" snap "$PROGS/show" > /dev/null
"$RESIDENT" ls > "$TMP/ls"
is "$?" 0 "ls: exit 0 when every image is current"
grep -Eq "^finddata +current +$TMP/prefix/bin/finddata\$" "$TMP/ls"; ok $? "ls lists finddata as current"
touch "$TMP/prefix/bin/finddata"
"$RESIDENT" ls > "$TMP/ls"
is "$?" 1 "ls: exit 1 once an image is stale"
grep -Eq "^finddata +stale +$TMP/prefix/bin/finddata: a file it depends on changed: $TMP/prefix/bin/finddata\$" "$TMP/ls"; ok $? "ls says which, why, and the file that changed"
unset XDG_DATA_HOME

# inspect
"$RESIDENT" inspect "$TMP/out/show" > "$TMP/i"
is "$?" 0 "inspect: exit 0 for a current image"
grep -q "^program  $PROGS/show\$" "$TMP/i" && grep -q "current  mapped /lib/x86_64-linux-gnu/libc.so.6" "$TMP/i"
ok $? "inspect names the program and its files, current"
"$RESIDENT" inspect --json "$TMP/out/show" | jq -e '.current and .state == "current" and (.maps | map(select(.kind == "file")) | length > 3) and ([.deps[] | select(.kind == "mapped")] | length == 3)' > /dev/null
ok $? "inspect --json: current, maps from files, three files mapped"
head -c 30000 "$TMP/out/show" > "$TMP/trunc"
"$RESIDENT" inspect "$TMP/trunc" 2> "$TMP/e"
is "$?:$(sed 's/maps [0-9]*)$/maps N)/' "$TMP/e")" "4:resident: $TMP/trunc: truncated image (30000 bytes, its loader maps N)" "inspect of a truncated image: exit 4, one line with the sizes"

# check
mkdir "$TMP/scratch"
TMPDIR=$TMP/scratch "$RESIDENT" check "$PROGS/show" -- a 'b c' > "$TMP/c"
is "$?" 0 "check: same output, exit 0"
is "$(ls -A "$TMP/scratch")" "" "check leaves nothing in \$TMPDIR"
grep -q "restored" "$TMP/c"; ok $? "check says the image restored"
echo piped | "$RESIDENT" check /usr/bin/cat > "$TMP/c"
is "$?:$(grep -c "stdout 6 bytes" "$TMP/c")" "0:2" "check feeds the same stdin to both"
