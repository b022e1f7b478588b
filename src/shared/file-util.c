/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of file-util.h. The write path follows the classic rename recipe; the fsync of
 * the directory is what makes the rename itself durable on ext4/xfs after a power loss.
 */
#include "file-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc-util.h"
#include "fd-util.h"

/* Longest part of the base name reused in the temporary name, so that it stays under NAME_MAX. */
#define TEMP_BASE_MAX 200

/*
 * Splits 'path' into a malloc'd directory ('*ret_dir') and a borrowed pointer to its last
 * component ('*ret_base').
 */
static int path_split(const char *path, char **ret_dir, const char **ret_base)
{
	const char *slash, *base;
	char *dir;

	if (!path || path[0] == '\0')
		return -EINVAL;
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return -EINVAL;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	*ret_dir = dir;
	*ret_base = base;
	return 0;
}

static int fsync_directory(const char *dir)
{
	_cleanup_close_ int fd = -1;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		return -errno;
	return 0;
}

int fsync_parent_directory(const char *path)
{
	_cleanup_free_ char *dir = NULL;
	const char *base;
	int r;

	r = path_split(path, &dir, &base);
	if (r < 0)
		return r;
	return fsync_directory(dir);
}

/* Writes, syncs and closes the temporary file; 'fd' is always closed on return. */
static int write_temp(int fd, const char *data, size_t len, mode_t mode)
{
	int r = 0;

	if (fchmod(fd, mode & 07777) < 0)
		r = -errno;
	if (r == 0)
		r = fd_write_all(fd, data, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	/* close() can report a deferred write error (NFS): checked here, unlike safe_close(). */
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

int write_file_atomic(const char *path, const char *data, size_t len, mode_t mode)
{
	_cleanup_free_ char *dir = NULL, *tmp = NULL;
	const char *base;
	int fd, r;

	if (!data && len > 0)
		return -EINVAL;
	r = path_split(path, &dir, &base);
	if (r < 0)
		return r;
	if (asprintf(&tmp, "%s/.%.*s.XXXXXX", dir, TEMP_BASE_MAX, base) < 0) {
		tmp = NULL;
		return -ENOMEM;
	}

	/* mkostemp() opens O_RDWR|O_CREAT|O_EXCL with the extra O_CLOEXEC, mode 0600. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;

	r = write_temp(fd, data ? data : "", len, mode);
	if (r == 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlink(tmp);
		return r;
	}
	return fsync_directory(dir);
}

int read_file(const char *path, size_t max, char **ret, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, size;
	struct stat st;

	if (!path || !ret)
		return -EINVAL;
	/* Keeps 'max + 2' (data, one byte to detect growth, the NUL) from overflowing. */
	if (max > SIZE_MAX - 2)
		max = SIZE_MAX - 2;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max)
		return -E2BIG;

	/* Regular files are sized by st_size; /proc files and pipes report 0: grow as needed. */
	size = S_ISREG(st.st_mode) && st.st_size > 0 ? (size_t)st.st_size + 2 : 4096;
	if (size > max + 2)
		size = max + 2;

	for (;;) {
		ssize_t n;

		if (len == size - 1) {
			size_t new_size = size > (max + 2) / 2 ? max + 2 : size * 2;
			char *p = realloc(buf, new_size);

			if (!p)
				return -ENOMEM;
			buf = p;
			size = new_size;
		} else if (!buf) {
			buf = malloc(size);
			if (!buf)
				return -ENOMEM;
		}

		n = read(fd, buf + len, size - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max)
			return -E2BIG;
	}

	buf[len] = '\0';
	if (ret_len)
		*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

int unlink_and_sync(const char *path)
{
	if (!path || path[0] == '\0')
		return -EINVAL;
	if (unlink(path) < 0)
		return -errno;
	return fsync_parent_directory(path);
}
