/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The probe channel of the tiny guest: lab checks from a qemu node (lab-guest-probe.h). */
#include "daemon/lab/lab-guest-probe.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon/lab/lab-node.h"
#include "event/event.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/in-addr-util.h"
#include "shared/log.h"

#define PROBE_LINE_MAX 512
#define PROBE_OUT_MAX 4096

struct lab_guest_probe {
	struct event_loop *loop;        /* borrowed */
	char *path;
	int fd;                         /* connected to QEMU, -1 when not */
	struct event_source *io, *timer;
	struct lab_probe *head, *tail;  /* queued and sent, in submit order */
	size_t n_sent;
	uint32_t next_id;
	uint64_t resend_usec;           /* beyond a probe's timeout, before it is sent again */
	uint64_t slack_usec;            /* beyond a probe's timeout, before it fails */
	char in[PROBE_LINE_MAX];        /* the line being read */
	size_t in_len;
	bool in_skip;                   /* the rest of an overlong line is dropped */
	char out[PROBE_OUT_MAX];        /* lines not yet written */
	size_t out_len;
};

/*
 * A sockaddr_un for 'path'; one longer than sun_path goes through its folder opened O_PATH
 * ("/proc/self/fd/N/NAME"), whose fd the caller closes ('*dirfd', -1 otherwise).
 */
static int unix_address(const char *path, struct sockaddr_un *sa, int *dirfd)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *dir = NULL;

	*dirfd = -1;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) < sizeof(sa->sun_path)) {
		memcpy(sa->sun_path, path, strlen(path) + 1);
		return 0;
	}
	if (!slash || slash == path)
		return -ENAMETOOLONG;
	dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	*dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (*dirfd < 0)
		return -errno;
	if ((size_t)snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", *dirfd,
			     slash + 1) >= sizeof(sa->sun_path)) {
		*dirfd = safe_close(*dirfd);
		return -ENAMETOOLONG;
	}
	return 0;
}

int lab_guest_probe_listen(const char *path, int *ret_fd)
{
	struct sockaddr_un sa;
	int dirfd, fd, r;

	r = unix_address(path, &sa, &dirfd);
	if (r < 0)
		return r;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	(void)unlink(sa.sun_path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		r = -errno;
		fd = safe_close(fd);
		goto out;
	}
	*ret_fd = fd;
	r = 0;
out:
	safe_close(dirfd);
	return r;
}

int lab_guest_probe_new(struct event_loop *loop, const char *path, uint64_t resend_usec,
			uint64_t slack_usec, struct lab_guest_probe **ret)
{
	struct lab_guest_probe *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->path = strdup(path);
	if (!g->path) {
		free(g);
		return -ENOMEM;
	}
	g->loop = loop;
	g->fd = -1;
	g->next_id = 1;
	g->resend_usec = resend_usec;
	g->slack_usec = slack_usec;
	*ret = g;
	return 0;
}

static void disconnect(struct lab_guest_probe *g)
{
	g->io = event_source_free(g->io);
	g->fd = safe_close(g->fd);
	g->in_len = g->out_len = 0;
	g->in_skip = false;
}

static void unlink_probe(struct lab_guest_probe *g, struct lab_probe *p)
{
	struct lab_probe **pp = &g->head, *prev = NULL;

	for (; *pp; prev = *pp, pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			if (g->tail == p)
				g->tail = prev;
			break;
		}
	if (p->sent && g->n_sent > 0)
		g->n_sent--;
	p->next = NULL;
	p->queued = p->sent = false;
}

/* Ends 'p' (taken off the queue first: 'done' may submit or cancel others). */
static void finish(struct lab_guest_probe *g, struct lab_probe *p, int r, bool open,
		   const char *detail)
{
	unlink_probe(g, p);
	p->done(p, r, open, detail);
}

