# tests: cmocka unit tests (under ASan/UBSan, TAP output), test programs,
# integration scripts (TAP), the parser fuzzer; prove runs them all.
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT      := $(UNIT_SRCS:tests/unit/%.c=build/tests/unit/%)
# uselib and its library are built by the test that rebuilds them
PROGS     := $(patsubst tests/progs/%.c,build/tests/progs/%,$(filter-out tests/progs/uselib.c,$(wildcard tests/progs/*.c))) \
	build/tests/progs/cxx
ASAN_LIB  := $(LIBSRCS:%.c=build/asan/%.o)

build/tests/unit/%: tests/unit/%.c $(ASAN_LIB) $(LOADER_BLOB)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(SAN) -o $@ $^ -lcmocka $(LDLIBS)

# the programs tests measure: built plainly, so their memory is what a
# user's program has
build/tests/progs/%: tests/progs/%.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O2 -o $@ $< -lpthread

build/tests/progs/cxx: tests/progs/cxx.cpp
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -Wall -Wextra -Werror -O2 -o $@ $<

# libFuzzer target over every /proc parser (clang only)
FUZZ = build/fuzz/fuzz_proc
$(FUZZ): tests/fuzz/fuzz_proc.c $(filter src/proc/%,$(LIBSRCS)) src/cost/role.c
	@mkdir -p $(@D)
	clang $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^

# and over the image reader (the loader's own checks with it)
FUZZ_IMAGE = build/fuzz/fuzz_image
$(FUZZ_IMAGE): tests/fuzz/fuzz_image.c src/image/read.c src/image/verify.c src/proc/plainfile.c src/lib/err.c
	@mkdir -p $(@D)
	clang $(WARN) -g -O1 -fsanitize=fuzzer,address,undefined -o $@ $^

fuzz: $(FUZZ) $(FUZZ_IMAGE) resident
	sh tests/fuzz/run.sh $(FUZZ) $(or $(FUZZ_SECONDS),60) proc
	RESIDENT=$(CURDIR)/resident sh tests/fuzz/run.sh $(FUZZ_IMAGE) $(or $(FUZZ_SECONDS),60) image

tests: resident build/asan/resident $(UNIT) $(PROGS) $(FUZZ) $(FUZZ_IMAGE)

check: deps
	$(MAKE) tests
	RESIDENT=$(CURDIR)/build/asan/resident PROGS=$(CURDIR)/build/tests/progs SRC=$(CURDIR)/tests/progs FUZZ=$(CURDIR)/$(FUZZ) \
		FUZZ_IMAGE=$(CURDIR)/$(FUZZ_IMAGE) \
		prove --exec '' --timer $(UNIT) tests/integration/*.t

.PHONY: check tests fuzz
