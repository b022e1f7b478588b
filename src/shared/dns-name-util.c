/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of dns-name-util.h: one bounds-checked label loop each way. */
#include "dns-name-util.h"

#include <errno.h>
#include <string.h>

int dns_name_wire_len(const char *name)
{
	size_t n = strlen(name), label = 0;

	if (n == 0 || n > DNS_NAME_TEXT_MAX)
		return -EINVAL;
	for (size_t i = 0; i <= n; i++) {
		if (name[i] == '.' || name[i] == '\0') {
			if (label == 0 || label > 63)
				return -EINVAL;
			label = 0;
		} else
			label++;
	}
	return (int)n + 2;
}

size_t dns_name_put(uint8_t *p, const char *name, bool partial)
{
	size_t off = 0;

	while (*name) {
		const char *dot = strchr(name, '.');
		size_t l = dot ? (size_t)(dot - name) : strlen(name);

		p[off++] = (uint8_t)l;
		memcpy(p + off, name, l);
		off += l;
		name += l + (dot ? 1 : 0);
	}
	if (!partial)
		p[off++] = 0;
	return off;
}

int dns_name_get(const uint8_t *buf, size_t len, size_t *off, char ret[DNS_NAME_TEXT_MAX + 1],
		 bool *ret_partial)
{
	char name[DNS_NAME_TEXT_MAX + 1];
	size_t o = *off, n = 0;
	bool partial = false;

	for (;;) {
		size_t l;

		if (o >= len) {
			if (!ret_partial || n == 0)
				return -EBADMSG;
			partial = true;
			break;
		}
		l = buf[o++];
		if (l == 0)
			break;
		if (l > 63 || l > len - o || n + (n > 0) + l > DNS_NAME_TEXT_MAX)
			return -EBADMSG;
		if (memchr(buf + o, '.', l) || memchr(buf + o, '\0', l))
			return -EBADMSG;
		if (n > 0)
			name[n++] = '.';
		memcpy(name + n, buf + o, l);
		n += l;
		o += l;
	}
	name[n] = '\0';
	memcpy(ret, name, n + 1);
	*off = o;
	if (ret_partial)
		*ret_partial = partial;
	return 0;
}
