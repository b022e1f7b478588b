/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dns/dns-forward: a real event loop with fake upstreams on 127.0.0.x and ::1
 * (UDP sockets on one ephemeral port, reached through dns_forward_set_upstream_port()) that
 * answer, answer wrongly or from elsewhere, refuse or stay silent; IPv4 and IPv6 upstreams mixed. Timeouts are shortened with dns_forward_set_timeout().
 * Also the resolv.conf parser. No root needed: loopback is enough. Where the host's loopback has
 * no ::1 (IPv6 disabled), the run moves to a network namespace of its own (a user namespace too
 * when not root) whose loopback has both; where that is refused, the IPv6 tests skip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/dns-cache.h"
#include "dns/dns-forward.h"
#include "event/event.h"

#define T_A 1
#define C_IN 1
#define UPSTREAMS 4           /* 127.0.0.1, 127.0.0.2, 127.0.0.3, ::1 */
#define V6 0                  /* in set_upstreams()'s list: the upstream on ::1 */
#define UP_V6 3               /* its index in fctx.up */
#define TEST_TIMEOUT_USEC 50000ULL   /* where a test waits for timeouts */
#define SAFE_TIMEOUT_USEC 1000000ULL /* elsewhere: no spurious timeouts on a loaded machine */
#define GUARD_USEC 3000000ULL

enum up_mode {
	UP_ANSWER,          /* answers with A 192.0.2.<tag> */
	UP_SILENT,
	UP_NOISE_FIRST,     /* garbage, a query, a wrong ID, then the right answer */
	UP_WRONG_QUESTION,  /* answers for another name, then for another type */
	UP_UPPERCASE,       /* the right answer, the question name in upper case */
	UP_TC,              /* an empty truncated answer */
	UP_REFUSED,
	UP_SPOOFED_FIRST,   /* the right answer from another port (and address) first, then its own */
};

struct fctx;

struct upstream {
	struct fctx *c;
	int fd;
	struct event_source *src;
	enum up_mode mode;
	uint8_t tag;
	unsigned queries;
	uint8_t last[512];
	size_t last_len;
	uint16_t last_port;
};

struct reply {
	unsigned calls;
	uint8_t buf[4096];
	size_t len;
};

struct fctx {
	struct event_loop *loop;
	struct event_source *guard;
	struct dns_cache *cache;
	struct dns_forward *f;
	struct upstream up[UPSTREAMS];
	uint16_t port;
	bool no_v6;            /* no ::1 here: the IPv6 tests skip */
	unsigned done, expect;
	bool guard_fired;
	bool lengthen_timeout; /* after the first upstream query: SAFE_TIMEOUT_USEC from then on */
};

struct query {
	uint8_t buf[512];
	size_t len;
};

static void q8(struct query *q, uint8_t v)
{
	assert_true(q->len < sizeof(q->buf));
	q->buf[q->len++] = v;
}

static void q16(struct query *q, uint16_t v)
{
	q8(q, (uint8_t)(v >> 8));
	q8(q, (uint8_t)v);
}

static void qname(struct query *q, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t n = dot ? (size_t)(dot - name) : strlen(name);

		q8(q, (uint8_t)n);
		for (size_t i = 0; i < n; i++)
			q8(q, (uint8_t)name[i]);
		name += n + (dot ? 1 : 0);
	}
	q8(q, 0);
}

/* A recursive query for 'name' IN A with an EDNS0 OPT (1232 bytes). */
static void make_query(struct query *q, uint16_t id, const char *name)
{
	q->len = 0;
	q16(q, id);
	q16(q, 0x0100);
	q16(q, 1);
	q16(q, 0);
	q16(q, 0);
	q16(q, 1);
	qname(q, name);
	q16(q, T_A);
	q16(q, C_IN);
	q8(q, 0);
	q16(q, 41);
	q16(q, 1232);
	q16(q, 0);
	q16(q, 0);
	q16(q, 0);
}

static uint16_t rd16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static size_t question_end(const uint8_t *b, size_t len)
{
	size_t o = 12;

	while (o < len && b[o])
		o += 1 + b[o];
	return o + 1 + 4;
}

/* Builds the upstream's reply to 'q' in 'r' for 'mode' (and 'id'); returns its length. */
static size_t up_build(const struct upstream *u, const uint8_t *q, size_t qlen, uint16_t id,
		       uint8_t *r)
{
	size_t qe = question_end(q, qlen), n = qe;

	memcpy(r, q, qe);
	r[0] = (uint8_t)(id >> 8);
	r[1] = (uint8_t)id;
	r[2] = 0x80 | (q[2] & 0x01);
	r[3] = 0x80;
	memset(r + 6, 0, 6);
	switch (u->mode) {
	case UP_TC:
		r[2] |= 0x02;
		return n;
	case UP_REFUSED:
		r[3] |= 5;
		return n;
	case UP_WRONG_QUESTION:
		r[13] ^= 0x01;     /* first letter of the name */
		break;
	case UP_UPPERCASE:
		for (size_t i = 12; i < qe - 4; i++)
			if (r[i] >= 'a' && r[i] <= 'z')
				r[i] = (uint8_t)(r[i] - 'a' + 'A');
		break;
	default:
		break;
	}
	r[7] = 1;
	const uint8_t rr[] = { 0xc0, 0x0c, 0, T_A, 0, C_IN, 0, 0, 0x01, 0x2c, 0, 4,
			       192, 0, 2, u->tag };
	memcpy(r + n, rr, sizeof(rr));
	return n + sizeof(rr);
}

