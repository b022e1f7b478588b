/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A network's definition: parsed from its INI file or built from CLI parameters, validated on
 * its own (names, CIDRs, ranges, MTU, interface names), and written back as INI text. Checks
 * against other networks and the host's routes belong to the daemon.
 */
#ifndef KN_CONFIG_CONF_NETWORK_H
#define KN_CONFIG_CONF_NETWORK_H

#include <errno.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/conf-overlay.h"
#include "config/conf-tenant.h"
#include "shared/ifname-util.h" /* ifname_is_valid(): the interface names of definitions */
#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"
#include "shared/ip-addr-util.h"

#define NETWORK_NAME_MAX 32
#define NETWORK_DOMAIN_MAX 253
#define NETWORK_MTU_MIN 68
#define NETWORK_MTU_MAX 65535
/* Shortest and longest subnet prefix: /30 still holds a gateway and one guest. */
#define NETWORK_PREFIXLEN_MIN 8
#define NETWORK_PREFIXLEN_MAX 30
/* Largest definition text network_config_parse() accepts (-E2BIG beyond). */
#define NETWORK_CONFIG_TEXT_MAX (8 * 1024 * 1024)
/* DHCP lease time ("lease-time"), seconds: 1 minute to 365 days, 1 hour by default. */
#define NETWORK_LEASE_TIME_MIN 60
#define NETWORK_LEASE_TIME_MAX (365 * 24 * 3600)
#define NETWORK_LEASE_TIME_DEFAULT 3600
/*
 * Most client identities the DHCP server lets take leases through one guest port
 * ("dhcp-leases-per-port"; 0 = no cap). Only ports under the per-port policy are told apart.
 */
#define NETWORK_DHCP_LEASES_PER_PORT_MAX 1024
#define NETWORK_DHCP_LEASES_PER_PORT_DEFAULT 16
/* Most classless static routes ("dhcp-routes", DHCP option 121) a network announces. */
#define NETWORK_ROUTES_MAX 16
/* Most upstream resolvers ("dns-forwarders") a network's DNS server forwards to. */
#define NETWORK_DNS_FORWARDERS_MAX 4
/* Most users and groups "allow-attach" names. */
#define NETWORK_ALLOW_ATTACH_MAX 16
/* Longest "allow-attach" entry: '@', a name of 32 characters ([a-z_][a-z0-9_-]{0,31}) and '$'. */
#define NETWORK_ALLOW_ATTACH_NAME_MAX 34

enum network_mode {
	NETWORK_MODE_NAT,
	NETWORK_MODE_ROUTED,
	NETWORK_MODE_ISOLATED,
	NETWORK_MODE_OPEN,
	NETWORK_MODE_BRIDGE,      /* guest ports on a LAN bridge kvmnet does not own */
	NETWORK_MODE_MACVTAP,   /* guests on macvtap devices over 'uplink': no bridge, no subnet */
	_NETWORK_MODE_MAX,
	_NETWORK_MODE_INVALID = -EINVAL,
};

/*
 * Per-port policy on the guests' ports ("port-security"). FULL: frames from a guest's port carry
 * the port's MAC, its IPv4 and ARP sources are leased or reserved for that MAC, and it sends no
 * DHCP server replies or router advertisements. MAC: the same without the IPv4 binding (guests
 * with static addresses). OFF: no per-port policy.
 */
enum network_port_security {
	NETWORK_PORT_SECURITY_FULL,
	NETWORK_PORT_SECURITY_MAC,
	NETWORK_PORT_SECURITY_OFF,
	_NETWORK_PORT_SECURITY_MAX,
	_NETWORK_PORT_SECURITY_INVALID = -EINVAL,
};

/* How the macvtap devices of a macvtap network share their uplink ("macvtap-mode"). */
enum network_macvtap_mode {
	NETWORK_MACVTAP_BRIDGE,      /* guests reach each other and the LAN (default) */
	NETWORK_MACVTAP_VEPA,        /* guest-to-guest frames go out to the LAN switch */
	NETWORK_MACVTAP_PRIVATE,     /* guests reach the LAN only, never each other */
	NETWORK_MACVTAP_PASSTHRU,    /* one guest takes the uplink over (one port only) */
	_NETWORK_MACVTAP_MODE_MAX,
	_NETWORK_MACVTAP_MODE_INVALID = -EINVAL,
};

