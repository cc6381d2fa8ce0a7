# resident: plain make.  `make` builds ./resident; `make check` runs every
# test; `make bench` the benchmarks; `make demo` the main job on this machine.
PREFIX  ?= /usr/local
CC      ?= cc
CFLAGS  ?= -O2 -g
WARN     = -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE
LDLIBS   = -lpthread -lm -ljson-c
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

# the CLI, one folder per job, shared primitives (lib: errors and output,
# proc: the one /proc reader)
SRCS    := $(wildcard src/lib/*.c src/proc/*.c src/cost/*.c src/image/*.c src/snap/*.c src/enable/*.c src/refresh/*.c src/doctor/*.c src/bench/*.c src/cli/*.c)
LOADER_BLOB := build/loader/blob.o
LIBSRCS := $(filter-out src/cli/main.c $(wildcard src/snap/*_main.c src/enable/*_main.c src/refresh/*_main.c src/doctor/*_main.c src/bench/*_main.c),$(SRCS))

all: resident

build/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

build/asan/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) $(SAN) -MMD -MP -c -o $@ $<

resident: $(SRCS:%.c=build/%.o) $(LOADER_BLOB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# the same program under AddressSanitizer and UBSan, for the tests
build/asan/resident: $(SRCS:%.c=build/asan/%.o) $(LOADER_BLOB)
	$(CC) $(CFLAGS) $(SAN) -o $@ $^ $(LDLIBS)

# the loader: freestanding, static, at a fixed address, no libc and no
# sanitizer; embedded in resident as a blob that snap copies into images
LOADER_CFLAGS = -std=gnu11 -Wall -Wextra -Werror -O2 -ffreestanding -fno-builtin \
	-fno-stack-protector -fpie -fcf-protection=none -fno-asynchronous-unwind-tables
LOADER_LDFLAGS = -nostdlib -static -Wl,-Ttext-segment=0x100000000 -Wl,--build-id=none -Wl,-T,src/loader/locator.ld \
	-Wl,-z,noexecstack -Wl,-z,norelro -Wl,-z,noseparate-code -Wl,-e,_start
# compiled, then linked: clang refuses link flags on a compile (-Werror)
build/loader/%.o: src/loader/%.c
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -MMD -MP -c -o $@ $<
build/loader/%.o: src/loader/%.S
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -c -o $@ $<
# the checks every exec makes, the same source the tools use (verify.h)
build/loader/verify.o: src/image/verify.c
	@mkdir -p $(@D)
	$(CC) $(LOADER_CFLAGS) -MMD -MP -c -o $@ $<
build/loader/loader.elf: build/loader/start.o build/loader/loader.o build/loader/verify.o src/loader/locator.ld
	$(CC) $(LOADER_CFLAGS) $(LOADER_LDFLAGS) -o $@ $(filter %.o,$^)
$(LOADER_BLOB): build/loader/loader.elf
	cd build/loader && ld -r -b binary -z noexecstack -o blob.o loader.elf

-include $(shell find build -name '*.d' 2>/dev/null)

include tests/tests.mk
include bench/bench.mk

deps:
	@sh scripts/deps.sh

demo: deps resident
	sh scripts/demo.sh

# the dpkg and apt hooks go to /etc whatever PREFIX is: dpkg and apt read
# only there
HOOKS = $(DESTDIR)/etc/apt/apt.conf.d/80resident $(DESTDIR)/etc/dpkg/dpkg.cfg.d/resident
# the boot-time refresh (systemctl enable resident-refresh.service): after a
# kernel upgrade every image is stale
SERVICE = $(PREFIX)/lib/systemd/system/resident-refresh.service
# the collector for node_exporter's textfile directory (docs/cost.md)
COLLECTOR = $(PREFIX)/lib/systemd/system/resident-cost.service $(PREFIX)/lib/systemd/system/resident-cost.timer
MANS  = $(notdir $(wildcard man/*.1))
# what the man pages point to: installed uncompressed (debian/rules keeps
# them so), so that the path they give is the file
DOCS  = docs/cost.md docs/bench.md docs/images.md docs/deploy.md

install: resident
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)/etc/apt/apt.conf.d $(DESTDIR)/etc/dpkg/dpkg.cfg.d
	install -m 0755 resident $(DESTDIR)$(PREFIX)/bin/resident
	install -m 0644 man/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -d $(DESTDIR)$(PREFIX)/share/doc/resident
	install -m 0644 $(DOCS) $(DESTDIR)$(PREFIX)/share/doc/resident/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 data/bash-completion $(DESTDIR)$(PREFIX)/share/bash-completion/completions/resident
	sed 's|@BINDIR@|$(PREFIX)/bin|g' data/apt-hook.in > $(DESTDIR)/etc/apt/apt.conf.d/80resident
	sed 's|@BINDIR@|$(PREFIX)/bin|g' data/dpkg-hook.in > $(DESTDIR)/etc/dpkg/dpkg.cfg.d/resident
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|@BINDIR@|$(PREFIX)/bin|g' data/resident-refresh.service.in > $(DESTDIR)$(SERVICE)
	sed 's|@BINDIR@|$(PREFIX)/bin|g' data/resident-cost.service.in > $(DESTDIR)$(PREFIX)/lib/systemd/system/resident-cost.service
	cp data/resident-cost.timer $(DESTDIR)$(PREFIX)/lib/systemd/system/resident-cost.timer
	chmod 0644 $(HOOKS) $(DESTDIR)$(SERVICE) $(addprefix $(DESTDIR),$(COLLECTOR))

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/resident $(HOOKS) $(addprefix $(DESTDIR)$(PREFIX)/share/man/man1/,$(MANS)) \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/resident $(DESTDIR)$(SERVICE) \
		$(addprefix $(DESTDIR),$(COLLECTOR)) \
		$(addprefix $(DESTDIR)$(PREFIX)/share/doc/resident/,$(notdir $(DOCS)))

clean:
	rm -rf build resident

.PHONY: all deps demo install uninstall clean
