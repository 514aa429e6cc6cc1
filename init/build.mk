# ccinit: every init/*.c goes into the guest binary. Everything but main.c is
# also compiled for the host test library, where tests drive it through the
# system-call seam (init/sys.h).
INIT_SRCS    := $(wildcard init/*.c)
CCINIT_SRCS  += $(INIT_SRCS)
LIB_SRCS     += $(filter-out init/main.c,$(INIT_SRCS))
# The logger and why are shared with ccimage (libkmod's log goes through
# them on the host too; module-load timing is a hook ccimage leaves unset).
CCIMAGE_SRCS += init/log.c init/why.c
