/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Read access to a Kata configuration TOML for C callers. The parsing is
 * toml++ (Debian's libtomlplusplus-dev, compiled into toml_read.cc): there is
 * no maintained C TOML library in Debian, and a hand-written parser of outside
 * input is what we do not write.
 *
 * Values are named by dotted paths with array indices, as toml++'s at_path
 * takes them: "hypervisor.qemu.kernel_params",
 * "hypervisor.qemu.guest_extension_images[1].name". Errors name the file,
 * the line and the key in why.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct kata_toml;

/* The largest document read: Kata's files are about 30 KiB, a much larger one is not one. */
#define KATA_TOML_MAX (4u << 20)

/*
 * Parses size bytes of text (not NUL-terminated) named name in errors. 0 and
 * *t, -EINVAL for malformed TOML (file:line:column and the parser's
 * description), a NUL byte, or nesting toml_scan.h refuses; -ENOMEM.
 */
int kata_toml_parse(struct kata_toml **t, const char *name, const char *text, size_t size,
                    char *why, size_t why_size);

/*
 * kata_toml_parse on the contents of path, read as cmdfiles.h's
 * read_input_file reads an input (a regular file of at most KATA_TOML_MAX
 * bytes, never waited on, or "-" and /dev/fd/N): -EINVAL naming path for
 * anything else, -errno when it cannot be read.
 */
int kata_toml_open(struct kata_toml **t, const char *path, char *why, size_t why_size);

void kata_toml_free(struct kata_toml *t);

/*
 * The value at path: 0, -ENOENT when absent (*out untouched, why not set),
 * -EINVAL when it has another type or is out of range (why names
 * file:line and the key). A string stays valid until kata_toml_free; one
 * holding a NUL (an escaped \u0000) is refused, as C would cut it there.
 */
int kata_toml_string(const struct kata_toml *t, const char *path, const char **out, char *why,
                     size_t why_size);
int kata_toml_bool(const struct kata_toml *t, const char *path, bool *out, char *why,
                   size_t why_size);
int kata_toml_u32(const struct kata_toml *t, const char *path, uint32_t *out, char *why,
                  size_t why_size);

/* Elements of the array at path into *n (0 when absent); -EINVAL when not an array. */
int kata_toml_array_size(const struct kata_toml *t, const char *path, size_t *n, char *why,
                         size_t why_size);

/* Keys of the table at path into *n; -ENOENT when absent, -EINVAL when not a table. */
int kata_toml_table_size(const struct kata_toml *t, const char *path, size_t *n, char *why,
                         size_t why_size);

/*
 * Whether every value of the table at path is a string: 0, -ENOENT when
 * absent, -EINVAL naming file:line and the first key that is not (or holds
 * a NUL), or when path is not a table.
 */
int kata_toml_table_strings(const struct kata_toml *t, const char *path, char *why,
                            size_t why_size);

/* Whether a value (of any type) is at path. */
bool kata_toml_has(const struct kata_toml *t, const char *path);

/* The line the value at path starts on, 0 when absent: for errors about its contents. */
unsigned kata_toml_line(const struct kata_toml *t, const char *path);

/* The name errors use for the file. */
const char *kata_toml_name(const struct kata_toml *t);

#ifdef __cplusplus
}
#endif
