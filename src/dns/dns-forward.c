/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dns-forward.h. Every query in flight is one pending entry owning one
 * connected UDP socket; all entries sit on one list ordered by deadline behind a single timer,
 * so a query costs one descriptor, not two. The little wire reading needed here (the question,
 * a walk over the records to check an answer is whole) is done by bounded static helpers.
 */
#include "dns-forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns-cache.h"
#include "event/event.h"
#include "dns/dns-packet.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

#define DNS_HEADER_SIZE 12
#define DNS_PACKET_MAX 65535
#define DNS_NAME_WIRE_MAX 255
#define DNS_NAME_TEXT_MAX 253
#define DNS_NAME_LABELS_MAX 127
#define DNS_POINTER_HOPS_MAX 16
#define HDR_FLAG_QR 0x80         /* byte 2 */
#define HDR_FLAG_TC 0x02         /* byte 2 */
#define HDR_FLAG_RA 0x80         /* byte 3 */
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_REFUSED 5
#define DNS_PORT 53
#define DNS_FORWARD_RECV_BATCH 16 /* datagrams read per wakeup before yielding */
#define DNS_FORWARD_RANDOM_POOL 32

struct dns_forward_pending {
	struct dns_forward *f;
	struct dns_forward_pending *prev, *next; /* on f's deadline-ordered list */
	dns_forward_reply_fn reply;
	void *cookie;
	int fd;                  /* socket of the current attempt, -1 between attempts */
	struct event_source *io;
	uint64_t deadline_usec;  /* of the current attempt, monotonic */
	uint64_t start_usec;     /* when the query arrived, monotonic */
	uint64_t start_sec;      /* the same moment on the caller's clock (for the cache) */
	unsigned first;          /* index of the upstream asked first */
	unsigned tried;          /* upstreams tried so far, the current one included */
	unsigned upstream;       /* index of the upstream asked now */
	uint16_t guest_id;
	uint16_t qtype, qclass;
	size_t question_end;     /* offset just past the question in 'query' */
	char qname[DNS_NAME_TEXT_MAX + 1];
	size_t len;
	uint8_t query[];         /* the guest's query; bytes 0-1 carry the current upstream ID */
};

