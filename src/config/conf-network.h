/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A network's definition: parsed from its INI file or built from CLI parameters, validated on
 * its own (names, CIDRs, ranges, MTU, interface names), and written back as INI text. Checks
 * against other networks and the host's routes belong to the daemon.
 */
#ifndef KN_CONFIG_CONF_NETWORK_H
#define KN_CONFIG_CONF_NETWORK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "shared/in-addr-util.h"

#define NETWORK_NAME_MAX 32
#define NETWORK_DOMAIN_MAX 253
#define NETWORK_MTU_MIN 68
#define NETWORK_MTU_MAX 65535

enum network_mode {
	NETWORK_MODE_NAT,
	NETWORK_MODE_ROUTED,
	NETWORK_MODE_ISOLATED,
	NETWORK_MODE_OPEN,
	_NETWORK_MODE_MAX,
	_NETWORK_MODE_INVALID = -EINVAL,
};

struct network_config {
	char name[NETWORK_NAME_MAX + 1];
	enum network_mode mode;
	struct in_prefix subnet;
	struct in_addr gateway;        /* first usable address of 'subnet' */
	struct in_addr range_first;    /* DHCP range, inclusive */
	struct in_addr range_last;
	char domain[NETWORK_DOMAIN_MAX + 1]; /* "" = default "NAME.kvmnet" */
	uint32_t mtu;                  /* 0 = kernel default */
	char bridge[IFNAMSIZ];         /* always set after validation (default derived from name) */
	char uplink[IFNAMSIZ];         /* "" = any uplink */
	bool dhcp;
	bool dns;
	bool autostart;
	bool has_subnet;               /* false only before validation fills defaults */
	bool has_range;                /* dhcp-range given explicitly (kept in the file) */
	bool has_bridge;               /* bridge given explicitly (kept in the file) */
};

const char *network_mode_to_string(enum network_mode m);
/* Returns the mode or _NETWORK_MODE_INVALID. */
enum network_mode network_mode_from_string(const char *s);

/* Sets defaults: mode nat, dhcp and dns on, autostart off, nothing else. */
void network_config_init(struct network_config *c);

/* True if 'name' matches [a-z0-9][a-z0-9_-]{0,31}. */
bool network_name_is_valid(const char *name);

/* True if 'ifname' is a valid Linux interface name (1..15 chars, no '/', ':', whitespace). */
bool ifname_is_valid(const char *ifname);

/*
 * Writes the deterministic default bridge name for network 'name' into 'buf' (IFNAMSIZ):
 * "kn-NAME" when it fits in 15 characters, else "kn-" + first 6 chars + "-" + 5 hex digits of a
 * hash of the full name.
 */
void network_default_bridge(const char *name, char *buf);

/*
 * Sets one key from the CLI flags / [network] section ("mode", "subnet", "dhcp-range", "domain",
 * "mtu", "bridge", "uplink", "dhcp", "dns", "autostart", "name"). Booleans accept yes/no/true/false/
 * on/off/1/0. On failure returns -EINVAL and writes a one-line reason to 'reterr' (size 'errlen'),
 * e.g. "invalid subnet '10.0.0.1/24': host bits set".
 */
int network_config_set(struct network_config *c, const char *key, const char *value, char *reterr,
		       size_t errlen);

/*
 * Validates 'c' as a whole and fills derived fields: subnet required (-EINVAL "subnet is
 * required"), gateway, default range, range inside the subnet and not containing the gateway,
 * range first <= last, default bridge name. Returns 0 or -EINVAL with a reason in 'reterr'.
 */
int network_config_finish(struct network_config *c, char *reterr, size_t errlen);

/*
 * Parses the INI text 'text' (length 'len') into 'c' (initialised here). 'name' is the
 * network's name unless the [network] section sets "name =". Unknown sections or keys, a
 * missing [network] section and invalid values are errors, reported with the line number:
 * "line 3: unknown key 'foo' in [network]". Calls network_config_finish().
 */
int network_config_parse(const char *text, size_t len, const char *name, struct network_config *c,
			 char *reterr, size_t errlen);

/*
 * Renders 'c' as INI text (malloc'd, NUL-terminated, caller frees) in the documented key order;
 * defaults that were not given explicitly (range, bridge) are not written. Returns 0 or -ENOMEM.
 */
int network_config_format(const struct network_config *c, char **ret);

#endif
