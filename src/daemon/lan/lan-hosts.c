/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of lan-hosts.h. */
#include "lan-hosts.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "daemon/lan/addr-learn.h"
#include "shared/strbuf.h"

/* 'name' as one lowercase DNS label (RFC 1123 2.1) in 'ret'; false when it is none. */
static bool label_from(const char *name, char ret[ADDR_LEARN_HOSTNAME_MAX + 1])
{
	size_t len = strlen(name);

	if (len == 0 || len > ADDR_LEARN_HOSTNAME_MAX || name[0] == '-' || name[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
		ret[i] = c;
	}
	ret[len] = '\0';
	return true;
}

/* Whether the MAC of 'x' has a pair learned by DHCP. */
static bool mac_has_dhcp(const struct addr_learn_entry *e, size_t n,
			 const struct addr_learn_entry *x)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].source == ADDR_LEARN_SOURCE_DHCP && memcmp(e[i].mac, x->mac, 6) == 0)
			return true;
	return false;
}

int lan_hosts_append(struct strbuf *sb, const struct addr_learn_entry *e, size_t n,
		     const char *port_name, const char *domain)
{
	char port_label[ADDR_LEARN_HOSTNAME_MAX + 1];
	bool has_label = label_from(port_name, port_label);

	for (size_t i = 0; i < n; i++) {
		char ip[INET_ADDRSTRLEN];
		const char *name = has_label ? port_label : NULL;
		int r;

		if (e[i].source != ADDR_LEARN_SOURCE_DHCP && mac_has_dhcp(e, n, &e[i]))
			continue;
		if (e[i].hostname[0])
			name = e[i].hostname;
		if (!name || !inet_ntop(AF_INET, &e[i].ip, ip, sizeof(ip)))
			continue;
		r = strbuf_appendf(sb, "%s %s %s.%s\n", ip, name, name, domain);
		if (r < 0)
			return r;
	}
	return 0;
}
