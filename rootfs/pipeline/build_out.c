/* SPDX-License-Identifier: Apache-2.0 */
/* The second half of the pipeline: image, initramfs, and the files that describe them. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "init/base/verity_params.h"
#include "rootfs/pipeline/build.h"
#include "init/base/cmdfiles.h"
#include "init/base/fileio.h"
#include "rootfs/image/cpio.h"
#include "rootfs/tree/elfclosure.h"
#include "rootfs/lib/fsutil.h"
#include "rootfs/lib/staged.h"
#include "modules/host/stage.h"
#include "rootfs/image/sbom.h"

int build_out_begin(struct build *b, const char *out)
{
	int r = staged_dir_begin(&b->out, out, "build.json", b->why, sizeof(b->why));

	if (r < 0)
		return r;
	b->out_dir = b->out.tmp;
	return path_join(b->stage, sizeof(b->stage), b->out_dir, "root");
}

int build_out_commit(struct build *b)
{
	int r;

	if (!b->keep_stage && b->stage[0]) {
		(void)remove_tree(b->stage);
		b->stage[0] = '\0';
	}
	r = staged_dir_commit(&b->out, b->why, sizeof(b->why));
	if (r == 0) {
		b->out_dir = b->out.final;
		b->stage[0] = '\0';
	}
	return r;
}

/*
 * The stage's second user beside mkfs.erofs, on a thread of its own: the
 * SBOM's digests of every file (sbom_files_hash), then, once mkfs.erofs has
 * read the stage and when nothing after needs it (--keep-stage, --explain),
 * its removal: a gigabyte takes a second to unlink, time the image step's
 * hashing covers.
 */
struct stage_job {
	const char *stage;
	struct sbom_files *files;
	bool remove, root_read, removed;
	atomic_bool stop;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int r;
	char why[1024];
};

static void stage_job_tell(struct stage_job *j, bool stop)
{
	pthread_mutex_lock(&j->lock);
	if (stop)
		atomic_store(&j->stop, true);
	else
		j->root_read = true;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
}

static void root_read(void *arg)
{
	stage_job_tell(arg, false);
}

static void *stage_job_run(void *arg)
{
	struct stage_job *j = arg;
	bool go;

	j->r = sbom_files_hash(j->stage, j->files, &j->stop, j->why, sizeof(j->why));
	pthread_mutex_lock(&j->lock);
	while (j->remove && j->r == 0 && !j->root_read && !atomic_load(&j->stop))
		pthread_cond_wait(&j->cond, &j->lock);
	go = j->remove && j->r == 0 && j->root_read && !atomic_load(&j->stop);
	pthread_mutex_unlock(&j->lock);
	j->removed = go && remove_tree(j->stage) == 0;
	return NULL;
}

static int make_image(struct build *b, struct stage_job *j)
{
	const struct recipe *rc = b->recipe;
	struct image_opts o;

	image_opts_init(&o);
	o.root_dir = b->stage;
	o.out_dir = b->out_dir;
	o.name = rc->name;
	o.salt_seed = rc->image.salt_seed;
	o.source_date_epoch = b->epoch;
	o.compress = rc->image.compress;
	o.data_dev = rc->image.data_dev;
	o.hash_dev = rc->image.hash_dev;
	o.root_dev = rc->image.root_dev;
	o.root_read = root_read;
	o.root_read_arg = j;
	return image_build(&o, &b->image, b->why, sizeof(b->why));
}

/*
 * The image, and meanwhile the stage's other job: both read every byte of
 * the root, and mkfs.erofs 1.5 packs on one core, so the other hashes. The
 * stage no longer changes once the image step starts.
 */
int build_image(struct build *b)
{
	struct stage_job j = {
	        .stage = b->stage, .files = &b->files, .remove = !b->keep_stage && !b->explain};
	pthread_t t;
	bool threaded;
	int r;

	atomic_init(&j.stop, false);
	pthread_mutex_init(&j.lock, NULL);
	pthread_cond_init(&j.cond, NULL);
	threaded = pthread_create(&t, NULL, stage_job_run, &j) == 0;
	r = make_image(b, &j);
	if (threaded) {
		if (r < 0)
			stage_job_tell(&j, true);
		pthread_join(t, NULL);
	} else if (r == 0) {
		stage_job_run(&j);
	}
	pthread_cond_destroy(&j.cond);
	pthread_mutex_destroy(&j.lock);
	if (j.removed)
		b->stage[0] = '\0';
	if (r == 0 && j.r < 0) {
		snprintf(b->why, sizeof(b->why), "SBOM: %s", j.why);
		r = j.r;
	}
	return r;
}

