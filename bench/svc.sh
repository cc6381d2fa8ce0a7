# svc.sh: sourced by the bench scripts.  svc_dirs N: build/bench/svc with
# one s6 service directory per instance (density0...), each with a down
# file so that the supervisor waits and starts nothing; for startup runs
# the directory does not exist, so s6-supervise starts, fails to chdir and
# exits (111).
svc_dirs() {
	rm -rf build/bench/svc && mkdir -p build/bench/svc
	i=0
	while [ $i -lt "$1" ]; do
		mkdir build/bench/svc/density$i
		printf '#!/bin/sh\nexec sleep 1000\n' > build/bench/svc/density$i/run
		chmod +x build/bench/svc/density$i/run
		: > build/bench/svc/density$i/down
		i=$((i + 1))
	done
}
