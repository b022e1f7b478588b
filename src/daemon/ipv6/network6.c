/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of network6.h. */
#include "daemon/ipv6/network6.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "config/conf-network.h"
#include "daemon/manager-core.h"
#include "daemon/network-mode.h"
#include "daemon/network-types.h"
#include "shared/log.h"

#define IPV6_CONF_DIR "/proc/sys/net/ipv6/conf/"

/* Writes 'value' to /proc/sys/net/ipv6/conf/IFNAME/KEY unless it holds it already. */
static int ipv6_sysctl_set(const char *ifname, const char *key, char value, bool *ret_changed)
{
	char path[128], old = 0;
	int fd, r = 0;

	snprintf(path, sizeof(path), IPV6_CONF_DIR "%s/%s", ifname, key);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (read(fd, &old, 1) != 1)
		r = -EIO;
	else if (old != value) {
		char buf[2] = { value, '\n' };

		if (pwrite(fd, buf, 2, 0) != 2)
			r = -errno;
	}
	if (ret_changed)
		*ret_changed = r == 0 && old != value;
	close(fd);
	return r;
}

struct addr6_scan {
	const struct network_config *c;
	bool found;
	struct network6_up *st;
};

static int addr6_scan_cb(const struct nl_addr6_info *a, void *data)
{
	struct addr6_scan *s = data;

	if (a->scope != RT_SCOPE_UNIVERSE)
		return 0;  /* the kernel's own fe80:: address stays */
	if (s->c->has_subnet6 && in6_addr_equal(&a->addr, &s->c->gateway6) && a->prefixlen == 64)
		s->found = true;
	else if (s->st->n_stale < NETWORK6_STALE_MAX)
		s->st->stale[s->st->n_stale++] = *a;
	return 0;
}

int network6_up(struct manager *m, struct network *n, int ifindex, struct network6_up *st,
		char *err, size_t errlen)
{
	const struct network_config *c = &n->config;
	struct addr6_scan scan = { .c = c, .st = st };
	char a[INET6_ADDRSTRLEN];
	bool changed;
	int r;

	*st = (struct network6_up){ 0 };
	if (!c->has_subnet6) {
		/* an older definition's gateway6 goes at the end of network_up(); a bridge
		 * whose IPv6 is off has none */
		(void)nl_addr6_dump(m->nl, ifindex, addr6_scan_cb, &scan);
		return 0;
	}
	r = ipv6_sysctl_set(c->bridge, "disable_ipv6", '0', NULL);
	if (r < 0) {
		snprintf(err, errlen, "failed to enable IPv6 on '%s': %s%s", c->bridge, strerror(-r),
			 r == -ENOENT ? " (is IPv6 disabled on this host?)" : "");
		return r;
	}
	/* No DAD on the bridge's own link-local address either: router advertisements need it
	 * as their source as soon as the first port has carrier. The bridge is ours. */
	(void)ipv6_sysctl_set(c->bridge, "accept_dad", '0', NULL);
	r = nl_addr6_dump(m->nl, ifindex, addr6_scan_cb, &scan);
	if (r < 0) {
		snprintf(err, errlen, "failed to read IPv6 addresses of '%s': %s", c->bridge,
			 strerror(-r));
		return r;
	}
	if (!scan.found) {
		struct nl_addr6_info gw = { .addr = c->gateway6, .prefixlen = 64 };

		r = nl_addr6_add(m->nl, ifindex, &gw, IFA_F_NODAD);
		if (r < 0) {
			snprintf(err, errlen, "failed to add address %s/64 to '%s': %s",
				 in6_addr_to_string(&c->gateway6, a), c->bridge, strerror(-r));
			return r;
		}
		st->added = true;
	}
	if (network_mode_ops(c->mode)->forwards) {
		r = ipv6_sysctl_set("all", "forwarding", '1', &changed);
		if (r < 0) {
			snprintf(err, errlen, "failed to enable IPv6 forwarding: %s", strerror(-r));
			network6_up_undo(m, n, ifindex, st);
			return r;
		}
		if (changed)
			log_notice("IPv6 forwarding was off, turned on for network '%s'", c->name);
	}
	return 0;
}

void network6_up_undo(struct manager *m, struct network *n, int ifindex,
		      const struct network6_up *st)
{
	struct nl_addr6_info gw = { .addr = n->config.gateway6, .prefixlen = 64 };

	if (st->added)
		(void)nl_addr6_del(m->nl, ifindex, &gw);
}

void network6_up_finish(struct manager *m, struct network *n, int ifindex,
			const struct network6_up *st)
{
	for (size_t i = 0; i < st->n_stale; i++) {
		int r = nl_addr6_del(m->nl, ifindex, &st->stale[i]);

		if (r < 0 && r != -EADDRNOTAVAIL)
			log_warning_errno(r, "Failed to remove stale IPv6 address from '%s': %m, "
					  "ignoring", n->config.bridge);
	}
}

bool network6_config_kernel_differs(const struct network_config *a,
				    const struct network_config *b)
{
	return a->has_subnet6 != b->has_subnet6 ||
	       (a->has_subnet6 && !in6_addr_equal(&a->subnet6.addr, &b->subnet6.addr));
}

int network6_to_json(const struct network_config *c, json_t *obj)
{
	char s[IN6_PREFIX_STRLEN], g[INET6_ADDRSTRLEN];
	int r;

	r = json_object_set_new(obj, "subnet6",
				c->has_subnet6 ? json_string(in6_prefix_to_string(&c->subnet6, s)) :
						 json_null());
	r |= json_object_set_new(obj, "gateway6",
				 c->has_subnet6 ? json_string(in6_addr_to_string(&c->gateway6, g)) :
						  json_null());
	r |= json_object_set_new(obj, "ra-mode",
				 c->has_subnet6 ? json_string(network_ra_mode_to_string(c->ra_mode)) :
						  json_null());
	r |= json_object_set_new(obj, "nat6", json_string(network_nat6_to_string(c->nat6)));
	r |= json_object_set_new(obj, "masquerade6", json_boolean(network_config_masquerades6(c)));
	return r < 0 ? -ENOMEM : 0;
}