/* Every probe fails with 'why' (the channel broke), and the channel closes. */
static void fail_all(struct lab_guest_probe *g, int r, const char *why)
{
	disconnect(g);
	while (g->head)
		finish(g, g->head, r, false, why);
	if (g->timer)
		(void)event_source_set_time(g->timer, 0);
}

void lab_guest_probe_cancel(struct lab_guest_probe *g, struct lab_probe *p)
{
	if (g && p->queued)
		unlink_probe(g, p);
}

struct lab_guest_probe *lab_guest_probe_free(struct lab_guest_probe *g)
{
	if (!g)
		return NULL;
	while (g->head)
		unlink_probe(g, g->head);
	disconnect(g);
	event_source_free(g->timer);
	free(g->path);
	free(g);
	return NULL;
}

static int arm_timer(struct lab_guest_probe *g);
static int on_io(struct event_source *s, int fd, uint32_t revents, void *data);

/* Writes what is buffered; the io source watches for room while some is left. */
static int flush_out(struct lab_guest_probe *g)
{
	while (g->out_len > 0) {
		ssize_t n = send(g->fd, g->out, g->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			return -errno;
		}
		memmove(g->out, g->out + n, g->out_len - (size_t)n);
		g->out_len -= (size_t)n;
	}
	return event_source_set_io_events(g->io, EPOLLIN | (g->out_len ? EPOLLOUT : 0));
}

/* What the guest's answer names: "tcp:A.B.C.D:PORT" or "icmp:A.B.C.D". */
static void probe_what(const struct lab_probe *p, char *buf, size_t size)
{
	char ip[INET_ADDRSTRLEN];

	in_addr_to_string(p->target, ip);
	if (p->port)
		snprintf(buf, size, "tcp:%s:%u", ip, p->port);
	else
		snprintf(buf, size, "icmp:%s", ip);
}

/* Appends the request line of 'p' to the output buffer: false when there is no room. */
static bool request_add(struct lab_guest_probe *g, const struct lab_probe *p)
{
	char line[96], ip[INET_ADDRSTRLEN];
	int len;

	in_addr_to_string(p->target, ip);
	if (p->port)
		len = snprintf(line, sizeof(line), "KNPROBE %u tcp %s %u %u\n", p->id, ip, p->port,
			       p->timeout_sec);
	else
		len = snprintf(line, sizeof(line), "KNPROBE %u icmp %s %u\n", p->id, ip,
			       p->timeout_sec);
	if ((size_t)len > sizeof(g->out) - g->out_len)
		return false;
	memcpy(g->out + g->out_len, line, (size_t)len);
	g->out_len += (size_t)len;
	return true;
}

/* Sends queued probes while fewer than LAB_GUEST_PROBE_INFLIGHT are out and the buffer has room. */
static int send_queued(struct lab_guest_probe *g)
{
	uint64_t now = now_usec();

	for (struct lab_probe *p = g->head; p && g->n_sent < LAB_GUEST_PROBE_INFLIGHT; p = p->next) {
		if (p->sent)
			continue;
		if (!request_add(g, p))
			break;
		p->sent = true;
		p->deadline_usec = now + p->timeout_sec * 1000000ULL + g->slack_usec;
		p->resend_usec = now + p->timeout_sec * 1000000ULL + g->resend_usec;
		g->n_sent++;
	}
	return flush_out(g);
}

static struct lab_probe *find_sent(struct lab_guest_probe *g, uint32_t id)
{
	for (struct lab_probe *p = g->head; p; p = p->next)
		if (p->sent && p->id == id)
			return p;
	return NULL;
}

