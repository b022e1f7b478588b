/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scope-bound cleanup helpers (after systemd's alloc-util.h): _cleanup_free_, _cleanup_close_,
 * _cleanup_(fn) and TAKE_PTR/TAKE_FD, spelled with __attribute__ so they work under c_std=c11.
 */
#ifndef KN_SHARED_ALLOC_UTIL_H
#define KN_SHARED_ALLOC_UTIL_H

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((__cleanup__(f)))
#define _unused_ __attribute__((__unused__))
#define _printf_(a, b) __attribute__((__format__(printf, a, b)))

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;
		close(*fd);
		errno = saved;
	}
}

#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)

/* Returns the value of 'p' and clears it, handing ownership to the caller. */
#define TAKE_PTR(p)                                                                                \
	({                                                                                         \
		__typeof__(p) _p_ = (p);                                                           \
		(p) = NULL;                                                                        \
		_p_;                                                                               \
	})

#define TAKE_FD(fd)                                                                                \
	({                                                                                         \
		int _fd_ = (fd);                                                                   \
		(fd) = -1;                                                                         \
		_fd_;                                                                              \
	})

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

/* Defines a 'fn##p' helper for _cleanup_() that calls fn(*p) when *p is not NULL. */
#define DEFINE_FREE_FUNC(type, fn)                                                                 \
	static inline void fn##p(type **p)                                                         \
	{                                                                                          \
		if (*p)                                                                            \
			fn(*p);                                                                    \
	}

static inline int negative_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

#endif