static int add_initramfs_file(struct build *b, struct cpio_archive *a, const char *tmp,
                              const struct recipe_file *f, unsigned i)
{
	char host[PATH_MAX + 32];
	int r;

	if (f->source) {
		char reason[256];
		struct stat st;
		int fd = open_input_file(f->source, BUILD_LOCAL_FILE_MAX, f->follow, &st, reason,
		                         sizeof(reason));
		if (fd < 0) {
			snprintf(b->why, sizeof(b->why), "%s:%u: initramfs %s: source %s: %s",
			         b->recipe->file, f->line, f->path, f->source, reason);
			return fd;
		}
		close(fd);
		/* The initramfs has no loader and no libraries: a dynamic binary there cannot run.
		 */
		struct elf_deps d;
		if (elf_deps_read(f->source, &d) == 0 && d.interp) {
			snprintf(b->why, sizeof(b->why),
			         "%s:%u: initramfs %s: %s is dynamically linked (interpreter %s); "
			         "the "
			         "initramfs takes static binaries only",
			         b->recipe->file, f->line, f->path, f->source, d.interp);
			elf_deps_free(&d);
			return -EINVAL;
		}
		elf_deps_free(&d);
		return cpio_add_file(a, f->path, f->source, f->mode);
	}
	snprintf(host, sizeof(host), "%s/text-%u", tmp, i);
	int fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = write(fd, f->text, f->text_len) == (ssize_t)f->text_len ? 0 : -EIO;
	close(fd);
	return r < 0 ? r : cpio_add_file(a, f->path, host, f->mode);
}

/* initramfs.init as /init: a static binary (no follow key: a symlink to ccinit is fine). */
static int add_init(struct build *b, struct cpio_archive *a)
{
	const char *init = b->recipe->initramfs.init;
	char reason[256];
	struct stat st;
	struct elf_deps d;
	int r = 0,
	    fd = open_input_file(init, BUILD_LOCAL_FILE_MAX, true, &st, reason, sizeof(reason));

	if (fd < 0) {
		snprintf(b->why, sizeof(b->why), "%s: initramfs.init %s: %s", b->recipe->file, init,
		         reason);
		return fd;
	}
	close(fd);
	if (elf_deps_read(init, &d) == 0 && d.interp) {
		snprintf(b->why, sizeof(b->why),
		         "initramfs.init %s is dynamically linked (interpreter %s)", init,
		         d.interp);
		r = -EINVAL;
	}
	elf_deps_free(&d);
	return r < 0 ? r : cpio_add_file(a, "/init", init, 0755);
}

