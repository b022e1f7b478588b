/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of api-server.h. Each client has an input line buffer and an output queue;
 * requests are handled synchronously in the loop, in arrival order, and replies that do not fit
 * the socket buffer wait for EPOLLOUT.
 */
#include "api-server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "api/api-proto.h"
#include "daemon/api-methods.h"
#include "daemon/manager-core.h"
#include "event/event.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/log.h"
#include "shared/proc-util.h"

struct api_client {
	struct api_server *server;
	int fd;
	struct event_source *source;
	struct api_linebuf in;
	char *out;            /* unsent reply bytes */
	size_t out_len, out_off;
	int out_fd;           /* a descriptor to send with the byte at 'out_fd_at', or -1 */
	size_t out_fd_at;
	struct ucred cred;
	struct api_client *next, *prev;
};

struct api_server {
	struct manager *manager;
	char *path;
	int fd;
	struct event_source *source;
	struct api_client *clients;
	size_t n_clients;
	gid_t group;          /* members may use the socket; (gid_t)-1: root only */
	char *group_name;     /* the group's name, for refusals; NULL without a group */
};

static void api_client_free(struct api_client *c)
{
	struct api_server *s = c->server;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->n_clients--;
	event_source_free(c->source);
	close(c->fd);
	if (c->out_fd >= 0)
		close(c->out_fd);
	api_linebuf_done(&c->in);
	free(c->out);
	free(c);
}

/* Root, or a member of the API group (primary or supplementary, read from /proc). */
static bool api_client_is_allowed(const struct api_server *s, const struct ucred *cred)
{
	if (cred->uid == 0)
		return true;
	if (s->group == (gid_t)-1)
		return false;
	return cred->gid == s->group || proc_pid_in_group(cred->pid, s->group);
}

/* Sends the unsent bytes with descriptor 'fd' attached (SCM_RIGHTS) to the first of them. */
static ssize_t api_client_send_fd(struct api_client *c, int fd)
{
	return fd_send_with_fd(c->fd, c->out + c->out_off, c->out_len - c->out_off, fd,
			       MSG_DONTWAIT);
}

static int api_client_flush(struct api_client *c)
{
	while (c->out_off < c->out_len) {
		bool with_fd = c->out_fd >= 0 && c->out_off == c->out_fd_at;
		ssize_t n = with_fd ? api_client_send_fd(c, c->out_fd)
				    : send(c->fd, c->out + c->out_off,
					   (c->out_fd >= 0 && c->out_fd_at > c->out_off
						    ? c->out_fd_at
						    : c->out_len) - c->out_off,
					   MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EAGAIN)
				return event_source_set_io_events(c->source, EPOLLIN | EPOLLOUT);
			return -errno;
		}
		if (with_fd && n > 0) {
			close(c->out_fd);
			c->out_fd = -1;
		}
		c->out_off += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	return event_source_set_io_events(c->source, EPOLLIN);
}

/* Queues 'line'; 'fd' (>= 0: taken, closed once sent) goes with its first byte. */
static int api_client_queue(struct api_client *c, const char *line, int fd)
{
	size_t len = strlen(line);
	char *p;

	/* one descriptor in flight at a time: a client waits for the reply of its attach */
	if (fd >= 0 && c->out_fd >= 0) {
		close(fd);
		return -EBUSY;
	}
	if (c->out_len - c->out_off + len > 4 * API_MESSAGE_MAX) {
		if (fd >= 0)
			close(fd);
		return -E2BIG;
	}
	if (fd >= 0) {
		c->out_fd = fd;
		c->out_fd_at = c->out_len;
	}
	p = realloc(c->out, c->out_len + len);
	if (!p)
		return -ENOMEM;   /* a queued fd is closed with the client */
	memcpy(p + c->out_len, line, len);
	c->out = p;
	c->out_len += len;
	return api_client_flush(c);
}

static int api_client_handle_line(struct api_client *c, const char *line, size_t len)
{
	struct api_request req;
	_cleanup_free_ char *reply = NULL;
	json_t *result = NULL;
	char err[512] = "";
	int r;

	r = api_request_decode(line, len, &req);
	if (r < 0) {
		r = api_response_encode_error(0, -EBADMSG, "malformed request", &reply);
		if (r < 0)
			return r;
		return api_client_queue(c, reply, -1);
	}
	struct api_call call = { .cred = c->cred, .fd = -1 };

	r = api_methods_dispatch(c->server->manager, &call, req.method, req.params, &result, err,
				 sizeof(err));
	if (r < 0) {
		if (!err[0])
			snprintf(err, sizeof(err), "%s", strerror(-r));
		log_debug("Request %s refused: %s", req.method, err);
		r = api_response_encode_error(req.id, r, err, &reply);
	} else
		r = api_response_encode_result(req.id, result, &reply);
	json_decref(result);
	api_request_done(&req);
	if (r < 0) {
		safe_close(call.fd);
		return r;
	}
	return api_client_queue(c, reply, call.fd);
}

