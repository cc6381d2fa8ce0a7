#!/bin/sh
# kernel.t: for N spawned instances, resident's kernel-side estimate per
# instance is within 15% of the per-instance delta of /proc/meminfo
# (PageTables + KernelStack + SUnreclaim + Percpu) measured around them.
. "$(dirname "$0")/tap.sh"
plan 8
check() { # N LABEL DIRTY-ARGS...
	n=$1 label=$2
	shift 2
	"$PROGS/spawn" -n "$n" -m "$TMP/mem" "$PROGS/dirty" "$@" -- "$RESIDENT" cost --json > "$TMP/j"
	ok $? "$label: $n instances read"
	measured=$(awk '$1 ~ /^(PageTables|KernelStack|SUnreclaim|Percpu)$/ { s += $2 } END { printf "%.1f", s }' "$TMP/mem")
	estimate=$(jq -r '.programs[] | select(.exe | endswith("/dirty")) | .kernel.total_kb' "$TMP/j")
	inst=$(jq -r '.programs[] | select(.exe | endswith("/dirty")) | .instances' "$TMP/j")
	is "$inst" "$n" "$label: all $n grouped as one program"
	diag "$label: meminfo delta per instance: $(tr '\n' ' ' < "$TMP/mem")"
	diag "$label: estimate $(jq -c '.programs[] | select(.exe | endswith("/dirty")) | .kernel' "$TMP/j")"
	within "$estimate" "$measured" "$(awk -v m="$measured" 'BEGIN { print m * 0.15 }')" \
		"$label: kernel side $estimate kB/instance vs meminfo $measured kB (15%)"
	# the kernel stack part is exact: THREAD_SIZE per thread
	ks=$(awk '$1 == "KernelStack" { print $2 }' "$TMP/mem")
	kse=$(jq -r '.programs[] | select(.exe | endswith("/dirty")) | .kernel.kernel_stack_kb' "$TMP/j")
	within "$kse" "$ks" "$(awk -v m="$ks" 'BEGIN { print m * 0.05 + 0.5 }')" "$label: kernel stacks $kse kB vs $ks kB (5%)"
}
check 1000 "one thread"
check 300 "four threads" --threads 4
