# Kernel-module loading on libkmod, shared by ccinit (static libkmod) and
# ccimage (the host's libkmod).
MODULES_SRCS := $(filter-out modules/stage.c modules/decompress.c,$(wildcard modules/*.c))
CCINIT_SRCS  += $(MODULES_SRCS)
CCIMAGE_SRCS += $(MODULES_SRCS)
LIB_SRCS     += $(MODULES_SRCS)
# Host only: staging an image's modules (stage.c) and the NVIDIA module
# build (nvidia/), which fetches and unpacks with rootfs/'s apt and .deb code.
# An initramfs's modules are unpacked on the host (decompress.c: liblzma, libzstd).
MODULES_HOST_SRCS := modules/stage.c modules/decompress.c $(wildcard modules/nvidia/*.c)
CCIMAGE_SRCS      += $(MODULES_HOST_SRCS)
CCIMAGE_LIBS      += -llzma -lzstd
LIB_SRCS          += $(MODULES_HOST_SRCS)