/*
 * What the router advertisements of a network with a subnet6 tell its guests ("ra-mode",
 * docs/IPV6.md): SLAAC (prefix with the A flag; the default), DHCPv6 (the M flag, no A flag), or
 * both (A and M).
 */
enum network_ra_mode {
	NETWORK_RA_SLAAC,
	NETWORK_RA_DHCPV6,
	NETWORK_RA_SLAAC_DHCPV6,
	_NETWORK_RA_MODE_MAX,
	_NETWORK_RA_MODE_INVALID = -EINVAL,
};

/*
 * IPv6 masquerade of a nat network ("nat6"): AUTO masquerades a ULA subnet6 (fc00::/7, not
 * routable outside) and routes a global one; YES always masquerades; NO never does.
 */
enum network_nat6 {
	NETWORK_NAT6_AUTO,
	NETWORK_NAT6_YES,
	NETWORK_NAT6_NO,
	_NETWORK_NAT6_MAX,
	_NETWORK_NAT6_INVALID = -EINVAL,
};

struct network_dns_records;
struct network_forwards;
struct network_hosts;
struct network_ports;

/* One classless static route (RFC 3442) handed to the guests by DHCP. */
struct network_route {
	struct in_prefix dst;          /* destination, host bits zero; /0 is the default route */
	struct in_addr gw;             /* next hop, a guest address of the network's subnet */
};

struct network_config {
	char name[NETWORK_NAME_MAX + 1];
	enum network_mode mode;
	struct in_prefix subnet;
	struct in_addr gateway;        /* first usable address of 'subnet' */
	struct in_addr range_first;    /* DHCP range, inclusive */
	struct in_addr range_last;
	char domain[NETWORK_DOMAIN_MAX + 1]; /* "" = default "NAME.kvmnet" */
	/* Upstream resolvers, in the order given; none = those of the host's /etc/resolv.conf. */
	struct ip_addr dns_forwarders[NETWORK_DNS_FORWARDERS_MAX]; /* IPv4 or IPv6 */
	size_t n_dns_forwarders;       /* entries used in 'dns_forwarders' */
	uint32_t mtu;                  /* 0 = kernel default */
	uint32_t lease_time_sec;       /* DHCP lease time, NETWORK_LEASE_TIME_MIN..MAX */
	struct network_route routes[NETWORK_ROUTES_MAX]; /* DHCP option 121, in the order given */
	size_t n_routes;               /* entries used in 'routes'; 0 = option 121 not sent */
	uint32_t dhcp_leases_per_port; /* 0..NETWORK_DHCP_LEASES_PER_PORT_MAX, 0 = no cap */
	char bridge[IFNAMSIZ];         /* always set after validation (default derived from name) */
	char uplink[IFNAMSIZ];         /* "" = any uplink; the lower NIC of a macvtap network */
	enum network_macvtap_mode macvtap_mode; /* macvtap networks only */
	bool dhcp;
	bool dns;
	bool autostart;
	bool isolate_ports;            /* guests reach the gateway and beyond, never each other */
	enum network_port_security port_security;
	/*
	 * Who besides root may attach VMs through QEMU's bridge helper: user names and "@group"
	 * names, in the order given, each once; none = any caller the daemon's API admits.
	 */
	char allow_attach[NETWORK_ALLOW_ATTACH_MAX][NETWORK_ALLOW_ATTACH_NAME_MAX + 1];
	size_t n_allow_attach;         /* entries used in 'allow_attach' */
	struct network_overlay overlay; /* VXLAN across hosts (conf-overlay.h); kind NONE = none */
	char tenant[NETWORK_TENANT_MAX + 1]; /* "" = none (conf-tenant.h) */
	/* IPv6 (docs/IPV6.md): none unless "subnet6" is set; nat, routed, isolated, open only */
	struct in6_prefix subnet6;     /* a /64, host bits zero */
	struct in6_addr gateway6;      /* subnet6's ::1, on the bridge */
	enum network_ra_mode ra_mode;
	enum network_nat6 nat6;
	bool has_subnet6;
	bool subnet6_auto;             /* "subnet6 = auto": the daemon picks the /64 (ULA) */
	/* DHCPv6 pool ("dhcp6-range"), inside subnet6's first /96; default ::1:0-::1:ffff */
	struct in6_addr range6_first, range6_last;
	bool has_range6;               /* dhcp6-range given explicitly (kept in the file) */
	bool has_subnet;               /* false only before validation fills defaults */
	bool has_range;                /* dhcp-range given explicitly (kept in the file) */
	bool has_bridge;               /* bridge given explicitly (kept in the file) */
};

