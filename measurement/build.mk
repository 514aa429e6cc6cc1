# Measurement library, host side (the verity parameter parser ccinit shares
# is in init/base/). Its front-ends are in rootfs/ccimage/.
MEASUREMENT_SRCS := $(wildcard measurement/*.c measurement/kata/*.c measurement/firmware/*.c)
CCIMAGE_SRCS     += $(MEASUREMENT_SRCS)
LIB_SRCS         += $(MEASUREMENT_SRCS)

# The AMD SEV OVMF the recipes' SNP values are measured against
# (measurement/README.md, 3.1): built into $CCINIT_CACHE once, before the
# suites take it from there.
.PHONY: firmware
firmware: $(B)/ccimage ## build (or find in the cache) the AMD SEV OVMF for SNP values
	$(B)/ccimage firmware build >/dev/null

# The one C++ unit: toml++ (libtomlplusplus-dev) behind a C interface
# (measurement/kata/toml_read.h). It joins ccimage, the sanitizer library the
# unit tests link, and the fuzz library, as the C objects do; the C link
# lines then need the C++ runtime. The fuzz build leaves out UBSan's vptr and
# function checks: their handlers live in the C++ part of the runtime, which the C link
# of the fuzz targets does not pull in.
HOST_CXX      ?= g++
CLANGXX       ?= clang++
KATA_CXX_SRCS := $(wildcard measurement/kata/*.cc)
CXX_COMMON    := -std=c++17 -I. -Wall -Wextra -Werror -ffile-prefix-map=$(CURDIR)/=
CXX_LIBS      := -lstdc++ -lm # the serialiser formats floats with libm

$(B)/host/%.o: %.cc
	@mkdir -p $(@D)
	$(HOST_CXX) $(CXX_COMMON) -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -MMD -MP -c $< -o $@

$(B)/san/%.o: %.cc
	@mkdir -p $(@D)
	$(HOST_CXX) $(CXX_COMMON) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(B)/fuzzlib/%.o: %.cc
	@mkdir -p $(@D)
	$(CLANGXX) $(CXX_COMMON) -O1 -g -fsanitize=address,undefined,fuzzer-no-link -fno-sanitize=vptr,function -MMD -MP -c $< -o $@

$(B)/ccimage: $(KATA_CXX_SRCS:%.cc=$(B)/host/%.o)
$(B)/libccinit-san.a: $(KATA_CXX_SRCS:%.cc=$(B)/san/%.o)
$(B)/libccinit-fuzz.a: $(KATA_CXX_SRCS:%.cc=$(B)/fuzzlib/%.o)

# NVIDIA's RIMs are XML-DSig documents: libxmlsec1 with its OpenSSL backend
# checks them (measurement/gpu_rim_dsig.c). Only the units that include its
# headers get its flags; every link that may pull them in gets its libraries.
XMLSEC_CFLAGS := $(shell pkg-config --cflags xmlsec1-openssl 2>/dev/null)
XMLSEC_LIBS   := $(shell pkg-config --libs xmlsec1-openssl 2>/dev/null)
XMLSEC_UNITS  := measurement/gpu_rim measurement/gpu_rim_dsig
CCIMAGE_LIBS  += $(XMLSEC_LIBS)
$(XMLSEC_UNITS:%=$(B)/host/%.o): HOST_CFLAGS += $(XMLSEC_CFLAGS)
$(XMLSEC_UNITS:%=$(B)/san/%.o): COMMON += $(XMLSEC_CFLAGS)
$(XMLSEC_UNITS:%=$(B)/fuzzlib/%.o): FUZZ_FLAGS += $(XMLSEC_CFLAGS)
