/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A network's overlay: the keys that stretch one network across hosts over VXLAN ("overlay",
 * "vni", "peers", "local", "vxlan-port"), parsed, checked on their own and against the network's
 * mode, formatted and compared. What needs the kernel (a peer that is a local address, the
 * underlay's MTU) or the other networks (a VNI in use) is checked by the daemon
 * (daemon/overlay/).
 */
#ifndef KN_CONFIG_CONF_OVERLAY_H
#define KN_CONFIG_CONF_OVERLAY_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf;

/* VXLAN network identifiers: 24 bits, 0 reserved. */
#define NETWORK_VNI_MIN 1
#define NETWORK_VNI_MAX 16777215
/* Most static peers ("peers") of one network: one flood entry each. */
#define NETWORK_OVERLAY_PEERS_MAX 64
/* The IANA VXLAN port, the default of "vxlan-port". */
#define NETWORK_VXLAN_PORT_DEFAULT 4789
/* What VXLAN adds to every frame on the underlay: outer IPv4 (20), UDP (8), VXLAN (8), inner
 * Ethernet (14). The overlay's MTU is the underlay's minus this. */
#define NETWORK_VXLAN_OVERHEAD 50

enum network_overlay_kind {
	NETWORK_OVERLAY_NONE,
	NETWORK_OVERLAY_VXLAN,   /* static peers: one flood entry per peer, learning off */
	_NETWORK_OVERLAY_MAX,
	_NETWORK_OVERLAY_INVALID = -EINVAL,
};

struct network_overlay {
	enum network_overlay_kind kind;
	uint32_t vni;                  /* 1..NETWORK_VNI_MAX when kind != NONE, else 0 */
	struct in_addr peers[NETWORK_OVERLAY_PEERS_MAX]; /* in the order given, each once */
	size_t n_peers;
	struct in_addr local;          /* the source address on the underlay; 0 = any */
	uint16_t port;                 /* UDP destination port; 0 = NETWORK_VXLAN_PORT_DEFAULT */
};

/* "none", "vxlan", or NULL for an invalid value. */
const char *network_overlay_kind_to_string(enum network_overlay_kind k);
enum network_overlay_kind network_overlay_kind_from_string(const char *s);

/* True if 'key' is one of the overlay's keys. */
bool network_overlay_key_is(const char *key);

/*
 * Sets overlay key 'key' to 'value': "overlay" (none or vxlan), "vni" (a decimal number from 1
 * to 16777215), "peers" (a comma-separated list, blanks around commas allowed, of at most
 * NETWORK_OVERLAY_PEERS_MAX unicast IPv4 addresses, each once), "local" (a unicast IPv4
 * address) or "vxlan-port" (1..65535). Returns 0, or -EINVAL with a one-line reason in 'reterr'
 * ('o' unchanged).
 */
int network_overlay_set(struct network_overlay *o, const char *key, const char *value,
			char *reterr, size_t errlen);

/*
 * Checks the overlay as a whole: a VNI is required with an overlay, and "vni", "peers",
 * "local" and "vxlan-port" are refused without one; no peer may be the local address; the
 * lists are re-checked for overlays built in code. 'mode_ok' says whether the network's mode may
 * carry an overlay (nat, routed, isolated, open); 'mode' names it for the message. Returns 0 or
 * -EINVAL with a reason.
 */
int network_overlay_finish(struct network_overlay *o, bool mode_ok, const char *mode,
			   char *reterr, size_t errlen);

/* The UDP port in use: 'port', or the default. */
uint16_t network_overlay_port(const struct network_overlay *o);

/* Appends the overlay's keys (none when there is no overlay) to 'sb'. 0 or -ENOMEM. */
int network_overlay_format(const struct network_overlay *o, struct strbuf *sb);

bool network_overlay_equal(const struct network_overlay *a, const struct network_overlay *b);

/* True if 'a' is one of the overlay's peers. */
bool network_overlay_has_peer(const struct network_overlay *o, struct in_addr a);

#endif
