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
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"; else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}
is() { # GOT EXPECTED DESCRIPTION
	[ "$1" = "$2" ]
	ok $? "$3"
	[ "$1" = "$2" ] || echo "#   got '$1', expected '$2'"
}
# within GOT EXPECTED TOLERANCE DESCRIPTION: |GOT - EXPECTED| <= TOLERANCE
within() {
	awk -v g="$1" -v e="$2" -v t="$3" 'BEGIN { d = g - e; if (d < 0) d = -d; exit !(d <= t) }'
	ok $? "$4"
	awk -v g="$1" -v e="$2" -v t="$3" 'BEGIN { d = g - e; if (d < 0) d = -d; exit !(d <= t) }' ||
		echo "#   got $1, expected $2 +- $3"
}
diag() { echo "# $*"; }
