/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A tiny growable, always NUL-terminated string buffer for building text (INI files, nft
 * rulesets, messages). It lives on the caller's stack; only its contents are on the heap.
 *
 *	_cleanup_(strbuf_done) struct strbuf sb = STRBUF_INIT;
 *
 *	r = strbuf_appendf(&sb, "mtu = %u\n", mtu);
 *	if (r < 0)
 *		return r;
 *	return strbuf_steal(&sb, ret);
 */
#ifndef KN_SHARED_STRBUF_H
#define KN_SHARED_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "alloc-util.h"

struct strbuf {
	char *buf;		/* NULL until the first append, then NUL-terminated; owned */
	size_t len;		/* bytes in 'buf', excluding the NUL */
	size_t allocated;	/* bytes allocated for 'buf' */
};

#define STRBUF_INIT { .buf = NULL, .len = 0, .allocated = 0 }

/* Makes 'sb' empty without freeing anything: for a struct strbuf that was never initialised. */
void strbuf_init(struct strbuf *sb);

/*
 * Appends 'len' bytes from 's' (which need not be NUL-terminated and may be NULL when 'len' is 0).
 * Returns 0, or -ENOMEM when memory runs out, in which case 'sb' is unchanged.
 */
int strbuf_appendn(struct strbuf *sb, const char *s, size_t len);

/* Appends the NUL-terminated string 's'. Returns 0 or -ENOMEM ('sb' unchanged). */
int strbuf_append(struct strbuf *sb, const char *s);

/*
 * Appends printf-style output. Returns 0, -ENOMEM ('sb' unchanged) or -EINVAL when vsnprintf()
 * fails (an invalid format or wide character).
 */
int strbuf_appendf(struct strbuf *sb, const char *fmt, ...) _printf_(2, 3);
int strbuf_vappendf(struct strbuf *sb, const char *fmt, va_list ap) _printf_(2, 0);

/*
 * Hands the contents to the caller as a malloc'd NUL-terminated string in '*ret' ("" when nothing
 * was appended) and leaves 'sb' empty. Returns 0 or -ENOMEM (only possible when 'sb' is empty;
 * 'sb' is then unchanged and '*ret' untouched).
 */
int strbuf_steal(struct strbuf *sb, char **ret);

/* Frees the contents and leaves 'sb' empty and reusable. Usable with _cleanup_(strbuf_done). */
void strbuf_done(struct strbuf *sb);

#endif
