# ccinit: every init/*.c goes into the guest binary. Everything but main.c is
# also compiled for the host test library, where tests drive it through the
# system-call seam (init/sys.h).
INIT_SRCS    := $(wildcard init/*.c)
CCINIT_SRCS  += $(INIT_SRCS)
LIB_SRCS     += $(filter-out init/main.c,$(INIT_SRCS))
# The logger, the trace and the seam are shared with ccimage (libkmod's log and
# module-load timing go through them on the host too).
CCIMAGE_SRCS += init/log.c init/trace.c init/sys.c init/why.c
