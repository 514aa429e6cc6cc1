/* SPDX-License-Identifier: Apache-2.0 */
/* One ELF file's PT_INTERP, DT_NEEDED, DT_RPATH and DT_RUNPATH, through libelf. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rootfs/tree/elfclosure.h"

void elf_deps_free(struct elf_deps *d)
{
	free(d->interp);
	for (size_t i = 0; i < d->nneeded; i++)
		free(d->needed[i]);
	free(d->needed);
	free(d->rpath);
	free(d->runpath);
	memset(d, 0, sizeof(*d));
}

/* A NUL-terminated string inside the file image, or NULL when it runs past the end. */
static char *dup_bounded(const char *base, size_t size, uint64_t off, uint64_t max)
{
	if (off >= size)
		return NULL;
	size_t room = size - (size_t)off;
	if (max && max < room)
		room = (size_t)max;
	const char *s = base + off;
	const char *nul = memchr(s, '\0', room);
	return nul ? strndup(s, (size_t)(nul - s)) : NULL;
}

static int read_interp(Elf *e, struct elf_deps *d)
{
	size_t n, size;
	const char *raw = elf_rawfile(e, &size);

	if (elf_getphdrnum(e, &n) != 0 || !raw)
		return 0;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_INTERP)
			continue;
		d->interp = dup_bounded(raw, size, ph.p_offset, ph.p_filesz);
		return d->interp ? 0 : -EBADMSG;
	}
	return 0;
}

static int read_dynamic(Elf *e, struct elf_deps *d)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data || !sh.sh_entsize)
			return -EBADMSG;
		size_t count = data->d_size / sh.sh_entsize;
		for (size_t i = 0; i < count; i++) {
			GElf_Dyn dyn;
			if (!gelf_getdyn(data, (int)i, &dyn))
				return -EBADMSG;
			if (dyn.d_tag == DT_NULL)
				break;
			if (dyn.d_tag != DT_NEEDED && dyn.d_tag != DT_RPATH &&
			    dyn.d_tag != DT_RUNPATH)
				continue;
			const char *s = elf_strptr(e, sh.sh_link, dyn.d_un.d_val);
			if (!s)
				return -EBADMSG;
			char *copy = strdup(s);
			if (!copy)
				return -ENOMEM;
			if (dyn.d_tag == DT_NEEDED) {
				char **nv = realloc(d->needed, (d->nneeded + 1) * sizeof(char *));
				if (!nv) {
					free(copy);
					return -ENOMEM;
				}
				d->needed = nv;
				d->needed[d->nneeded++] = copy;
			} else if (dyn.d_tag == DT_RPATH && !d->rpath) {
				d->rpath = copy;
			} else if (dyn.d_tag == DT_RUNPATH && !d->runpath) {
				d->runpath = copy;
			} else {
				free(copy);
			}
		}
		return 0;
	}
	return 0;
}

int elf_deps_read(const char *path, struct elf_deps *d)
{
	unsigned char magic[4];
	int fd, r = 0;
	Elf *e;

	memset(d, 0, sizeof(*d));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	if (read(fd, magic, 4) != 4 || memcmp(magic, ELFMAG, SELFMAG) != 0) {
		close(fd);
		return 0;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		close(fd);
		return -ENOSYS;
	}
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF) {
		if (e)
			elf_end(e);
		close(fd);
		return 0;
	}
	GElf_Ehdr eh;
	/* The image is x86_64: other machines' files (firmware, data) are not followed. */
	if (gelf_getehdr(e, &eh) && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	    eh.e_machine == EM_X86_64 && (eh.e_type == ET_EXEC || eh.e_type == ET_DYN)) {
		d->is_elf = 1;
		r = read_interp(e, d);
		if (r == 0)
			r = read_dynamic(e, d);
	}
	elf_end(e);
	close(fd);
	if (r < 0)
		elf_deps_free(d);
	return r;
}
