/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dns-io.h. A forwarded UDP query carries a small heap cookie (who asked,
 * which io) that the forwarder hands back with the answer; the io keeps a list of them so that
 * freeing the io cancels them. TCP connections are their own cookie.
 */
#include "dns-io.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns/dns-forward.h"
#include "dns/dns-server.h"
#include "event/event.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

#define DNS_PORT 53
#define DNS_IO_BATCH 32
#define DNS_QUERY_MAX 4096      /* a UDP query larger than this is not a query */

/* A peer or a bound address, IPv4 or IPv6 (the family says which). */
union dns_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

static socklen_t dns_sockaddr_len(const union dns_sockaddr *a)
{
	return a->sa.sa_family == AF_INET6 ? sizeof(a->in6) : sizeof(a->in);
}

struct dns_udp_cookie {
	struct dns_io *io;
	union dns_sockaddr to;
	size_t limit;                 /* the asker's UDP size: 512, or its EDNS0 buffer size */
	bool peers;                   /* with the peers' asker, not the forwarder */
	struct dns_udp_cookie *next, *prev;
};

struct dns_tcp_client {
	struct dns_io *io;
	int fd;
	struct event_source *source, *timer;
	uint8_t in[2 + DNS_TCP_MAX];
	size_t in_len;
	uint8_t *out;                 /* queued answers, each length-prefixed */
	size_t out_len, out_off;
	union dns_sockaddr peer;
	bool dead;                    /* failed inside a callback: freed by the next io event */
	struct dns_tcp_client *next, *prev;
};

struct dns_io {
	struct event_loop *loop;
	struct dns_server *server;
	struct dns_forward *fwd;
	union dns_sockaddr addr;      /* bound, port 53 */
	int udp_fd, tcp_fd;
	struct event_source *udp_source, *tcp_source;
	struct dns_udp_cookie *cookies;
	struct dns_tcp_client *clients;
	size_t n_clients;
	dns_io_peers_fn peers_ask;    /* names the zone lacks (DNS_VERDICT_PEERS); NULL: none */
	dns_io_peers_cancel_fn peers_cancel;
	void *peers_data;
};

/*
 * Finds the process holding port 53 on 'addr' ('proto' "udp" or "tcp") for the error message.
 * /proc/net/{udp,tcp}{,6} print the local address as the host-order hex of each raw u32.
 */
static void dns_io_describe_holder(const char *proto, const union dns_sockaddr *addr, char *buf,
				   size_t size)
{
	bool v6 = addr->sa.sa_family == AF_INET6;
	char path[64], line[512], want[48], any[48];
	unsigned long inode = 0;
	size_t alen = v6 ? 32 : 8;
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "/proc/net/%s%s", proto, v6 ? "6" : "");
	if (v6) {
		uint32_t w[4];

		memcpy(w, addr->in6.sin6_addr.s6_addr, 16);
		snprintf(want, sizeof(want), "%08X%08X%08X%08X:%04X", w[0], w[1], w[2], w[3],
			 DNS_PORT);
	} else
		snprintf(want, sizeof(want), "%08X:%04X", addr->in.sin_addr.s_addr, DNS_PORT);
	memset(any, '0', alen);
	any[alen] = '\0';
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char local[64];
		unsigned long ino;
		if (sscanf(line, "%*d: %63s %*s %*s %*s %*s %*s %*s %*s %lu", local, &ino) != 2)
			continue;
		if (strcmp(local, want) == 0 ||
		    (strncmp(local, any, alen) == 0 && strcmp(local + alen, want + alen) == 0)) {
			inode = ino;
			break;
		}
	}
	fclose(f);
	if (!inode)
		return;

	DIR *proc = opendir("/proc");
	struct dirent *de;
	char target[64];
	snprintf(target, sizeof(target), "socket:[%lu]", inode);
	while (proc && (de = readdir(proc))) {
		char fdpath[300];
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(fdpath, sizeof(fdpath), "/proc/%s/fd", de->d_name);
		DIR *fds = opendir(fdpath);
		struct dirent *fe;
		while (fds && (fe = readdir(fds))) {
			char link[600], dest[64];
			snprintf(link, sizeof(link), "%s/%s", fdpath, fe->d_name);
			ssize_t n = readlink(link, dest, sizeof(dest) - 1);
			if (n <= 0)
				continue;
			dest[n] = '\0';
			if (strcmp(dest, target) != 0)
				continue;
			char comm[64] = "?", commpath[300];
			snprintf(commpath, sizeof(commpath), "/proc/%s/comm", de->d_name);
			FILE *c = fopen(commpath, "re");
			if (c) {
				if (fgets(comm, sizeof(comm), c))
					comm[strcspn(comm, "\n")] = '\0';
				fclose(c);
			}
			snprintf(buf, size, " held by %.32s (pid %d)", comm, atoi(de->d_name));
			closedir(fds);
			closedir(proc);
			return;
		}
		if (fds)
			closedir(fds);
	}
	if (proc)
		closedir(proc);
}

