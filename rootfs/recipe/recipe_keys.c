/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every key a recipe may hold, one row each (types and fields: recipe_keys.h).
 * The order is the order of rootfs/RECIPES.md's tables, of the "known here"
 * list an unknown key's error gives, and of reading (variables first). A key
 * is a row here, a line in RECIPES.md made from it, and a handler only when
 * its type is its own.
 */
#include "rootfs/recipe/recipe_keys.h"

#include <stddef.h>

#include "measurement/launch.h"

#define AT(type, field) .off = offsetof(type, field), .size = sizeof(((type *)0)->field)
#define IN(field)       AT(struct recipe, field)
#define COUNT(type, n)  .count = offsetof(type, n)
#define LIST(field, n)  IN(field), COUNT(struct recipe, n)
#define CUSTOM(handler) .type = RK_CUSTOM, .parse = rk_##handler, .free = rk_free_##handler

const struct rkey recipe_keys[] = {
        /* The top level. */
        {"format", RK_UINT, IN(format), .min = 1, .max = 1, .required = true,
         .what = " (format: 1)", .doc_type = "int", .doc = "`1`"},
        {"name", RK_NAME, IN(name), .required = true,
         .doc = "image name: output prefix, SBOM name, default salt seed"},
        {"source-date-epoch", RK_UINT, IN(source_date_epoch), .doc_default = "`0`",
         .doc = "every time in every output; `SOURCE_DATE_EPOCH` in the environment overrides "
                "it"},
        {"variables", CUSTOM(variables), .always = true, .early = true,
         .doc_type = "map name→string",
         .doc = "defaults for `${name}`; `ccimage build --set name=value` overrides"},
        {"debian", RK_MAP, IN(has_debian), .marks = true,
         .doc_default = "none; required with `packages`, `kernel.package` or `kernel.build`",
         .doc = "where packages (and a built kernel's source) come from"},
        {"packages", CUSTOM(packages), .doc_type = "map name→package",
         .doc = "Debian packages and their slices"},
        {"files", CUSTOM(files), LIST(files, nfiles), .doc_type = "map path→file",
         .doc = "local inputs copied into the root"},
        {"directories", CUSTOM(entries), LIST(dirs, ndirs), .doc_type = "map path→mode",
         .doc = "directories created in the root (e.g. `/proc: 0555`)"},
        {"symlinks", CUSTOM(entries), LIST(symlinks, nsymlinks), .doc_type = "map path→target",
         .doc = "symlinks created in the root"},
        {"kernel", RK_MAP, .check = rk_check_kernel, .doc = "kernel and modules"},
        {"initramfs", RK_MAP, .doc = "the early image"},
        {"image", RK_MAP, .always = true, .check = rk_check_image,
         .doc = "filesystem and verity settings"},
        {"cmdline", RK_STR, IN(cmdline), .def = "{root}", .doc = "kernel command-line template"},
        {"measurement", RK_MAP, .check = rk_check_measurement,
         .doc = "launch-measurement settings, kept as data"},
        {"tree", RK_MAP, .doc = "a root tree made elsewhere (mkosi), staged before any slice"},
        {"gpu", RK_MAP,
         .doc = "NVIDIA's RIMs, verified at build time into the root's GPU golden table"},

        {"debian.suite", RK_NAME, IN(debian.suite), .required = true,
         .doc = "e.g. `trixie` (the recipes here) or `bookworm`"},
        {"debian.components", RK_STRLIST, LIST(debian.components, debian.ncomponents),
         .def = "main", .check = rk_check_components,
         .doc = "each a name, e.g. `[main, non-free, non-free-firmware]`"},
        {"debian.updates", RK_BOOL, IN(debian.updates), .def = "true",
         .doc = "also `SUITE-updates` and `SUITE-security` (the newest version across suites "
                "wins, as apt and chisel do)"},
        {"debian.mirror", RK_STR, IN(debian.mirror), .def = "http://deb.debian.org/debian",
         .check = rk_check_mirror, .doc = "archive URL (`http://`, `https://` or `file:/`)"},
        {"debian.security-mirror", RK_STR, IN(debian.security_mirror),
         .def = "http://deb.debian.org/debian-security", .check = rk_check_mirror,
         .doc = "security archive URL"},
        {"debian.snapshot", RK_STR, IN(debian.snapshot), .check = rk_check_snapshot,
         .doc = "`YYYYMMDDTHHMMSSZ`: use snapshot.debian.org at that time for both archives "
                "(locks then never go stale)"},
        {"debian.keyring", RK_STR, IN(debian.keyring),
         .def = "/usr/share/keyrings/debian-archive-keyring.gpg",
         .doc = "apt's `Signed-By`: InRelease is verified by apt"},
        {"debian.architecture", RK_STR, IN(debian.architecture), .def = "amd64",
         .check = rk_check_only, .doc = "only `amd64` is supported now"},

        {"packages.*.slices", CUSTOM(slices), AT(struct recipe_package, slices),
         .doc_type = "map slice-name→list of globs", .doc_default = "`{}`",
         .doc = "paths to keep; slice names are `[a-z0-9-]+` and appear in `--explain` and the "
                "SBOM as `PKG_SLICE`"},
        {"packages.*.copyright", RK_BOOL, AT(struct recipe_package, copyright), .def = "true",
         .doc = "keep `/usr/share/doc/PKG/copyright` in the image when the package put at least "
                "one file there (after the ELF closure); the SBOM reads it either way"},

        {"files.*.source", RK_PATH, AT(struct recipe_file, source),
         .doc = "the file to copy; exactly one of `source` and `text`"},
        {"files.*.text", RK_STR, AT(struct recipe_file, text), .doc = "the file's bytes"},
        {"files.*.mode", RK_MODE, AT(struct recipe_file, mode), .required = true,
         .doc = "its mode in the image"},
        {"files.*.follow", RK_BOOL, AT(struct recipe_file, follow),
         .doc = "with `source`: a symlink is followed and its target copied (else refused)"},

        {"kernel.package", RK_STR, IN(kernel.package),
         .doc = "a `linux-image-*` package; a metapackage (`linux-image-cloud-amd64`) is "
                "followed at lock time to the `linux-image-<version>` it depends on, and the "
                "lock pins that"},
        {"kernel.root", RK_PATH, IN(kernel.root),
         .doc = "instead of `package`: an extracted kernel tree (`lib/modules/KVER` inside)"},
        {"kernel.version", RK_STR, IN(kernel.version),
         .doc = "with `root`: the KVER (default: the only directory in `root/lib/modules`)"},
        {"kernel.build", RK_MAP, IN(kernel.build), .marks = true,
         .what = "kernel.build: a map ({} or {source-version: V})", .check = rk_check_build,
         .doc = "instead of `package`: the kernel `ccimage kernel build` makes from the "
                "recipe's suite and `kernel-configs/` (cached; built first when the cache lacks "
                "it: [kernel-configs/README.md](../kernel-configs/README.md), \"The kernel "
                "build\"); `{}` or the keys below. Everything the storage profile names is built "
                "in; `reference-values.json` and the manifest name the build (`kernel_built`: "
                "source and NVIDIA versions, key, module certificate hash), the SPDX document "
                "lists both source packages"},
        {"kernel.build.suite", RK_NAME, IN(kernel.build_suite), .doc_default = "`debian.suite`",
         .doc = "the suite both source packages come from, e.g. `trixie-backports` for a "
                "newer kernel than the release's; a suite with a `-` is one pocket, taken "
                "without `-updates` and `-security`"},
        {"kernel.build.source-version", RK_STR, IN(kernel.build_source_version),
         .doc_default = "the suite's candidate", .doc = "the `linux-source-X.Y` version to build"},
        {"kernel.build.nvidia", RK_BOOL, IN(kernel.build_no_nvidia), .parse = rk_no_nvidia,
         .doc_default = "`true`",
         .doc = "build `nvidia` and `nvidia-uvm` against the kernel in the same run, signed "
                "with its key, under `lib/modules/KVER/updates/dkms` (the kernel refuses "
                "unsigned modules, so `kernel.root-modules` can take them from there)"},
        {"kernel.build.nvidia-version", RK_STR, IN(kernel.build_nvidia_version),
         .doc_default = "the suite's candidate",
         .doc = "the `nvidia-open-kernel-source` version to build; not with `nvidia: false`"},
        {"kernel.initramfs-modules", RK_MAP,
         .doc = "resolved with their dependencies by libkmod, put in the initramfs with "
                "depmod's indexes"},
        {"kernel.initramfs-modules.profiles", RK_STRLIST,
         LIST(kernel.initramfs.profiles, kernel.initramfs.nprofiles),
         .doc = "profile names from modules/profiles.c"},
        {"kernel.initramfs-modules.modules", RK_STRLIST,
         LIST(kernel.initramfs.modules, kernel.initramfs.nmodules), .doc = "module names"},
        {"kernel.root-modules", RK_MAP,
         .doc = "the same keys: put in the root image under `/lib/modules/KVER`"},
        {"kernel.root-modules.profiles", RK_STRLIST,
         LIST(kernel.root_modules.profiles, kernel.root_modules.nprofiles),
         .doc = "profile names from modules/profiles.c"},
        {"kernel.root-modules.modules", RK_STRLIST,
         LIST(kernel.root_modules.modules, kernel.root_modules.nmodules), .doc = "module names"},

        {"initramfs.init", RK_PATH, IN(initramfs.init), .doc = "the `/init` binary (ccinit)"},
        {"initramfs.files", CUSTOM(files), LIST(initramfs.files, initramfs.nfiles),
         .doc_type = "map path→file",
         .doc = "extra files, as top-level `files` (e.g. a static `/sbin/mke2fs`)"},
        {"initramfs.modules-compressed", RK_BOOL, IN(initramfs.modules_compressed),
         .doc = "`false`: `kernel.initramfs-modules` shipped as `.ko.xz` or `.ko.zst` are "
                "stored unpacked as `.ko` (the kernel inserts them without decompressing, much "
                "faster under emulation; signatures stay valid); `true` keeps the files as the "
                "kernel package has them, for a smaller initramfs"},

        {"image.filesystem", RK_STR, IN(image.filesystem), .def = "erofs", .check = rk_check_only,
         .doc = "only erofs now"},
        {"image.compress", RK_STR, IN(image.compress), .def = "lz4",
         .doc = "mkfs.erofs `-z`: `lz4`, `lz4hc` (with a level: `lz4hc,12`), whatever else the "
                "erofs-utils in use knows (1.5 has only these two), or `none`; what each costs "
                "per GB and saves is in [README.md](../README.md), \"Large roots\". The recipes "
                "here use `lz4`"},
        {"image.salt-seed", RK_STR, IN(image.salt_seed), .doc_default = "the recipe name",
         .doc = "mixed into the erofs UUID and the verity salt"},
        {"image.data-device", RK_STR, IN(image.data_dev), .def = "/dev/vda1",
         .doc = "for `dm-mod.create`"},
        {"image.hash-device", RK_STR, IN(image.hash_dev), .def = "/dev/vda2",
         .doc = "for `dm-mod.create`"},
        {"image.root-device", RK_STR, IN(image.root_dev), .def = "/dev/vda",
         .doc = "for `ccinit.root=`"},
        {"image.ld-cache", RK_BOOL, IN(image.ld_cache), .def = "true",
         .doc = "generate `/etc/ld.so.cache` when the image has a dynamic loader"},
        {"image.dpkg-status", RK_BOOL, IN(image.dpkg_status), .def = "true",
         .doc = "write `/var/lib/dpkg/status` (and `info/PKG.list`) naming the packages"},

        {"measurement.tee", RK_STRLIST, LIST(measurement.tee, measurement.ntee),
         .check = rk_check_tee, .doc_type = "list of `snp`, `tdx`",
         .doc = "which launch measurements to predict"},
        {"measurement.vcpus", RK_UINTLIST, LIST(measurement.vcpus, measurement.nvcpus), .min = 1,
         .max = LAUNCH_VCPUS_MAX, .doc = "vCPU counts to predict for"},
        {"measurement.vcpu-type", RK_STR, IN(measurement.vcpu_type), .check = rk_check_vcpu_type,
         .doc = "a QEMU CPU model, e.g. `EPYC-v4` (SEV)"},
        {"measurement.firmware", RK_PATH, IN(measurement.firmware),
         .doc = "one firmware measured for every TEE named; excludes the two keys below"},
        {"measurement.tdx-firmware", RK_PATH, IN(measurement.tdx_firmware),
         .doc = "TDX's firmware (the repository's recipes: Debian's `/usr/share/ovmf/OVMF.fd`); "
                "required with `tdx` unless `firmware` is given"},
        {"measurement.snp-firmware", RK_PATH, IN(measurement.snp_firmware),
         .parse = rk_snp_firmware, .doc_type = "`build` or host path", .doc_default = "`build`",
         .doc = "SNP's firmware: `build` is the AMD SEV OVMF `ccimage firmware build` makes from "
                "Debian's edk2 source, taken from `$CCINIT_CACHE/firmware/` or built there first "
                "(5 to 11 minutes on two cores, once; "
                "[measurement/README.md](../measurement/README.md), 3.1); a host path overrides "
                "it"},
        {"measurement.memory-mib", RK_UINT, IN(measurement.memory_mib),
         .min = LAUNCH_MEMORY_MIN >> 20, .max = LAUNCH_MEMORY_MAX >> 20,
         .doc = "guest memory, for TDX's TD HOB"},

        {"tree.source", RK_PATH, IN(tree.source), .required = true, .what = " (a directory)",
         .doc = "the directory to copy"},
        {"tree.exclude", RK_STRLIST, LIST(tree.exclude, tree.nexclude),
         .doc = "globs not to copy, on top of the defaults below"},

        {"gpu.rims", RK_STRLIST, LIST(gpu.rims, gpu.nrims), .parse = rk_paths,
         .doc_type = "list of host paths",
         .doc = "NVIDIA's RIMs (driver `NV_GPU_DRIVER_<chip>_<version>.xml`, VBIOS "
                "`NV_GPU_VBIOS_<board>_<version>.xml`): each a file, or a directory whose "
                "`*.xml` and `*.swidtag` files are taken in name order; verified as `ccimage "
                "gpu rims` does, written to `/usr/share/ccinit/gpu-golden`, each file's sha256 "
                "pinned by the lock"},
        {"gpu.rims-accept-expired", RK_BOOL, IN(gpu.rims_accept_expired),
         .doc = "a RIM whose signing chain has expired (NVIDIA's do) is verified at its "
                "latest `notBefore` and marked expired, as `--accept-expired`"},
        {"gpu.rim-root", RK_PATH, IN(gpu.rim_root), .doc_default = "NVIDIA's RIM root, built in",
         .doc = "a PEM root the RIMs' signing chains must end at (for tests)"},
};

const size_t recipe_nkeys = sizeof(recipe_keys) / sizeof(recipe_keys[0]);

const char *const recipe_key_blocks[] = {"",       "debian",    "packages.*", "files.*",
                                         "kernel", "initramfs", "image",      "measurement",
                                         "tree",   "gpu",       NULL};
