# ccinit: every init/*.c, init/core/*.c and init/gpu/*.c goes into the guest
# binary. Everything but main.c is also compiled for the host test library,
# where tests drive it through the system-call seam (init/core/sys.h).
INIT_SRCS    := $(wildcard init/*.c init/core/*.c init/gpu/*.c)
CCINIT_SRCS  += $(INIT_SRCS)
LIB_SRCS     += $(filter-out init/main.c,$(INIT_SRCS))
# init/base/: the base library, libc only, that every binary may include
# (init/base/README.md); it includes nothing outside itself.
BASE_SRCS    := $(wildcard init/base/*.c)
CCINIT_SRCS  += $(BASE_SRCS)
CCIMAGE_SRCS += $(BASE_SRCS)
LIB_SRCS     += $(BASE_SRCS)
