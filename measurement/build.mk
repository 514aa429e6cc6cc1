# Measurement library, host side (the verity parameter parser ccinit shares
# is in init/base/). Its front-ends are in rootfs/ccimage/.
MEASUREMENT_SRCS := $(wildcard measurement/*.c)
CCIMAGE_SRCS     += $(MEASUREMENT_SRCS)
LIB_SRCS         += $(MEASUREMENT_SRCS)