const char *network_mode_to_string(enum network_mode m);
/* Returns the mode or _NETWORK_MODE_INVALID. */
enum network_mode network_mode_from_string(const char *s);

/* "bridge", "vepa", "private", "passthrough", or NULL for an invalid value. */
const char *network_macvtap_mode_to_string(enum network_macvtap_mode m);
enum network_macvtap_mode network_macvtap_mode_from_string(const char *s);

/* "yes", "mac", "no", or NULL for an invalid value. */
const char *network_port_security_to_string(enum network_port_security s);
/*
 * Any case; "yes" and "no" also as true/false, on/off and 1/0, like the booleans. Returns the
 * value or _NETWORK_PORT_SECURITY_INVALID.
 */
enum network_port_security network_port_security_from_string(const char *s);

/* "slaac", "dhcpv6", "slaac+dhcpv6", or NULL for an invalid value. */
const char *network_ra_mode_to_string(enum network_ra_mode m);
enum network_ra_mode network_ra_mode_from_string(const char *s);

/* "auto", "yes", "no", or NULL for an invalid value. */
const char *network_nat6_to_string(enum network_nat6 v);
/* "auto", or the booleans' spellings; returns the value or _NETWORK_NAT6_INVALID. */
enum network_nat6 network_nat6_from_string(const char *s);

/*
 * True if a nat network with this finished config masquerades IPv6 (nat6 yes, or auto with a
 * ULA subnet6). False without a subnet6 or outside mode nat.
 */
static inline bool network_config_masquerades6(const struct network_config *c)
{
	/* inline: the firewall library (fw-model) uses it without linking this one */
	return c->has_subnet6 && c->mode == NETWORK_MODE_NAT &&
	       (c->nat6 == NETWORK_NAT6_YES ||
		(c->nat6 == NETWORK_NAT6_AUTO && in6_addr_is_ula(&c->subnet6.addr)));
}

/*
 * Candidate 'attempt' (0, 1, ...) of the stable ULA /64 that "subnet6 = auto" picks for network
 * 'name': fd00::/8 plus 40 bits of a hash of the name (the RFC 4193 global ID) and a 16-bit
 * subnet ID from the hash and 'attempt', so that the same name gives the same prefix on every
 * host and a conflict moves on to another prefix deterministically.
 */
struct in6_prefix network_subnet6_auto_candidate(const char *name, unsigned attempt);

/*
 * Sets defaults: mode nat, dhcp and dns on, autostart off, lease time 1 h, 16 DHCP leases per
 * port, isolate-ports off, port-security yes, allow-attach empty, nothing else.
 */
void network_config_init(struct network_config *c);

/* True if 'name' matches [a-z0-9][a-z0-9_-]{0,31}. */
bool network_name_is_valid(const char *name);

/*
 * Writes the deterministic default bridge name for network 'name' into 'buf' (IFNAMSIZ):
 * "kn-NAME" when it fits in 15 characters, else "kn-" + first 6 chars + "-" + 5 hex digits of a
 * hash of the full name.
 */
void network_default_bridge(const char *name, char *buf);

