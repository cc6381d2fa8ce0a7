#!/bin/sh
# enable.t: images as a system facility, through package operations.  Two
# versions of a throwaway package (tests/pkg), installed, enabled, upgraded
# with and without the dpkg hook, reinstalled with apt, removed, purged,
# installed again; then a real Debian package (jq, several libraries).  At
# every step: what the program prints, whether its image restored, dpkg -V,
# and what is left (files, diversions, entries).  All in a mount namespace
# whose /usr, /etc and /var are overlays: the machine never sees it.
. "$(dirname "$0")/tap.sh"
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP package operations: run as root"
	exit 0
fi
plan 47
top=$(cd "$(dirname "$0")/../.." && pwd)
sh "$top/tests/pkg/build.sh" "$TMP" || exit 1
cat > "$TMP/inner.sh" <<'EOF_INNER'
cd "$TMP"
say() { echo "$1 $2"; }
run() { RESIDENT_DEBUG=2 resident-probe 2>&1 | tr '\n' ' '; }
left() { # what enabling leaves: files beside the program, diversions, entries
	echo "$(ls -A /usr/bin | grep 'resident-probe.') $(dpkg-divert --list | grep -c resident-probe) $(grep -c . /var/lib/resident/enabled 2> /dev/null)"
}
make -s -C "$top" install PREFIX=/usr/local > /dev/null
dpkg -i resident-probe_1.deb > /dev/null
say 1 "$(run)"
"$R" enable resident-probe > /dev/null
say 2 "$? $(run)"
say 3 "$(dpkg -V resident-probe; echo $?) $(ls -A /usr/bin | grep resident-probe | tr '\n' ' ')$("$R" doctor)"
# version 2 with the hook turned off: the image falls back at once
mv /etc/dpkg/dpkg.cfg.d/resident hook.off
dpkg -i resident-probe_2.deb > /dev/null
say 4 "$(run)"
mv hook.off /etc/dpkg/dpkg.cfg.d/resident
# with the hook: dpkg's post-invoke captures it again
dpkg -i resident-probe_2.deb > hook.out 2>&1
say 5 "$(run)"
say 6 "$(grep -c 'resident-probe: captured again' hook.out) $(dpkg -V resident-probe; echo $?)"
apt-get install -y --reinstall "$TMP/resident-probe_2.deb" > apt.out 2>&1
say 7 "$? $(run)"
say 8 "$(dpkg -V resident-probe; echo $?) $("$R" doctor)"
dpkg -r resident-probe > /dev/null
say 9 "$(left) $(resident-probe 2>&1 | wc -l)"
dpkg -i resident-probe_1.deb > /dev/null
say 10 "$(run) $(left) $(dpkg -V resident-probe; echo $?)"
"$R" enable /usr/bin/resident-probe > /dev/null && dpkg --purge resident-probe > /dev/null
say 11 "$(left) $(test -e /usr/bin/resident-probe; echo $?)"
dpkg -i resident-probe_1.deb > /dev/null && "$R" enable resident-probe > /dev/null && "$R" disable resident-probe > /dev/null
say 12 "$(run) $(left) $(dpkg -V resident-probe; echo $?)"
# a real package: jq and its libraries (libjq, libonig), reinstalled by apt
"$R" enable jq > /dev/null
say 13 "$? $(echo '{"a":1}' | RESIDENT_DEBUG=2 jq -c .a 2>&1 | tr '\n' ' ')"
if apt-get install -y --reinstall jq > apt-jq.out 2>&1; then
	say 14 "$(echo '{"a":1}' | RESIDENT_DEBUG=2 jq -c .a 2>&1 | tr '\n' ' ')$("$R" inspect /usr/bin/jq | sed -n 's/^state *//p')"
else
	say 14 "skip $(tail -1 apt-jq.out)"
