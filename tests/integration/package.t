#!/bin/sh
# package.t: resident as a Debian package.  dpkg-buildpackage -b -us -uc on
# a copy of the tree; lintian accepts the .deb (no error, no warning); it
# holds the binary, man pages, completion, hooks and unit; installed (in
# overlays of /usr, /etc and /var), its hook refreshes an enabled program
# after an upgrade; removed, it gives every enabled program its original
# back and leaves no hook, diversion or file.
. "$(dirname "$0")/tap.sh"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP package operations: run as root"
	exit 0
fi
if ! command -v dpkg-buildpackage > /dev/null || ! command -v dh > /dev/null || ! command -v lintian > /dev/null; then
	echo "1..0 # SKIP dpkg-dev, debhelper and lintian are needed (make deps)"
	exit 0
fi
plan 8
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir "$TMP/src"
(cd "$top" && git ls-files -z 2> /dev/null | xargs -0 tar -cf - 2> /dev/null || tar -cf - --exclude=./build --exclude=./resident .) | tar -xf - -C "$TMP/src"
(cd "$TMP/src" && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -b -us -uc) > "$TMP/build.log" 2>&1
ok $? "dpkg-buildpackage -b -us -uc ($(tail -1 "$TMP/build.log"))"
deb=$TMP/resident_0.1_amd64.deb
lintian --tag-display-limit 0 "$deb" > "$TMP/lintian" 2>&1
is "$?:$(grep -c '^[EW]:' "$TMP/lintian")" "0:0" "lintian: no error or warning ($(grep -v '^N:' "$TMP/lintian" | head -3 | tr '\n' ' '))"
dpkg-deb -c "$deb" | awk '{print $6}' > "$TMP/files"
n=0
for f in ./usr/bin/resident ./usr/share/man/man1/resident-enable.1.gz ./usr/share/bash-completion/completions/resident \
	./etc/dpkg/dpkg.cfg.d/resident ./etc/apt/apt.conf.d/80resident ./usr/lib/systemd/system/resident-refresh.service \
	./usr/lib/systemd/system/resident-cost.service ./usr/lib/systemd/system/resident-cost.timer ./usr/share/doc/resident/cost.md; do
	grep -qx "$f" "$TMP/files" && n=$((n + 1))
done
is "$n" 9 "the binary, man pages, completion, dpkg and apt hooks, refresh unit, cost collector service and timer, docs"
# every file a man page points to is in the package, by that name
named=$(cat "$top"/man/*.1 | grep -o '/usr/share/doc/resident/[a-z]*\.md' | sort -u)
missing=$(for f in $named; do grep -qx ".$f" "$TMP/files" || echo "$f"; done)
is "$(echo "$named" | wc -w):$missing" "3:" "the docs the man pages name are installed where they say ($(echo $named))"
sh "$top/tests/pkg/build.sh" "$TMP" > /dev/null
cat > "$TMP/inner.sh" <<'EOF_INNER'
cd "$TMP"
dpkg -i resident_0.1_amd64.deb > /dev/null 2>&1
echo "1 $(dpkg-query -W -f='${Status}' resident) $(dpkg-query --control-show resident conffiles | tr '\n' ' ')"
dpkg -i resident-probe_1.deb > /dev/null && resident enable resident-probe > /dev/null
dpkg -i resident-probe_2.deb > /dev/null 2>&1
echo "2 $(RESIDENT_DEBUG=2 resident-probe 2>&1 | tr '\n' ' ')"
dpkg -r resident > /dev/null 2>&1
echo "3 $(RESIDENT_DEBUG=2 resident-probe 2>&1 | tr '\n' ' ')$(ls -A /usr/bin | grep -c 'resident-orig\|^resident$') $(dpkg-divert --list | grep -c resident)"
dpkg --purge resident > /dev/null 2>&1
echo "4 $(dpkg -V resident-probe; echo $?) $(dpkg-query -W resident > /dev/null 2>&1; echo $?) $(ls /etc/dpkg/dpkg.cfg.d /etc/apt/apt.conf.d | grep -c resident)"
EOF_INNER
TMP=$TMP in_system_sandbox ". $TMP/inner.sh" > "$TMP/out" 2> "$TMP/err"
got() { sed -n "s/^$1 //p" "$TMP/out"; }
is "$(got 1)" "install ok installed /etc/apt/apt.conf.d/80resident /etc/dpkg/dpkg.cfg.d/resident " "installed; the hooks are conffiles"
is "$(got 2)" "resident: /usr/bin/resident-probe: restored (layout 1) resident-probe 2 " "the package's dpkg hook: an enabled program upgraded, captured again, restored"
is "$(got 3)" "resident-probe 2 0 0" "resident removed: the program's original back, no binary, no diversion (the hooks, conffiles, do nothing without it)"
is "$(got 4)" "0 1 0" "purged: dpkg -V of the program clean, resident unknown to dpkg, no hook left"
if [ -s "$TMP/err" ]; then diag "$(head -5 "$TMP/err")"; fi