struct dns_forward {
	struct event_loop *loop;
	struct dns_cache *cache;          /* borrowed; may be NULL */
	struct event_source *timer;
	struct ip_addr upstreams[DNS_FORWARD_UPSTREAMS_MAX];
	unsigned n_upstreams;
	unsigned preferred;               /* the upstream that answered last: asked first */
	uint16_t port;                    /* host order; 53 except in tests */
	uint64_t timeout_usec;
	size_t pending_max;
	size_t n_pending;
	struct dns_forward_pending *head, *tail; /* head: earliest deadline */
	uint16_t random_pool[DNS_FORWARD_RANDOM_POOL];
	unsigned random_left;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint8_t ascii_lower(uint8_t ch)
{
	return ch >= 'A' && ch <= 'Z' ? (uint8_t)(ch - 'A' + 'a') : ch;
}

/*
 * Checks the query's single question: an uncompressed name (a pointer in the first name of a
 * message could only point into the header) of at most 255 bytes, then type and class. Returns
 * the offset just past it, or -EBADMSG.
 */
static int query_question_end(const uint8_t *q, size_t len, size_t *ret_end)
{
	size_t o = DNS_HEADER_SIZE;

	if (len < DNS_HEADER_SIZE || rd16(q + 4) != 1)
		return -EBADMSG;
	for (unsigned i = 0; i <= DNS_NAME_LABELS_MAX; i++) {
		if (o >= len || o - DNS_HEADER_SIZE >= DNS_NAME_WIRE_MAX || (q[o] & 0xc0))
			return -EBADMSG;
		if (q[o] == 0) {
			if (o + 1 + 4 > len)
				return -EBADMSG;
			*ret_end = o + 1 + 4;
			return 0;
		}
		o += 1 + (size_t)q[o];
	}
	return -EBADMSG;
}

/*
 * Compares the name at 'off' in the answer 'pkt' with the uncompressed name 'want' (already
 * checked by query_question_end()), ASCII case-insensitively (RFC 4343), following at most
 * DNS_POINTER_HOPS_MAX compression pointers. Returns 1 if equal, with '*ret_end' just past the
 * name where it starts; 0 if different; -EBADMSG if malformed.
 */
static int name_equal_at(const uint8_t *pkt, size_t len, size_t off, const uint8_t *want,
			 size_t *ret_end)
{
	size_t end = 0, w = 0;
	unsigned hops = 0;

	for (unsigned i = 0; i <= DNS_NAME_LABELS_MAX + DNS_POINTER_HOPS_MAX; i++) {
		if (off >= len)
			return -EBADMSG;
		uint8_t l = pkt[off];
		if ((l & 0xc0) == 0xc0) {
			if (off + 2 > len || ++hops > DNS_POINTER_HOPS_MAX)
				return -EBADMSG;
			if (end == 0)
				end = off + 2;
			off = (size_t)(l & 0x3f) << 8 | pkt[off + 1];
			continue;
		}
		if (l & 0xc0)
			return -EBADMSG;
		if (off + 1 + l > len)
			return -EBADMSG;
		if (want[w] != l)
			return 0;
		for (size_t k = 1; k <= l; k++)
			if (ascii_lower(pkt[off + k]) != ascii_lower(want[w + k]))
				return 0;
		w += 1 + (size_t)l;
		off += 1 + (size_t)l;
		if (l == 0) {
			*ret_end = end ? end : off;
			return 1;
		}
	}
	return -EBADMSG;
}

/*
 * True if 'pkt' is the answer to the attempt of 'p': a response (QR), our ID, the same single
 * question, and -- unless truncated, when sections may be cut short -- records that parse to
 * the end of the counts. Anything else is ignored (RFC 5452 §9.1): it may be spoofed.
 */
static bool answer_matches(const struct dns_forward_pending *p, const uint8_t *pkt, size_t len)
{
	size_t off, qlen = p->question_end - DNS_HEADER_SIZE;
	uint32_t n;

	if (len < DNS_HEADER_SIZE || !(pkt[2] & HDR_FLAG_QR) || rd16(pkt) != rd16(p->query) ||
	    rd16(pkt + 4) != 1)
		return false;
	if (name_equal_at(pkt, len, DNS_HEADER_SIZE, p->query + DNS_HEADER_SIZE, &off) != 1)
		return false;
	if (off + 4 > len || memcmp(pkt + off, p->query + DNS_HEADER_SIZE + qlen - 4, 4) != 0)
		return false;
	off += 4;
	if (pkt[2] & HDR_FLAG_TC)
		return true;

	n = (uint32_t)rd16(pkt + 6) + rd16(pkt + 8) + rd16(pkt + 10);
	for (uint32_t i = 0; i < n; i++) {
		if (dns_name_skip(pkt, len, &off) < 0 || off + 10 > len)
			return false;
		off += 10 + (size_t)rd16(pkt + off + 8);
		if (off > len)
			return false;
	}
	return true;
}

/* Writes SERVFAIL for the query of 'p' into 'buf': header, the guest's question, nothing else. */
static size_t build_servfail(const struct dns_forward_pending *p, uint8_t *buf)
{
	memset(buf, 0, DNS_HEADER_SIZE);
	wr16(buf, p->guest_id);
	buf[2] = HDR_FLAG_QR | (p->query[2] & 0x79); /* opcode and RD copied from the query */
	buf[3] = HDR_FLAG_RA | DNS_RCODE_SERVFAIL;
	wr16(buf + 4, 1);
	memcpy(buf + DNS_HEADER_SIZE, p->query + DNS_HEADER_SIZE,
	       p->question_end - DNS_HEADER_SIZE);
	return p->question_end;
}

/* RFC 5452 §9.2: IDs come from a CSPRNG; a small pool saves a syscall per query. */
static int forward_random_id(struct dns_forward *f, uint16_t *ret)
{
	if (f->random_left == 0) {
		ssize_t n = getrandom(f->random_pool, sizeof(f->random_pool), GRND_NONBLOCK);
		if (n < 0)
			return -errno;
		if (n != (ssize_t)sizeof(f->random_pool))
			return -EAGAIN;
		f->random_left = DNS_FORWARD_RANDOM_POOL;
	}
	*ret = f->random_pool[--f->random_left];
	return 0;
}

static void forward_arm_timer(struct dns_forward *f)
{
	int r = event_source_set_time(f->timer, f->head ? f->head->deadline_usec : 0);

	if (r < 0)
		log_debug_errno(r, "DNS forwarder: failed to arm timer: %m");
}

static void pending_unlink(struct dns_forward_pending *p)
{
	struct dns_forward *f = p->f;

	if (p->prev)
		p->prev->next = p->next;
	else if (f->head == p)
		f->head = p->next;
	if (p->next)
		p->next->prev = p->prev;
	else if (f->tail == p)
		f->tail = p->prev;
	p->prev = p->next = NULL;
}

/* Inserts by deadline, searching from the tail: with one timeout for all, that is O(1). */
static void pending_link(struct dns_forward_pending *p)
{
	struct dns_forward *f = p->f;
	struct dns_forward_pending *after = f->tail;

	while (after && after->deadline_usec > p->deadline_usec)
		after = after->prev;
	p->prev = after;
	p->next = after ? after->next : f->head;
	if (p->next)
		p->next->prev = p;
	else
		f->tail = p;
	if (after)
		after->next = p;
	else
		f->head = p;
	if (f->head == p)
		forward_arm_timer(f);
}

static void pending_close(struct dns_forward_pending *p)
{
	p->io = event_source_free(p->io);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

/* Detaches 'p' from the forwarder and frees it; no callback. */
static void pending_free(struct dns_forward_pending *p)
{
	pending_unlink(p);
	pending_close(p);
	p->f->n_pending--;
	free(p);
}

/* Frees 'p', then hands 'answer' (not inside 'p') to its owner; 'p' is gone afterwards. */
static void pending_finish(struct dns_forward_pending *p, const uint8_t *answer, size_t len)
{
	dns_forward_reply_fn reply = p->reply;
	void *cookie = p->cookie;

	pending_free(p);
	reply(answer, len, cookie);
}

static void pending_advance(struct dns_forward_pending *p);

static void pending_handle_answer(struct dns_forward_pending *p, uint8_t *pkt, size_t len)
{
	struct dns_forward *f = p->f;

	/*
	 * REFUSED says nothing about the name, only that this upstream will not serve us: ask
	 * the next one, and pass it on only from the last.
	 */
	if ((pkt[3] & 0x0f) == DNS_RCODE_REFUSED) {
		if (p->tried < f->n_upstreams) {
			pending_close(p);
			pending_advance(p);
			return;
		}
	} else if (p->upstream < f->n_upstreams) {
		f->preferred = p->upstream;
	}
	if (f->cache) {
		uint64_t elapsed_sec = (now_usec() - p->start_usec) / 1000000ULL;
		int r = dns_cache_put(f->cache, p->qname, p->qtype, p->qclass, pkt, len,
				      p->start_sec + elapsed_sec);
		if (r < 0)
			log_debug_errno(r, "DNS forwarder: failed to cache answer, ignoring: %m");
	}
	wr16(pkt, p->guest_id);
	pending_finish(p, pkt, len);
}

static int pending_on_io(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct dns_forward_pending *p = data;
	uint8_t buf[DNS_PACKET_MAX];

	for (unsigned i = 0; i < DNS_FORWARD_RECV_BATCH; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			/* ECONNREFUSED (ICMP port unreachable) and the like: next upstream. */
			int r = -errno;
			pending_close(p);
			pending_advance(p);
			return r;
		}
		if ((size_t)n > sizeof(buf) || !answer_matches(p, buf, (size_t)n))
			continue;
		pending_handle_answer(p, buf, (size_t)n);
		return 0;
	}
	return 0;
}

/* The socket address of upstream 'u' on 'port' (host order); returns its length. */
static socklen_t upstream_sockaddr(const struct ip_addr *u, uint16_t port,
				   struct sockaddr_storage *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (u->family == AF_INET6) {
		struct sockaddr_in6 *sa = (struct sockaddr_in6 *)ret;
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(port);
		sa->sin6_addr = u->in6;
		return sizeof(*sa);
	}
	struct sockaddr_in *sa = (struct sockaddr_in *)ret;
	sa->sin_family = AF_INET;
	sa->sin_port = htons(port);
	sa->sin_addr = u->in;
	return sizeof(*sa);
}

/*
 * Sends the query to upstream 'idx' from a fresh socket of its family connect()ed to it: the
 * kernel picks a random source port (RFC 5452 §9.2) and drops datagrams from any other address
 * or port, IPv4 and IPv6 alike.
 */
static int pending_send(struct dns_forward_pending *p, unsigned idx)
{
	struct dns_forward *f = p->f;
	const struct ip_addr *u = &f->upstreams[idx];
	struct sockaddr_storage sa;
	socklen_t salen = upstream_sockaddr(u, f->port, &sa);
	_cleanup_close_ int fd = -1;
	uint16_t id = 0;
	ssize_t n;
	int r;

	r = forward_random_id(f, &id);
	if (r < 0)
		return r;
	fd = socket(u->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&sa, salen) < 0)
		return -errno;
	wr16(p->query, id);
	n = send(fd, p->query, p->len, 0);
	if (n < 0)
		return -errno;
	if ((size_t)n != p->len)
		return -EIO;
	r = event_add_io(f->loop, fd, EPOLLIN, pending_on_io, p, &p->io);
	if (r < 0)
		return r;
	p->fd = TAKE_FD(fd);
	return 0;
}

