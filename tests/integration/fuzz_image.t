#!/bin/sh
# fuzz_image.t: a short libFuzzer run over the image reader that inspect,
# ls, check, verify and cost use, sealed inputs included (make fuzz runs
# longer).
cd "$(dirname "$0")/../.." && exec sh tests/fuzz/run.sh "${FUZZ_IMAGE:-build/fuzz/fuzz_image}" "${FUZZ_SECONDS:-15}" image