bool lab_guest_probe_parse(const char *line, uint32_t *ret_id, const char **ret_what,
			   size_t *ret_what_len, int *ret_status, const char **ret_text)
{
	static const char *const status[] = { "error", "closed", "open" };
	const char *what;
	unsigned long id;
	size_t what_len;
	char *end;

	if (strncmp(line, "KNRESULT ", 9) != 0 || line[9] < '0' || line[9] > '9')
		return false;
	errno = 0;
	id = strtoul(line + 9, &end, 10);
	if (errno || id == 0 || id > UINT32_MAX || *end != ' ')
		return false;
	what = end + 1;
	what_len = strcspn(what, " ");
	if (what_len == 0 || what[what_len] != ' ')
		return false;
	end = (char *)what + what_len + 1;
	for (int i = 0; i < 3; i++) {
		size_t len = strlen(status[i]);

		if (strncmp(end, status[i], len) == 0 && (end[len] == '\0' || end[len] == ' ')) {
			*ret_id = (uint32_t)id;
			*ret_what = what;
			*ret_what_len = what_len;
			*ret_status = i - 1;
			*ret_text = end[len] ? end + len + 1 : end + len;
			return true;
		}
	}
	return false;
}

void lab_guest_probe_detail(const char *text, bool tcp, uint32_t timeout_sec, char *buf,
			    size_t size)
{
	const char *reason = strrchr(text, ':');

	if (strstr(text, "refused"))
		snprintf(buf, size, "refused");
	else if (strstr(text, "timed out") || !*text)
		snprintf(buf, size, "no answer within %u s", timeout_sec);
	else if (!tcp || strcmp(text, "no-reply") == 0)
		snprintf(buf, size, "no reply within %u s", timeout_sec);
	else
		snprintf(buf, size, "%s", reason && reason[1] == ' ' ? reason + 2 : text);
}

/* One line from the guest: the answer of a sent probe (anything else is ignored). */
static void handle_line(struct lab_guest_probe *g, char *line)
{
	char detail[160], text[128], expect[48];
	struct lab_probe *p = NULL;
	const char *t, *what;
	size_t k = 0, what_len;
	uint32_t id;
	int status;

	/* an answer counts only for the probe it names (a garbled id names another, or none) */
	if (lab_guest_probe_parse(line, &id, &what, &what_len, &status, &t) &&
	    (p = find_sent(g, id)))
		probe_what(p, expect, sizeof(expect));
	if (!p || strlen(expect) != what_len || memcmp(expect, what, what_len) != 0) {
		log_info("Guest probe channel %s: ignoring line '%.80s'", g->path, line);
		return;
	}
	/* the guest's text, printable only and bounded */
	for (; *t && k + 1 < sizeof(text); t++)
		text[k++] = *t >= ' ' && *t < 0x7f ? *t : '?';
	text[k] = '\0';
	if (status > 0) {
		finish(g, p, 0, true, p->port ? "connected" : "echo reply");
		return;
	}
	if (status < 0) {
		snprintf(detail, sizeof(detail), "the guest refused the probe: %s", text);
		finish(g, p, -EPROTO, false, detail);
		return;
	}
	lab_guest_probe_detail(text, p->port != 0, p->timeout_sec, detail, sizeof(detail));
	finish(g, p, 0, false, detail);
}

