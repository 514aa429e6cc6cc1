# ccimage: rootfs/ccimage.c is the command dispatcher; subcommands register
# themselves (rootfs/command.h) from whichever directory owns the concern.
ROOTFS_SRCS  := $(wildcard rootfs/*.c)
CCIMAGE_SRCS += $(ROOTFS_SRCS)
LIB_SRCS     += $(filter-out rootfs/ccimage.c,$(ROOTFS_SRCS))
CCIMAGE_LIBS := -lyaml -larchive -lelf -ljson-c