static int api_client_on_io(struct event_source *src, int fd, uint32_t revents, void *data)
{
	struct api_client *c = data;
	char buf[65536];
	int r;

	if (revents & EPOLLOUT) {
		r = api_client_flush(c);
		if (r < 0)
			goto drop;
	}
	if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;

	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		goto drop;
	r = api_linebuf_append(&c->in, buf, (size_t)n);
	if (r < 0)
		goto drop;

	const char *line;
	size_t len;
	while (api_linebuf_next(&c->in, &line, &len)) {
		r = api_client_handle_line(c, line, len);
		if (r < 0)
			goto drop;
	}
	return 0;
drop:
	api_client_free(c);
	return 0;
}

static int api_server_on_accept(struct event_source *src, int fd, uint32_t revents, void *data)
{
	struct api_server *s = data;
	socklen_t len = sizeof(struct ucred);
	struct api_client *c;
	int cfd, r;

	cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (s->n_clients >= API_SERVER_CLIENTS_MAX) {
		log_warning("Too many API clients (%d), refusing one", API_SERVER_CLIENTS_MAX);
		close(cfd);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return -ENOMEM;
	}
	c->server = s;
	c->fd = cfd;
	c->out_fd = -1;
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &c->cred, &len) < 0 ||
	    !api_client_is_allowed(s, &c->cred)) {
		_cleanup_free_ char *reply = NULL;
		char why[256];

		log_notice("Refused API connection from uid %u pid %d", (unsigned)c->cred.uid,
			   (int)c->cred.pid);
		if (s->group_name)
			snprintf(why, sizeof(why),
				 "permission denied: uid %u is neither root nor in group '%s'",
				 (unsigned)c->cred.uid, s->group_name);
		else
			snprintf(why, sizeof(why), "permission denied: uid %u is not root",
				 (unsigned)c->cred.uid);
		if (api_response_encode_error(0, -EPERM, why, &reply) >= 0)
			(void)!send(cfd, reply, strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT);
		close(cfd);
		free(c);
		return 0;
	}
	r = event_add_io(s->manager->loop, cfd, EPOLLIN, api_client_on_io, c, &c->source);
	if (r < 0) {
		close(cfd);
		free(c);
		return r;
	}
	c->next = s->clients;
	if (s->clients)
		s->clients->prev = c;
	s->clients = c;
	s->n_clients++;
	return 0;
}

/* Creates the socket's directory (one level, as /run/kvmnet) if missing. */
static int api_server_mkdir(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return -ENOMEM;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int api_server_new(struct manager *m, const char *path, gid_t group, const char *group_name,
		   struct api_server **ret)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct api_server *s;
	bool bound = false;
	int r;

	if (strlen(path) >= sizeof(sa.sun_path))
		return log_error_errno(-ENAMETOOLONG, "Socket path '%s' is too long", path);
	memcpy(sa.sun_path, path, strlen(path) + 1);

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->manager = m;
	s->fd = -1;
	s->group = group;
	s->path = strdup(path);
	if (group != (gid_t)-1)
		s->group_name = strdup(group_name);
	if (!s->path || (group != (gid_t)-1 && !s->group_name)) {
		r = -ENOMEM;
		goto fail;
	}
	r = api_server_mkdir(path);
	if (r < 0) {
		log_error_errno(r, "Failed to create the directory of '%s': %m", path);
		goto fail;
	}

	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0) {
		r = -errno;
		goto fail;
	}
	/* A socket file nobody answers on is stale (a killed daemon): replace it. */
	{
		_cleanup_close_ int probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			r = log_error_errno(-EADDRINUSE, "Another kvmnetd is listening on '%s'",
					    path);
			goto fail;
		}
	}
	(void)unlink(path);
	mode_t old_umask = umask(0177);   /* 0600, as documented */
	r = bind(s->fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_umask);
	if (r < 0) {
		r = log_error_errno(-errno, "Failed to bind '%s': %m", path);
		goto fail;
	}
	bound = true;
	if (s->group != (gid_t)-1) {
		/* only the file's group and mode: the directories above it are left as they are */
		if (chown(path, 0, s->group) < 0 || chmod(path, 0660) < 0) {
			r = log_error_errno(-errno, "Failed to grant group '%s' access to '%s': %m",
					    group_name, path);
			goto fail;
		}
		log_debug("Members of group '%s' (gid %u) may use '%s'", group_name,
			  (unsigned)s->group, path);
	}
	if (listen(s->fd, 64) < 0) {
		r = -errno;
		goto fail;
	}
	r = event_add_io(m->loop, s->fd, EPOLLIN, api_server_on_accept, s, &s->source);
	if (r < 0)
		goto fail;
	*ret = s;
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	if (bound)
		(void)unlink(path);
	free(s->path);
	free(s->group_name);
	free(s);
	return r;
}

struct api_server *api_server_free(struct api_server *s)
{
	if (!s)
		return NULL;
	while (s->clients)
		api_client_free(s->clients);
	event_source_free(s->source);
	if (s->fd >= 0) {
		close(s->fd);
		(void)unlink(s->path);
	}
	free(s->path);
	free(s->group_name);
	free(s);
	return NULL;
}
