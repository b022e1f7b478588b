/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The checks of a lab (docs/LABS.md), all at once on the event loop: a non-blocking TCP connect
 * to NODE:PORT, or ICMP echoes to NODE (one every 500 ms, so that a lossy link does not fail
 * a check on one lost packet, as TCP's SYN retransmission covers a connect), from a socket made
 * inside the 'from' node, with a 2 s timeout; from a node the daemon cannot make a socket in (a qemu guest), the same probe run by
 * the node's kind inside it (lab-node.h probe). 'open' passes on a connection or a reply;
 * 'closed' on a refusal, a timeout or an unreachable destination; a check that cannot be run
 * (the guest never answers) fails whatever it expects. The target is the 'to' node's address on
 * a network both nodes are on, else its first address (reached through the gateways).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>

#include "daemon/lab/lab-engine.h"
#include "daemon/manager-core.h"
#include "event/event.h"
#include "shared/fd-util.h"
#include "shared/in-addr-util.h"

#define CHECK_TIMEOUT_SEC 2
#define CHECK_TIMEOUT_USEC (CHECK_TIMEOUT_SEC * 1000000ULL)
#define CHECK_ECHO_INTERVAL_USEC 500000ULL
#define CHECK_ECHOES 4 /* within CHECK_TIMEOUT_SEC */

static const char *const result_names[_LAB_CHECK_RESULT_MAX] = {
	[LAB_CHECK_PENDING] = "pending",
	[LAB_CHECK_PASSED] = "passed",
	[LAB_CHECK_FAILED] = "failed",
};

const char *lab_check_result_to_string(enum lab_check_result r)
{
	return r >= 0 && r < _LAB_CHECK_RESULT_MAX ? result_names[r] : NULL;
}

static struct lab_node_run *find_node(struct lab *l, const char *name)
{
	for (size_t i = 0; i < l->config.n_nodes; i++)
		if (strcmp(l->nodes[i].conf->name, name) == 0)
			return &l->nodes[i];
	return NULL;
}

/* The address of 'to' that 'from' reaches: on a shared network, else the first one. */
static bool target_address(const struct lab_node_run *from, const struct lab_node_run *to,
			   struct in_addr *ret)
{
	for (size_t i = 0; i < to->n_nics; i++)
		for (size_t k = 0; k < from->n_nics; k++)
			if (to->nics[i].has_addr &&
			    strcmp(to->nics[i].conf->network, from->nics[k].conf->network) == 0) {
				*ret = to->nics[i].addr;
				return true;
			}
	for (size_t i = 0; i < to->n_nics; i++)
		if (to->nics[i].has_addr) {
			*ret = to->nics[i].addr;
			return true;
		}
	return false;
}

static void check_end(struct lab_check_run *c, bool open, const char *detail)
{
	struct lab *l = c->lab;
	bool pass = open == (c->conf->expect == LAB_EXPECT_OPEN);

	c->io = event_source_free(c->io);
	c->timer = event_source_free(c->timer);
	c->resend = event_source_free(c->resend);
	c->fd = safe_close(c->fd);
	snprintf(c->observed, sizeof(c->observed), "%s", open ? "open" : "closed");
	snprintf(c->detail, sizeof(c->detail), "%s", detail);
	c->result = pass ? LAB_CHECK_PASSED : LAB_CHECK_FAILED;
	lab_event(l, "check %s: %s (expected %s, found %s: %s)", c->conf->name,
		  pass ? "passed" : "FAILED", lab_expect_to_string(c->conf->expect), c->observed,
		  c->detail);
	if (l->checks_pending > 0 && --l->checks_pending == 0)
		lab_engine_checks_done(l);
}

/* A check that could not be run: failed whatever it expects, 'why' as its detail. */
static void check_error(struct lab_check_run *c, const char *why)
{
	struct lab *l = c->lab;

	c->io = event_source_free(c->io);
	c->timer = event_source_free(c->timer);
	c->resend = event_source_free(c->resend);
	c->fd = safe_close(c->fd);
	c->observed[0] = '\0';
	snprintf(c->detail, sizeof(c->detail), "%s", why);
	c->result = LAB_CHECK_FAILED;
	lab_event(l, "check %s: FAILED (expected %s, not run: %s)", c->conf->name,
		  lab_expect_to_string(c->conf->expect), c->detail);
	if (l->checks_pending > 0 && --l->checks_pending == 0)
		lab_engine_checks_done(l);
}

static void on_probe_done(struct lab_probe *p, int r, bool open, const char *detail)
{
	struct lab_check_run *c = (struct lab_check_run *)((char *)p -
							   offsetof(struct lab_check_run, probe));

	if (r < 0)
		check_error(c, detail);
	else
		check_end(c, open, detail);
}

/* The check run inside node 'from' by its kind. */
static void check_probe(struct lab_check_run *c, struct lab_node_run *from)
{
	char err[200];
	int r;

	c->probe = (struct lab_probe){
		.target = c->target,
		.port = c->conf->port,
		.timeout_sec = CHECK_TIMEOUT_SEC,
		.done = on_probe_done,
	};
	r = from->ops->probe(from, &c->probe, err, sizeof(err));
	if (r < 0)
		check_error(c, err);
}

static int on_timeout(struct event_source *s, uint64_t now, void *data)
{
	struct lab_check_run *c = data;

	check_end(c, false, c->conf->port ? "no answer within 2 s" : "no reply within 2 s");
	return 0;
}

static int on_connect(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct lab_check_run *c = data;
	int err = 0;
	socklen_t len = sizeof(err);
	char buf[96];

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		err = errno;
	if (err == 0) {
		check_end(c, true, "connected");
		return 0;
	}
	if (err == EINPROGRESS)
		return 0;
	snprintf(buf, sizeof(buf), "%s", err == ECONNREFUSED ? "refused" : strerror(err));
	check_end(c, false, buf);
	return 0;
}

static uint16_t icmp_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static int on_icmp(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct lab_check_run *c = data;

	for (int i = 0; i < 32; i++) {
		uint8_t buf[1500];
		struct sockaddr_in from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &flen);
		struct icmphdr ih;
		size_t hl;

		if (n < 0)
			break;
		if ((size_t)n < sizeof(struct iphdr))
			continue;
		hl = (size_t)(buf[0] & 0x0f) * 4;
		if ((size_t)n < hl + sizeof(ih))
			continue;
		memcpy(&ih, buf + hl, sizeof(ih));
		if (ih.type == ICMP_ECHOREPLY && from.sin_addr.s_addr == c->target.s_addr &&
		    ntohs(ih.un.echo.id) == c->echo_id && ntohs(ih.un.echo.sequence) >= 1 &&
		    ntohs(ih.un.echo.sequence) <= c->echo_seq) {
			check_end(c, true, "echo reply");
			return 0;
		}
		if (ih.type == ICMP_DEST_UNREACH && (size_t)n >= hl + 8 + sizeof(struct iphdr)) {
			struct iphdr inner;
			struct icmphdr ie;
			size_t off;

			memcpy(&inner, buf + hl + 8, sizeof(inner));
			off = hl + 8 + (size_t)inner.ihl * 4;
			if (off + sizeof(ie) > (size_t)n)
				continue;
			memcpy(&ie, buf + off, sizeof(ie));
			if (inner.daddr == c->target.s_addr && ntohs(ie.un.echo.id) == c->echo_id) {
				check_end(c, false, "destination unreachable");
				return 0;
			}
		}
	}
	return 0;
}