/*
 * Starts the next attempt of 'p': upstreams are tried once each, in order, starting with the
 * one that answered last. When none is left (or none could be reached), the guest gets
 * SERVFAIL and 'p' is freed.
 */
static void pending_advance(struct dns_forward_pending *p)
{
	struct dns_forward *f = p->f;
	uint8_t buf[DNS_HEADER_SIZE + DNS_NAME_WIRE_MAX + 4];

	pending_unlink(p);
	while (p->tried < f->n_upstreams) {
		unsigned idx = (p->first + p->tried++) % f->n_upstreams;
		int r = pending_send(p, idx);
		if (r >= 0) {
			p->upstream = idx;
			p->deadline_usec = now_usec() + f->timeout_usec;
			pending_link(p);
			return;
		}
		log_debug_errno(r, "DNS forwarder: failed to query upstream %u: %m", idx);
	}
	pending_finish(p, buf, build_servfail(p, buf));
}

static int forward_on_timer(struct event_source *s, uint64_t now, void *data)
{
	struct dns_forward *f = data;
	struct dns_forward_pending *p;

	/* Each retry gets a deadline after 'now', so this ends. */
	while ((p = f->head) && p->deadline_usec <= now) {
		pending_close(p);
		pending_advance(p);
	}
	forward_arm_timer(f);
	return 0;
}

