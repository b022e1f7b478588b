/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of addr-learn.h. The socket is made with protocol 0 (it receives nothing), gets
 * its filter, and only then is bound to ETH_P_ALL on the port: no unfiltered frame is ever queued.
 */
#include "addr-learn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "event/event.h"

#define ADDR_LEARN_SNAPLEN 4096      /* a DHCP message beyond this is not whole: ignored */
#define ADDR_LEARN_BUDGET 64         /* frames read per wake-up, so one port cannot starve */

struct client_mac {
	uint8_t mac[6];
	uint64_t seen_usec;
	char hostname[ADDR_LEARN_HOSTNAME_MAX + 1];   /* what its last request said */
};

struct addr_learn {
	struct event_source *io;
	int fd;
	int ifindex;
	bool guest_end;            /* a macvtap: the guest's frames are the port's outgoing ones */
	addr_learn_fn cb;
	void *data;
	struct addr_learn_entry entries[ADDR_LEARN_PER_PORT_MAX];
	size_t n;
	struct client_mac clients[ADDR_LEARN_CLIENTS_MAX];
	size_t n_clients;
	uint64_t frames, malformed;
};

/*
 * Accepts ARP, and IPv4 UDP with source or destination port 67 or 68 in unfragmented packets;
 * everything else is dropped in the kernel. Offsets are from the Ethernet header.
 */
static const struct sock_filter learn_filter[] = {
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                 /* ethertype */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_ARP, 13, 0),   /* -> accept */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 11),    /* -> drop */
	BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),                 /* IP protocol */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 9),
	BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),                 /* flags + fragment offset */
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 7, 0),
	BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),                /* X = IP header length */
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 14),                 /* UDP source port */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 67, 5, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68, 4, 0),
	BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),                 /* UDP destination port */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 67, 2, 0),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 68, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, 0),                           /* 14: drop */
	BPF_STMT(BPF_RET | BPF_K, ADDR_LEARN_SNAPLEN),          /* 15: accept */
};

static struct addr_learn_entry *entry_find(struct addr_learn *l, const uint8_t mac[6],
					   struct in_addr ip)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->entries[i].ip.s_addr == ip.s_addr && memcmp(l->entries[i].mac, mac, 6) == 0)
			return &l->entries[i];
	return NULL;
}

static void entry_remove(struct addr_learn *l, size_t i)
{
	struct addr_learn_entry gone = l->entries[i];

	memmove(&l->entries[i], &l->entries[i + 1], (l->n - i - 1) * sizeof(l->entries[0]));
	l->n--;
	if (l->cb)
		l->cb(l, &gone, true, l->data);
}

static void entry_add(struct addr_learn *l, const struct addr_learn_event *ev,
		      const char *hostname, uint64_t now)
{
	struct addr_learn_entry *e = entry_find(l, ev->mac, ev->ip);

	if (e) {
		/* the guest's ARP for the address it was given keeps it a DHCP pair: that is what
		 * outranks the MAC's other, ARP-only, pairs (bindings, names) */
		e->seen_usec = now;
		if (ev->source != ADDR_LEARN_SOURCE_DHCP)
			return;
		e->source = ev->source;
		e->lease_sec = ev->lease_sec;
		if (strcmp(e->hostname, hostname) != 0) {
			snprintf(e->hostname, sizeof(e->hostname), "%s", hostname);
			if (l->cb)
				l->cb(l, e, false, l->data);
		}
		return;
	}
	/* A DHCP client holds one lease per interface: a new ACK replaces the MAC's older one. */
	if (ev->source == ADDR_LEARN_SOURCE_DHCP)
		for (size_t i = l->n; i-- > 0;)
			if (l->entries[i].source == ADDR_LEARN_SOURCE_DHCP &&
			    memcmp(l->entries[i].mac, ev->mac, 6) == 0)
				entry_remove(l, i);
	if (l->n == ADDR_LEARN_PER_PORT_MAX) {
		size_t oldest = 0;
		for (size_t i = 1; i < l->n; i++)
			if (l->entries[i].seen_usec < l->entries[oldest].seen_usec)
				oldest = i;
		entry_remove(l, oldest);
	}
	e = &l->entries[l->n++];
	*e = (struct addr_learn_entry){ .ip = ev->ip, .source = ev->source, .first_usec = now,
					.seen_usec = now, .lease_sec = ev->lease_sec };
	snprintf(e->hostname, sizeof(e->hostname), "%s", hostname);
	memcpy(e->mac, ev->mac, 6);
	if (l->cb)
		l->cb(l, e, false, l->data);
}

static struct client_mac *client_find(struct addr_learn *l, const uint8_t mac[6])
{
	for (size_t i = 0; i < l->n_clients; i++)
		if (memcmp(l->clients[i].mac, mac, 6) == 0)
			return &l->clients[i];
	return NULL;
}

