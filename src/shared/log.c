/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of log.h: one formatted line per call on stderr, '%m' handled by hand. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level log_max_level = LOG_LEVEL_INFO;

static const char *const log_level_names[_LOG_LEVEL_MAX] = {
	[LOG_LEVEL_ERROR] = "error",   [LOG_LEVEL_WARNING] = "warning", [LOG_LEVEL_NOTICE] = "notice",
	[LOG_LEVEL_INFO] = "info",     [LOG_LEVEL_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	log_max_level = level;
}

enum log_level log_get_level(void)
{
	return log_max_level;
}

int log_level_from_string(const char *s, enum log_level *ret)
{
	for (int i = 0; i < _LOG_LEVEL_MAX; i++)
		if (strcmp(s, log_level_names[i]) == 0) {
			*ret = (enum log_level)i;
			return 0;
		}
	return -EINVAL;
}

int log_internal(enum log_level level, int error, const char *fmt, ...)
{
	char expanded[1024], line[2048];
	size_t j = 0;
	va_list ap;

	if (level > log_max_level)
		return error;

	/* Replace %m ourselves: the caller's errno is the negative 'error', not errno. */
	for (size_t i = 0; fmt[i] && j < sizeof(expanded) - 1; i++) {
		if (fmt[i] == '%' && fmt[i + 1] == 'm') {
			const char *msg = strerror(error < 0 ? -error : error);
			for (size_t k = 0; msg[k] && j < sizeof(expanded) - 1; k++)
				expanded[j++] = msg[k] == '%' ? ' ' : msg[k];
			i++;
			continue;
		}
		if (fmt[i] == '%' && fmt[i + 1] == '%' && j < sizeof(expanded) - 2) {
			expanded[j++] = fmt[i++];
			expanded[j++] = fmt[i];
			continue;
		}
		expanded[j++] = fmt[i];
	}
	expanded[j] = '\0';

	va_start(ap, fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(line, sizeof(line), expanded, ap);
#pragma GCC diagnostic pop
	va_end(ap);

	fprintf(stderr, "kvmnetd[%s]: %s\n", log_level_names[level], line);
	return error;
}