int dns_forward_new(struct event_loop *loop, struct dns_cache *cache, struct dns_forward **ret)
{
	_cleanup_free_ struct dns_forward *f = NULL;
	int r;

	if (!loop || !ret)
		return -EINVAL;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->loop = loop;
	f->cache = cache;
	f->port = DNS_PORT;
	f->timeout_usec = DNS_FORWARD_TIMEOUT_USEC;
	f->pending_max = DNS_FORWARD_PENDING_MAX;
	r = event_add_timer(loop, 0, forward_on_timer, f, &f->timer);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(f);
	return 0;
}

struct dns_forward *dns_forward_free(struct dns_forward *f)
{
	if (!f)
		return NULL;
	while (f->head)
		pending_free(f->head);
	event_source_free(f->timer);
	free(f);
	return NULL;
}

int dns_forward_set_upstreams(struct dns_forward *f, const struct ip_addr *servers, size_t n)
{
	if (n > DNS_FORWARD_UPSTREAMS_MAX)
		return -E2BIG;
	if (n > 0 && !servers)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (servers[i].family != AF_INET && servers[i].family != AF_INET6)
			return -EINVAL;
	if (n > 0)
		memcpy(f->upstreams, servers, n * sizeof(*servers));
	f->n_upstreams = (unsigned)n;
	f->preferred = 0;
	return 0;
}

void dns_forward_set_upstream_port(struct dns_forward *f, uint16_t port)
{
	f->port = port;
}

int dns_forward_set_timeout(struct dns_forward *f, uint64_t timeout_usec)
{
	if (timeout_usec == 0)
		return -EINVAL;
	f->timeout_usec = timeout_usec;
	return 0;
}

int dns_forward_set_pending_max(struct dns_forward *f, size_t max)
{
	if (max == 0 || max > DNS_FORWARD_PENDING_MAX)
		return -EINVAL;
	f->pending_max = max;
	return 0;
}

size_t dns_forward_pending_count(const struct dns_forward *f)
{
	return f ? f->n_pending : 0;
}