fi
say 15 "$(dpkg -V jq; echo $?)"
"$R" disable jq > /dev/null
say 16 "$? $(ls -A /usr/bin | grep -c '^jq.') $(dpkg-divert --list | grep -c jq) $(dpkg -V jq; echo $?) $(echo '{"a":1}' | RESIDENT_DEBUG=2 jq -c .a 2>&1 | tr '\n' ' ')"
# killed after its link, before its diversion: refresh adds the diversion
# (an upgrade would write over the image) before it captures
dpkg -i resident-probe_1.deb > /dev/null
ln /usr/bin/resident-probe /usr/bin/resident-probe.resident-orig
mkdir -p /var/lib/resident && printf '/usr/bin/resident-probe\t/usr/bin/resident-probe.resident-orig\t/usr/bin/resident-probe\n' > /var/lib/resident/enabled
"$R" refresh --enabled -q > /dev/null
dpkg -i resident-probe_2.deb > /dev/null 2>&1
say 27 "$(dpkg-divert --list | grep -c resident-probe) $(run)"
# an exec that began before disable renamed the original back: it runs
# the original at its path again (it found the original's name gone)
# (strace holds env's exec of the image 1.5 s, after the kernel loaded it;
# the image made by the resident under test, not by the hook's)
"$R" disable resident-probe > /dev/null && "$R" enable resident-probe > /dev/null
strace -qq -o /dev/null -e trace=execve -e inject=execve:delay_exit=1500000 env RESIDENT_DEBUG=1 /usr/bin/resident-probe > ex.out 2>&1 &
sleep 0.5
"$R" disable resident-probe > /dev/null
wait $!
say 28 "$? $(tail -1 ex.out)"
# dpkg running (its frontend lock held): enable waits for it
"$R" enable resident-probe > /dev/null
"$R" disable resident-probe > /dev/null
python3 -c 'import fcntl, time; f = open("/var/lib/dpkg/lock-frontend", "w"); fcntl.lockf(f, fcntl.LOCK_EX); open("held", "w").close(); time.sleep(3)' &
holder=$!
while [ ! -e held ]; do sleep 0.05; done
"$R" enable resident-probe > /dev/null &
en=$!
sleep 1
waited=$(test -e /usr/bin/resident-probe.resident-orig; echo $?)
wait $holder
wait $en
say 29 "$waited $? $(run)"
"$R" disable resident-probe > /dev/null
# doctor: as dpkg and the loader would see it
"$R" enable resident-probe > /dev/null
say 22 "$("$R" doctor; echo $?)" | tr '\n' ' '; echo
dpkg-divert --quiet --package resident --no-rename --remove /usr/bin/resident-probe
say 23 "$("$R" doctor | grep -c 'its diversion is gone or changed: dpkg would write over the image: resident disable, then resident enable') $("$R" doctor > /dev/null; echo $?)"
dpkg-divert --quiet --package resident --no-rename --divert /usr/bin/resident-probe.resident-orig --add /usr/bin/resident-probe
echo >> /usr/bin/resident-probe.resident-orig
say 24 "$("$R" doctor | grep -c '^/usr/bin/resident-probe: /usr/bin/resident-probe.resident-orig is not what resident-probe installed: apt-get install --reinstall of the package$') $("$R" doctor | grep -c '^/usr/bin/resident-probe: stale')"
rm /usr/bin/resident-probe.resident-orig
say 26 "$("$R" doctor | grep -c '^/usr/bin/resident-probe: its original is gone: resident refresh')"
"$R" refresh --enabled -q > /dev/null
dpkg-divert --quiet --package resident --no-rename --divert /usr/bin/nothing.resident-orig --add /usr/bin/nothing
say 25 "$("$R" doctor | tr '\n' ' ')"
dpkg-divert --quiet --package resident --no-rename --remove /usr/bin/nothing
dpkg -r resident-probe > /dev/null 2>&1
# what /proc/PID/exe names for an enabled program: its own path (the image
# there), so tools that look for it by path or name find it.  sleep is
# /bin/sleep to dpkg (merged /usr): the diversion must name it so
"$R" enable sleep > /dev/null
say 17 "$? $(dpkg-divert --list | grep -c 'diversion of /bin/sleep to /bin/sleep.resident-orig by resident')"
start-stop-daemon --start --background --make-pidfile --pidfile s.pid --exec /usr/bin/sleep -- 300
sleep 0.5
pid=$(cat s.pid)
say 18 "$(readlink /proc/$pid/exe) $(pidof sleep | tr ' ' '\n' | grep -cx "$pid")"
# an instance that fell back runs the original: doctor names it
touch /usr/bin/sleep.resident-orig
sleep 30 &
fb=$!
for i in $(seq 100); do [ "$(readlink /proc/$fb/exe)" = /usr/bin/sleep.resident-orig ] && break; sleep 0.05; done
say 30 "$("$R" doctor | grep -c '^/usr/bin/sleep: 1 running instance runs its original (a fallback): tools that match /usr/bin/sleep miss it: restart them once the image is current (resident refresh)$')"
kill $fb
"$R" refresh --enabled -q > /dev/null
start-stop-daemon --stop --quiet --retry 5 --pidfile s.pid --exec /usr/bin/sleep
alive() { [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) //' "/proc/$1/stat" | cut -c1)" != Z ]; }
say 19 "$? $(alive "$pid"; echo $?)"
"$R" ls --enabled --json > ls.json
say 20 "$(jq -c '[.programs[] | [.path, .state, .diverted]]' ls.json)"
"$R" disable --all > /dev/null
say 21 "$? $(dpkg-divert --list | grep -c resident) $(ls /usr/bin | grep -c resident-orig) $(dpkg -V coreutils; echo $?)"
EOF_INNER
TMP=$TMP R=$RESIDENT top=$top in_system_sandbox ". $TMP/inner.sh" > "$TMP/out" 2> "$TMP/err"
got() { sed -n "s/^$1 //p" "$TMP/out"; }
P=/usr/bin/resident-probe
is "$(got 1)" "resident-probe 1 " "version 1 installed: it runs"
is "$(got 2)" "0 resident: $P: restored (layout 1) resident-probe 1 " "enable: every exec starts from the image"
is "$(got 3)" "0 resident-probe resident-probe.resident-orig 1 enabled, all well" \
	"dpkg -V clean; the original kept beside it, as its package installed it (doctor checks it against the md5sums: dpkg -V passes a diverted file by)"
is "$(got 4)" "resident: $P: a file it depends on changed (/usr/lib/resident-probe/libprobe.so.1): running $P.resident-orig resident-probe 2 " \
	"version 2 installed (hook off): it prints version 2 at once, by falling back"
is "$(got 5)" "resident: $P: restored (layout 1) resident-probe 2 " "dpkg's post-invoke hook captured it again: version 2, restored"
is "$(got 6)" "1 0" "the hook said so, and dpkg -V is clean"
is "$(got 7)" "0 resident: $P: restored (layout 1) resident-probe 2 " "apt-get install --reinstall: restored"
is "$(got 8)" "0 1 enabled, all well" "dpkg -V and doctor clean after apt"
is "$(got 9)" " 0 0 1" "dpkg -r: no image, original, diversion or entry left; the command is gone"
is "$(got 10)" "resident-probe 1   0 0 0" "version 1 installed again: a plain program, nothing of resident's, dpkg -V clean"
is "$(got 11)" " 0 0 1" "enabled, then dpkg --purge: nothing left"
is "$(got 12)" "resident-probe 1   0 0 0" "enabled, disabled: the original back, nothing left, dpkg -V clean"
is "$(got 13)" "0 resident: /usr/bin/jq: restored (layout 1) 1 " "jq enabled (libjq, libonig, libm, libc): restored"
case "$(got 14)" in
skip*) skip "apt-get install --reinstall jq: $(got 14)"; skip "apt-get install --reinstall jq";;
*)	is "$(got 14)" "resident: /usr/bin/jq: restored (layout 1) 1 current" "apt-get install --reinstall jq: the hook captured it again, current"
	ok 0 "(the reinstall ran)";;
