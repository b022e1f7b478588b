/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of frr-vty.h. */
#include "daemon/overlay/frr-vty.h"

#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/strbuf.h"

struct frr_vty {
	int fd;
	char last[256];    /* first line of the last answer */
};

struct frr_vty *frr_vty_free(struct frr_vty *v)
{
	if (!v)
		return NULL;
	safe_close(v->fd);
	free(v);
	return NULL;
}

static int wait_fd(int fd, short events)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r;

	do
		r = poll(&p, 1, FRR_VTY_TIMEOUT_MSEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	return 0;
}

static int send_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		int r;

		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			r = wait_fd(fd, POLLOUT);
			if (r < 0)
				return r;
			continue;
		}
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads until the "\0\0\0STATUS" trailer; the answer before it goes to 'sb'. */
static int read_answer(int fd, struct strbuf *sb)
{
	char buf[4096];
	int r;

	for (;;) {
		ssize_t n;

		if (sb->len >= 4 && memcmp(sb->buf + sb->len - 4, "\0\0\0", 3) == 0)
			break;
		r = wait_fd(fd, POLLIN);
		if (r < 0)
			return r;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPIPE;
		if (sb->len + (size_t)n > FRR_VTY_ANSWER_MAX)
			return -E2BIG;
		r = strbuf_appendn(sb, buf, (size_t)n);
		if (r < 0)
			return r;
	}
	r = (unsigned char)sb->buf[sb->len - 1];
	sb->len -= 4;
	sb->buf[sb->len] = '\0';
	return r;
}

int frr_vty_run(struct frr_vty *v, const char *cmd, char **ret_output)
{
	_cleanup_(strbuf_done) struct strbuf sb = STRBUF_INIT;
	size_t n;
	int r, status;

	assert(v);
	assert(cmd);
	v->last[0] = '\0';
	/* the command and its NUL: the daemon's vtysh_read() splits commands at NULs */
	r = send_all(v->fd, cmd, strlen(cmd) + 1);
	if (r < 0)
		return r;
	status = read_answer(v->fd, &sb);
	if (status < 0)
		return status;
	n = sb.buf ? strcspn(sb.buf, "\n") : 0;
	snprintf(v->last, sizeof(v->last), "%.*s", (int)n, sb.buf ? sb.buf : "");
	if (ret_output) {
		r = strbuf_steal(&sb, ret_output);
		if (r < 0)
			return r;
	}
	return status;
}

const char *frr_vty_last_line(const struct frr_vty *v)
{
	return v->last;
}

int frr_vty_open(const char *dir, const char *daemon, struct frr_vty **ret)
{
	_cleanup_(frr_vty_freep) struct frr_vty *v = NULL;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int r;

	assert(dir);
	assert(daemon);
	if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s.vty", dir, daemon) >=
	    sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->fd = -1;
	v->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (v->fd < 0)
		return -errno;
	if (connect(v->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EINPROGRESS && errno != EAGAIN)
			return -errno;
		r = wait_fd(v->fd, POLLOUT);
		if (r < 0)
			return r;
	}
	/* a vtysh connection starts in the view node; configuration needs enable */
	r = frr_vty_run(v, "enable", NULL);
	if (r < 0)
		return r;
	if (r > 0)
		return -EPROTO;
	*ret = TAKE_PTR(v);
	return 0;
}
