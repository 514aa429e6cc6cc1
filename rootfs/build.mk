# ccimage, the host tool. Its folders follow the pipeline (rootfs/README.md,
# "Layout"): recipe/ -> deb/ -> tree/ -> image/, orchestrated by pipeline/, on
# host helpers in lib/. ccimage/ holds the program: ccimage.c dispatches to
# the front-ends, which register themselves (rootfs/ccimage/command.h).
ROOTFS_SRCS  := $(wildcard rootfs/*/*.c)
CCIMAGE_SRCS += $(ROOTFS_SRCS)
LIB_SRCS     += $(filter-out rootfs/ccimage/ccimage.c,$(ROOTFS_SRCS))
CCIMAGE_LIBS += -lyaml -larchive -lelf -ljson-c $(CXX_LIBS)