/* The same with 0xee as the last address byte: the mark of an answer that must be ignored. */
static size_t up_build_bad(const struct upstream *u, const uint8_t *q, size_t qlen, uint16_t id,
			   uint8_t *r)
{
	size_t n = up_build(u, q, qlen, id, r);

	r[n - 1] = 0xee;
	return n;
}

/*
 * Sends 'r' to 'to' from a fresh socket bound to the address of 'fd' on another port: what an
 * off-path spoofer who guessed the ID, but not the port, could do at best.
 */
static void send_from_other_port(int fd, const uint8_t *r, size_t n,
				 const struct sockaddr_storage *to, socklen_t tolen)
{
	struct sockaddr_storage self;
	socklen_t selflen = sizeof(self);
	int o;

	assert_int_equal(getsockname(fd, (struct sockaddr *)&self, &selflen), 0);
	if (self.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&self)->sin6_port = 0;
	else
		((struct sockaddr_in *)&self)->sin_port = 0;
	o = socket(self.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(o >= 0);
	assert_int_equal(bind(o, (struct sockaddr *)&self, selflen), 0);
	assert_int_equal(sendto(o, r, n, 0, (const struct sockaddr *)to, tolen), (ssize_t)n);
	close(o);
}

static int up_on_io(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct upstream *u = data;
	struct sockaddr_storage from;
	socklen_t fromlen = sizeof(from);
	uint8_t r[600];
	uint16_t id;
	ssize_t n;

	n = recvfrom(fd, u->last, sizeof(u->last), 0, (struct sockaddr *)&from, &fromlen);
	if (n < 0)
		return 0;
	u->queries++;
	u->last_len = (size_t)n;
	if (u->c->lengthen_timeout)
		assert_int_equal(dns_forward_set_timeout(u->c->f, SAFE_TIMEOUT_USEC), 0);
	u->last_port = from.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&from)->sin6_port)
						 : ntohs(((struct sockaddr_in *)&from)->sin_port);
	id = rd16(u->last);

#define SEND(buf, len) sendto(fd, (buf), (len), 0, (struct sockaddr *)&from, fromlen)
	switch (u->mode) {
	case UP_SILENT:
		return 0;
	case UP_NOISE_FIRST:
		assert_int_equal(SEND("\x01\x02\x03", 3), 3);
		assert_int_equal(SEND(u->last, u->last_len), (ssize_t)u->last_len); /* no QR */
		n = (ssize_t)up_build_bad(u, u->last, u->last_len, id ^ 0x5a5a, r);
		assert_int_equal(SEND(r, (size_t)n), n);
		/* A cut-off answer with the right ID: not whole, ignored. */
		n = (ssize_t)up_build_bad(u, u->last, u->last_len, id, r);
		assert_int_equal(SEND(r, (size_t)n - 3), n - 3);
		break;
	case UP_WRONG_QUESTION:
		n = (ssize_t)up_build_bad(u, u->last, u->last_len, id, r);
		assert_int_equal(SEND(r, (size_t)n), n);
		/* And the right name with the wrong type. */
		{
			struct upstream v = *u;
			v.mode = UP_ANSWER;
			n = (ssize_t)up_build_bad(&v, u->last, u->last_len, id, r);
			r[question_end(r, (size_t)n) - 3] = 28;
			assert_int_equal(SEND(r, (size_t)n), n);
		}
		return 0;
	case UP_SPOOFED_FIRST:
		n = (ssize_t)up_build_bad(u, u->last, u->last_len, id, r);
		send_from_other_port(fd, r, (size_t)n, &from, fromlen);
		/* An IPv4 asker also hears from another address (127.0.0.2 or .1), same port. */
		if (from.ss_family == AF_INET) {
			const struct upstream *other = &u->c->up[u == &u->c->up[1] ? 0 : 1];
			assert_int_equal(sendto(other->fd, r, (size_t)n, 0, (struct sockaddr *)&from,
						fromlen), n);
		}
		break;
	default:
		break;
	}
	n = (ssize_t)up_build(u, u->last, u->last_len, id, r);
	assert_int_equal(SEND(r, (size_t)n), n);
#undef SEND
	return 0;
}

