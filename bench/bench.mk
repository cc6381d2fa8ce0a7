# benchmarks: side by side in one run, reported as ratios (never asserted)
BENCH_N ?= 1000
BENCH_R ?= 2000

bench: deps resident build/tests/progs/spawn build/tests/progs/dirty
	sh bench/headline.sh $(BENCH_N) $(BENCH_R)
	sh bench/cost.sh $(BENCH_N)
	sh bench/images.sh
	sh bench/capture.sh
	sh bench/layouts.sh $(BENCH_N) $(BENCH_R)
	sh bench/deps.sh
	sh bench/mutation.sh
	sh bench/deploy.sh $(BENCH_N)
	sh bench/afterinit.sh

.PHONY: bench
