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
	NETWORK_OVERLAY_EVPN,    /* BGP EVPN through FRR: remote VTEPs and MACs from BGP, no static
				  * peers, ARP/ND suppression on the VXLAN port */
	_NETWORK_OVERLAY_MAX,
	_NETWORK_OVERLAY_INVALID = -EINVAL,
};

/* Who carries the network's gateway address, per host ("gateway"). */
enum network_overlay_gateway {
	NETWORK_OVERLAY_GATEWAY_LOCAL,    /* this host's bridge (the default; the only choice
					   * without an overlay) */
	NETWORK_OVERLAY_GATEWAY_REMOTE,   /* another host's: this bridge has no address, no DHCP,
					   * DNS nor routing; guests use the owner's over the overlay */
	NETWORK_OVERLAY_GATEWAY_ANYCAST,  /* every host's, the same address and MAC; its ARP and
					   * frames never cross the overlay (nat and routed) */
	_NETWORK_OVERLAY_GATEWAY_MAX,
	_NETWORK_OVERLAY_GATEWAY_INVALID = -EINVAL,
};

/* Whom this host's DHCP server answers on an overlay network ("dhcp"). */
enum network_overlay_dhcp {
	NETWORK_OVERLAY_DHCP_ALL,     /* "yes": every client that reaches it, over the overlay too
				       * (the network's one authority); "no": no server, and no
				       * DHCP crosses the overlay from or to this host */
	NETWORK_OVERLAY_DHCP_LOCAL,   /* "local": this host's guests only; DHCP never crosses the
				       * overlay (each host serves its own slice, dhcp-range) */
	NETWORK_OVERLAY_DHCP_RELAY,   /* "relay": no server here; the guests' DHCP crosses the
				       * overlay as it is to the host that serves the network */
	_NETWORK_OVERLAY_DHCP_MAX,
};

struct network_overlay {
	enum network_overlay_kind kind;
	enum network_overlay_gateway gateway;
	enum network_overlay_dhcp dhcp; /* set through the "dhcp" key (conf-network.c) */
	uint32_t vni;                  /* 1..NETWORK_VNI_MAX when kind != NONE, else 0 */
	struct in_addr peers[NETWORK_OVERLAY_PEERS_MAX]; /* in the order given, each once */
	size_t n_peers;
	struct in_addr local;          /* the source address on the underlay; 0 = any */
	uint16_t port;                 /* UDP destination port; 0 = NETWORK_VXLAN_PORT_DEFAULT */
};

/* "none", "vxlan", "evpn", or NULL for an invalid value. */
const char *network_overlay_kind_to_string(enum network_overlay_kind k);
enum network_overlay_kind network_overlay_kind_from_string(const char *s);

/* "local", "remote", "anycast", or NULL for an invalid value. */
const char *network_overlay_gateway_to_string(enum network_overlay_gateway g);

/* True if 'key' is one of the overlay's keys. */
bool network_overlay_key_is(const char *key);

/*
 * Sets overlay key 'key' to 'value': "overlay" (none, vxlan or evpn), "gateway" (local, remote or anycast), "vni" (a decimal number from 1
 * to 16777215), "peers" (a comma-separated list, blanks around commas allowed, of at most
 * NETWORK_OVERLAY_PEERS_MAX unicast IPv4 addresses, each once), "local" (a unicast IPv4
 * address) or "vxlan-port" (1..65535). Returns 0, or -EINVAL with a one-line reason in 'reterr'
 * ('o' unchanged).
 */
int network_overlay_set(struct network_overlay *o, const char *key, const char *value,
			char *reterr, size_t errlen);

struct network_config;

/*
 * Checks the overlay of 'c' as a whole: a VNI is required with an overlay, and "vni", "peers",
 * "local", "vxlan-port", "gateway" other than local and "dhcp" local or relay are refused
 * without one; only nat, routed, isolated and open carry one; no peer may be the local address;
 * gateway anycast needs nat or routed; gateway remote needs "local" and neither DHCP nor DNS
 * server (dhcp relay or no, dns no); the lists are re-checked for overlays built in code.
 * Returns 0 or -EINVAL with a reason.
 */
int network_overlay_finish(const struct network_config *c, char *reterr, size_t errlen);

/*
 * The "dhcp" value of 'c' as a definition file writes it when it is not the default: "local",
 * "relay", "no", or NULL for "yes".
 */
const char *network_overlay_dhcp_value(const struct network_config *c);

/* True if this host's bridge carries the gateway address (gateway local or anycast). */
bool network_overlay_has_gateway(const struct network_overlay *o);

/* The UDP port in use: 'port', or the default. */
uint16_t network_overlay_port(const struct network_overlay *o);

/* Appends the overlay's keys (none when there is no overlay) to 'sb'. 0 or -ENOMEM. */
int network_overlay_format(const struct network_overlay *o, struct strbuf *sb);

bool network_overlay_equal(const struct network_overlay *a, const struct network_overlay *b);

/* True if 'a' is one of the overlay's peers. */
bool network_overlay_has_peer(const struct network_overlay *o, struct in_addr a);

#endif
