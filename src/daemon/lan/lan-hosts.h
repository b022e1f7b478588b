/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The NSS hosts-file lines (docs/NSS.md: "IP NAME FQDN", as for lease names) of the guests on
 * LAN networks (modes bridge and macvtap), whose addresses kvmnet learned from their ports'
 * traffic (addr-learn.h) rather than leased. Pure: no state, no I/O; dns-service.c writes the
 * file, port-json.c walks the ports.
 */
#ifndef KN_DAEMON_LAN_LAN_HOSTS_H
#define KN_DAEMON_LAN_LAN_HOSTS_H

#include <stddef.h>

struct addr_learn_entry;
struct strbuf;

/*
 * Appends to 'sb' a line for each pair of the 'n' pairs 'e' learned on port 'port_name' of a
 * network whose domain is 'domain'. Which pairs, as the anti-spoofing bindings choose them: for
 * a MAC that got an address by DHCP, its DHCP pairs; for a MAC that never did, its ARP ones.
 * The name is the host name the MAC's DHCP client sent with the request of that pair, else the
 * port's name, lowercased (none, and no line, when the port's name is not a DNS label: a '.',
 * '_' or '@' in it). At most 'n' lines. Returns 0, or -ENOMEM ('sb' may then hold some).
 */
int lan_hosts_append(struct strbuf *sb, const struct addr_learn_entry *e, size_t n,
		     const char *port_name, const char *domain);

#endif
