#!/bin/sh
# imgdir.t: the user's image directory, finished: a command snapped by a
# symlinked name gets that name; two programs of one name from different
# directories never replace each other; snap says where the image went and
# the PATH line; rm takes an image away whole; ls --json with sizes.
. "$(dirname "$0")/tap.sh"
plan 14
export XDG_DATA_HOME="$TMP/xdg"
cd "$TMP" || exit 1
B=$XDG_DATA_HOME/resident/bin
# python3 is a link to python3.11: the image is bin/python3, run through it
"$RESIDENT" snap /usr/bin/python3 > out 2> err
is "$?:$(readlink "$B/python3")" "0:../root/usr/bin/python3" "snap /usr/bin/python3 (a link to python3.11): bin/python3"
is "$(sed -n 2,3p out)" "to run it by its name, put its directory first in PATH:
  export PATH=\"$B:\$PATH\"" "snap says where the image went, and the PATH line that makes the shell use it"
is "$(PATH=$B:$PATH RESIDENT_DEBUG=2 python3 -c 'print(6 * 7)' 2>&1)" "resident: $B/python3: restored (layout 1)
42" "python3 by its name: the image, restored"
PATH=$B:$PATH "$RESIDENT" snap /usr/bin/python3 > out
is "$(wc -l < out)" 1 "with bin/ in PATH already: no PATH line"
# another python3, elsewhere: refused before any capture
mkdir other && cp /usr/bin/true other/python3
"$RESIDENT" snap other/python3 > out 2> err
is "$?:$(cat err)" "2:resident: $TMP/other/python3: $B/python3 is the image of another python3 (/usr/bin/python3): not replaced (resident rm python3 first, or snap -o)" \
	"a program of the same name from another directory: refused, one line, exit 2"
is "$(readlink "$B/python3")" "../root/usr/bin/python3" "and bin/python3 is still the first one's"
# ls --json: name, program, state, size (with a system image's sidecar)
"$RESIDENT" snap --system -o "$TMP/sys-cat" /usr/bin/cat > /dev/null
"$RESIDENT" ls --json > ls.json
is "$(jq -c '[.images[] | [.name, .program, .state, (.size_bytes > 100000)]]' ls.json)" '[["python3","/usr/bin/python3","current",true]]' \
	"ls --json: each image's name, program, state and size"
is "$(jq '.images[0].size_bytes' ls.json)" "$(stat -c %s "$XDG_DATA_HOME/resident/root/usr/bin/python3")" "its size is the image's"
# rm: whole, and only images
"$RESIDENT" rm python3 > out
is "$?:$(cat out):$(ls -A "$B" | wc -l):$(ls -A "$XDG_DATA_HOME/resident/root/usr/bin" | wc -l)" \
	"0:$XDG_DATA_HOME/resident/root/usr/bin/python3: removed:0:0" "rm NAME: the image, its lock and bin/NAME gone"
"$RESIDENT" rm "$TMP/sys-cat" > /dev/null
is "$?:$(ls -A "$TMP" | grep -c sys-cat)" "0:0" "rm IMAGE of a system image: its sidecar and lock gone too"
cp /usr/bin/true notimg
"$RESIDENT" rm notimg 2> err
is "$?:$(cat err):$(test -f notimg && echo kept)" "2:resident: notimg: No such file or directory:kept" "rm NAME not in the image directory: one line, exit 2"
"$RESIDENT" rm ./notimg 2> err
is "$?:$(cat err):$(test -f notimg && echo kept)" "2:resident: $TMP/notimg: not an image (or a damaged one): not removed:kept" \
	"rm of a file that is not an image: refused, the file kept"
# refresh, as an ordinary user: a stale image of the image directory is
# captured again, a current one left alone
chmod 755 "$TMP"
mkdir -m 777 "$TMP/nob"
cat > "$TMP/nob/v.c" <<'EOC'
#include <stdio.h>
int main(void) { puts(V); return 0; }
EOC
nob() { setpriv --reuid=nobody --regid=nogroup --clear-groups env XDG_DATA_HOME="$TMP/nob/xdg" "$@"; }
nob cc -DV='"one"' -o "$TMP/nob/v" "$TMP/nob/v.c" && nob "$RESIDENT" snap "$TMP/nob/v" > /dev/null
nob "$RESIDENT" refresh > out
is "$?:$(cat out)" "0:$TMP/nob/xdg/resident/root$TMP/nob/v: current" "refresh as nobody: a current image left alone"
nob cc -DV='"two"' -o "$TMP/nob/v.new" "$TMP/nob/v.c" && mv "$TMP/nob/v.new" "$TMP/nob/v"
nob "$RESIDENT" refresh -q > out
is "$?:$(cat out):$(RESIDENT_DEBUG=2 "$TMP/nob/xdg/resident/bin/v" 2>&1 | tr '\n' ' ')" \
	"0:$TMP/nob/xdg/resident/root$TMP/nob/v: captured again:resident: $TMP/nob/xdg/resident/bin/v: restored (layout 1) two " \
	"the program rebuilt: refresh -q captures it again, and says so; the image restores the new one"
