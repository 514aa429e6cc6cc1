# Test programs. Unit tests: tests/unit/test_*.c, each linked with the
# sanitizer build of the library sources. Fuzz targets: tests/fuzz/fuzz_*.c
# (libFuzzer). Suites run by `make check` are listed in TEST_SUITES; each
# prints TAP and tests/run-suites.sh adds them up.
UNIT_TESTS := $(patsubst tests/unit/%.c,$(B)/tests/%,$(wildcard tests/unit/test_*.c))
FUZZ_TARGETS := $(patsubst tests/fuzz/%.c,$(B)/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
LIB_SRCS += tests/lib/fake_sys.c

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

# The suites on the kernel `ccimage kernel build` makes come last: `make check`
# starts that build in the background (it keeps a core busy for about ten
# minutes that the suites before it leave idle), and they wait for it on the
# build's cache lock.
KERNEL_SUITES := tests/reference/kernel-build.sh tests/vm/kernel_built.py
TEST_SUITES := $(UNIT_TESTS) tests/style.sh tests/repo.sh "tests/fuzz/run.sh $(FUZZ_TARGETS)" \
               $(filter-out $(KERNEL_SUITES),$(wildcard tests/reference/*.sh)) \
               tests/vm/run.py tests/vm/nvidia.py $(KERNEL_SUITES)
