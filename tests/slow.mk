# Slow checks, included from the top Makefile. They take minutes and need root
# and the network, so `make check` leaves them out (its nvidia tests then use
# the cache, or skip):
# - tests/reference/nvidia-modules.sh builds NVIDIA's open kernel modules from
#   cold (about 6 minutes on two cores) and checks them with modinfo/depmod;
# - tests/slow/mkosi.sh builds recipes/mkosi twice with Debian's mkosi 14
#   (installed with apt-get when missing) and runs ccimage on both outputs;
# - tests/vm/nvidia.py builds recipes/nvidia-gpu.yaml on those modules and
#   boots it in QEMU with both ccinit.gpu policies.
.PHONY: check-slow
check-slow: host-deps all ## slow checks as root: NVIDIA module build, mkosi 14 interop, nvidia-gpu image in QEMU
	@CCINIT_SLOW=1 TEST_LOGS=$(B)/test-logs/slow tests/run-suites.sh \
		tests/reference/nvidia-modules.sh tests/slow/mkosi.sh tests/vm/nvidia.py
