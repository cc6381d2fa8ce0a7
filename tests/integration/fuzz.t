#!/bin/sh
# fuzz.t: a short libFuzzer run over every /proc parser (make fuzz runs longer).
cd "$(dirname "$0")/../.." && exec sh tests/fuzz/run.sh "${FUZZ:-build/fuzz/fuzz_proc}" "${FUZZ_SECONDS:-15}"
