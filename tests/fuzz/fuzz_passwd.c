/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The image's /etc/passwd, read by PID 1 to find a daemon's user: any bytes
 * must stay in bounds, and a found user has ids that fit a uid_t.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "init/core/passwd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so reading one byte past the input is caught. */
	char *text = malloc(size ? size : 1);
	unsigned uid = 0, gid = 0;
	if (!text)
		return 0;
	memcpy(text, data, size);
	if (passwd_find(text, size, "nvpd", &uid, &gid) == 0 &&
	    (uid > 0x7fffffffu || gid > 0x7fffffffu))
		abort();
	free(text);
	return 0;
}
