#!/bin/sh
# cli.t: help, usage errors, exit statuses of the command line itself.
. "$(dirname "$0")/tap.sh"
plan 42
"$RESIDENT" help > "$TMP/out"; ok $? "resident help exits 0"
grep -q '^  cost ' "$TMP/out"; ok $? "help lists cost"
"$RESIDENT" cost --help > "$TMP/out"; ok $? "resident cost --help exits 0"
grep -q -- '--cgroup' "$TMP/out"; ok $? "cost --help lists --cgroup"
"$RESIDENT" help cost | cmp -s - "$TMP/out"; ok $? "resident help cost is cost --help"
"$RESIDENT" > /dev/null 2>&1; is $? 2 "no command: exit 2"
"$RESIDENT" frobnicate 2> "$TMP/err"; is $? 2 "unknown command: exit 2"
is "$(cat "$TMP/err")" "resident: frobnicate: no such command (see resident help)" "unknown command: one line naming it"
"$RESIDENT" cost --bogus > /dev/null 2> "$TMP/err"; is $? 2 "unknown option: exit 2"
is "$(wc -l < "$TMP/err"):$(head -n 1 "$TMP/err")" "1:resident: cost: --bogus: unknown option (see resident cost --help)" \
	"unknown option: one line"
"$RESIDENT" cost -P -n 2> "$TMP/err"; is $? 2 "-n without its value: exit 2"
is "$(wc -l < "$TMP/err"):$(head -n 1 "$TMP/err")" "1:resident: cost: -n: needs a value (see resident cost --help)" \
	"-n without its value: one line"
"$RESIDENT" cost -n lots 2> "$TMP/err"; is $? 2 "-n lots: exit 2"
is "$(cat "$TMP/err")" "resident: cost: -n: lots: not a number from 0 to 100000000 (see resident cost --help)" "-n lots: says why"
"$RESIDENT" cost $$ -t > "$TMP/out" 2> "$TMP/err"
is "$?:$(cat "$TMP/err")" "0:" "an option after the PIDs: resident cost \$\$ -t"
grep -q "^$(readlink /proc/$$/exe) " "$TMP/out"; ok $? "and the PID read as a PID (its program listed)"
"$RESIDENT" cost $$ --json -P > "$TMP/out" 2> "$TMP/err"
is "$(jq ".per_process[0].pid" "$TMP/out" 2>&1)" $$ "long options after the PID too: resident cost \$\$ --json -P"
if [ -s "$TMP/err" ]; then diag "stderr: $(cat "$TMP/err")"; fi
"$RESIDENT" cost --totals --libs 2> "$TMP/err"
is "$?:$(wc -l < "$TMP/err")" "2:1" "options that do not go together: exit 2, one line"
"$RESIDENT" cost 12abc 2> "$TMP/err"; is $? 2 "a PID that is not a number: exit 2"
"$RESIDENT" cost --json --prometheus 2> /dev/null; is $? 2 "--json with --prometheus: exit 2"
"$RESIDENT" version | grep -q '^resident [0-9]'; ok $? "resident version"
man=$(dirname "$0")/../../man
groff -man -Tutf8 -ww "$man/resident.1" 2>&1 > /dev/null | grep -q . ; ok $((! $?)) "resident.1 renders without warnings"
groff -man -Tutf8 -ww "$man/resident-cost.1" 2>&1 > /dev/null | grep -q . ; ok $((! $?)) "resident-cost.1 renders without warnings"
top=$(cd "$(dirname "$0")/../.." && pwd)
make -s -C "$top" install DESTDIR="$TMP/inst" PREFIX=/usr > /dev/null 2>&1; ok $? "make install DESTDIR=... PREFIX=/usr"
test -x "$TMP/inst/usr/bin/resident" && "$TMP/inst/usr/bin/resident" version > /dev/null; ok $? "installed binary runs"
test -f "$TMP/inst/usr/share/man/man1/resident.1" -a -f "$TMP/inst/usr/share/man/man1/resident-cost.1"
ok $? "man pages installed"
# the hooks, the completion; the completion completes; uninstall leaves nothing
grep -q '/usr/bin/resident refresh --enabled --quiet' "$TMP/inst/etc/dpkg/dpkg.cfg.d/resident" &&
	grep -q 'DPkg::Post-Invoke.*/usr/bin/resident refresh --enabled --quiet' "$TMP/inst/etc/apt/apt.conf.d/80resident"
ok $? "dpkg's and apt's hooks installed in /etc, naming the installed binary"
comp=$(bash -c '. "$1"; COMP_WORDS=(resident en); COMP_CWORD=1; _resident; echo "${COMPREPLY[*]}";
	COMP_WORDS=(resident refresh --e); COMP_CWORD=2; _resident; echo "${COMPREPLY[*]}"' sh "$TMP/inst/usr/share/bash-completion/completions/resident")
is "$(echo $comp)" "enable --enabled" "bash completion installed: subcommands and their options"
# the boot-time refresh unit, as systemd reads it (its ExecStart and its
# man page must exist: the built binary and man/ stand in for them)
if command -v systemd-analyze > /dev/null; then
	mkdir -p "$TMP/manroot/man1" && cp "$man"/*.1 "$TMP/manroot/man1/"
	sed "s|/usr/bin/resident|$top/resident|" "$TMP/inst/usr/lib/systemd/system/resident-refresh.service" > "$TMP/resident-refresh.service"
	MANPATH=$TMP/manroot systemd-analyze verify "$TMP/resident-refresh.service" > "$TMP/v" 2>&1
	ok $? "resident-refresh.service installed; systemd-analyze verify accepts it ($(head -c 200 "$TMP/v"))"
else
	skip "systemd-analyze verify (no systemd here)"
fi
make -s -C "$top" uninstall DESTDIR="$TMP/inst" PREFIX=/usr > /dev/null 2>&1
is "$(find "$TMP/inst" -type f | wc -l)" 0 "make uninstall: no file left"
for m in snap check inspect ls bench verify enable refresh doctor rm; do
	groff -man -Tutf8 -ww "$man/resident-$m.1" 2>&1 > /dev/null | grep -q . ; ok $((! $?)) "resident-$m.1 renders without warnings"
done
# the build as the README promises it: make demo installs what it needs
# first; the loader builds under clang as under gcc (a copy of the tree,
# the loader alone: its link is what clang refused)
make -s -n -C "$top" demo | grep -q 'scripts/deps.sh'; ok $? "make demo runs make deps first"
if command -v clang > /dev/null; then
	mkdir "$TMP/tree" && cp -r "$top/Makefile" "$top/src" "$TMP/tree/" && mkdir "$TMP/tree/tests" "$TMP/tree/bench" &&
		cp "$top/tests/tests.mk" "$TMP/tree/tests/" && cp "$top/bench/bench.mk" "$TMP/tree/bench/"
	make -s -C "$TMP/tree" CC=clang build/loader/loader.elf > "$TMP/out" 2>&1
	ok $? "make CC=clang builds the loader$(head -c 200 "$TMP/out" | tr '\n' ' ')"
else
	skip "make CC=clang (no clang here)"
fi
