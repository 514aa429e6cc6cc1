/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A reproducible initramfs: cpio "newc", entries sorted by path, owners 0:0,
 * one fixed mtime, inode numbers in sorted order, no hard links. Same inputs,
 * same bytes, whatever the umask, the host's owners or the order files were
 * named in.
 *
 * Written by hand rather than with libarchive (which reads the .debs):
 * the bytes are the contract here (the tests compare them, and the
 * initramfs is measured), and libarchive's newc writer fills fields we fix
 * (inode numbers, link counts, device numbers, the trailer, block padding)
 * in ways that are its own and may change between its releases. The format
 * is 13 hex fields and a name per entry (cpio_write), as the kernel's own
 * usr/gen_init_cpio writes it.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct cpio_archive;

int cpio_new(struct cpio_archive **ret);
struct cpio_archive *cpio_free(struct cpio_archive *a);

/* Paths are absolute in the image ("/init"); missing parents are added as 0755 directories. */
int cpio_add_dir(struct cpio_archive *a, const char *path, mode_t perm);
int cpio_add_file(struct cpio_archive *a, const char *path, const char *host_path, mode_t perm);
int cpio_add_symlink(struct cpio_archive *a, const char *path, const char *target);
int cpio_add_node(struct cpio_archive *a, const char *path, mode_t mode, unsigned major,
                  unsigned minor);
/* Adds a host directory's contents below path, recursively (modes kept, owners dropped). */
int cpio_add_tree(struct cpio_archive *a, const char *path, const char *host_dir);

/*
 * Reads a gen_init_cpio-style list (the kernel's usr/gen_init_cpio format):
 *   dir <path> <mode>   file <path> <host> <mode>   slink <path> <target> <mode>
 *   nod <path> <mode> c|b <maj> <min>   tree <path> <hostdir>
 * Host paths are relative to base_dir. On error, why names file:line.
 */
int cpio_add_list(struct cpio_archive *a, const char *list_path, const char *base_dir, char *why,
                  size_t why_size);

/* Writes the archive; mtime is every entry's time. */
int cpio_write(struct cpio_archive *a, FILE *out, uint32_t mtime);