/* Sends echo number c->echo_seq + 1 to the target: 0, or the errno of sendto(). */
static int send_echo(struct lab_check_run *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = c->target };
	uint8_t pkt[sizeof(struct icmphdr) + 16] = { 0 };
	struct icmphdr ih = { .type = ICMP_ECHO };

	c->echo_seq++;
	ih.un.echo.id = htons(c->echo_id);
	ih.un.echo.sequence = htons(c->echo_seq);
	memcpy(pkt, &ih, sizeof(ih));
	memcpy(pkt + sizeof(ih), "kvmnet lab check", 16);
	ih.checksum = icmp_checksum(pkt, sizeof(pkt));
	memcpy(pkt, &ih, sizeof(ih));
	return sendto(c->fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? errno
											    : 0;
}

/* The next echo, until CHECK_ECHOES were sent; a failed send is left to the timeout. */
static int on_resend(struct event_source *s, uint64_t now, void *data)
{
	struct lab_check_run *c = data;

	(void)send_echo(c);
	if (c->echo_seq < CHECK_ECHOES)
		return event_source_set_time(s, now + CHECK_ECHO_INTERVAL_USEC);
	c->resend = event_source_free(c->resend);
	return 0;
}

static int check_run(struct lab_check_run *c)
{
	struct lab *l = c->lab;
	struct lab_node_run *from = find_node(l, c->conf->from), *to = find_node(l, c->conf->to);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char ip[INET_ADDRSTRLEN], buf[160];
	int r;

	c->fd = -1;
	if (!from || !to || !target_address(from, to, &c->target)) {
		check_end(c, false, "the target node has no address");
		return 0;
	}
	if (!from->ops->socket && !from->ops->probe) {
		snprintf(buf, sizeof(buf), "node %s (kind %s) cannot run checks", from->conf->name,
			 lab_node_kind_to_string(from->conf->kind));
		check_error(c, buf);
		return 0;
	}
	snprintf(c->via, sizeof(c->via), "from %s to %s%s", from->conf->name,
		 in_addr_to_string(c->target, ip), from->ops->socket ? "" : " (in the guest)");
	if (!from->ops->socket) {
		check_probe(c, from);
		return 0;
	}
	sa.sin_addr = c->target;
	if (c->conf->port) {
		c->fd = from->ops->socket(from, AF_INET, SOCK_STREAM, 0);
		if (c->fd < 0) {
			r = c->fd;
			goto fail;
		}
		sa.sin_port = htons(c->conf->port);
		if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
			r = errno;
			check_end(c, false, r == ECONNREFUSED ? "refused" : strerror(r));
			return 0;
		}
		r = event_add_io(l->m->loop, c->fd, EPOLLOUT, on_connect, c, &c->io);
	} else {
		c->fd = from->ops->socket(from, AF_INET, SOCK_RAW, IPPROTO_ICMP);
		if (c->fd < 0) {
			r = c->fd;
			goto fail;
		}
		c->echo_id = (uint16_t)(now_usec() ^ (uintptr_t)c);
		c->echo_seq = 0;
		r = event_add_io(l->m->loop, c->fd, EPOLLIN, on_icmp, c, &c->io);
		if (r >= 0 && (r = send_echo(c)) != 0) {
			check_end(c, false, r == ENETUNREACH || r == EHOSTUNREACH
						    ? "destination unreachable"
						    : strerror(r));
			return 0;
		}
		if (r >= 0)
			r = event_add_timer(l->m->loop, now_usec() + CHECK_ECHO_INTERVAL_USEC,
					    on_resend, c, &c->resend);
	}
	if (r >= 0)
		r = event_add_timer(l->m->loop, now_usec() + CHECK_TIMEOUT_USEC, on_timeout, c,
				    &c->timer);
	if (r >= 0)
		return 0;
