/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCP reservations of a network ("[host NAME]" sections, 'kvmnet host add'): a MAC bound to an
 * address and optionally a host name. Kept sorted by MAC; MACs, addresses and names are unique
 * within a network. Validation against the network (address inside the subnet, not the
 * gateway, network or broadcast address) happens here too.
 */
#ifndef KN_CONFIG_CONF_HOST_H
#define KN_CONFIG_CONF_HOST_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct network_config;

#define NETWORK_HOSTS_MAX 65536
#define NETWORK_HOST_NAME_MAX 63   /* one DNS label */

/* A DUID a reservation may name ("duid ="): at most 60 bytes, as lease/lease.h keeps them. */
#define NETWORK_HOST_DUID_MAX 60

struct network_host {
	char name[NETWORK_HOST_NAME_MAX + 1];  /* "" = no host name */
	uint8_t mac[6];
	struct in_addr ip;
	bool has_ip6;                  /* "ip6 =": its DHCPv6 address (docs/IPV6.md) */
	struct in6_addr ip6;
	uint8_t duid_len;              /* "duid =": matched before the MAC; 0 = none */
	uint8_t duid[NETWORK_HOST_DUID_MAX];
};

struct network_hosts {
	struct network_host *items;   /* owned, sorted by mac */
	size_t n;
};

/* Parses "52:54:00:12:34:56" (also with '-', case-insensitive); -EINVAL otherwise. */
int mac_from_string(const char *s, uint8_t ret[6]);
/* Formats lowercase "52:54:00:12:34:56" into 'buf' (at least MAC_STRLEN) and returns it. */
#define MAC_STRLEN 18
const char *mac_to_string(const uint8_t mac[6], char *buf);

/* True if 'name' is a valid host name label: [a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?, any case. */
bool host_name_is_valid(const char *name);

/*
 * Adds 'host' (copied) after validating it against network 'c' and the other hosts: unicast MAC,
 * address inside the subnet and not its network, broadcast or gateway address; duplicate MAC,
 * address or name is -EEXIST; over NETWORK_HOSTS_MAX is -E2BIG. One-line reason in 'reterr'.
 */
int network_hosts_add(struct network_hosts *h, const struct network_host *host,
		      const struct network_config *c, char *reterr, size_t errlen);
/*
 * Builds 'h' (overwritten, not freed) from the 'n' hosts at 'items', in any order, with exactly
 * the checks and messages of adding them one by one with network_hosts_add() in that order, but
 * in O(n log n). On failure 'h' is left empty, '*ret_index' (may be NULL) is the position of the
 * host the message in 'reterr' is about, and the error is network_hosts_add()'s (or -ENOMEM).
 */
int network_hosts_build(struct network_hosts *h, const struct network_host *items, size_t n,
			const struct network_config *c, size_t *ret_index, char *reterr,
			size_t errlen);
/* Removes the host with 'mac'; -ENOENT if there is none. */
int network_hosts_remove(struct network_hosts *h, const uint8_t mac[6]);
/* Borrowed pointers, or NULL. */
const struct network_host *network_hosts_find_mac(const struct network_hosts *h,
						   const uint8_t mac[6]);
const struct network_host *network_hosts_find_ip(const struct network_hosts *h, struct in_addr ip);
/* Re-validates every host against 'c' (after the subnet changed). */
int network_hosts_check(const struct network_hosts *h, const struct network_config *c,
			char *reterr, size_t errlen);
/* Deep copy into 'dst' (which is overwritten, not freed). */
int network_hosts_copy(struct network_hosts *dst, const struct network_hosts *src);
/* True if both hold the same reservations (NULL counts as empty). */
bool network_hosts_equal(const struct network_hosts *a, const struct network_hosts *b);
void network_hosts_done(struct network_hosts *h);

#endif
