#!/bin/bash
# table.t: the table as smem and ps_mem users read it (issue 15): columns
# that say whether they are per instance or over all instances, a TOTAL
# row, --sort/--reverse on any column, --columns, --no-header, --wide,
# and units (-k, -m, --bytes), on real instances of a program whose
# private pages are known.
. "$(dirname "$0")/tap.sh"
plan 25
cd "$TMP" || exit 1
long=$TMP/a-directory-whose-name-is-long-enough-to-be-cut-in-a-table
mkdir -p "$long" && cp "$PROGS/dirty" "$long/dirty"
# 4 instances of dirty, 256 heap pages (1 MiB) each; every report in one go
"$PROGS/spawn" -n 4 "$long/dirty" --heap 256 -- sh -c "
	R='$RESIDENT'
	\$R cost --all -k > t.kib
	\$R cost --all > t.human
	\$R cost -p dirty --columns n,own,own_total -k > t.own
	\$R cost -p dirty --columns own_total --bytes --no-header > t.bytes
	\$R cost -p dirty --columns own_total -m --no-header > t.mib
	\$R cost --all --sort rss -k > t.rss
	\$R cost --all --sort rss -r -k > t.rssr
	\$R cost --all --no-header > t.nohead
	\$R cost -p dirty -W > t.wide
	\$R cost -p dirty --by library --json > t.lib
	\$R cost -p dirty --by library > t.libt
	\$R cost -p dirty -k --columns pss_total,pss_pct > t.pct
	\$R cost -e 'a-directory-whose.*/dirt[y]\$' --json > t.match
	\$R cost -e 'dirty|spawn' --exclude 'long-enough' --json > t.excl
	\$R cost --tree \$PPID --json > t.tree
	\$R cost -P --top 1 --sort rss -r -W > t.proles" sh
col() { # FILE HEADER: that column of the rows (not the header, not TOTAL),
	# counted from the right: a program's name may hold spaces ("(deleted)")
	awk -v h="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == h) c = NF - i; next }
		/^(TOTAL|\(|$)/ { exit } c != "" { print $(NF - c) }' "$1"
}
head -n 1 t.human | grep -q ' N .* MARGINAL PSS_TOTAL MARGINAL_TOTAL$'
ok $? "the header: N, per-instance figures, then PSS_TOTAL and MARGINAL_TOTAL ($(head -n 1 t.human))"
col t.kib MARGINAL_TOTAL | sort -n -c -r 2> /dev/null
ok $? "rows ordered by MARGINAL_TOTAL, largest first: the order is a column you can see"
is "$(awk '$1 == "TOTAL" { print $2 }' t.kib)" "$(col t.kib N | awk '{ s += $1 } END { print s }')" \
	"TOTAL row: N is the sum of the rows' N (--all)"
within "$(awk '$1 == "TOTAL" { print $(NF - 1) }' t.kib)" "$(col t.kib PSS_TOTAL | awk '{ s += $1 } END { print s }')" 8 \
	"TOTAL row: PSS_TOTAL is the sum of the rows'"
read -r _ n own own_total < <(sed -n 2p t.own)
is "$n" 4 "-p dirty: 4 instances"
ok $(( own >= 1024 && own < 1200 ? 0 : 1 )) "OWN is per instance: 1 MiB of heap and a little more ($own KiB)"
within "$own_total" "$(( own * 4 ))" 4 "OWN_TOTAL is over all 4 instances ($own_total KiB)"
read -r _ bytes < t.bytes
read -r _ mib < t.mib
is "$bytes:$mib" "$(( own_total * 1024 )):$(awk -v k="$own_total" 'BEGIN { printf "%.1f", k / 1024 }')" \
	"--bytes and -m: the same figure in bytes and MiB"
col t.rss RSS | sort -n -c -r 2> /dev/null && col t.rssr RSS | sort -n -c 2> /dev/null
ok $? "--sort rss orders by RSS, largest first; -r smallest first"
is "$(grep -c 'PROGRAM\|^TOTAL\|processes:\|advice\|^$' t.nohead)" 0 "--no-header: the rows alone"
grep -q "^$long/dirty " t.wide && grep -q "^\.\.\..*-table/dirty " t.human
ok $? "--wide: the whole path; without it, its last 34 characters"
"$RESIDENT" cost --columns rss,bogus 2> err
is "$?:$(cut -c 1-60 err)" "2:resident: cost: --columns: bogus: no such column (n rss pss " \
	"--columns with a name that is none: exit 2, one line naming it and the columns there are"
for bad in "-w 1 --prometheus" "--walk-limit 1e30G" "-c 0 -w 1" "--tree 1 --tree 2" \
	"--columns n,rss,pss,uss,own,swap,maps,pgtbl,kstack,slab,kernel,marginal,rss_total,pss_total,uss_total,own_total,swap_total,kernel_total,marginal_total,pss_pct,marginal_pct,n"; do
	# shellcheck disable=SC2086
	timeout 10 "$RESIDENT" cost $bad > /dev/null 2> err
	echo "$?:$(wc -l < err)"
done > bad
is "$(tr '\n' ' ' < bad)" "2:1 2:1 2:1 2:1 2:1 " \
	"usage errors the adversarial pass found accepted (prometheus reports on one stdout, 1e30G, -c 0, two --tree, 22 columns)"
row=$(awk 'NR == 2 { print $2 }' t.proles)
role=$(awk '/^per instance by role/ { getline; getline; print $1; exit }' t.proles)
case "$row" in *"${role#...}") ok 0 "-P --top 1: the roles are those of the program of the row shown ($row)" ;;
*) ok 1 "-P --top 1: the roles are those of the program of the row shown ($row), not $role" ;;
esac
# a name in UTF-8 with a byte that is not: '?' for the byte, the columns
# aligned by characters (the adversarial pass: padded by bytes)
odd="$TMP/$(printf 'u\303\274/b\377')"
mkdir -p "$odd" && cp "$PROGS/dirty" "$odd/dirty$(printf '\303\251')"
"$PROGS/spawn" -n 2 "$odd/dirty$(printf '\303\251')" -- "$RESIDENT" cost -W --columns n,rss --top 1 > t.utf8
python3 - t.utf8 <<'PY'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
head, row = lines[0], lines[1]
ok = head.index(" N ") + 1 == row.index(" 2 ") + 1 and "\ufffd" not in row and "b?/dirty\u00e9" in row
sys.exit(0 if ok else 1)
PY
ok $? "a UTF-8 name with a byte that is not: shown with '?', its columns aligned ($(sed -n 2p t.utf8 | cut -c 1-60))"
"$RESIDENT" cost --sort 2> err
is "$?" 2 "--sort without a column: exit 2"
libc='.libraries[] | select(.path | endswith("/libc.so.6"))'
is "$(jq -r "$libc | .processes" t.lib):$(jq -r "$libc | .private_kb > 0 and .shared_kb > .private_kb" t.lib)" "4:true" \
	"--by library: libc across the 4 instances, its written pages private, the rest shared"
