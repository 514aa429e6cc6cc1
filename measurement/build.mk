# Measurement library: host side, except the verity parameter parser, which
# ccinit shares so both ends read Kata's one-line format the same way.
MEASUREMENT_SRCS := $(wildcard measurement/*.c)
CCIMAGE_SRCS     += $(MEASUREMENT_SRCS)
CCINIT_SRCS      += measurement/verity_params.c
LIB_SRCS         += $(MEASUREMENT_SRCS)
