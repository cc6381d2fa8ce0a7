#!/bin/sh
# deps.sh: install what building, testing and benchmarking resident need on
# Debian 12 (run by `make deps`, which `make check`, `make demo` and .ci/run
# call).  Installs only what is missing; needs root for that.
set -eu
pkgs="gcc g++ make libc6-dev libcmocka-dev libjson-c-dev clang libclang-rt-14-dev clang-format perl jq
python3 python3-prometheus-client util-linux procps groff-base
smem smemstat hyperfine musl-tools s6 strace linux-perf gdb
sysvinit-utils systemd dpkg-dev debhelper lintian runit
prometheus prometheus-node-exporter curl"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "resident: deps: missing packages:$missing" >&2
	echo "resident: deps: run as root: apt-get install -y$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing > /dev/null