esac
is "$(got 15)" "0" "dpkg -V jq clean"
is "$(got 16)" "0 0 0 0 1 " "jq disabled: no diversion or original left, dpkg -V clean, the original runs"
is "$(got 22)" "1 enabled, all well 0 " "doctor: all well, exit 0"
is "$(got 23)" "1 1" "doctor: a diversion removed behind resident's back, and what to do; exit 1"
is "$(got 24)" "1 1" "doctor: the original's bytes changed: not what its package installed (dpkg --verify passes a diverted file by), and the image stale"
is "$(got 26)" "1" "doctor: the original deleted: says so, and what to do"
is "$(got 25)" "/usr/bin/nothing: a diversion of resident's with no enabled program: dpkg-divert --package resident --no-rename --remove /usr/bin/nothing (after moving /usr/bin/nothing.resident-orig back) 0 enabled, see above " \
	"doctor: a diversion of resident's that points nowhere"
is "$(got 27)" "1 resident: /usr/bin/resident-probe: restored (layout 1) resident-probe 2 " \
	"killed between link and diversion: refresh made the diversion, so the upgrade went to the original's name (and the hook captured it)"
is "$(got 28)" "0 resident-probe 2" "an exec racing disable: the original, run at its path again (exit 0, not 127)"
is "$(got 29)" "1 0 resident: /usr/bin/resident-probe: restored (layout 1) resident-probe 2 " "enable waits while dpkg's frontend lock is held, then enables"
is "$(got 17)" "0 1" "sleep enabled: dpkg knows it as /bin/sleep, and that name is diverted"
is "$(got 18)" "/usr/bin/sleep 1" "started by start-stop-daemon --exec: restored (a fallback would name sleep.resident-orig), /proc/PID/exe names /usr/bin/sleep, pidof finds it"
is "$(got 30)" "1" "doctor: an instance that fell back (its exe the original), named, and what to do"
is "$(got 19)" "0 1" "start-stop-daemon --stop --exec /usr/bin/sleep finds it and stops it"
is "$(got 20)" '[["/usr/bin/sleep","current","/bin/sleep"]]' "ls --enabled --json: the program, its state, the name diverted"
is "$(got 21)" "0 0 0 0" "disable --all: no diversion, no original left, dpkg -V coreutils clean"