int build_initramfs(struct build *b)
{
	const struct recipe *rc = b->recipe;
	static const char *const dirs[] = {"/dev", "/proc", "/sys", "/run", "/tmp"};
	char tmp[PATH_MAX], out[PATH_MAX], partial[PATH_MAX + 8];
	struct cpio_archive *a = NULL;
	int r;

	if (!rc->initramfs.init && !rc->initramfs.nfiles &&
	    !(rc->kernel.initramfs.nprofiles + rc->kernel.initramfs.nmodules))
		return 0;
	snprintf(tmp, sizeof(tmp), "%s/.initramfs-XXXXXX", b->out_dir);
	if (!mkdtemp(tmp))
		return -errno;
	r = cpio_new(&a);
	for (size_t i = 0; r == 0 && i < sizeof(dirs) / sizeof(dirs[0]); i++)
		r = cpio_add_dir(a, dirs[i], 0755);
	/* The kernel opens /dev/console for init's stdio before any devtmpfs exists. */
	if (r == 0)
		r = cpio_add_node(a, "/dev/console", S_IFCHR | 0600, 5, 1);
	if (r == 0 && rc->initramfs.init)
		r = add_init(b, a);
	for (size_t i = 0; r == 0 && i < rc->initramfs.nfiles; i++)
		r = add_initramfs_file(b, a, tmp, &rc->initramfs.files[i], (unsigned)i);
	if (r == 0 && (rc->kernel.initramfs.nprofiles + rc->kernel.initramfs.nmodules)) {
		const char **names = NULL;
		bool *optional = NULL;
		size_t count = 0;
		char mods[PATH_MAX + 16];
		r = build_module_names(&rc->kernel.initramfs, &names, &optional, &count, b->why,
		                       sizeof(b->why));
		if (r == 0 && !b->kver[0]) {
			snprintf(b->why, sizeof(b->why), "kernel.initramfs-modules needs a kernel");
			r = -EINVAL;
		}
		if (r == 0)
			r = modstage(b->kernel_root, b->kver, tmp, names, optional, count,
			             rc->initramfs.modules_compressed ? MODSTAGE_AS_SHIPPED
			                                              : MODSTAGE_DECOMPRESS,
			             &b->initramfs_modules, b->why, sizeof(b->why));
		snprintf(mods, sizeof(mods), "%s/lib/modules", tmp);
		if (r == 0)
			r = cpio_add_tree(a, "/lib/modules", mods);
		free(names);
		free(optional);
	}
	snprintf(out, sizeof(out), "%s/initramfs.cpio", b->out_dir);
	snprintf(partial, sizeof(partial), "%s.tmp", out);
	if (r == 0) {
		FILE *f = fopen(partial, "we");
		r = f ? cpio_write(a, f, (uint32_t)b->epoch) : -errno;
		if (f && fclose(f) != 0 && r == 0)
			r = -EIO;
		if (r == 0 && rename(partial, out) < 0)
			r = -errno;
		if (r < 0)
			(void)unlink(partial);
	}
	if (r < 0 && !b->why[0])
		snprintf(b->why, sizeof(b->why), "initramfs %s: %s", out, strerror(-r));
	cpio_free(a);
	(void)remove_tree(tmp);
	return r;
}

/* {root}, {verity_params}, {dm_mod}; {{ and }} are braces. */
static int expand_cmdline(struct build *b)
{
	const char *t = b->recipe->cmdline;
	size_t n = 0, size = sizeof(b->cmdline);

	for (; *t; t++) {
		const char *ins = NULL;
		char one[2] = {*t, 0};
		if (t[0] == '{' && t[1] == '{') {
			ins = "{", t++;
		} else if (t[0] == '}' && t[1] == '}') {
			ins = "}", t++;
		} else if (*t == '{') {
			size_t len = strcspn(t + 1, "}");
			if (!strncmp(t, "{root}", 6))
				ins = b->image.cmdline;
			else if (!strncmp(t, "{verity_params}", 15))
				ins = b->image.kata_line;
			else if (!strncmp(t, "{dm_mod}", 8))
				ins = b->image.dm_mod;
			if (!ins) {
				snprintf(b->why, sizeof(b->why),
				         "%s: cmdline: unknown placeholder {%.*s} (known: {root}, "
				         "{verity_params}, {dm_mod})",
				         b->recipe->file, (int)len, t + 1);
				return -EINVAL;
			}
			t += len + 1;
		} else {
			ins = one;
		}
		size_t l = strlen(ins);
		if (n + l + 1 > size) {
			snprintf(b->why, sizeof(b->why), "cmdline longer than %zu bytes", size);
			return -E2BIG;
		}
		memcpy(b->cmdline + n, ins, l);
		n += l;
	}
	b->cmdline[n] = '\0';
	return 0;
}

static int copy_kernel_files(struct build *b)
{
	static const char *const files[][2] = {{"boot/vmlinuz-", "vmlinuz"},
	                                       {"boot/config-", "config"}};
	int r = 0;

	if (!b->kver[0])
		return 0;
	for (size_t i = 0; i < 2 && r == 0; i++) {
		char from[PATH_MAX + 300], to[PATH_MAX + 16];
		snprintf(from, sizeof(from), "%s/%s%s", b->kernel_root, files[i][0], b->kver);
		snprintf(to, sizeof(to), "%s/%s", b->out_dir, files[i][1]);
		if (access(from, R_OK) < 0 && i == 1)
			continue; /* a hand-made kernel tree may lack its config */
		(void)unlink(to);
		r = copy_file(from, to, 0644);
		if (r < 0)
			snprintf(b->why, sizeof(b->why), "copying %s: %s", from, strerror(-r));
	}
	return r;
}