/*
 * Sets one key from the CLI flags / [network] section ("mode", "subnet", "dhcp-range",
 * "lease-time", "dhcp-routes", "dhcp-leases-per-port", "domain", "dns-forwarders", "mtu",
 * "bridge", "uplink", "dhcp", "dns", "autostart", "isolate-ports", "port-security",
 * "allow-attach", "subnet6", "ra-mode", "nat6", "name"). Booleans
 * ("dhcp", "dns", "autostart", "isolate-ports") accept yes/no, true/false, on/off and 1/0 in any
 * case; "port-security" is yes, mac or no (see enum network_port_security; yes/no spelled as
 * the booleans may be). "allow-attach" is a comma-separated list (blanks around commas allowed)
 * of at most NETWORK_ALLOW_ATTACH_MAX user names or "@group" names, each
 * [a-z_][a-z0-9_-]{0,31} with an optional trailing '$' and given once; an empty value (the only
 * key that takes one) clears the list.
 * "lease-time" is a number of seconds, or of minutes, hours or days with the suffix m, h or d
 * ("s" for seconds is accepted too), within 60 s .. 365 d. "dhcp-routes" is a comma-separated
 * list of at most NETWORK_ROUTES_MAX "DEST/LEN via GATEWAY" (blanks around commas allowed), each
 * destination without host bits and given once. "dns-forwarders" is a comma-separated list of
 * 1..NETWORK_DNS_FORWARDERS_MAX unicast IPv4 or IPv6 addresses, each given once (refused: IPv4
 * 0.0.0.0/8, 224.0.0.0/4, 240.0.0.0/4; IPv6 ::, ff00::/8, fe80::/10 and ::ffff:0:0/96, see
 * ip_addr_unicast_refusal()). "dhcp-leases-per-port" is a decimal number from 0 to
 * NETWORK_DHCP_LEASES_PER_PORT_MAX. "subnet6" is an IPv6 /64 without host bits, outside
 * ::/8, fe80::/10 (link-local) and ff00::/8 (multicast), or "auto" or "none". "ra-mode" is
 * slaac, dhcpv6 or slaac+dhcpv6; "nat6" auto, yes or no. On failure returns -EINVAL and writes a one-line reason
 * to 'reterr' (size 'errlen'; may be NULL/0), e.g. "invalid subnet '10.0.0.1/24': host bits set";
 * 'c' is then unchanged.
 *
 * Only what the value alone determines is checked here (syntax, subnet /8../30 with no host bits,
 * dhcp-range first <= last, the routes' syntax, domain labels [a-z0-9-] of 1..63 without a leading or trailing '-' and
 * at most 253 characters in total, lowercase only: uppercase is refused, not folded). Each key
 * writes only its own fields, so keys may be set in any order, and setting a key again replaces
 * it; everything that depends on two keys waits for network_config_finish(). The CLI and the file
 * parser therefore reach the same verdict for the same values.
 */
int network_config_set(struct network_config *c, const char *key, const char *value, char *reterr,
		       size_t errlen);

/*
 * Validates 'c' as a whole and fills derived fields: subnet required (-EINVAL "subnet is
 * required"), gateway, default range, range inside the subnet and not containing the gateway,
 * range first <= last, lease time within bounds, every route's gateway a guest address of the
 * subnet, dhcp-leases-per-port within bounds, no DNS forwarder at the network's own gateway (the
 * server would ask itself), default bridge name. Returns 0 or -EINVAL with a reason in 'reterr'.
 * Checks run in a fixed order (name, subnet, dhcp-range, domain, mtu, lease-time, dhcp-routes,
 * dhcp-leases-per-port, dns-forwarders, bridge/uplink, port-security, allow-attach), so the
 * first error reported does not depend on the order in which keys were set. Idempotent.
 */
int network_config_finish(struct network_config *c, char *reterr, size_t errlen);

/*
 * Writes the network's DNS domain into 'buf' (NETWORK_DOMAIN_MAX + 1 bytes): 'domain', or
 * "NAME.kvmnet" when it is empty. Returns 'buf'.
 */
const char *network_config_domain(const struct network_config *c, char *buf);

/*
 * Parses the INI text 'text' (length 'len', need not be NUL-terminated) into 'c' (initialised
 * here), its reservations into 'hosts', its static DNS records into 'records' and its persistent
 * ports into 'ports'. 'name' (may be NULL) is the network's name unless the [network] section
 * sets "name =".
 *
 * Besides the one [network] section, the text may hold any number of "[host NAME]" sections
 * (NAME a valid host name, unique) and unnamed "[host]" sections, each with the keys "mac" and
 * "ip" (both required), any number of "[dns-record NAME]" sections (NAME a record name, see
 * network_dns_record_name_check(); the same NAME may head several sections), each with the keys
 * "type" and "value" (both required, in either order; see network_dns_record_set_value()), and
 * any number of "[port NAME]" sections (NAME an interface name, ifname_is_valid(); an unnamed
 * "[port]" is an error), each with the optional keys "mac", "owner", "queues" and "rate" (see
 * network_port_set()), all in any order. When 'hosts' is NULL, a [host] section is an error
 * ("line N: [host] sections are not allowed here"); when 'records' is NULL, a [dns-record]
 * section is ("line N: [dns-record] sections are not allowed here"); when 'ports' is NULL, a
 * [port] section is ("line N: [port] sections are not allowed here"). Otherwise '*hosts',
 * '*records' and '*ports' are overwritten (not freed): on success they hold the reservations,
 * validated with network_hosts_add() against the finished config, the records, validated with
 * network_dns_records_add() in file order, and the ports, validated with network_ports_add() in
 * file order (a failure there is reported with the line of the offending section's header, e.g.
 * "line 9: address 10.0.0.10 is reserved for 52:54:00:aa:bb:cc (db1)"), and the caller frees
 * them with network_hosts_done(), network_dns_records_done() and network_ports_done(); on
 * failure they are left empty.
 *
 * Unknown sections or keys, a missing or repeated [network] section, repeated keys, syntax errors,
 * NUL bytes, lines over 1000 characters and invalid values are errors, reported with the line
 * number: "line 3: unknown key 'foo' in [network]". A record's value is checked once its type is
 * known, and an error in it is reported with the value's line. Errors found line by line come
 * first (the earliest line wins), then a missing [network] section, then the first [host] or
 * [dns-record] section without one of its keys, then network_config_finish()'s, then the
 * reservations', then the records', then the ports'. Comments are lines starting with '#' or
 * ';' and ';' after whitespace; indentation is ignored (no continuation lines). Returns 0,
 * -EINVAL with a reason in 'reterr', -E2BIG when 'len' exceeds NETWORK_CONFIG_TEXT_MAX, or
 * -ENOMEM.
 */