# not packaged, refused, failed, half done, as another user
cat > "$TMP/inner2.sh" <<'EOF_INNER'
cd "$TMP"
say() { echo "$1 $2"; }
id() { stat -c '%i %a %U %G %s %Y' "$1"; }
left() { echo "$(ls -A /usr/local/bin | grep -c 'resident-') $(grep -c . /var/lib/resident/enabled 2> /dev/null)"; }
cp /usr/bin/true /usr/local/bin/mytrue && chmod 0751 /usr/local/bin/mytrue && chgrp daemon /usr/local/bin/mytrue
before=$(id /usr/local/bin/mytrue)
"$R" enable /usr/local/bin/mytrue > out1
say 1 "$? $(cat out1) $(dpkg-divert --list | grep -c mytrue) $(RESIDENT_DEBUG=2 mytrue 2>&1)"
"$R" enable mytrue > out2
say 2 "$? $(cat out2)"
"$R" disable mytrue > /dev/null
say 3 "$? $(left) $([ "$(id /usr/local/bin/mytrue)" = "$before" ] && echo same)"
# a static program: refused, nothing changed
cp /usr/bin/true /usr/local/bin/st && printf 'int main(void) { return 0; }\n' > st.c && cc -static -o /usr/local/bin/st st.c 2> /dev/null || cp "$(command -v busybox || echo /bin/true)" /usr/local/bin/st
before=$(id /usr/local/bin/st)
"$R" enable /usr/local/bin/st > /dev/null 2> e3
say 4 "$? $(wc -l < e3) $(left) $([ "$(id /usr/local/bin/st)" = "$before" ] && echo same)"
# a capture that fails (a resolver that asks for its uid): undone
cat > r.c <<'EOF'
#include <unistd.h>
static int impl(void) { return 0; }
static void *resolve(void) { if (getuid() == 12345) (void)0; return (void *)impl; }
int f(void) __attribute__((ifunc("resolve")));
int main(void) { return f(); }
EOF
cc -o /usr/local/bin/uidres r.c
before=$(id /usr/local/bin/uidres)
"$R" enable /usr/local/bin/uidres > /dev/null 2> e4
say 5 "$? $(wc -l < e4) $(left) $([ "$(id /usr/local/bin/uidres)" = "$before" ] && echo same)"
# killed after its first step (the entry and the second name made): refresh
# finishes it, or disable undoes it
ln /usr/local/bin/mytrue /usr/local/bin/mytrue.resident-orig
mkdir -p /var/lib/resident && printf '/usr/local/bin/mytrue\t/usr/local/bin/mytrue.resident-orig\t-\n' > /var/lib/resident/enabled
"$R" refresh --enabled > out6
say 6 "$? $(cat out6) $("$R" inspect /usr/local/bin/mytrue | sed -n 's/^state *//p')"
ln -f /usr/local/bin/mytrue.resident-orig /usr/local/bin/mytrue
"$R" disable /usr/local/bin/mytrue > /dev/null
say 7 "$? $(left) $("$R" ls --enabled)"
# a command reached through an alternative: enabled at the file it leads
# to; the links keep working, and a switched alternative is followed
printf '#include <stdio.h>\nint main(void) { puts(WHO); return 0; }\n' > who.c
cc -DWHO='"tool a"' -o /usr/local/bin/tool-a who.c && cc -DWHO='"tool b"' -o /usr/local/bin/tool-b who.c
update-alternatives --quiet --install /usr/local/bin/mytool mytool /usr/local/bin/tool-a 20
update-alternatives --quiet --install /usr/local/bin/mytool mytool /usr/local/bin/tool-b 10
"$R" enable mytool > out10
say 10 "$? $(cat out10) $(cut -f1 /var/lib/resident/enabled) $(RESIDENT_DEBUG=2 mytool 2>&1 | tr '\n' ' ')"
update-alternatives --quiet --set mytool /usr/local/bin/tool-b
say 11 "$(RESIDENT_DEBUG=2 mytool 2>&1 | tr '\n' ' ')"
update-alternatives --quiet --set mytool /usr/local/bin/tool-a
say 13 "$(RESIDENT_DEBUG=2 mytool 2>&1 | tr '\n' ' ')"
"$R" disable mytool > /dev/null 2>&1
say 12 "$(RESIDENT_DEBUG=2 mytool 2>&1 | tr '\n' ' ')$(cut -f1 /var/lib/resident/enabled)"
# the name a diversion moved a file to: refused (dpkg knows the file by
# its own name); disable --all goes past one it cannot undo; a blank line
# in the list is no error
cp /usr/bin/true /usr/local/bin/dv && dpkg-divert --quiet --local --rename --divert /usr/local/bin/dv.real --add /usr/local/bin/dv
"$R" enable /usr/local/bin/dv.real > /dev/null 2> e14
say 14 "$? $(cat e14)"
cp /usr/bin/true /usr/local/bin/ta && cp /usr/bin/true /usr/local/bin/tb
"$R" enable /usr/local/bin/ta /usr/local/bin/tb > /dev/null && cp /usr/bin/false /usr/local/bin/tb
echo >> /var/lib/resident/enabled
"$R" ls --enabled > /dev/null 2> e15
r15=$?
"$R" disable --all > /dev/null 2> e16
say 15 "$r15 $(wc -l < e15) $? $(wc -l < e16) $(cut -f1 /var/lib/resident/enabled | tr '\n' ' ')"
: > /var/lib/resident/enabled && rm /usr/local/bin/tb.resident-orig	# the administrator's way out
# dpkg-statoverride makes the program set-user-ID: it lands on the image,
# which falls back (AT_SECURE) to an original that is not; refresh gives
# the original the new owner and mode and disables the program
"$R" enable /usr/local/bin/mytrue > /dev/null
dpkg-statoverride --update --add root root 4755 /usr/local/bin/mytrue
"$R" refresh --enabled > out17
say 17 "$? $(cat out17) $(stat -c %a /usr/local/bin/mytrue) $("$R" inspect /usr/local/bin/mytrue > /dev/null 2>&1; echo $?) $(left)"
dpkg-statoverride --remove /usr/local/bin/mytrue
chmod 755 /usr/local/bin/mytrue
# as another user: refused in one line
setpriv --reuid=nobody --regid=nogroup --clear-groups "$R" enable /usr/local/bin/mytrue > /dev/null 2> e8
say 8 "$? $(cat e8)"
"$R" disable /usr/local/bin/mytrue > /dev/null 2> e9
say 9 "$? $(cat e9)"
EOF_INNER
TMP=$TMP R=$RESIDENT in_system_sandbox ". $TMP/inner2.sh" > "$TMP/out" 2> "$TMP/err2"
is "$(got 1)" "0 /usr/local/bin/mytrue: enabled 0 resident: /usr/local/bin/mytrue: restored (layout 1)" \
	"a program no package owns: moved aside (no diversion), restored"
