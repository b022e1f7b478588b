/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Named network namespaces: bind-mounted nsfs files, sockets made inside (nl-netns.h). */
#include "netlink/nl-netns.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netlink/nl-sock.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"

bool nl_netns_name_is_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > NL_NETNS_NAME_MAX || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
	       n;
}

static int path_of(const char *dir, const char *name, char *buf, size_t size)
{
	if (!nl_netns_name_is_valid(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, size, "%s/%s", dir, name) >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* 'dir' exists and is a shared mount, so that namespace mounts under it propagate. */
static int dir_prepare(const char *dir)
{
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	/* Not a mount point yet: make it one (a bind mount onto itself), then shared. */
	if (mount(dir, dir, "none", MS_BIND | MS_REC, NULL) < 0)
		return -errno;
	if (mount("", dir, "none", MS_SHARED | MS_REC, NULL) < 0)
		return -errno;
	return 0;
}

int nl_netns_create(const char *dir, const char *name)
{
	_cleanup_close_ int self = -EBADF, file = -EBADF;
	char path[4096];
	int r;

	r = path_of(dir, name, path, sizeof(path));
	if (r < 0)
		return r;
	r = dir_prepare(dir);
	if (r < 0)
		return r;
	self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return -errno;
	file = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
	if (file < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) < 0) {
		r = -errno;
		goto fail_unlink;
	}
	r = mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0 ? -errno : 0;
	/* Back home whatever happened: nothing else may run in the new namespace. */
	if (setns(self, CLONE_NEWNET) < 0)
		return -errno; /* cannot happen with a valid fd of our own namespace */
	if (r < 0)
		goto fail_unlink;
	return 0;

fail_unlink:
	(void)unlink(path);
	return r;
}

int nl_netns_open(const char *dir, const char *name)
{
	char path[4096];
	int r = path_of(dir, name, path, sizeof(path)), fd;

	if (r < 0)
		return r;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int nl_netns_delete(const char *dir, const char *name)
{
	char path[4096];
	int r = path_of(dir, name, path, sizeof(path));

	if (r < 0)
		return r;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL)
		return errno == ENOENT ? -ENOENT : -errno;
	if (unlink(path) < 0)
		return -errno;
	return 0;
}

int nl_netns_socket(int ns_fd, int domain, int type, int protocol)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	int fd, err;

	if (self < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(domain, type | SOCK_CLOEXEC, protocol);
	err = fd < 0 ? -errno : 0;
	if (setns(self, CLONE_NEWNET) < 0) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	return fd < 0 ? err : fd;
}

int nl_netns_sock_new(int ns_fd, struct nl_sock **ret)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct nl_sock *s = NULL;
	int r;

	if (self < 0)
		return -errno;
	if (setns(ns_fd, CLONE_NEWNET) < 0)
		return -errno;
	r = nl_sock_new(&s);
	if (setns(self, CLONE_NEWNET) < 0) {
		nl_sock_free(s);
		return -errno;
	}
	if (r < 0)
		return r;
	*ret = s;
	return 0;
}