int build_outputs(struct build *b)
{
	char sbom[PATH_MAX + 64], root[2 * VERITY_MAX_DIGEST_SIZE + 1];
	struct sbom_pkg *sp = calloc(b->npkgs + 1 + b->nkernel_sources, sizeof(*sp));
	size_t n = 0;
	int r;

	if (!sp)
		return -ENOMEM;
	r = expand_cmdline(b);
	char cmdline_txt[PATH_MAX + 16];
	snprintf(cmdline_txt, sizeof(cmdline_txt), "%s/cmdline.txt", b->out_dir);
	if (r == 0 && (r = write_string_file(cmdline_txt, b->cmdline, WRITE_NEWLINE)) < 0)
		snprintf(b->why, sizeof(b->why), "writing cmdline.txt: %s", strerror(-r));
	if (r == 0)
		r = copy_kernel_files(b);
	/* Packages the closure found no use for are pinned but not in the image: not listed. */
	for (size_t i = 0; i < b->npkgs; i++)
		if (build_package_has_files(b, b->pkgs[i].pin->name))
			sp[n++] = (struct sbom_pkg){b->pkgs[i].pin->name, b->pkgs[i].pin->version,
			                            b->pkgs[i].pin->arch, b->pkgs[i].pin->sha256,
			                            b->pkgs[i].url,       b->pkgs[i].idx};
	if (b->kernel_pkg.pin)
		sp[n++] = (struct sbom_pkg){b->kernel_pkg.pin->name, b->kernel_pkg.pin->version,
		                            b->kernel_pkg.pin->arch, b->kernel_pkg.pin->sha256,
		                            b->kernel_pkg.url,       b->kernel_pkg.idx};
	for (size_t i = 0; i < b->nkernel_sources; i++) {
		const struct apt_pkg *k = &b->kernel_sources[i];
		sp[n++] = (struct sbom_pkg){
		        k->name, k->version, k->arch, k->sha256, b->kernel_source_urls[i], NULL};
	}
	hex_encode(b->image.verity.root_hash, b->image.verity.root_hash_size, root);
	snprintf(sbom, sizeof(sbom), "%s/%s.spdx.json", b->out_dir, b->recipe->name);
	if (r == 0)
		r = sbom_write(sbom, b->recipe, &b->files, sp, n, &b->origins, b->epoch, root,
		               b->why, sizeof(b->why));
	free(sp);
	if (r == 0) {
		snprintf(sbom, sizeof(sbom), "%s/build.json", b->out_dir);
		r = build_manifest(b, sbom);
	}
	return r;
}

struct explain {
	struct build *b;
	FILE *f;
};

static int explain_entry(const char *path, const struct stat *st, void *userdata)
{
	struct explain *x = userdata;
	const char *img = path + strlen(x->b->stage);
	if (!*img)
		return 0;
	const struct origin *o = origins_find(&x->b->origins, img);
	const char *why = o                                        ? o->reason
	                  : S_ISDIR(st->st_mode)                   ? "parent directory"
	                  : strncmp(img, "/lib/modules/", 13) == 0 ? "depmod index"
	                                                           : "made by a build step";
	fprintf(x->f, "%s\t%s\t%s\n", img, o && o->package ? o->package : "-", why);
	return 0;
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int build_explain(struct build *b, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int r = 0;

	struct explain x = {b, open_memstream(&buf, &len)};
	if (!x.f)
		return -ENOMEM;
	if (tree_walk(b->stage, 0, explain_entry, &x) < 0)
		r = -EIO;
	fclose(x.f);
	/* The walk's order is the directory's: sort the lines so the output is stable. */
	size_t nl = 0;
	for (size_t i = 0; i < len; i++)
		nl += buf[i] == '\n';
	char **lines = calloc(nl + 1, sizeof(char *));
	if (!lines) {
		free(buf);
		return -ENOMEM;
	}
	size_t k = 0;
	for (char *s = buf, *save = NULL, *t; (t = strtok_r(s, "\n", &save)); s = NULL)
		lines[k++] = t;
	if (k)
		qsort(lines, k, sizeof(char *), cmp_line);
	FILE *f = strcmp(path, "-") ? fopen(path, "we") : stdout;
	if (!f)
		r = -errno;
	for (size_t i = 0; f && i < k; i++)
		fprintf(f, "%s\n", lines[i]);
	if (f && f != stdout && fclose(f) != 0 && r == 0)
		r = -errno;
	free(lines);
	free(buf);
	return r;
}