fail:
	snprintf(buf, sizeof(buf), "cannot run it: %s", strerror(-r));
	check_end(c, false, buf);
	return 0;
}

void lab_checks_start(struct lab *l)
{
	l->checks_pending = l->config.n_checks;
	for (size_t i = 0; i < l->config.n_checks; i++) {
		struct lab_check_run *c = &l->checks[i];

		c->lab = l;
		c->conf = &l->config.checks[i];
		c->result = LAB_CHECK_PENDING;
		c->observed[0] = c->detail[0] = c->via[0] = '\0';
		c->fd = -1;
		c->started_usec = now_usec();
	}
	if (l->config.n_checks == 0) {
		lab_engine_checks_done(l);
		return;
	}
	for (size_t i = 0; i < l->config.n_checks && l->state == LAB_CHECKING; i++)
		check_run(&l->checks[i]);
}

void lab_checks_stop(struct lab *l)
{
	for (size_t i = 0; l->checks && i < l->config.n_checks; i++) {
		struct lab_check_run *c = &l->checks[i];

		if (c->probe.queued) {
			struct lab_node_run *from = find_node(l, c->conf->from);

			if (from && from->ops && from->ops->probe_cancel)
				from->ops->probe_cancel(from, &c->probe);
			c->probe.queued = false;
		}

		c->io = event_source_free(c->io);
		c->timer = event_source_free(c->timer);
		c->resend = event_source_free(c->resend);
		c->fd = safe_close(c->fd);
	}
	l->checks_pending = 0;
}
