# Test programs. Unit tests: tests/unit/test_*.c, each linked with the
# sanitizer build of the library sources. Fuzz targets: tests/fuzz/fuzz_*.c
# (libFuzzer). Suites run by `make check` are listed in TEST_SUITES; each
# prints TAP and tests/run-suites.sh adds them up.
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
LIB_SRCS += tests/lib/fake_sys.c tests/lib/fake_nvrm.c

$(B)/test-agent: tests/agent/agent.c $(DEPS)/.complete
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CFLAGS) $(MUSL_LDFLAGS) -o $@ $<

$(B)/tests/%: $(B)/san/tests/unit/%.o $(B)/san/tests/lib/tap_main.o $(B)/libccinit-san.a
	@mkdir -p $(@D)
	$(HOST_CC) $(SAN_FLAGS) -o $@ $^ $(HOST_LIBS) $(CCIMAGE_LIBS)

# The library is instrumented once (fuzzer-no-link) into an archive; each target links it.
FUZZ_FLAGS := -O1 -g -fsanitize=address,undefined -std=gnu11 -D_GNU_SOURCE -I. \
              -DCCINIT_VERSION='"$(VERSION)"'
$(B)/fuzzlib/%.o: %.c
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(B)/libccinit-fuzz.a: $(LIB_SRCS:%.c=$(B)/fuzzlib/%.o)
	@rm -f $@
	ar rcs $@ $^

$(B)/fuzz/%: tests/fuzz/%.c $(B)/libccinit-fuzz.a
	@mkdir -p $(@D)
	$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< $(B)/libccinit-fuzz.a $(HOST_LIBS) $(CCIMAGE_LIBS)

.PHONY: check-build
check-build: $(UNIT_TESTS) $(FUZZ_TARGETS)

# The suites on the kernel `ccimage kernel build` makes (with NVIDIA's modules)
# come last: `make check` starts that build in the background as soon as
# ccimage exists (kernel-background: it keeps a core busy for about twenty
# minutes, which the static dependencies, the firmware and the suites before
# these leave partly idle), and they wait for it on the build's cache lock.
# Without `wait`: the build outlives the recipe that started it, and a suite
# that finds it unfinished takes the lock after it.
.PHONY: kernel-background
kernel-background: host-deps $(B)/ccimage
	@echo "check: building the guest kernel in the background (log: $(B)/kernel-build.log)"
	@nice -n 10 $(B)/ccimage kernel build >$(B)/kernel-build.log 2>&1 </dev/null &

KERNEL_SUITES := tests/reference/kernel-build.sh tests/vm/kernel_built.py tests/vm/nvidia.py
TEST_SUITES := $(UNIT_TESTS) tests/style.sh tests/repo.sh tests/layering.py "tests/fuzz/run.sh $(FUZZ_TARGETS)" \
               $(filter-out $(KERNEL_SUITES),$(wildcard tests/reference/*.sh)) \
               tests/vm/run.py $(KERNEL_SUITES)
