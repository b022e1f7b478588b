/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging to stderr (foreground) with a level threshold: the only mutable global state in
 * kvmnet. Code below daemon/ and cli/ logs at debug level only; deciders log once.
 */
#ifndef KN_SHARED_LOG_H
#define KN_SHARED_LOG_H

#include "alloc-util.h"

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
	_LOG_LEVEL_MAX,
};

/* Sets the threshold; messages above it are dropped. */
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* Parses "error", "warning", "notice", "info" or "debug"; returns -EINVAL otherwise. */
int log_level_from_string(const char *s, enum log_level *ret);

/*
 * Writes one line at 'level'; '%m' in 'fmt' expands to strerror(-error) when error < 0.
 * Returns 'error' (negative) so callers can write 'return log_error_errno(r, ...)'.
 */
int log_internal(enum log_level level, int error, const char *fmt, ...) _printf_(3, 4);

#define log_error(...) log_internal(LOG_LEVEL_ERROR, 0, __VA_ARGS__)
#define log_warning(...) log_internal(LOG_LEVEL_WARNING, 0, __VA_ARGS__)
#define log_notice(...) log_internal(LOG_LEVEL_NOTICE, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_LEVEL_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_internal(LOG_LEVEL_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(e, ...) log_internal(LOG_LEVEL_ERROR, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_internal(LOG_LEVEL_WARNING, (e), __VA_ARGS__)
#define log_debug_errno(e, ...) log_internal(LOG_LEVEL_DEBUG, (e), __VA_ARGS__)
#define log_oom() log_internal(LOG_LEVEL_ERROR, -ENOMEM, "Out of memory")

#endif
