# Slow checks, included from the top Makefile: tests/slow/mkosi.sh builds
# recipes/mkosi twice with Debian's mkosi 14 (installed with apt-get when
# missing), runs ccimage on both outputs and boots the image. It needs root and
# takes minutes of mkosi's own work that no ccinit code path adds to, so `make
# check` leaves it out. (The NVIDIA module build and the nvidia-gpu image's VM
# test are part of `make check`.)
.PHONY: check-slow
check-slow: host-deps all ## slow checks as root: mkosi 14 interop (builds with mkosi, boots the result)
	@TEST_LOGS=$(B)/test-logs/slow tests/run-suites.sh tests/slow/mkosi.sh
