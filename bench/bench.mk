# benchmarks: side by side in one run, reported as ratios (never asserted)
BENCH_N ?= 1000

bench: deps resident build/tests/progs/spawn build/tests/progs/dirty
	sh bench/cost.sh $(BENCH_N)
	sh bench/images.sh

.PHONY: bench