head -n 1 t.libt | grep -q '^LIBRARY  *PROCS RSS_TOTAL PSS_TOTAL PRIVATE_TOTAL   PRIVATE    SHARED$'
ok $? "--by library table: its header ($(head -n 1 t.libt))"
is "$(jq -r '[.programs[] | .instances] | add' t.match)" 4 "-e REGEX: the 4 instances whose path matches"
is "$(jq -r '[.programs[] | select(.exe | endswith("/dirty")) | .instances] | add // 0' t.excl)" 0 \
	"--exclude REGEX: matched by -e, left out by --exclude"
is "$(jq -r '[.programs[] | select(.exe | endswith("/dirty")) | .instances] | add' t.tree):$(jq -r '.programs | length' t.tree)" \
	"4:4" "--tree PID: spawn, its 4 instances of dirty, the shell and resident itself, nothing else ($(jq -r '[.programs[].exe | sub(".*/"; "")] | join(" ")' t.tree))"
"$RESIDENT" cost -e '/resident$' --exclude '^resident-no-such$' > /dev/null 2> err
is "$?:$(grep -c LeakSanitizer err)" "0:0" "-e and --exclude: exit 0, and the regexes are freed (no leak under ASan)"
read -r _ pss pct < <(sed -n 2p t.pct)
mt=$(awk '/^MemTotal:/ { print $2 }' /proc/meminfo)
within "$pct" "$(awk -v p="$pss" -v m="$mt" 'BEGIN { printf "%.2f", 100 * p / m }')" 0.011 \
	"pss_pct: PSS_TOTAL as a percentage of MemTotal ($pct% of $mt KiB)"
grep -q "^figures per instance (the mean over N), but N and \*_TOTAL: all instances; K, M, G: KiB, MiB, GiB$" t.human
ok $? "the footer says which figures are per instance and what K, M and G are"
# one process whose one child exited unreaped: the footer says them in the singular
sh -c 'sleep 0 & exec sleep 30' & zp=$!
for i in $(seq 50); do case $(ps -o stat= --ppid $zp) in Z*) break ;; esac; sleep 0.1; done
"$RESIDENT" cost --tree $zp > t.one 2>&1
kill $zp
grep -q '^1 process: 1 read; 0 kernel threads and 1 zombie not counted$' t.one
ok $? "one process and one zombie, said in the singular ($(grep 'not counted' t.one))"
