# ccinit: a static PID 1 for confidential Kata guests, and ccimage, the host tool
# that builds its image and predicts its measurements. `make help` lists targets.
#
# Each directory contributes sources through its build.mk; files are picked up
# by wildcard, so adding a .c file needs no edit here.

VERSION      := 0.1.0
PREFIX       ?= /usr/local
DESTDIR      ?=
B            := build
DEPS         := $(B)/deps
CCINIT_CACHE ?= /var/cache/ccinit
export CCINIT_CACHE

HOST_CC  ?= gcc
MUSL_CC  := musl-gcc
CLANG    ?= clang

WARN   := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
          -Wno-missing-field-initializers
COMMON := -std=gnu11 -D_GNU_SOURCE -I. $(WARN) -fstack-protector-strong \
          -ffile-prefix-map=$(CURDIR)/= -DCCINIT_VERSION='"$(VERSION)"'

# The guest binary: static musl, no PT_INTERP (a static PIE has none either, but
# a dynamic one sneaks in easily; tests/unit checks the ELF).
MUSL_CFLAGS  := $(COMMON) -Os -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables \
                -isystem $(DEPS)/kernel-headers -isystem $(DEPS)/include
MUSL_LDFLAGS := -static -Wl,--gc-sections -Wl,--build-id=none -L$(DEPS)/lib
MUSL_LIBS    := -lcryptsetup -ldevmapper -luuid -ljson-c -lkmod -lmbedx509 -lmbedcrypto -lm

HOST_CFLAGS := $(COMMON) -O2 -g -D_FORTIFY_SOURCE=2
HOST_LIBS   := -lkmod -lcryptsetup -lcrypto -lmbedx509 -lmbedcrypto -lpthread
SAN_FLAGS   := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

CCINIT_SRCS  :=
CCIMAGE_SRCS :=
LIB_SRCS     :=

include init/build.mk modules/build.mk measurement/build.mk kernel-configs/build.mk rootfs/build.mk \
        tests/build.mk tests/slow.mk

.DEFAULT_GOAL := all
.PHONY: all deps host-deps check demo bench install help format format-check clean
.SUFFIXES:
# Objects of pattern chains are results too: keep them, so a second make rebuilds nothing.
.SECONDARY:

all: $(B)/ccinit $(B)/ccinit-debug $(B)/ccimage $(B)/test-agent ## build ccinit (production and debug), ccimage, the test agent

# DEBUG=1 makes `make` and `make install` use the debug ccinit (honours ccinit.debug.shell).
ifeq ($(DEBUG),1)
INSTALL_CCINIT := $(B)/ccinit-debug
else
INSTALL_CCINIT := $(B)/ccinit
endif

deps: $(DEPS)/.complete ## build (or take from cache) the static musl libraries

$(DEPS)/.complete: init/deps/build.sh
	@mkdir -p $(B)
	@init/deps/build.sh $(DEPS)

host-deps: ## install the Debian packages the build and tests need (root)
	@tests/host-deps.sh

$(B)/musl/%.o: %.c $(DEPS)/.complete
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/musl-debug/%.o: %.c $(DEPS)/.complete
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CFLAGS) -DCCINIT_DEBUG_BUILD=1 -MMD -MP -c $< -o $@

$(B)/host/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@

$(B)/san/%.o: %.c
	@mkdir -p $(@D)
	$(HOST_CC) $(COMMON) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(B)/ccinit: $(CCINIT_SRCS:%.c=$(B)/musl/%.o)
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(MUSL_LIBS)

$(B)/ccinit-debug: $(CCINIT_SRCS:%.c=$(B)/musl-debug/%.o)
	$(MUSL_CC) $(MUSL_LDFLAGS) -o $@ $^ $(MUSL_LIBS)

$(B)/ccimage: $(CCIMAGE_SRCS:%.c=$(B)/host/%.o)
	$(HOST_CC) -o $@ $^ $(HOST_LIBS) $(CCIMAGE_LIBS)

$(B)/libccinit-san.a: $(LIB_SRCS:%.c=$(B)/san/%.o)
	@rm -f $@
	ar rcs $@ $^

check: host-deps kernel-background all check-build firmware ## install what is needed, run every test; ends with "N passed, N failed"
	@tests/run-suites.sh $(TEST_SUITES)

demo: host-deps all ## build the demo image and boot it in QEMU, showing ccinit's steps and the agent's report
	@tests/vm/demo.sh

bench: host-deps all ## print the benchmark tables (ratios against baselines measured in the same run)
	@tests/bench/run.sh

install: all ## install ccinit and ccimage under $(DESTDIR)$(PREFIX) (DEBUG=1: the debug ccinit)
	install -D -m 0755 $(INSTALL_CCINIT) $(DESTDIR)$(PREFIX)/libexec/ccinit/ccinit
	install -D -m 0755 $(B)/ccimage $(DESTDIR)$(PREFIX)/bin/ccimage
	install -d $(DESTDIR)$(PREFIX)/share/ccinit/kernel-configs
	install -m 0644 kernel-configs/*.conf $(DESTDIR)$(PREFIX)/share/ccinit/kernel-configs/

format: ## reformat the C sources with clang-format
	clang-format -i $(C_SOURCES)

format-check: ## fail if any C source is not clang-format clean
	clang-format --dry-run -Werror $(C_SOURCES)

clean: ## remove build outputs (the dependency cache outside the clone stays)
	rm -rf $(B)

help: ## list the targets
	@echo "ccinit $(VERSION): make [target] [DEBUG=1] [PREFIX=...] [DESTDIR=...]"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([^:]+):.*## (.*)/  \1\t\2/' | expand -t 18

C_SOURCES := $(shell git ls-files '*.c' '*.cc' '*.h' 2>/dev/null)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
