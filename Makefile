# resident: plain make.  `make` builds ./resident; `make check` runs every
# test; `make bench` the benchmarks; `make demo` the main job on this machine.
PREFIX  ?= /usr/local
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
LDLIBS   = -lpthread -lm
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# the CLI, one folder per job, shared primitives (lib: errors and output,
# proc: the one /proc reader)
SRCS    := $(wildcard src/lib/*.c src/proc/*.c src/cost/*.c src/cli/*.c)
LIBSRCS := $(filter-out src/cli/main.c,$(SRCS))

all: resident

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -MMD -MP -c -o $@ $<

build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(SAN) -MMD -MP -c -o $@ $<

resident: $(SRCS:%.c=build/%.o)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# the same program under AddressSanitizer and UBSan, for the tests
build/asan/resident: $(SRCS:%.c=build/asan/%.o)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

-include $(shell find build -name '*.d' 2>/dev/null)

include tests/tests.mk
include bench/bench.mk

deps:
	@sh scripts/deps.sh

demo: resident
	sh scripts/demo.sh

install: resident
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 resident $(DESTDIR)$(PREFIX)/bin/resident
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

clean:
	rm -rf build resident

.PHONY: all deps demo install clean
