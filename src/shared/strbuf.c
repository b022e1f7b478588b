/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of strbuf.h. The buffer grows geometrically; every append either fully succeeds
 * or leaves the buffer as it was, so callers can return on the first error without rollback.
 */
#include "strbuf.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb)
{
	*sb = (struct strbuf)STRBUF_INIT;
}

/* Makes room for 'extra' more bytes plus the NUL. */
static int strbuf_reserve(struct strbuf *sb, size_t extra)
{
	size_t need, n;
	char *p;

	if (extra > SIZE_MAX / 2 - sb->len - 1)
		return -ENOMEM;
	need = sb->len + extra + 1;
	if (need <= sb->allocated)
		return 0;

	n = sb->allocated ? sb->allocated : 64;
	while (n < need)
		n *= 2;
	p = realloc(sb->buf, n);
	if (!p)
		return -ENOMEM;
	sb->buf = p;
	sb->allocated = n;
	return 0;
}

int strbuf_appendn(struct strbuf *sb, const char *s, size_t len)
{
	int r;

	assert(sb);
	assert(s || len == 0);

	r = strbuf_reserve(sb, len);
	if (r < 0)
		return r;
	if (len > 0)
		memcpy(sb->buf + sb->len, s, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_append(struct strbuf *sb, const char *s)
{
	assert(s);

	return strbuf_appendn(sb, s, strlen(s));
}

int strbuf_vappendf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list aq;
	int n, r;

	assert(sb);
	assert(fmt);

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -EINVAL;

	r = strbuf_reserve(sb, (size_t)n);
	if (r < 0)
		return r;
	n = vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
	if (n < 0) {
		sb->buf[sb->len] = '\0';
		return -EINVAL;
	}
	sb->len += (size_t)n;
	return 0;
}

int strbuf_appendf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = strbuf_vappendf(sb, fmt, ap);
	va_end(ap);
	return r;
}

int strbuf_steal(struct strbuf *sb, char **ret)
{
	assert(sb);
	assert(ret);

	if (!sb->buf) {
		char *empty = strdup("");

		if (!empty)
			return -ENOMEM;
		*ret = empty;
		return 0;
	}
	*ret = TAKE_PTR(sb->buf);
	strbuf_init(sb);
	return 0;
}

void strbuf_done(struct strbuf *sb)
{
	free(sb->buf);
	strbuf_init(sb);
}