static int read_in(struct lab_guest_probe *g)
{
	char buf[1024];

	for (;;) {
		ssize_t n = recv(g->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return errno == EAGAIN ? 0 : errno == EINTR ? 1 : -errno;
		for (ssize_t i = 0; i < n && g->fd >= 0; i++) {
			char c = buf[i];

			if (c == '\n' || c == '\r') {
				g->in[g->in_len] = '\0';
				if (!g->in_skip && g->in_len)
					handle_line(g, g->in);
				g->in_len = 0;
				g->in_skip = false;
			} else if (g->in_len + 1 < sizeof(g->in)) {
				g->in[g->in_len++] = c;
			} else {
				g->in_skip = true;
			}
		}
	}
}

static int on_io(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct lab_guest_probe *g = data;
	int r = 0;

	if (revents & EPOLLIN) {
		do
			r = read_in(g);
		while (r == 1);
	}
	if (r >= 0 && (revents & (EPOLLHUP | EPOLLERR)) && !(revents & EPOLLIN))
		r = -ECONNRESET;
	if (r >= 0 && g->fd >= 0)
		r = send_queued(g);
	if (r < 0) {
		log_debug_errno(r, "Guest probe channel %s: %m", g->path);
		fail_all(g, r, "the guest's probe channel closed (QEMU gone?)");
		return 0;
	}
	return arm_timer(g);
}

static int on_timer(struct event_source *s, uint64_t now, void *data)
{
	struct lab_guest_probe *g = data;
	struct lab_probe *p = g->head;
	char why[96];

	while (p) {
		struct lab_probe *next = p->next;

		if (p->sent && p->deadline_usec > now && p->resend_usec <= now &&
		    request_add(g, p)) {
			log_info("Guest probe channel %s: no answer to probe %u yet, asking again",
				 g->path, p->id);
			p->resend_usec = now + p->timeout_sec * 1000000ULL + g->resend_usec;
		}
		if (p->sent && p->deadline_usec <= now) {
			snprintf(why, sizeof(why), "the guest did not answer within %llu s",
				 (unsigned long long)(p->timeout_sec + g->slack_usec / 1000000ULL));
			finish(g, p, -ETIMEDOUT, false, why);
			/* 'done' may have cancelled others: start over */
			next = g->head;
		}
		p = next;
	}
	if (g->fd >= 0 && send_queued(g) < 0) {
		fail_all(g, -EIO, "the guest's probe channel closed (QEMU gone?)");
		return 0;
	}
	return arm_timer(g);
}

/* The timer at the earliest deadline of the probes sent (disarmed when none is). */
static int arm_timer(struct lab_guest_probe *g)
{
	uint64_t at = 0;

	for (struct lab_probe *p = g->head; p; p = p->next) {
		if (p->sent && (!at || p->deadline_usec < at))
			at = p->deadline_usec;
		if (p->sent && p->resend_usec < p->deadline_usec && p->resend_usec < at)
			at = p->resend_usec;
	}
	if (!g->timer)
		return at ? event_add_timer(g->loop, at, on_timer, g, &g->timer) : 0;
	return event_source_set_time(g->timer, at);
}

static int channel_connect(struct lab_guest_probe *g)
{
	struct sockaddr_un sa;
	int dirfd, r;

	r = unix_address(g->path, &sa, &dirfd);
	if (r < 0)
		return r;
	g->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (g->fd < 0)
		r = -errno;
	/* a unix socket connects at once or not at all (EAGAIN: QEMU's backlog is full) */
	else if (connect(g->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	else
		r = event_add_io(g->loop, g->fd, EPOLLIN, on_io, g, &g->io);
	safe_close(dirfd);
	if (r < 0)
		disconnect(g);
	return r;
}

int lab_guest_probe_submit(struct lab_guest_probe *g, struct lab_probe *p, char *err,
			   size_t errlen)
{
	int r;

	if (g->fd < 0) {
		r = channel_connect(g);
		if (r < 0) {
			log_debug_errno(r, "Guest probe channel %s: cannot connect: %m", g->path);
			snprintf(err, errlen, "cannot reach the guest's probe channel: %s",
				 r == -ENOENT ? "no such socket (a guest started without one?)"
					      : strerror(-r));
			return r;
		}
	}
	p->id = g->next_id++;
	if (g->next_id == 0)
		g->next_id = 1;
	p->next = NULL;
	p->queued = true;
	p->sent = false;
	if (g->tail)
		g->tail->next = p;
	else
		g->head = p;
	g->tail = p;
	r = send_queued(g);
	if (r >= 0)
		r = arm_timer(g);
	if (r < 0) {
		unlink_probe(g, p);
		snprintf(err, errlen, "cannot write to the guest's probe channel: %s", strerror(-r));
		/* the others fail from the loop, not from within this call */
		if (g->timer)
			(void)event_source_set_time(g->timer, now_usec());
		return r;
	}
	return 0;
}