int network_config_parse(const char *text, size_t len, const char *name, struct network_config *c,
			 struct network_hosts *hosts, struct network_dns_records *records,
			 struct network_ports *ports, char *reterr, size_t errlen);

/*
 * network_config_parse() that also takes "[forward NAME]" sections (keys "proto", "host-port",
 * "to", "host-address", see network_forward_set()) into 'forwards' (may be NULL: such sections
 * are then an error, "line N: [forward] sections are not allowed here"), each checked with
 * network_forward_finish() and network_forwards_add() after the ports, errors reported with the
 * line of the section's header ("line 12: missing key 'to' in [forward web]"). On failure
 * '*forwards' is left empty; the caller frees it with network_forwards_done().
 */
int network_config_parse_full(const char *text, size_t len, const char *name,
			      struct network_config *c, struct network_hosts *hosts,
			      struct network_dns_records *records, struct network_ports *ports,
			      struct network_forwards *forwards, char *reterr, size_t errlen);

/*
 * Renders 'c' as INI text (malloc'd, NUL-terminated, caller frees) in the documented key order,
 * followed by one section per reservation in 'hosts' (may be NULL), in MAC order, then one per
 * record in 'records' (may be NULL), in their order, then one per port in 'ports' (may be NULL),
 * in name order, a blank line before each: "[host NAME]" or, for a reservation without a name,
 * "[host]"; "[dns-record NAME]" with "type" and "value"; "[port NAME]" with those of "mac",
 * "owner", "queues" and "rate" that are not the default. Defaults that were not given explicitly
 * (range, bridge, a lease time of 1 h, no routes, 16 leases per port, no forwarders,
 * isolate-ports off, port-security yes, no allow-attach) are not written. Returns 0, -ENOMEM, or
 * -E2BIG when the text would exceed NETWORK_CONFIG_TEXT_MAX (so that whatever is formatted parses
 * back: parse(format(c, h, r, p)) gives c, h, r and p again).
 */
int network_config_format(const struct network_config *c, const struct network_hosts *hosts,
			  const struct network_dns_records *records,
			  const struct network_ports *ports, char **ret);

/*
 * True if 'a' and 'b' hold the same definition, field by field (including has_range/has_bridge,
 * ignoring bytes after the strings' NULs, routes past 'n_routes', forwarders past
 * 'n_dns_forwarders' and allow-attach entries past 'n_allow_attach'). parse(format(c)) == c for
 * every finished 'c'. Reservations are compared with network_hosts_equal(), records with
 * network_dns_records_equal(), ports with network_ports_equal().
 */
/*
 * network_config_format() followed by one "[forward NAME]" section per forward of 'forwards'
 * (may be NULL), after the ports, in their order, a blank line before each, with the keys
 * "proto", "host-port", "to" and, when set, "host-address".
 */
int network_config_format_full(const struct network_config *c, const struct network_hosts *hosts,
			       const struct network_dns_records *records,
			       const struct network_ports *ports,
			       const struct network_forwards *forwards, char **ret);

bool network_config_equal(const struct network_config *a, const struct network_config *b);

#endif