is "$(got 2)" "0 mytrue: enabled already" "enabled twice: said so, exit 0"
is "$(got 3)" "0 0 0 same" "disabled: the very original back (inode, mode 0751, owner, group, size, mtime), nothing left"
is "$(got 4)" "2 1 0 0 same" "a static program: refused in one line, exit 2, nothing changed"
is "$(got 5)" "4 1 0 0 same" "a capture that fails: exit 4, one line, the program as it was, nothing left"
is "$(got 6)" "0 /usr/local/bin/mytrue: captured again current" "half enabled (killed after its first step): refresh finishes it"
is "$(got 7)" "0 0 0 no programs enabled" "half enabled: disable undoes it"
is "$(got 8)" "2 resident: enable: needs root (it replaces files of the system)" "enable as nobody: one line, exit 2"
is "$(got 9)" "2 resident: /usr/local/bin/mytrue: not enabled" "disable of a program not enabled: one line, exit 2"
is "$(got 10)" "0 mytool: enabled /usr/local/bin/tool-a resident: /usr/local/bin/mytool: restored (layout 1) tool a " \
	"a command through update-alternatives' links: enabled at the file they lead to, restored through them"
is "$(got 11)" "tool b " "the alternative switched to another program: that program runs"
is "$(got 13)" "resident: /usr/local/bin/mytool: restored (layout 1) tool a " "switched back: the image again"
is "$(got 12)" "tool a " "disabled by the alternative's name: the program itself, no entry left"
is "$(got 14)" "2 resident: /usr/local/bin/dv.real: the name a local diversion diverted a file to: not enabled (enable the file's own name)" \
	"the name a diversion moved a file to: refused, one line"
is "$(got 15)" "1 0 4 1 /usr/local/bin/tb " "a blank line in the list is no error; disable --all goes past the one it cannot undo (exit 4, one line), the others disabled"
is "$(got 17)" "0 /usr/local/bin/mytrue: its owner or mode was changed (dpkg-statoverride?): the program takes them, disabled 4755 4 0 0" \
	"dpkg-statoverride on an enabled program: refresh gives the original its mode (4755) and disables it"
if [ -s "$TMP/err2" ]; then diag "$(head -5 "$TMP/err2")"; fi
if [ -s "$TMP/err" ]; then diag "$(head -5 "$TMP/err")"; fi
