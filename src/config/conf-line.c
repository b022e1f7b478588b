/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The line reader under both inih parsers (definition and lab files): conf-network-internal.h. */
#include <string.h>

#include "config/conf-network-internal.h"

enum conf_line conf_line_take(const char **p, const char *end, int *line, size_t max,
			      const char **rets, size_t *retlen)
{
	const char *s = *p, *nl;
	size_t len;

	if (*p >= end)
		return CONF_LINE_END;
	nl = memchr(s, '\n', (size_t)(end - s));
	len = nl ? (size_t)(nl - s) : (size_t)(end - s);
	*p = nl ? nl + 1 : end;
	(*line)++;

	if (len > 0 && s[len - 1] == '\r')
		len--;
	if (memchr(s, '\0', len))
		return CONF_LINE_NUL;
	if (*line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		len -= 3;
	}
	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	if (len > max)
		return CONF_LINE_LONG;
	*rets = s;
	*retlen = len;
	return CONF_LINE_OK;
}

char *conf_line_give(char *buf, const char *s, size_t len)
{
	memcpy(buf, s, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	return buf;
}
