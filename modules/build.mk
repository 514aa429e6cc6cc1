# Kernel-module loading on libkmod, shared by ccinit (static libkmod) and
# ccimage (the host's libkmod).
MODULES_SRCS := $(wildcard modules/*.c)
CCINIT_SRCS  += $(MODULES_SRCS)
CCIMAGE_SRCS += $(MODULES_SRCS)
LIB_SRCS     += $(MODULES_SRCS)
# ccinit's loader, on the same context, is init/core/modules_load.c.
# Host only: staging an image's modules (host/stage.c; an initramfs's modules
# unpacked with liblzma and libzstd, host/decompress.c) and the NVIDIA module
# build (nvidia/), which fetches and unpacks with rootfs/'s apt and .deb code.
MODULES_HOST_SRCS := $(wildcard modules/host/*.c modules/nvidia/*.c)
CCIMAGE_SRCS      += $(MODULES_HOST_SRCS)
CCIMAGE_LIBS      += -llzma -lzstd
LIB_SRCS          += $(MODULES_HOST_SRCS)
