# Kernel-module loading on libkmod, shared by ccinit (static libkmod) and
# ccimage (the host's libkmod).
MODULES_SRCS := $(wildcard modules/*.c)
CCINIT_SRCS  += $(MODULES_SRCS)
CCIMAGE_SRCS += $(MODULES_SRCS)
LIB_SRCS     += $(MODULES_SRCS)