static struct in_addr loopback(uint8_t last)
{
	struct in_addr a = { .s_addr = htonl(0x7f000000U | last) };

	return a;
}

static int bind_udp(uint8_t last, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port),
				  .sin_addr = loopback(last) };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Binds a UDP socket on [::1]:'port' (IPv6 only); -errno on failure. */
static int bind_udp6(uint16_t port)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(port),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int one = 1, r;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	assert_int_equal(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)), 0);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/*
 * Binds upstream i < UP_V6 on 127.0.0.(i+1) and UP_V6 on ::1, all on one port. Without IPv6
 * on the loopback (EADDRNOTAVAIL, EAFNOSUPPORT), UP_V6 stays closed and 'no_v6' says so.
 */
static void upstreams_bind(struct fctx *c)
{
	for (unsigned attempt = 0; attempt < 32; attempt++) {
		struct sockaddr_in sa;
		socklen_t salen = sizeof(sa);
		unsigned i;

		c->up[0].fd = bind_udp(1, 0);
		assert_true(c->up[0].fd >= 0);
		assert_int_equal(getsockname(c->up[0].fd, (struct sockaddr *)&sa, &salen), 0);
		c->port = ntohs(sa.sin_port);
		for (i = 1; i < UP_V6; i++) {
			c->up[i].fd = bind_udp((uint8_t)(i + 1), c->port);
			if (c->up[i].fd < 0)
				break;
		}
		if (i == UP_V6) {
			int fd = bind_udp6(c->port);
			c->no_v6 = fd == -EADDRNOTAVAIL || fd == -EAFNOSUPPORT;
			c->up[UP_V6].fd = fd >= 0 ? fd : -1;
			if (fd >= 0 || c->no_v6)
				return;
		}
		while (i-- > 0)
			close(c->up[i].fd);
	}
	fail_msg("could not bind the fake upstreams");
}

static int on_guard(struct event_source *s, uint64_t now, void *data)
{
	struct fctx *c = data;

	c->guard_fired = true;
	event_loop_exit(c->loop, 99);
	return 0;
}

