/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Router advertisements of networks with a subnet6 (docs/IPV6.md), from kvmnetd's own event
 * loop (no radvd): one raw ICMPv6 socket per bridge, answering router solicitations and sending
 * unsolicited RAs (three quick ones after start, then every 200-600 s with jitter, RFC 4861
 * §6.2.4); the prefix with its A/L flags from ra-mode, the M/O flags, RDNSS and DNSSL (RFC 8106),
 * the MTU, and a router lifetime of 0 on isolated networks (no default route through them).
 */
#ifndef KN_DAEMON_IPV6_RA_SERVICE_H
#define KN_DAEMON_IPV6_RA_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct ndp_ra;
struct network;
struct network_config;

/* Router lifetime and the lifetimes of the RA's options, seconds (3 x the longest interval). */
#define RA_ROUTER_LIFETIME_SEC 1800
#define RA_PREFIX_VALID_SEC 86400
#define RA_PREFIX_PREFERRED_SEC 14400
/*
 * Solicited RAs a network answers at most in any one second (ndp-rate.h: a sliding window; a
 * flood of RS costs nothing more).
 */
#define RA_SOLICITED_PER_SEC 20

/*
 * Starts advertising on the network's bridge (n->ifindex), or rebuilds the RA and sends it at
 * once when already started on that bridge (a changed definition); a network without a subnet6
 * is stopped instead. Returns 0 or -errno with a one-line reason in 'err'.
 */
int ra_network_start(struct network *n, char *err, size_t errlen);

/*
 * Stops advertising. With 'goodbye', first sends an RA with router lifetime 0 so that guests drop
 * the default route at once (RFC 4861 §6.2.5). Accepts a network that is not advertising.
 */
void ra_network_stop(struct network *n, bool goodbye);

/*
 * The RA network 'c' advertises from a bridge with address 'mac' (may be NULL): pure, for the
 * sender and its tests. 'dns_on_gateway6': the network's DNS server answers on the gateway6
 * (then RDNSS names it, and DNSSL the domain).
 */
void ra_from_config(const struct network_config *c, const unsigned char *mac,
		    bool dns_on_gateway6, struct ndp_ra *ret);

/* The RA counters of 'n' as an object, or NULL when it is not advertising. */
json_t *ra_network_stats_to_json(const struct network *n);

#endif
