/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest address learning on one port (any ifindex: a tap or veth on a bridge kvmnet does not own,
 * a macvtap): an AF_PACKET socket bound to the port with a classic BPF filter that lets only ARP
 * and UDP 67/68 through, read on the event loop; what addr-learn-parse.h finds in those frames
 * goes into a small bounded table of (MAC, IPv4) pairs. Knows nothing of networks or modes: the
 * owner (the port service) is told of each pair that appears or goes, and decides what to do
 * with it (port list, anti-spoofing bindings, the NSS file).
 */
#ifndef KN_DAEMON_LAN_ADDR_LEARN_H
#define KN_DAEMON_LAN_ADDR_LEARN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "daemon/lan/addr-learn-parse.h"

struct addr_learn;
struct event_loop;

/* Hard limits per port (guests are untrusted: an ARP flood must not grow memory). */
#define ADDR_LEARN_PER_PORT_MAX 8     /* learned pairs; the least recently seen is evicted */
#define ADDR_LEARN_CLIENTS_MAX 4      /* MACs seen asking for DHCP, for ACK acceptance */

struct addr_learn_entry {
	uint8_t mac[6];
	struct in_addr ip;
	enum addr_learn_source source;  /* how it was learned: ARP, or DHCP (which the guest's
					 * later ARP for it does not change) */
	uint64_t first_usec;            /* monotonic, when learned */
	uint64_t seen_usec;             /* monotonic, last confirmed */
	uint32_t lease_sec;             /* from the last DHCPACK, 0 if none or infinite */
	/* DHCP: the host name the MAC's client sent in the request that was ACKed; "" if none
	 * (or for ARP, unless the pair was learned by DHCP first) */
	char hostname[ADDR_LEARN_HOSTNAME_MAX + 1];
};

/*
 * A pair appeared ('removed' false) or went ('removed' true: released, replaced, evicted). A pair
 * whose host name changed (a DHCP renewal with another name) is told again as appeared.
 */
typedef void (*addr_learn_fn)(struct addr_learn *l, const struct addr_learn_entry *e,
			      bool removed, void *data);

/*
 * Starts learning on port 'ifindex' through loop 'e' (needs CAP_NET_RAW); 'cb' with 'data' is
 * called from the loop. With 'e' NULL no socket is made: frames come only from
 * addr_learn_feed() (tests, fuzzing). Returns 0 and '*ret', or -errno (socket, filter, bind).
 */
int addr_learn_new(struct event_loop *e, int ifindex, addr_learn_fn cb, void *data,
		   struct addr_learn **ret);
/*
 * Tells 'l' which end of its link the port is. A tap or a veth is the host's end ('guest_end'
 * false, the default): what the guest sends is received on it, what the port transmits goes to
 * the guest. A macvtap is the guest's own end ('guest_end' true): what the guest writes to
 * /dev/tapN leaves through the device (the kernel's PACKET_OUTGOING), what the LAN sends the
 * guest is received on it (tests/unit/test-addr-learn-socket.c checks both on this kernel).
 */
void addr_learn_set_guest_end(struct addr_learn *l, bool guest_end);
/* Stops learning and frees 'l' without calling its callback; accepts NULL; returns NULL. */
struct addr_learn *addr_learn_free(struct addr_learn *l);

/* Feeds one frame as if read from the socket at monotonic time 'now_usec'. */
void addr_learn_feed(struct addr_learn *l, const uint8_t *frame, size_t len, bool towards_guest,
		     uint64_t now_usec);

/*
 * Puts pair ('mac', 'ip') learned by 'source' back into 'l' as if just seen at 'now_usec' (what
 * the port's policy in the kernel still allowed when the daemon restarted), calling the callback
 * as learning does. A DHCP pair replaces the MAC's other DHCP pair; the table's bound holds.
 */
void addr_learn_restore(struct addr_learn *l, const uint8_t mac[6], struct in_addr ip,
			enum addr_learn_source source, uint64_t now_usec);

/* The learned pairs, most recently learned last; borrowed until the table next changes. */
const struct addr_learn_entry *addr_learn_entries(const struct addr_learn *l, size_t *ret_n);
/* The most recently confirmed pair, or NULL when nothing is learned. */
const struct addr_learn_entry *addr_learn_newest(const struct addr_learn *l);
/* Frames read and frames that claimed ARP/DHCP but were malformed, since addr_learn_new(). */
uint64_t addr_learn_frames(const struct addr_learn *l);
uint64_t addr_learn_malformed(const struct addr_learn *l);

#endif
