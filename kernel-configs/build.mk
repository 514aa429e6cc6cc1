# The kernel config checker (host): the fragments beside it are its input.
# `ccimage kconfig check` is the command on top.
KCONFIG_SRCS := $(wildcard kernel-configs/*.c)
CCIMAGE_SRCS += $(KCONFIG_SRCS)
LIB_SRCS     += $(KCONFIG_SRCS)
