# The kernel config checker and the guest kernel build (host): the fragments
# beside them are their input. `ccimage kconfig check` and `ccimage kernel
# build` are the commands on top.
KCONFIG_SRCS := $(wildcard kernel-configs/*.c kernel-configs/kernel-build/*.c)
CCIMAGE_SRCS += $(KCONFIG_SRCS)
LIB_SRCS     += $(KCONFIG_SRCS)

# The guest kernel from Debian's source and these fragments
# (kernel-configs/README.md, "The kernel build"): built into $CCINIT_CACHE
# once (minutes), before the suites take it from there.
.PHONY: kernel
kernel: $(B)/ccimage ## build (or find in the cache) the guest kernel from Debian's source and kernel-configs/
	$(B)/ccimage kernel build >/dev/null