static bool resolv_conf_is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/*
 * Reads one resolv.conf line: "nameserver ADDR [ignored...]" with an IPv4 or IPv6 'ADDR', as the
 * libc resolver reads it (resolv.conf(5)); a comment may follow the address. An address with a
 * "%zone" does not parse, and is skipped.
 */
static bool resolv_conf_line(const char *line, size_t n, struct ip_addr *ret)
{
	static const char keyword[] = "nameserver";
	const size_t klen = sizeof(keyword) - 1;
	char addr[IP_ADDR_STRLEN];
	size_t i = 0, start;

	while (i < n && resolv_conf_is_space(line[i]))
		i++;
	if (n - i <= klen || memcmp(line + i, keyword, klen) != 0)
		return false;
	i += klen;
	if (!resolv_conf_is_space(line[i]))
		return false;
	while (i < n && resolv_conf_is_space(line[i]))
		i++;
	start = i;
	while (i < n && !resolv_conf_is_space(line[i]) && line[i] != '#' && line[i] != ';')
		i++;
	if (i == start || i - start >= sizeof(addr))
		return false;
	memcpy(addr, line + start, i - start);
	addr[i - start] = '\0';
	return ip_addr_from_string(addr, ret) == 0;
}

/* 0.0.0.0 means "this host" to the libc resolver: loopback as well. */
static bool resolv_conf_usable(const struct ip_addr *a)
{
	return !ip_addr_is_loopback(a) && !ip_addr_unicast_refusal(a);
}

size_t dns_forward_parse_resolv_conf(const char *text, struct ip_addr *ret, size_t max)
{
	size_t count = 0;

	if (!text)
		return 0;
	while (*text && count < max) {
		const char *eol = strchr(text, '\n');
		size_t n = eol ? (size_t)(eol - text) : strlen(text);
		struct ip_addr a;
		bool dup = false;

		if (resolv_conf_line(text, n, &a) && resolv_conf_usable(&a)) {
			for (size_t i = 0; i < count; i++)
				dup = dup || ip_addr_equal(&ret[i], &a);
			if (!dup)
				ret[count++] = a;
		}
		text += n;
		if (*text == '\n')
			text++;
	}
	return count;
}

int dns_forward_query(struct dns_forward *f, const uint8_t *query, size_t len, const char *qname,
		      uint16_t qtype, uint16_t qclass, uint64_t now_sec, dns_forward_reply_fn reply,
		      void *cookie)
{
	struct dns_forward_pending *p;
	size_t question_end, name_len;
	int r;

	if (!f || !query || !qname || !reply)
		return -EINVAL;
	if (len > DNS_PACKET_MAX || query_question_end(query, len, &question_end) < 0)
		return -EBADMSG;
	name_len = strnlen(qname, DNS_NAME_TEXT_MAX + 1);
	if (name_len > DNS_NAME_TEXT_MAX)
		return -EINVAL;

	if (f->cache) {
		uint8_t buf[DNS_PACKET_MAX];
		r = dns_cache_get(f->cache, qname, qtype, qclass, rd16(query), now_sec, buf,
				  sizeof(buf));
		if (r > 0) {
			reply(buf, (size_t)r, cookie);
			return 0;
		}
	}
	if (f->n_upstreams > 0 && f->n_pending >= f->pending_max)
		return -E2BIG;

	p = malloc(sizeof(*p) + len);
	if (!p)
		return -ENOMEM;
	*p = (struct dns_forward_pending){
		.f = f,
		.reply = reply,
		.cookie = cookie,
		.fd = -1,
		.start_usec = now_usec(),
		.start_sec = now_sec,
		.first = f->preferred,
		.guest_id = rd16(query),
		.qtype = qtype,
		.qclass = qclass,
		.question_end = question_end,
		.len = len,
	};
	memcpy(p->qname, qname, name_len + 1);
	memcpy(p->query, query, len);
	f->n_pending++;
	/* With no upstreams this answers SERVFAIL at once. */
	pending_advance(p);
	return 0;
}

void dns_forward_cancel(struct dns_forward *f, void *cookie)
{
	struct dns_forward_pending *p, *next;

	if (!f)
		return;
	for (p = f->head; p; p = next) {
		next = p->next;
		if (p->cookie == cookie)
			pending_free(p);
	}
}
