#!/bin/bash
# Reference test: `ccimage kata cmdline` against golden kernel command lines.
#
# 1. A published capture: the `-append` string of a live Kata TDX pod with a
#    dm-verity root, as confidential-dot-ai/c8s records it in its unit test
#    `test_rtmr2_direct_kernel_golden` ("live kata-guest-base TDX quote",
#    2026-07-08). Its agent.launch_process_timeout (Kata >= 3.29.0) and its
#    nr_cpus on a confidential guest (dropped in 3.32.0, Kata commit e475d870)
#    place it in Kata 3.29-3.31; max vCPUs 1 and the TDX configuration's
#    kernel_params. Nobody here wrote it.
# 2. Kata 4.1.0's four confidential QEMU configurations (tests/fixtures/kata/,
#    Go runtime and runtime-rs), each line derived by hand from Kata's source
#    at tag 4.1.0 (measurement/README.md, 11), parameter by parameter:
#    Go: qemu_amd64.go kernelParams; hypervisor.go GetKernelRootParams;
#    qemu_arch_base.go appendConsole and kernelParamsNonDebug/SystemdNonDebug;
#    qemu.go defaultKernelParameters and kernelParameters (selinux, no nr_cpus
#    for confidential guests); katautils/create.go systemdKernelParam;
#    katautils/config.go SetKernelParams (scsi_mod.scan for virtio-scsi, then
#    kata_agent.go KataAgentKernelParams, then the TOML's kernel_params).
#    runtime-rs: kernel_param.rs KernelParams::new and
#    new_rootfs_kernel_params; kata-types get_agent_kernel_params (sorted,
#    cdh_api_timeout_ms 50000 by default, in seconds) prepended to
#    kernel_params; cmdline_generator.rs Kernel::new (selinux, extensions)
#    and add_console.
. "$(dirname "$0")/../lib/tap.sh"
F=tests/fixtures/kata

need "$CCIMAGE"
workdir

# check NAME GOLDEN ARGS...: the derived line must equal GOLDEN byte for byte.
check() {
	local name=$1 golden=$2 got
	shift 2
	if ! got=$("$CCIMAGE" kata cmdline "$@" 2>&1); then
		nok "$name: ccimage failed: $got"
	elif [ "$got" = "$golden" ]; then
		ok "$name"
	else
		nok "$name"
		echo "#   want: $golden"
		echo "#   got:  $got"
	fi
}

AMD64='tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k cryptomgr.notests net.ifnames=0 pci=lastbus=0'
EXT4='rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4'
UNITS='systemd.unit=kata-containers.target systemd.mask=systemd-networkd.service systemd.mask=systemd-networkd.socket'
GO_TAIL="console=hvc0 console=hvc1 quiet systemd.show_status=false panic=1 selinux=0 $UNITS scsi_mod.scan=none"
NV_PARAMS='cgroup_no_v1=all pci=realloc pci=nocrs pci=assign-busses nvrc.smi.srs=1'

c8s='tsc=reliable no_timer_check rcupdate.rcu_expedited=1 i8042.direct=1 i8042.dumbkbd=1 i8042.nopnp=1 i8042.noaux=1 noreplace-smp reboot=k cryptomgr.notests net.ifnames=0 pci=lastbus=0 dm-mod.create="dm-verity,,,ro,0 772096 verity 1 /dev/vda1 /dev/vda2 4096 4096 96512 0 sha256 768cd7e848f6cb7eb4f59467b26ee5c5e45ece570cb96a5c952d97dbc89bb150 63f8dacc786bd19f307be8668c7792a8fe07818df4aae55b63e76c4931d35c76" root=/dev/dm-0 rootflags=data=ordered,errors=remount-ro ro rootfstype=ext4 console=hvc0 console=hvc1 quiet systemd.show_status=false panic=1 nr_cpus=1 selinux=0 systemd.unit=kata-containers.target systemd.mask=systemd-networkd.service systemd.mask=systemd-networkd.socket scsi_mod.scan=none agent.launch_process_timeout=6 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1'
echo 'root_hash=768cd7e848f6cb7eb4f59467b26ee5c5e45ece570cb96a5c952d97dbc89bb150,salt=63f8dacc786bd19f307be8668c7792a8fe07818df4aae55b63e76c4931d35c76,data_blocks=96512,data_block_size=4096,hash_block_size=4096' >"$work/verity"
check "c8s's live TDX capture (Go, Kata 3.31.0, dm-verity root, 1 max vCPU)" "$c8s" \
	--config "$F/configuration-qemu-tdx.toml" --kata-version 3.31.0 --max-vcpus 1 \
	--verity-params "$work/verity"