/* Notes 'mac' as a client of this port; 'hostname' (NULL: not a DHCP request) is its name now. */
static void client_note(struct addr_learn *l, const uint8_t mac[6], const char *hostname,
			uint64_t now)
{
	struct client_mac *c = client_find(l, mac);
	size_t slot = 0;

	if (!c) {
		if (l->n_clients < ADDR_LEARN_CLIENTS_MAX)
			slot = l->n_clients++;
		else
			for (size_t i = 1; i < l->n_clients; i++)
				if (l->clients[i].seen_usec < l->clients[slot].seen_usec)
					slot = i;
		c = &l->clients[slot];
		*c = (struct client_mac){ 0 };
		memcpy(c->mac, mac, 6);
	}
	c->seen_usec = now;
	if (hostname)
		snprintf(c->hostname, sizeof(c->hostname), "%s", hostname);
}

void addr_learn_feed(struct addr_learn *l, const uint8_t *frame, size_t len, bool towards_guest,
		     uint64_t now_usec)
{
	struct addr_learn_event ev;
	struct client_mac *c;
	int r;

	l->frames++;
	r = addr_learn_parse_frame(frame, len, towards_guest, &ev);
	if (r < 0)
		l->malformed++;
	if (r <= 0)
		return;
	switch (ev.verdict) {
	case ADDR_LEARN_CLIENT:
		client_note(l, ev.mac, ev.hostname, now_usec);
		break;
	case ADDR_LEARN_ADD:
		if (ev.source == ADDR_LEARN_SOURCE_ARP) {
			client_note(l, ev.mac, NULL, now_usec);
			entry_add(l, &ev, "", now_usec);
			break;
		}
		c = client_find(l, ev.mac);
		if (!c)
			break;     /* an ACK for a guest on another port of the bridge */
		entry_add(l, &ev, c->hostname, now_usec);
		break;
	case ADDR_LEARN_FORGET:
		for (size_t i = 0; i < l->n; i++)
			if (l->entries[i].ip.s_addr == ev.ip.s_addr &&
			    memcmp(l->entries[i].mac, ev.mac, 6) == 0) {
				entry_remove(l, i);
				break;
			}
		break;
	case ADDR_LEARN_NONE:
		break;
	}
}

void addr_learn_restore(struct addr_learn *l, const uint8_t mac[6], struct in_addr ip,
			enum addr_learn_source source, uint64_t now_usec)
{
	struct addr_learn_event ev = { .verdict = ADDR_LEARN_ADD, .source = source, .ip = ip };

	memcpy(ev.mac, mac, 6);
	entry_add(l, &ev, "", now_usec);
}

static int on_frames(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct addr_learn *l = data;
	uint8_t buf[ADDR_LEARN_SNAPLEN];

	(void)s;
	(void)revents;
	for (unsigned i = 0; i < ADDR_LEARN_BUDGET; i++) {
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&sll, &sl);

		if (n < 0) {
			/* ENETDOWN: the port went down (a tap nobody holds yet, a port on its way
			 * out); reported once, the socket goes on working when it is up again */
			if (errno == EAGAIN || errno == EINTR || errno == ENETDOWN)
				return 0;
			return -errno;
		}
		addr_learn_feed(l, buf, (size_t)n,
				(sll.sll_pkttype == PACKET_OUTGOING) != l->guest_end, now_usec());
	}
	return 0;
}

static int learn_socket(int ifindex)
{
	struct sock_fprog prog = { .len = sizeof(learn_filter) / sizeof(learn_filter[0]),
				   .filter = (struct sock_filter *)learn_filter };
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = ifindex };
	int fd, r;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int addr_learn_new(struct event_loop *e, int ifindex, addr_learn_fn cb, void *data,
		   struct addr_learn **ret)
{
	struct addr_learn *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	l->fd = -1;
	l->ifindex = ifindex;
	l->cb = cb;
	l->data = data;
	if (e) {
		l->fd = learn_socket(ifindex);
		if (l->fd < 0) {
			r = l->fd;
			free(l);
			return r;
		}
		r = event_add_io(e, l->fd, EPOLLIN, on_frames, l, &l->io);
		if (r < 0) {
			close(l->fd);
			free(l);
			return r;
		}
	}
	*ret = l;
	return 0;
}

void addr_learn_set_guest_end(struct addr_learn *l, bool guest_end)
{
	l->guest_end = guest_end;
}

struct addr_learn *addr_learn_free(struct addr_learn *l)
{
	if (!l)
		return NULL;
	event_source_free(l->io);
	if (l->fd >= 0)
		close(l->fd);
	free(l);
	return NULL;
}

const struct addr_learn_entry *addr_learn_entries(const struct addr_learn *l, size_t *ret_n)
{
	*ret_n = l->n;
	return l->entries;
}

const struct addr_learn_entry *addr_learn_newest(const struct addr_learn *l)
{
	const struct addr_learn_entry *best = NULL;

	for (size_t i = 0; i < l->n; i++)
		if (!best || l->entries[i].seen_usec >= best->seen_usec)
			best = &l->entries[i];
	return best;
}

uint64_t addr_learn_frames(const struct addr_learn *l)
{
	return l->frames;
}

uint64_t addr_learn_malformed(const struct addr_learn *l)
{
	return l->malformed;
}
