// SPDX-License-Identifier: Apache-2.0
/*
 * AAEL entries as the attestation agent serializes them (aael.h). The agent
 * refuses a line feed in the content; its log specification also asks for
 * printable characters and no white space in domain and operation, which
 * trustee's parser relies on to split the text at the first two spaces.
 */
#include <errno.h>
#include <string.h>

#include "init/base/aael.h"
#include "init/base/bytes.h"
#include "init/base/hex.h"

static int printable(const char *s, int allow_space)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e ||
		    (*s == ' ' && !allow_space))
			return 0;
	return 1;
}

int aael_event_data(const char *domain, const char *operation, const char *content, uint8_t *out,
                    size_t size)
{
	size_t d = strlen(domain), o = strlen(operation), c = strlen(content);
	size_t text = d + 1 + o + 1 + c;
	uint8_t *p = out + AAEL_TAG_HEADER_SIZE;

	if (!d || !o || !printable(domain, 0) || !printable(operation, 0) || !printable(content, 1))
		return -EINVAL;
	if (text > size || AAEL_TAG_HEADER_SIZE > size - text || text > 0xffffu)
		return -ENOSPC;
	put_le32(out, AAEL_TAG_ID);
	put_le32(out + 4, (uint32_t)text);
	memcpy(p, domain, d);
	p[d] = ' ';
	memcpy(p + d + 1, operation, o);
	p[d + 1 + o] = ' ';
	memcpy(p + d + 2 + o, content, c);
	return (int)(AAEL_TAG_HEADER_SIZE + text);
}

int aael_entry(uint32_t mr, const uint8_t *data, size_t data_len,
               const uint8_t digest[AAEL_SHA384_SIZE], uint8_t *out, size_t size)
{
	uint8_t *p = out;

	if (data_len > 0xffffu || AAEL_ENTRY_OVERHEAD > size ||
	    data_len > size - AAEL_ENTRY_OVERHEAD)
		return -ENOSPC;
	put_le32(p, mr);
	put_le32(p + 4, AAEL_EV_EVENT_TAG);
	put_le32(p + 8, 1); /* one digest: the platform's algorithm only */
	put_le16(p + 12, AAEL_ALG_SHA384);
	memcpy(p + 14, digest, AAEL_SHA384_SIZE);
	p += 14 + AAEL_SHA384_SIZE;
	put_le32(p, (uint32_t)data_len);
	memcpy(p + 4, data, data_len);
	return (int)(AAEL_ENTRY_OVERHEAD + data_len);
}

int aael_gpu_event(const char *bdf, const uint8_t digest[AAEL_SHA384_SIZE], uint8_t *out,
                   size_t size)
{
	char content[64 + 1 + 2 * AAEL_SHA384_SIZE + 1];
	size_t n = strlen(bdf);

	if (n > 64)
		return -EINVAL;
	memcpy(content, bdf, n);
	content[n] = ' ';
	hex_encode(digest, AAEL_SHA384_SIZE, content + n + 1);
	return aael_event_data(AAEL_CCINIT_DOMAIN, AAEL_CCINIT_GPU_OP, content, out, size);
}
