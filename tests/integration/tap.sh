# tap.sh: TAP helpers for the integration tests (sourced; POSIX sh).
# $RESIDENT is the program under test (make check: the ASan/UBSan build),
# $PROGS the test programs, $TMP a scratch directory removed on exit.
: "${RESIDENT:=$PWD/resident}" "${PROGS:=$PWD/build/tests/progs}"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
_n=0
_failed=0
plan() { echo "1..$1"; }
ok() { # CONDITION-STATUS DESCRIPTION: ok "$?" "text"
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else
		echo "not ok $_n - $2"
		# on stderr too: prove shows it without -v, so CI's log explains a failure
		echo "# $(basename "$0") $_n failed: $2" >&2
		_failed=$((_failed + 1))
	fi
}
is() { # GOT EXPECTED DESCRIPTION
	[ "$1" = "$2" ]
	ok $? "$3"
	[ "$1" = "$2" ] || echo "#   got '$1', expected '$2'" | tee /dev/stderr
}
# within GOT EXPECTED TOLERANCE DESCRIPTION: |GOT - EXPECTED| <= TOLERANCE
within() {
	awk -v g="$1" -v e="$2" -v t="$3" 'BEGIN { d = g - e; if (d < 0) d = -d; exit !(d <= t) }'
	ok $? "$4"
	awk -v g="$1" -v e="$2" -v t="$3" 'BEGIN { d = g - e; if (d < 0) d = -d; exit !(d <= t) }' ||
		echo "#   got $1, expected $2 +- $3" | tee /dev/stderr
}
diag() { echo "# $*"; }
skip() { # DESCRIPTION: a test that cannot run here, said so
	_n=$((_n + 1))
	echo "ok $_n # skip $1"
}
# in_sandbox SCRIPT: run sh -c SCRIPT in a mount namespace of its own where
# /etc, /usr/lib/x86_64-linux-gnu and /usr/local/lib are writable overlays:
# what it installs there (libraries, ldconfig's cache, ld.so.preload) the
# rest of the machine never sees.  Needs root; returns 77 where it cannot.
in_sandbox() {
	[ "$(id -u)" = 0 ] || return 77
	mkdir -p "$TMP/sandbox"
	SB=$TMP/sandbox unshare -m sh -e -c '
		mount --make-rprivate /
		for d in /etc /usr/lib/x86_64-linux-gnu /usr/local/lib; do
			n=$(echo "$d" | tr / _)
			mkdir -p "$SB/up$n" "$SB/wk$n"
			mount -t overlay overlay -o "lowerdir=$d,upperdir=$SB/up$n,workdir=$SB/wk$n" "$d"
		done
		exec sh -e -c "$1"' sh "$1"
}
# in_system_sandbox SCRIPT: as in_sandbox, with /usr, /etc and /var
# overlays: packages installed, removed and diverted there (dpkg's database
# in /var/lib/dpkg) are never seen by the machine.  77 where it cannot.
in_system_sandbox() {
	[ "$(id -u)" = 0 ] || return 77
	mkdir -p "$TMP/sysbox"
	SB=$TMP/sysbox unshare -m sh -c '
		mount --make-rprivate /
		for d in /usr /etc /var; do
			n=$(echo "$d" | tr / _)
			mkdir -p "$SB/up$n" "$SB/wk$n"
			mount -t overlay overlay -o "lowerdir=$d,upperdir=$SB/up$n,workdir=$SB/wk$n" "$d"
		done
		exec sh -c "$1"' sh "$1"
}