static int dns_io_bind(int type, const union dns_sockaddr *sa)
{
	_cleanup_close_ int fd = -1;
	int one = 1;

	fd = socket(sa->sa.sa_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (type == SOCK_STREAM && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return -errno;
	if (sa->sa.sa_family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
			return -errno;
		/* the gateway6 was just added (nodad): the kernel's address work may not have
		 * taken it out of "tentative" yet, and bind() would fail with EADDRNOTAVAIL */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &one, sizeof(one)) < 0)
			return -errno;
	}
	if (type == SOCK_DGRAM) {
		int size = 4 * 1024 * 1024;
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
			(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	if (bind(fd, &sa->sa, dns_sockaddr_len(sa)) < 0)
		return -errno;
	if (type == SOCK_STREAM && listen(fd, 64) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* UDP */

/*
 * Cuts an answer that is too large for the asker down to its header and question with TC set
 * (RFC 1035 4.2.1): the asker retries over TCP. Returns the new length, or 0 if the question
 * cannot be found within the first 'len' bytes.
 */
static size_t dns_io_truncate(uint8_t *pkt, size_t len)
{
	size_t off = 12;
	unsigned qd;

	if (len < 12)
		return 0;
	qd = (unsigned)pkt[4] << 8 | pkt[5];
	for (unsigned q = 0; q < qd && q < 4; q++) {
		/* The question's name: labels, or a pointer that ends it. */
		for (unsigned labels = 0; labels < 128; labels++) {
			if (off >= len)
				return 0;
			if ((pkt[off] & 0xc0) == 0xc0) {
				off += 2;
				break;
			}
			if (pkt[off] == 0) {
				off++;
				break;
			}
			off += 1 + pkt[off];
		}
		off += 4;
		if (off > len)
			return 0;
	}
	pkt[2] |= 0x02;                       /* TC */
	memset(pkt + 6, 0, 6);                /* no answer, authority or additional records */
	return off;
}

/*
 * Copies a forwarded answer into 'buf' as ours: not authoritative (we are not the authority for
 * it, RFC 1035 4.1.1) and with recursion available (we just provided it), whatever the upstream
 * said. Returns the length copied.
 */
static size_t dns_io_forwarded_copy(const uint8_t *answer, size_t len, uint8_t *buf, size_t size)
{
	if (len > size)
		len = size;
	memcpy(buf, answer, len);
	if (len >= 4) {
		buf[2] &= (uint8_t)~0x04;   /* AA */
		buf[3] |= 0x80;             /* RA */
	}
	return len;
}

/* Sends 'copy' (truncated to the asker's size) to the asker of 'c', then unlinks and frees 'c'. */
static void dns_io_udp_reply_done(struct dns_udp_cookie *c, uint8_t *copy, size_t len)
{
	struct dns_io *io = c->io;

	if (len > c->limit)
		len = dns_io_truncate(copy, len);
	if (len > 0)
		(void)sendto(io->udp_fd, copy, len, MSG_DONTWAIT, &c->to.sa,
			     dns_sockaddr_len(&c->to));
	if (c->prev)
		c->prev->next = c->next;
	else
		io->cookies = c->next;
	if (c->next)
		c->next->prev = c->prev;
	free(c);
}

static void dns_io_udp_answer(const uint8_t *answer, size_t len, void *cookie)
{
	static uint8_t copy[DNS_TCP_MAX];

	len = dns_io_forwarded_copy(answer, len, copy, sizeof(copy));
	dns_io_udp_reply_done(cookie, copy, len);
}

static struct dns_udp_cookie *dns_io_cookie_new(struct dns_io *io, const struct dns_query_info *info,
						 const union dns_sockaddr *from, bool peers)
{
	struct dns_udp_cookie *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->io = io;
	c->to = *from;
	c->peers = peers;
	c->limit = info->has_edns && info->edns_udp_size > 512 ? info->edns_udp_size : 512;
	if (c->limit > DNS_UDP_MAX)
		c->limit = DNS_UDP_MAX;
	c->next = io->cookies;
	if (io->cookies)
		io->cookies->prev = c;
	io->cookies = c;
	return c;
}

/* Drops the cookie dns_io_cookie_new() just made, unused. */
static void dns_io_cookie_unused(struct dns_io *io, struct dns_udp_cookie *c)
{
	io->cookies = c->next;
	if (io->cookies)
		io->cookies->prev = NULL;
	free(c);
}

/* The peers' answer (or the zone's own NXDOMAIN), as it is: the asker rewrote it already. */
static void dns_io_udp_peer_answer(const uint8_t *answer, size_t len, void *cookie)
{
	static uint8_t copy[DNS_UDP_MAX];

	if (len > sizeof(copy))
		len = 0;
	if (len > 0)
		memcpy(copy, answer, len);
	dns_io_udp_reply_done(cookie, copy, len);
}

/* DNS_VERDICT_PEERS over UDP: true when the asker took it, false to send 'local' now. */
static bool dns_io_udp_peers(struct dns_io *io, const struct dns_query_info *info,
			     const uint8_t *local, size_t local_len, const union dns_sockaddr *from)
{
	struct dns_udp_cookie *c;

	if (!io->peers_ask)
		return false;
	c = dns_io_cookie_new(io, info, from, true);
	if (!c)
		return false;
	if (io->peers_ask(io->peers_data, info, local, local_len, dns_io_udp_peer_answer, c) == 0)
		return true;
	dns_io_cookie_unused(io, c);
	return false;
}

static void dns_io_udp_forward(struct dns_io *io, const uint8_t *pkt, size_t len,
			       const struct dns_query_info *info, const union dns_sockaddr *from)
{
	struct dns_udp_cookie *c = dns_io_cookie_new(io, info, from, false);
	uint8_t fail[512];
	int n;

	if (c) {
		if (dns_forward_query(io->fwd, pkt, len, info->qname, info->qtype, info->qclass,
				      now_usec() / 1000000ULL, dns_io_udp_answer, c) == 0)
			return;
		/* Refused by the forwarder (too many in flight): the cookie was not used. */
		dns_io_cookie_unused(io, c);
	}
	n = dns_build_error(pkt, len, 2 /* SERVFAIL */, fail, sizeof(fail));
	if (n > 0)
		(void)sendto(io->udp_fd, fail, (size_t)n, MSG_DONTWAIT, &from->sa,
			     dns_sockaddr_len(from));
}

/* The engine's verdict on a query from 'from', by the family it came over. */
static enum dns_verdict dns_io_handle(struct dns_io *io, const union dns_sockaddr *from,
				      const uint8_t *q, size_t len, bool tcp, uint8_t *out,
				      size_t size, size_t *out_len, struct dns_query_info *info)
{
	if (from->sa.sa_family == AF_INET6)
		return dns_server_handle_query6(io->server, q, len, &from->in6.sin6_addr, tcp, out,
						size, out_len, info);
	return dns_server_handle_query(io->server, q, len, from->in.sin_addr, tcp, out, size,
				       out_len, info);
}

static int dns_io_on_udp(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct dns_io *io = data;
	static uint8_t in[DNS_IO_BATCH][DNS_QUERY_MAX], out[DNS_IO_BATCH][DNS_UDP_MAX];
	struct mmsghdr rmsg[DNS_IO_BATCH], smsg[DNS_IO_BATCH];
	struct iovec riov[DNS_IO_BATCH], siov[DNS_IO_BATCH];
	union dns_sockaddr from[DNS_IO_BATCH];
	int n, n_out = 0;

	memset(rmsg, 0, sizeof(rmsg));
	for (int i = 0; i < DNS_IO_BATCH; i++) {
		riov[i] = (struct iovec){ .iov_base = in[i], .iov_len = sizeof(in[i]) };
		rmsg[i].msg_hdr.msg_iov = &riov[i];
		rmsg[i].msg_hdr.msg_iovlen = 1;
		rmsg[i].msg_hdr.msg_name = &from[i];
		rmsg[i].msg_hdr.msg_namelen = sizeof(from[i]);
	}
	n = recvmmsg(fd, rmsg, DNS_IO_BATCH, MSG_DONTWAIT, NULL);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;

	memset(smsg, 0, sizeof(smsg));
	for (int i = 0; i < n; i++) {
		struct dns_query_info info;
		size_t len = 0;
		if (rmsg[i].msg_hdr.msg_flags & MSG_TRUNC)
			continue;
		enum dns_verdict v = dns_io_handle(io, &from[i], in[i], rmsg[i].msg_len, false,
						   out[n_out], sizeof(out[n_out]), &len, &info);
		if (v == DNS_VERDICT_PEERS &&
		    dns_io_udp_peers(io, &info, out[n_out], len, &from[i]))
			continue;
		if (v == DNS_VERDICT_ANSWER || v == DNS_VERDICT_PEERS) {
			siov[n_out] = (struct iovec){ .iov_base = out[n_out], .iov_len = len };
			smsg[n_out].msg_hdr.msg_iov = &siov[n_out];
			smsg[n_out].msg_hdr.msg_iovlen = 1;
			smsg[n_out].msg_hdr.msg_name = &from[i];
			smsg[n_out].msg_hdr.msg_namelen = dns_sockaddr_len(&from[i]);
			n_out++;
		} else if (v == DNS_VERDICT_FORWARD)
			dns_io_udp_forward(io, in[i], rmsg[i].msg_len, &info, &from[i]);
	}
	if (n_out > 0)
		(void)sendmmsg(fd, smsg, (unsigned)n_out, MSG_DONTWAIT);
	return 0;
}

/* TCP */

static void dns_tcp_client_free(struct dns_tcp_client *c)
{
	struct dns_io *io = c->io;

	if (io->fwd)
		dns_forward_cancel(io->fwd, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		io->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	io->n_clients--;
	event_source_free(c->source);
	event_source_free(c->timer);
	close(c->fd);
	free(c->out);
	free(c);
}

static int dns_tcp_client_flush(struct dns_tcp_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN)
				return event_source_set_io_events(c->source, EPOLLIN | EPOLLOUT);
			return -errno;
		}
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	return event_source_set_io_events(c->source, EPOLLIN);
}

static int dns_tcp_client_queue(struct dns_tcp_client *c, const uint8_t *answer, size_t len)
{
	uint8_t *p;

	/* A client that does not read its answers gets no more than a few of them queued. */
	if (c->out_len - c->out_off + len + 2 > 4 * (DNS_TCP_MAX + 2))
		return -E2BIG;
	p = realloc(c->out, c->out_len + len + 2);
	if (!p)
		return -ENOMEM;
	c->out = p;
	p[c->out_len] = (uint8_t)(len >> 8);
	p[c->out_len + 1] = (uint8_t)len;
	memcpy(p + c->out_len + 2, answer, len);
	c->out_len += len + 2;
	return dns_tcp_client_flush(c);
}

/*
 * May run inside dns_forward_query() (a cache hit), so it never frees the client: it marks it
 * dead and shuts the socket down, and the io handler frees it.
 */
static void dns_tcp_forward_answer(const uint8_t *answer, size_t len, void *cookie)
{
	struct dns_tcp_client *c = cookie;
	static uint8_t copy[DNS_TCP_MAX];

	len = dns_io_forwarded_copy(answer, len, copy, sizeof(copy));
	if (!c->dead && dns_tcp_client_queue(c, copy, len) < 0) {
		c->dead = true;
		shutdown(c->fd, SHUT_RDWR);
	}
}

static int dns_tcp_client_handle(struct dns_tcp_client *c, const uint8_t *q, size_t len)
{
	static uint8_t out[DNS_TCP_MAX];
	struct dns_query_info info;
	size_t out_len = 0;
	enum dns_verdict v;

	v = dns_io_handle(c->io, &c->peer, q, len, true, out, sizeof(out), &out_len, &info);
	/* over TCP the zone's own answer: peers are asked over UDP only (docs/OVERLAY.md) */
	if (v == DNS_VERDICT_ANSWER || v == DNS_VERDICT_PEERS)
		return dns_tcp_client_queue(c, out, out_len);
	if (v == DNS_VERDICT_FORWARD && c->io->fwd) {
		if (dns_forward_query(c->io->fwd, q, len, info.qname, info.qtype, info.qclass,
				      now_usec() / 1000000ULL, dns_tcp_forward_answer, c) == 0)
			return 0;
		int n = dns_build_error(q, len, 2, out, sizeof(out));
		if (n > 0)
			return dns_tcp_client_queue(c, out, (size_t)n);
	}
	return 0;
}

static int dns_tcp_on_idle(struct event_source *s, uint64_t now, void *data)
{
	dns_tcp_client_free(data);
	return 0;
}

static int dns_tcp_on_io(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct dns_tcp_client *c = data;
	ssize_t n;

	if (c->dead || ((revents & EPOLLOUT) && dns_tcp_client_flush(c) < 0))
		goto drop;
	if (!(revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;
	n = recv(fd, c->in + c->in_len, sizeof(c->in) - c->in_len, MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN)
		return 0;
	if (n <= 0)
		goto drop;
	c->in_len += (size_t)n;
	event_source_set_time(c->timer, now_usec() + DNS_IO_TCP_IDLE_USEC);

	/* Every complete length-prefixed message, in order (pipelining). */
	while (c->in_len >= 2) {
		size_t len = (size_t)c->in[0] << 8 | c->in[1];
		if (len == 0)
			goto drop;
		if (c->in_len < 2 + len)
			break;
		if (dns_tcp_client_handle(c, c->in + 2, len) < 0 || c->dead)
			goto drop;
		memmove(c->in, c->in + 2 + len, c->in_len - 2 - len);
		c->in_len -= 2 + len;
	}
	return 0;
drop:
	dns_tcp_client_free(c);
	return 0;
}

static int dns_io_on_accept(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct dns_io *io = data;
	union dns_sockaddr peer;
	socklen_t plen = sizeof(peer);
	struct dns_tcp_client *c;
	int cfd;

	cfd = accept4(fd, &peer.sa, &plen, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (cfd < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (io->n_clients >= DNS_IO_TCP_CLIENTS_MAX) {
		close(cfd);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return -ENOMEM;
	}
	c->io = io;
	c->fd = cfd;
	c->peer = peer;
	if (event_add_io(io->loop, cfd, EPOLLIN, dns_tcp_on_io, c, &c->source) < 0 ||
	    event_add_timer(io->loop, now_usec() + DNS_IO_TCP_IDLE_USEC, dns_tcp_on_idle, c,
			    &c->timer) < 0) {
		event_source_free(c->source);
		close(cfd);
		free(c);
		return -ENOMEM;
	}
	c->next = io->clients;
	if (io->clients)
		io->clients->prev = c;
	io->clients = c;
	io->n_clients++;
	return 0;
}

static int dns_io_open(struct event_loop *loop, const union dns_sockaddr *addr,
		       struct dns_server *server, struct dns_forward *fwd, struct dns_io **ret,
		       char *err, size_t errlen)
{
	struct dns_io *io = calloc(1, sizeof(*io));
	char a[INET6_ADDRSTRLEN + 2], holder[128];
	bool v6 = addr->sa.sa_family == AF_INET6;
	int r;

	if (!io)
		return -ENOMEM;
	*io = (struct dns_io){ .loop = loop, .server = server, .fwd = fwd, .addr = *addr,
			       .udp_fd = -1, .tcp_fd = -1 };
	a[0] = '[';
	inet_ntop(addr->sa.sa_family, v6 ? (const void *)&addr->in6.sin6_addr
					 : (const void *)&addr->in.sin_addr,
		  a + v6, sizeof(a) - 2);
	if (v6)
		strcat(a, "]");
	r = dns_io_bind(SOCK_DGRAM, addr);
	if (r < 0) {
		dns_io_describe_holder("udp", addr, holder, sizeof(holder));
		snprintf(err, errlen, "cannot bind DNS on %s:53/udp: %s%s", a, strerror(-r), holder);
		goto fail;
	}
	io->udp_fd = r;
	r = dns_io_bind(SOCK_STREAM, addr);
	if (r < 0) {
		dns_io_describe_holder("tcp", addr, holder, sizeof(holder));
		snprintf(err, errlen, "cannot bind DNS on %s:53/tcp: %s%s", a, strerror(-r), holder);
		goto fail;
	}
	io->tcp_fd = r;
	r = event_add_io(loop, io->udp_fd, EPOLLIN, dns_io_on_udp, io, &io->udp_source);
	if (r >= 0)
		r = event_add_io(loop, io->tcp_fd, EPOLLIN, dns_io_on_accept, io, &io->tcp_source);
	if (r < 0) {
		snprintf(err, errlen, "cannot watch the DNS sockets: %s", strerror(-r));
		goto fail;
	}
	*ret = io;
	return 0;
fail:
	dns_io_free(io);
	return r;
}

int dns_io_new(struct event_loop *loop, struct in_addr addr, struct dns_server *server,
	       struct dns_forward *fwd, struct dns_io **ret, char *err, size_t errlen)
{
	union dns_sockaddr sa = { .in = { .sin_family = AF_INET, .sin_port = htons(DNS_PORT),
					  .sin_addr = addr } };

	return dns_io_open(loop, &sa, server, fwd, ret, err, errlen);
}

int dns_io_new6(struct event_loop *loop, const struct in6_addr *addr, struct dns_server *server,
		struct dns_forward *fwd, struct dns_io **ret, char *err, size_t errlen)
{
	union dns_sockaddr sa = { .in6 = { .sin6_family = AF_INET6, .sin6_port = htons(DNS_PORT),
					   .sin6_addr = *addr } };

	return dns_io_open(loop, &sa, server, fwd, ret, err, errlen);
}

bool dns_io_is_bound6(const struct dns_io *io, const struct in6_addr *addr)
{
	return io && io->addr.sa.sa_family == AF_INET6 &&
	       memcmp(&io->addr.in6.sin6_addr, addr, sizeof(*addr)) == 0;
}

void dns_io_set_server(struct dns_io *io, struct dns_server *server)
{
	io->server = server;
}

void dns_io_set_peers(struct dns_io *io, dns_io_peers_fn ask, dns_io_peers_cancel_fn cancel,
		      void *data)
{
	io->peers_ask = ask;
	io->peers_cancel = cancel;
	io->peers_data = data;
}

struct dns_io *dns_io_free(struct dns_io *io)
{
	if (!io)
		return NULL;
	while (io->clients)
		dns_tcp_client_free(io->clients);
	while (io->cookies) {
		struct dns_udp_cookie *c = io->cookies;
		io->cookies = c->next;
		if (c->peers && io->peers_cancel)
			io->peers_cancel(io->peers_data, c);
		else if (!c->peers && io->fwd)
			dns_forward_cancel(io->fwd, c);
		free(c);
	}
	event_source_free(io->udp_source);
	event_source_free(io->tcp_source);
	if (io->udp_fd >= 0)
		close(io->udp_fd);
	if (io->tcp_fd >= 0)
		close(io->tcp_fd);
	free(io);
	return NULL;
}