for tee in snp tdx; do
	check "Go 4.1.0 qemu-$tee" \
		"$AMD64 root=/dev/vda1 $EXT4 $GO_TAIL agent.launch_process_timeout=6 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" \
		--config "$F/configuration-qemu-$tee.toml"
	check "Go 4.1.0 qemu-nvidia-gpu-$tee" \
		"$AMD64 root=/dev/vda1 rootflags=ro rootfstype=erofs $GO_TAIL agent.launch_process_timeout=15 $NV_PARAMS" \
		--config "$F/configuration-qemu-nvidia-gpu-$tee.toml"
	check "runtime-rs 4.1.0 qemu-$tee" \
		"reboot=k panic=1 $UNITS root=/dev/vda1 $EXT4 agent.cdh_api_timeout=50 agent.launch_process_timeout=6 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 selinux=0 kata.extension.coco.verity_params console=hvc0" \
		--runtime rs --config "$F/configuration-qemu-$tee-runtime-rs.toml"
	check "runtime-rs 4.1.0 qemu-nvidia-gpu-$tee" \
		"reboot=k panic=1 $UNITS root=/dev/vda1 rootflags=ro rootfstype=erofs agent.cdh_api_timeout=50 agent.launch_process_timeout=15 $NV_PARAMS selinux=0 kata.extension.gpu.verity_params kata.extension.coco.verity_params console=hvc0" \
		--runtime rs --config "$F/configuration-qemu-nvidia-gpu-$tee-runtime-rs.toml"
done

# A rootfs-mode image with its verity line, debug on: GetKernelRootParams'
# dm-mod.create in place of root=/dev/vda1; kernelParamsDebug and
# kernelParamsSystemdDebug in place of quiet; agent.log=debug first of the
# agent's parameters.
check "Go 4.1.0 qemu-nvidia-gpu-snp, verity, debug" \
	"$AMD64 dm-mod.create=\"dm-verity,,,ro,0 772096 verity 1 /dev/vda1 /dev/vda2 4096 4096 96512 0 sha256 768cd7e848f6cb7eb4f59467b26ee5c5e45ece570cb96a5c952d97dbc89bb150 63f8dacc786bd19f307be8668c7792a8fe07818df4aae55b63e76c4931d35c76\" root=/dev/dm-0 rootflags=ro rootfstype=erofs console=hvc0 console=hvc1 debug systemd.show_status=true systemd.log_level=debug panic=1 selinux=0 $UNITS scsi_mod.scan=none agent.log=debug agent.launch_process_timeout=15 $NV_PARAMS" \
	--config "$F/configuration-qemu-nvidia-gpu-snp.toml" --verity-params "$work/verity" --debug
# The same with an initrd: no root= and no systemd parameters (needSystemd is image != "").
check "Go 4.1.0 qemu-snp, initrd" \
	"$AMD64 console=hvc0 console=hvc1 quiet panic=1 selinux=0 scsi_mod.scan=none agent.launch_process_timeout=6 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1" \
	--config "$F/configuration-qemu-snp.toml" --initrd

# A malformed file is refused with its name and line.
printf '[hypervisor.qemu]\nimage = "/i"\nkernel_params = [\n' >"$work/bad.toml"
if out=$("$CCIMAGE" kata cmdline --config "$work/bad.toml" 2>&1); then
	nok "a malformed TOML is refused"
else
	case $out in
	*"$work/bad.toml:"[34]:*) ok "a malformed TOML is refused, naming file and line" ;;
	*) nok "a malformed TOML is refused, naming file and line: $out" ;;
	esac
fi

finish