static int setup(void **state)
{
	struct fctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(event_loop_new(&c->loop), 0);
	assert_int_equal(dns_cache_new(1024, 1 << 20, &c->cache), 0);
	assert_int_equal(dns_forward_new(c->loop, c->cache, &c->f), 0);
	upstreams_bind(c);
	for (unsigned i = 0; i < UPSTREAMS; i++) {
		c->up[i].c = c;
		c->up[i].tag = (uint8_t)(i + 1);
		if (c->up[i].fd < 0)
			continue;
		assert_int_equal(event_add_io(c->loop, c->up[i].fd, EPOLLIN, up_on_io, &c->up[i],
					      &c->up[i].src), 0);
	}
	dns_forward_set_upstream_port(c->f, c->port);
	assert_int_equal(dns_forward_set_timeout(c->f, SAFE_TIMEOUT_USEC), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct fctx *c = *state;

	dns_forward_free(c->f);
	dns_cache_free(c->cache);
	event_loop_free(c->loop);
	for (unsigned i = 0; i < UPSTREAMS; i++)
		if (c->up[i].fd >= 0)
			close(c->up[i].fd);
	free(c);
	return 0;
}

/* The upstreams are 127.0.0.<lasts[i]>, or ::1 where lasts[i] is V6. */
static void set_upstreams(struct fctx *c, const uint8_t *lasts, size_t n)
{
	struct ip_addr a[DNS_FORWARD_UPSTREAMS_MAX];

	for (size_t i = 0; i < n; i++)
		a[i] = lasts[i] == V6 ? ip_addr_from_in6(&in6addr_loopback)
				      : ip_addr_from_in(loopback(lasts[i]));
	assert_int_equal(dns_forward_set_upstreams(c->f, a, n), 0);
}

static struct fctx *reply_ctx;

static void on_reply(const uint8_t *answer, size_t len, void *cookie)
{
	struct reply *r = cookie;

	assert_true(len <= sizeof(r->buf));
	memcpy(r->buf, answer, len);
	r->len = len;
	r->calls++;
	if (++reply_ctx->done >= reply_ctx->expect)
		event_loop_exit(reply_ctx->loop, 0);
}

/* Sends a query for 'name' with ID 'id'; returns dns_forward_query()'s result. */
static int ask(struct fctx *c, const char *name, uint16_t id, uint64_t now_sec, struct reply *r)
{
	struct query q;

	make_query(&q, id, name);
	reply_ctx = c;
	return dns_forward_query(c->f, q.buf, q.len, name, T_A, C_IN, now_sec, on_reply, r);
}

/* Runs the loop until 'expect' more replies arrived; fails on the guard's timeout. */
static void run_until(struct fctx *c, unsigned expect)
{
	c->expect = c->done + expect;
	assert_int_equal(event_add_timer(c->loop, now_usec() + GUARD_USEC, on_guard, c,
					 &c->guard), 0);
	assert_int_equal(event_loop_run(c->loop), 0);
	assert_false(c->guard_fired);
	c->guard = event_source_free(c->guard);
}

static void assert_answer(const struct reply *r, uint16_t id, uint8_t tag)
{
	assert_int_equal(r->calls, 1);
	assert_true(r->len > 16);
	assert_int_equal(rd16(r->buf), id);
	assert_true(r->buf[2] & 0x80);
	assert_int_equal(r->buf[3] & 0x0f, 0);
	assert_int_equal(r->buf[r->len - 1], tag);
}

static void assert_servfail(const struct reply *r, uint16_t id, const char *name)
{
	struct query q;
	size_t qe;

	make_query(&q, id, name);
	qe = question_end(q.buf, q.len);
	assert_int_equal(r->calls, 1);
	assert_int_equal(r->len, qe);
	assert_int_equal(rd16(r->buf), id);
	assert_int_equal(r->buf[2], 0x81);        /* QR, opcode QUERY, RD */
	assert_int_equal(r->buf[3], 0x82);        /* RA, SERVFAIL */
	assert_int_equal(rd16(r->buf + 4), 1);
	assert_int_equal(rd16(r->buf + 6), 0);
	assert_int_equal(rd16(r->buf + 8), 0);
	assert_int_equal(rd16(r->buf + 10), 0);
	assert_memory_equal(r->buf + 12, q.buf + 12, qe - 12);
}

static void test_answer(void **state)
{
	struct fctx *c = *state;
	struct reply r = { 0 };
	struct query q;

	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	assert_int_equal(ask(c, "www.example.org", 0x1234, 100, &r), 0);
	assert_int_equal(r.calls, 0);
	assert_int_equal(dns_forward_pending_count(c->f), 1);
	run_until(c, 1);
	assert_answer(&r, 0x1234, 1);
	assert_int_equal(c->up[0].queries, 1);
	assert_int_equal(dns_forward_pending_count(c->f), 0);
	assert_int_equal(dns_cache_count(c->cache), 1);

	/* The query went out unchanged but for its ID (EDNS0 included). */
	make_query(&q, 0x1234, "www.example.org");
	assert_int_equal(c->up[0].last_len, q.len);
	assert_memory_equal(c->up[0].last + 2, q.buf + 2, q.len - 2);
}

static void test_random_ids_and_ports(void **state)
{
	struct fctx *c = *state;
	uint16_t ids[8], ports[8];
	bool id_differs = false, port_differs = false, id_hidden = false;
	char name[32];

	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	for (unsigned i = 0; i < 8; i++) {
		struct reply r = { 0 };

		snprintf(name, sizeof(name), "n%u.example.org", i);
		assert_int_equal(ask(c, name, 0x4242, 0, &r), 0);
		run_until(c, 1);
		assert_answer(&r, 0x4242, 1);
		ids[i] = rd16(c->up[0].last);
		ports[i] = c->up[0].last_port;
		id_hidden = id_hidden || ids[i] != 0x4242;
		id_differs = id_differs || (i > 0 && ids[i] != ids[0]);
		port_differs = port_differs || (i > 0 && ports[i] != ports[0]);
	}
	assert_true(id_hidden);
	assert_true(id_differs);
	assert_true(port_differs);
}

static void test_noise_then_answer(void **state)
{
	struct fctx *c = *state;
	struct reply r = { 0 };

	c->up[0].mode = UP_NOISE_FIRST;
	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	assert_int_equal(ask(c, "noise.example", 7, 0, &r), 0);
	run_until(c, 1);
	assert_answer(&r, 7, 1);
	assert_int_equal(c->up[0].queries, 1);
}

static void test_wrong_question(void **state)
{
	struct fctx *c = *state;
	struct reply r = { 0 };
	uint64_t start = now_usec();

	c->up[0].mode = UP_WRONG_QUESTION;
	c->lengthen_timeout = true;
	assert_int_equal(dns_forward_set_timeout(c->f, TEST_TIMEOUT_USEC), 0);
	set_upstreams(c, (const uint8_t[]){ 1, 2 }, 2);
	assert_int_equal(ask(c, "wrong.example", 8, 0, &r), 0);
	run_until(c, 1);
	/* Both wrong answers were ignored; the second upstream answered after the timeout. */
	assert_answer(&r, 8, 2);
	assert_true(now_usec() - start >= TEST_TIMEOUT_USEC);
	assert_int_equal(c->up[0].queries, 1);
	assert_int_equal(c->up[1].queries, 1);
}

static void test_uppercase_question(void **state)
{
	struct fctx *c = *state;
	struct reply r = { 0 };

	c->up[0].mode = UP_UPPERCASE;
	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	assert_int_equal(ask(c, "mixed.example", 9, 0, &r), 0);
	run_until(c, 1);
	assert_answer(&r, 9, 1);
}

static void test_timeout_next_upstream(void **state)
{
	struct fctx *c = *state;
	struct reply r1 = { 0 }, r2 = { 0 };
	uint64_t start = now_usec();

	c->up[0].mode = UP_SILENT;
	c->lengthen_timeout = true;
	assert_int_equal(dns_forward_set_timeout(c->f, TEST_TIMEOUT_USEC), 0);
	set_upstreams(c, (const uint8_t[]){ 1, 2 }, 2);
	assert_int_equal(ask(c, "slow.example", 10, 0, &r1), 0);
	run_until(c, 1);
	assert_answer(&r1, 10, 2);
	assert_true(now_usec() - start >= TEST_TIMEOUT_USEC);
	assert_int_equal(c->up[0].queries, 1);
	assert_int_equal(c->up[1].queries, 1);

	/* The upstream that answered is asked first from now on. */
	assert_int_equal(ask(c, "next.example", 11, 0, &r2), 0);
	run_until(c, 1);
	assert_answer(&r2, 11, 2);
	assert_int_equal(c->up[0].queries, 1);
	assert_int_equal(c->up[1].queries, 2);
}

static void test_unreachable_next_upstream(void **state)
{
	struct fctx *c = *state;
	struct reply r = { 0 };
	uint64_t start = now_usec();

	/* Nothing listens on 127.0.0.9: ICMP port unreachable, so no need to wait. */
	assert_int_equal(dns_forward_set_timeout(c->f, 2 * SAFE_TIMEOUT_USEC), 0);
	set_upstreams(c, (const uint8_t[]){ 9, 1 }, 2);
	assert_int_equal(ask(c, "refused.example", 12, 0, &r), 0);
	run_until(c, 1);
	assert_answer(&r, 12, 1);
	assert_true(now_usec() - start < SAFE_TIMEOUT_USEC);
}

static void test_all_fail(void **state)
{
	struct fctx *c = *state;
	struct reply r = { 0 };
	uint64_t start = now_usec(), elapsed;

	c->up[0].mode = UP_SILENT;
	c->up[1].mode = UP_SILENT;
	assert_int_equal(dns_forward_set_timeout(c->f, TEST_TIMEOUT_USEC), 0);
	set_upstreams(c, (const uint8_t[]){ 1, 2 }, 2);
	assert_int_equal(ask(c, "dead.example", 0xabcd, 0, &r), 0);
	run_until(c, 1);
	assert_servfail(&r, 0xabcd, "dead.example");
	/* One timeout per upstream (the upper bound is loose, for loaded machines). */
	elapsed = now_usec() - start;
	assert_true(elapsed >= 2 * TEST_TIMEOUT_USEC);
	assert_true(elapsed < 18 * TEST_TIMEOUT_USEC);
	assert_int_equal(c->up[0].queries, 1);
	assert_int_equal(c->up[1].queries, 1);
	assert_int_equal(dns_forward_pending_count(c->f), 0);
	assert_int_equal(dns_cache_count(c->cache), 0);
}

static void test_no_upstreams(void **state)
{
	struct fctx *c = *state;
	struct reply r = { 0 };

	assert_int_equal(ask(c, "none.example", 0x0102, 0, &r), 0);
	/* Answered before dns_forward_query() returned. */
	assert_servfail(&r, 0x0102, "none.example");
	assert_int_equal(dns_forward_pending_count(c->f), 0);
}

static void test_cache_hit(void **state)
{
	struct fctx *c = *state;
	struct reply r1 = { 0 }, r2 = { 0 };
	size_t ttl_off;

	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	assert_int_equal(ask(c, "cached.example", 1, 1000, &r1), 0);
	run_until(c, 1);
	assert_answer(&r1, 1, 1);

	/* Ten seconds later, any case: from the cache, synchronously, TTL aged. */
	assert_int_equal(ask(c, "CACHED.example", 2, 1010, &r2), 0);
	assert_answer(&r2, 2, 1);
	assert_int_equal(r2.len, r1.len);
	ttl_off = r2.len - 10;
	assert_int_equal(rd16(r1.buf + ttl_off + 2), 300);
	assert_int_equal(rd16(r2.buf + ttl_off + 2), 290);
	assert_int_equal(c->up[0].queries, 1);
	assert_int_equal(dns_forward_pending_count(c->f), 0);
}

static void test_truncated_passed_uncached(void **state)
{
	struct fctx *c = *state;
	struct reply r1 = { 0 }, r2 = { 0 };

	c->up[0].mode = UP_TC;
	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	assert_int_equal(ask(c, "big.example", 3, 0, &r1), 0);
	run_until(c, 1);
	assert_int_equal(r1.calls, 1);
	assert_int_equal(rd16(r1.buf), 3);
	assert_true(r1.buf[2] & 0x02);
	assert_int_equal(dns_cache_count(c->cache), 0);
	assert_int_equal(ask(c, "big.example", 4, 0, &r2), 0);
	run_until(c, 1);
	assert_int_equal(c->up[0].queries, 2);
}

static void test_refused_next_upstream(void **state)
{
	struct fctx *c = *state;
	struct reply r1 = { 0 }, r2 = { 0 };

	c->up[0].mode = UP_REFUSED;
	set_upstreams(c, (const uint8_t[]){ 1, 2 }, 2);
	assert_int_equal(ask(c, "picky.example", 5, 0, &r1), 0);
	run_until(c, 1);
	assert_answer(&r1, 5, 2);

	/* When the last one refuses too, the guest gets its REFUSED. */
	c->up[1].mode = UP_REFUSED;
	assert_int_equal(ask(c, "picky2.example", 6, 0, &r2), 0);
	run_until(c, 1);
	assert_int_equal(r2.calls, 1);
	assert_int_equal(rd16(r2.buf), 6);
	assert_int_equal(r2.buf[3] & 0x0f, 5);
	assert_int_equal(c->up[0].queries, 2);
	assert_int_equal(c->up[1].queries, 2);
}

static void test_pending_max(void **state)
{
	struct fctx *c = *state;
	struct reply r[3] = { 0 };

	c->up[0].mode = UP_SILENT;
	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	assert_int_equal(dns_forward_set_pending_max(c->f, 0), -EINVAL);
	assert_int_equal(dns_forward_set_pending_max(c->f, DNS_FORWARD_PENDING_MAX + 1), -EINVAL);
	assert_int_equal(dns_forward_set_pending_max(c->f, 2), 0);
	assert_int_equal(ask(c, "p1.example", 1, 0, &r[0]), 0);
	assert_int_equal(ask(c, "p2.example", 2, 0, &r[1]), 0);
	assert_int_equal(ask(c, "p3.example", 3, 0, &r[2]), -E2BIG);
	assert_int_equal(dns_forward_pending_count(c->f), 2);
	/* Freed with queries in flight: no callbacks (teardown frees). */
	c->f = dns_forward_free(c->f);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(r[i].calls, 0);
}

static void test_cancel(void **state)
{
	struct fctx *c = *state;
	struct reply a = { 0 }, b = { 0 };

	c->up[0].mode = UP_SILENT;
	assert_int_equal(dns_forward_set_timeout(c->f, TEST_TIMEOUT_USEC), 0);
	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	assert_int_equal(ask(c, "a.example", 1, 0, &a), 0);
	assert_int_equal(ask(c, "b.example", 2, 0, &b), 0);
	assert_int_equal(ask(c, "a2.example", 3, 0, &a), 0);
	dns_forward_cancel(c->f, &a);
	assert_int_equal(dns_forward_pending_count(c->f), 1);
	run_until(c, 1);
	assert_servfail(&b, 2, "b.example");
	assert_int_equal(a.calls, 0);
	assert_int_equal(dns_forward_pending_count(c->f), 0);
}

static void test_bad_queries(void **state)
{
	struct fctx *c = *state;
	struct reply r = { 0 };
	struct query q;
	char longname[300];

	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	make_query(&q, 1, "x.example");
	reply_ctx = c;
	assert_int_equal(dns_forward_query(c->f, q.buf, 11, "x.example", T_A, C_IN, 0, on_reply,
					   &r), -EBADMSG);
	assert_int_equal(dns_forward_query(c->f, q.buf, 20, "x.example", T_A, C_IN, 0, on_reply,
					   &r), -EBADMSG);
	q.buf[5] = 0; /* no question */
	assert_int_equal(dns_forward_query(c->f, q.buf, q.len, "x.example", T_A, C_IN, 0,
					   on_reply, &r), -EBADMSG);
	q.buf[5] = 1;
	q.buf[12] = 0xc0; /* a pointer in the question */
	assert_int_equal(dns_forward_query(c->f, q.buf, q.len, "x.example", T_A, C_IN, 0,
					   on_reply, &r), -EBADMSG);
	make_query(&q, 1, "x.example");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(dns_forward_query(c->f, q.buf, q.len, longname, T_A, C_IN, 0, on_reply,
					   &r), -EINVAL);
	assert_int_equal(r.calls, 0);
	assert_int_equal(dns_forward_pending_count(c->f), 0);
	assert_int_equal(c->up[0].queries, 0);
}

/* An IPv6 upstream: answered over AF_INET6, a fresh ID and source port per query. */
static void test_v6_answer(void **state)
{
	struct fctx *c = *state;
	struct upstream *u = &c->up[UP_V6];
	uint16_t ports[4];
	bool port_differs = false, id_hidden = false;
	char name[32];

	if (c->no_v6)
		skip();
	set_upstreams(c, (const uint8_t[]){ V6 }, 1);
	for (unsigned i = 0; i < 4; i++) {
		struct reply r = { 0 };

		snprintf(name, sizeof(name), "v6-%u.example.org", i);
		assert_int_equal(ask(c, name, 0x6666, 0, &r), 0);
		run_until(c, 1);
		assert_answer(&r, 0x6666, u->tag);
		id_hidden = id_hidden || rd16(u->last) != 0x6666;
		ports[i] = u->last_port;
		port_differs = port_differs || (i > 0 && ports[i] != ports[0]);
	}
	assert_int_equal(u->queries, 4);
	assert_true(id_hidden);
	assert_true(port_differs);
	assert_int_equal(c->up[0].queries, 0);
}

/* Failover goes across families both ways, on timeout and on REFUSED. */
static void test_v4_v6_failover(void **state)
{
	struct fctx *c = *state;
	struct upstream *u6 = &c->up[UP_V6];
	struct reply r1 = { 0 }, r2 = { 0 }, r3 = { 0 };

	if (c->no_v6)
		skip();
	/* The IPv6 one is silent: the IPv4 one answers, and is asked first from then on. */
	u6->mode = UP_SILENT;
	c->lengthen_timeout = true;
	assert_int_equal(dns_forward_set_timeout(c->f, TEST_TIMEOUT_USEC), 0);
	set_upstreams(c, (const uint8_t[]){ V6, 1 }, 2);
	assert_int_equal(ask(c, "a.example", 20, 0, &r1), 0);
	run_until(c, 1);
	assert_answer(&r1, 20, 1);
	assert_int_equal(u6->queries, 1);
	assert_int_equal(c->up[0].queries, 1);

	/* Now the IPv4 one is silent and the IPv6 one answers. */
	c->up[0].mode = UP_SILENT;
	u6->mode = UP_ANSWER;
	assert_int_equal(dns_forward_set_timeout(c->f, TEST_TIMEOUT_USEC), 0);
	assert_int_equal(ask(c, "b.example", 21, 0, &r2), 0);
	run_until(c, 1);
	assert_answer(&r2, 21, u6->tag);
	assert_int_equal(c->up[0].queries, 2);
	assert_int_equal(u6->queries, 2);

	/* REFUSED over IPv6: the IPv4 one is asked at once. */
	c->up[0].mode = UP_ANSWER;
	u6->mode = UP_REFUSED;
	assert_int_equal(dns_forward_set_timeout(c->f, SAFE_TIMEOUT_USEC), 0);
	assert_int_equal(ask(c, "c.example", 22, 0, &r3), 0);
	run_until(c, 1);
	assert_answer(&r3, 22, 1);
	assert_int_equal(u6->queries, 3);
	assert_int_equal(c->up[0].queries, 3);
}

/*
 * An answer with the right ID and question but from another port, or another address, of the
 * upstream's family is never taken for the upstream's: the connected socket filters it, IPv4
 * and IPv6 alike.
 */
static void test_spoofed_source_ignored(void **state)
{
	struct fctx *c = *state;
	struct reply r1 = { 0 }, r2 = { 0 };

	c->up[0].mode = UP_SPOOFED_FIRST;
	set_upstreams(c, (const uint8_t[]){ 1 }, 1);
	assert_int_equal(ask(c, "spoof4.example", 30, 0, &r1), 0);
	run_until(c, 1);
	assert_answer(&r1, 30, 1);
	assert_int_equal(c->up[0].queries, 1);

	if (c->no_v6)
		skip();
	c->up[UP_V6].mode = UP_SPOOFED_FIRST;
	set_upstreams(c, (const uint8_t[]){ V6 }, 1);
	assert_int_equal(ask(c, "spoof6.example", 31, 0, &r2), 0);
	run_until(c, 1);
	assert_answer(&r2, 31, c->up[UP_V6].tag);
	assert_int_equal(c->up[UP_V6].queries, 1);
}

static void test_set_upstreams(void **state)
{
	struct fctx *c = *state;
	struct ip_addr a[DNS_FORWARD_UPSTREAMS_MAX + 1];

	for (size_t i = 0; i <= DNS_FORWARD_UPSTREAMS_MAX; i++)
		a[i] = ip_addr_from_in(loopback((uint8_t)(i + 1)));
	assert_int_equal(dns_forward_set_upstreams(c->f, a, DNS_FORWARD_UPSTREAMS_MAX + 1),
			 -E2BIG);
	assert_int_equal(dns_forward_set_upstreams(c->f, a, DNS_FORWARD_UPSTREAMS_MAX), 0);
	a[1].family = AF_UNSPEC;
	assert_int_equal(dns_forward_set_upstreams(c->f, a, 2), -EINVAL);
	assert_int_equal(dns_forward_set_upstreams(c->f, NULL, 0), 0);
	assert_int_equal(dns_forward_set_timeout(c->f, 0), -EINVAL);
}

static void assert_addr(const struct ip_addr *a, const char *expected)
{
	char buf[INET6_ADDRSTRLEN];

	assert_true(a->family == AF_INET || a->family == AF_INET6);
	assert_non_null(inet_ntop(a->family, &a->in6, buf, sizeof(buf)));
	assert_string_equal(buf, expected);
}

static void test_resolv_conf(void **state)
{
	struct ip_addr a[DNS_FORWARD_UPSTREAMS_MAX];
	const char *text =
		"# Generated\n"
		"; also a comment\n"
		"search example.org\n"
		"nameserver 127.0.0.53\n"
		"nameserver ::1\n"
		"nameserver 192.0.2.1\n"
		"  nameserver\t198.51.100.7 # trailing comment\n"
		"nameserver 192.0.2.1\n"
		"nameserver 0.0.0.0\n"
		"nameserver\n"
		"nameserver 300.1.1.1\n"
		"nameservers 192.0.2.9\n"
		"#nameserver 192.0.2.10\n"
		"nameserver 192.0.2.11;x\n"
		"options edns0\n"
		"nameserver 203.0.113.5\n"
		"nameserver 203.0.113.6";
	const char *text6 =
		"nameserver fe80::1%eth0\n"   /* no interface to say it on: skipped */
		"nameserver fe80::1\n"
		"nameserver ff02::fb\n"
		"nameserver ::\n"
		"nameserver ::ffff:192.0.2.1\n"
		"nameserver [2001:db8::1]\n"
		"nameserver 2001:DB8::53\t# the first\n"
		"nameserver 192.0.2.53\n"
		"nameserver 2001:db8:0::53\n"  /* the same, written otherwise */
		"nameserver fd00::53;x\n"
		"nameserver 2001:db8::54\n";

	assert_int_equal(dns_forward_parse_resolv_conf(text, a, DNS_FORWARD_UPSTREAMS_MAX), 4);
	assert_addr(&a[0], "192.0.2.1");
	assert_addr(&a[1], "198.51.100.7");
	assert_addr(&a[2], "192.0.2.11");
	assert_addr(&a[3], "203.0.113.5");

	assert_int_equal(dns_forward_parse_resolv_conf(text6, a, DNS_FORWARD_UPSTREAMS_MAX), 4);
	assert_addr(&a[0], "2001:db8::53");
	assert_int_equal(a[0].family, AF_INET6);
	assert_addr(&a[1], "192.0.2.53");
	assert_int_equal(a[1].family, AF_INET);
	assert_addr(&a[2], "fd00::53");
	assert_addr(&a[3], "2001:db8::54");

	assert_int_equal(dns_forward_parse_resolv_conf(text, a, 1), 1);
	assert_addr(&a[0], "192.0.2.1");
	assert_int_equal(dns_forward_parse_resolv_conf("nameserver 10.0.0.1", a, 4), 1);
	assert_addr(&a[0], "10.0.0.1");
	assert_int_equal(dns_forward_parse_resolv_conf("nameserver 10.0.0.2\r\n", a, 4), 1);
	assert_addr(&a[0], "10.0.0.2");
	assert_int_equal(dns_forward_parse_resolv_conf("nameserver 2001:db8::2\r\n", a, 4), 1);
	assert_addr(&a[0], "2001:db8::2");
	assert_int_equal(dns_forward_parse_resolv_conf("", a, 4), 0);
	assert_int_equal(dns_forward_parse_resolv_conf(NULL, a, 4), 0);
	assert_int_equal(dns_forward_parse_resolv_conf("nameserver 127.0.0.1\n", a, 4), 0);
	assert_int_equal(dns_forward_parse_resolv_conf("nameserver ::1\n", a, 4), 0);
}

static bool loopback6_usable(void)
{
	int fd = bind_udp6(0);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/*
 * Makes sure ::1 can be bound: else enters a network namespace of our own (with a user
 * namespace unless root) and brings its loopback up, which gives it 127.0.0.1/8 and ::1.
 * Failures leave things as they are: the IPv6 tests then skip.
 */
static void loopback6_ensure(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd;

	if (loopback6_usable())
		return;
	if (unshare(CLONE_NEWNET) < 0 && unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		fprintf(stderr, "# no ::1 and no network namespace of our own: IPv6 tests skip\n");
		return;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(fd, SIOCSIFFLAGS, &ifr), 0);
	close(fd);
	if (!loopback6_usable())
		fprintf(stderr, "# no ::1 in a network namespace either: IPv6 tests skip\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_ids_and_ports, setup, teardown),
		cmocka_unit_test_setup_teardown(test_noise_then_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_question, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uppercase_question, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_next_upstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreachable_next_upstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_fail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_upstreams, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache_hit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_passed_uncached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_next_upstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_max, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_queries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v6_answer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_v4_v6_failover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spoofed_source_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_upstreams, setup, teardown),
		cmocka_unit_test(test_resolv_conf),
	};

	loopback6_ensure();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
