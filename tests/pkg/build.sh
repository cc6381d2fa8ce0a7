#!/bin/sh
# build.sh OUTDIR: two versions of resident-probe, a throwaway package: a
# dynamic program that prints its version, with its own library (found
# through RUNPATH) in the package.  OUTDIR/resident-probe_{1,2}.deb
set -e
out=$1
src=$(cd "$(dirname "$0")" && pwd)
for v in 1 2; do
	d=$out/tree$v
	rm -rf "$d" && mkdir -p "$d/DEBIAN" "$d/usr/bin" "$d/usr/lib/resident-probe"
	cc -shared -fPIC -O2 -DVERSION="\"$v\"" -Wl,-soname,libprobe.so.1 -o "$d/usr/lib/resident-probe/libprobe.so.1" "$src/probe-lib.c"
	cc -O2 -o "$d/usr/bin/resident-probe" "$src/probe.c" "$d/usr/lib/resident-probe/libprobe.so.1" \
		-Wl,--enable-new-dtags,-rpath,/usr/lib/resident-probe
	cat > "$d/DEBIAN/control" <<CTL
Package: resident-probe
Version: $v
Architecture: amd64
Maintainer: resident tests <tests@resident.invalid>
Description: a throwaway package for resident's tests
 A program that prints its version, with its own library.
CTL
	# what dh_md5sums would write: without it dpkg --verify checks nothing
	(cd "$d" && find usr -type f | sort | xargs md5sum > DEBIAN/md5sums)
	dpkg-deb --root-owner-group -b "$d" "$out/resident-probe_$v.deb" > /dev/null
done
