/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of network.h. What a step does depends on the mode, through its entry in the
 * table of network-mode.h (never a test of the mode here). network_up() runs its steps in this
 * order, so that no guest traffic flows before the rules are in place and every step can be
 * undone: bridge (created or adopted), MTU, gateway address, nftables rules (one atomic
 * transaction), IPv4 forwarding, link up, DHCP sockets, stale addresses. The rollback ladder
 * undoes them in reverse.
 */
#include "network.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/ip.h>

#include "daemon/dhcp-service.h"
#include "daemon/dns-service.h"
#include "daemon/forward-service.h"
#include "daemon/ipv6/network6.h"
#include "daemon/ipv6/ra-service.h"
#include "daemon/manager-core.h"
#include "daemon/network-mode.h"
#include "daemon/overlay/overlay.h"
#include "daemon/port-service.h"
#include "firewall/fw-apply.h"
#include "firewall/fw-model.h"
#include "firewall/fw-render.h"
#include "netlink/nl-addr.h"
#include "netlink/nl-link.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

#define IP_FORWARD_PATH "/proc/sys/net/ipv4/ip_forward"

int network_new(struct manager *m, const struct network_config *c, struct network_hosts *hosts,
		struct network_dns_records *records, struct network **ret)
{
	struct network *n = calloc(1, sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->manager = m;
	n->config = *c;
	if (hosts) {
		n->hosts = *hosts;
		*hosts = (struct network_hosts){ 0 };
	}
	if (records) {
		n->dns_records = *records;
		*records = (struct network_dns_records){ 0 };
	}
	*ret = n;
	return 0;
}

struct network *network_free(struct network *n)
{
	if (!n)
		return NULL;
	ra_network_stop(n, false);
	dns_service_network_stop(n);
	dhcp_service_network_detach(n);
	network_hosts_done(&n->hosts);
	network_dns_records_done(&n->dns_records);
	network_ports_done(&n->ports);
	if (n->manager)
		(void)forward_service_index(n->manager, n, &n->forwards, false);
	network_forwards_done(&n->forwards);
	free(n->fw_purge);
	free(n);
	return NULL;
}

bool network_config_kernel_differs(const struct network_config *a, const struct network_config *b)
{
	return a->mode != b->mode || strcmp(a->bridge, b->bridge) != 0 ||
	       strcmp(a->uplink, b->uplink) != 0 || a->mtu != b->mtu ||
	       a->macvtap_mode != b->macvtap_mode ||
	       a->subnet.addr.s_addr != b->subnet.addr.s_addr ||
	       a->subnet.prefixlen != b->subnet.prefixlen ||
	       a->gateway.s_addr != b->gateway.s_addr ||
	       !network_overlay_equal(&a->overlay, &b->overlay) || network6_config_kernel_differs(a, b) ||
	       strcmp(a->tenant, b->tenant) != 0;
}

/* Turns on IPv4 forwarding if needed, logging the value it had the first time. */
static int network_enable_forwarding(struct manager *m, const char *name)
{
	char value = '0';
	int fd, r = 0;

	fd = open(IP_FORWARD_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (read(fd, &value, 1) != 1)
		r = -EIO;
	else if (value != '1') {
		if (pwrite(fd, "1\n", 2, 0) != 2)
			r = -errno;
		else
			log_notice("IPv4 forwarding was %c, turned on for network '%s'", value,
				   name);
	} else if (!m->ip_forward_noted)
		log_info("IPv4 forwarding was already on");
	m->ip_forward_noted = true;
	close(fd);
	return r;
}

struct addr_scan {
	struct in_addr want;
	uint8_t want_len;
	bool found;
	size_t n_stale;
	struct nl_addr_info stale[16];
};

static int network_addr_scan_cb(const struct nl_addr_info *a, void *data)
{
	struct addr_scan *s = data;

	if (a->addr.s_addr == s->want.s_addr && a->prefixlen == s->want_len)
		s->found = true;
	else if (s->n_stale < ELEMENTSOF(s->stale))
		s->stale[s->n_stale++] = *a;
	return 0;
}

/*
 * The table's base (chains and rules) with the subnet rules of 'model''s prefix length: loaded
 * at start-up, again for the first network of a new prefix length, and if someone deleted the
 * table since (one NFT_MSG_GETTABLE, whatever the number of networks).
 */
static int network_fw_base(struct manager *m, const struct fw_network *model, char **reterr_msg)
{
	_cleanup_free_ char *script = NULL;
	uint64_t mask = m->fw_prefix_mask | fw_network_prefix_bit(model);
	int r;

	r = fw_table_lookup(FW_FAMILY_INET, FW_TABLE_NAME);
	if (r > 0 && mask == m->fw_prefix_mask)
		return 0;
	r = fw_render_base(false, mask, &script);
	if (r < 0)
		return r;
	r = fw_apply(m->fw, script, reterr_msg);
	if (r >= 0)
		m->fw_prefix_mask = mask;
	return r;
}

/*
 * Renders and applies the install script of 'c': it removes first whatever 'old' (the
 * definition installed before, or NULL) and start-up found installed (n->fw_purge) left.
 */
static int network_fw_install(struct manager *m, struct network *n, const struct network_config *c,
			      const struct network_config *old, char **reterr_msg)
{
	_cleanup_free_ char *script = NULL;
	struct fw_network model, old_model;
	int r;

	fw_network_from_config(c, &model);
	r = network_fw_base(m, &model, reterr_msg);
	if (r < 0)
		return r;
	if (old && !network_mode_ops(old->mode)->firewall)
		old = NULL;   /* a mode without elements (bridge): nothing of it to remove */
	if (old)
		fw_network_from_config(old, &old_model);
	r = fw_render_network(&model, old ? &old_model : NULL, n->fw_purge, &script);
	if (r < 0)
		return r;
	r = fw_apply(m->fw, script, reterr_msg);
	if (r >= 0) {
		free(n->fw_purge);
		n->fw_purge = NULL;
	}
	return r;
}

/* Removes the elements of 'c' (and what start-up found installed for 'n'). */
static int network_fw_remove(struct manager *m, struct network *n, const struct network_config *c,
			     char **reterr_msg)
{
	_cleanup_free_ char *script = NULL;
	struct fw_network model;
	int r;

	fw_network_from_config(c, &model);
	r = fw_render_network_delete(&model, n->fw_purge, &script);
	if (r < 0)
		return r;
	r = fw_apply(m->fw, script, reterr_msg);
	if (r >= 0) {
		free(n->fw_purge);
		n->fw_purge = NULL;
	}
	return r;
}

int network_up(struct manager *m, struct network *n, const struct network_config *old, bool adopt,
	       char *err, size_t errlen)
{
	const struct network_config *c = &n->config;
	struct fw_network model;
	struct nl_link_info link;
	struct addr_scan scan = { .want = c->gateway, .want_len = c->subnet.prefixlen };
	const struct network_mode_ops *ops = network_mode_ops(c->mode);
	/* on an overlay, the gateway may be another host's (daemon/overlay/) */
	bool gateway = ops->gateway_address && network_overlay_has_gateway(&c->overlay);
	struct network6_up up6 = { 0 };
	bool created = false, fw_changed = false, ov_created = false, group_changed = false;
	uint64_t hash, old_hash = n->fw_hash;
	uint32_t ov_mtu = 0;
	int r;

	/* 0. What the overlay needs of the kernel, checked before anything changes. */
	if (ops->overlay) {
		r = overlay_network_check(m, c, &ov_mtu, err, errlen);
		if (r < 0)
			return r;
	}

	/* 1. The bridge: made or adopted, as the mode does it (not one still being deleted). */
	manager_link_settle_name(m, c->bridge);
	r = ops->bridge_setup(m, n, adopt, &link, &created, err, errlen);
	if (r < 0)
		return r;
	r = manager_link_index(m, n, n->ifindex, link.ifindex);
	n->ifindex = link.ifindex;
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		goto rollback;
	}

	/* 1b. The tenant's id as the bridge's device group: what the firewall tells tenants by. */
	if (ops->firewall && link.group != network_tenant_id(c->tenant)) {
		r = nl_link_set_group(m->nl, link.ifindex, network_tenant_id(c->tenant));
		if (r < 0) {
			snprintf(err, errlen, "failed to set the tenant's device group on '%s': %s",
				 c->bridge, strerror(-r));
			goto rollback;
		}
		group_changed = true;
	}

	/* 1c. A bridge without the gateway (another host's) answers no ARP (arp_ignore 8): the
	 * host's addresses are not its to announce, e.g. another tenant's gateway of that subnet. */
	if (ops->gateway_address &&
	    (!gateway || (old && !network_overlay_has_gateway(&old->overlay)))) {
		r = nl_link_set_ipv4_conf(m->nl, link.ifindex, IPV4_DEVCONF_ARP_IGNORE,
					  gateway ? 0 : 8);
		if (r < 0) {
			snprintf(err, errlen, "failed to set arp_ignore on '%s': %s", c->bridge,
				 strerror(-r));
			goto rollback;
		}
	}

	/* 2. MTU, only when asked for: otherwise the bridge follows its ports. */
	if (ops->sets_mtu && c->mtu && link.mtu != c->mtu) {
		r = nl_link_set_mtu(m->nl, link.ifindex, c->mtu);
		if (r < 0) {
			snprintf(err, errlen, "failed to set MTU %u on '%s': %s", c->mtu,
				 c->bridge, strerror(-r));
			goto rollback;
		}
	}

	/* 2b. The overlay's VXLAN device on the bridge, and the MTU it leaves. */
	if (ops->overlay) {
		r = overlay_network_up(m, n, &link, ov_mtu, &ov_created, err, errlen);
		if (r < 0)
			goto rollback;
	}

	/* 3. The gateway address, for the modes that have one. */
	/* no gateway here (another host's): every address the bridge has is stale */
	scan.found = !gateway;
	if (!gateway)
		scan.want_len = 255;
	r = !ops->gateway_address ? 0 : nl_addr_dump(m->nl, link.ifindex, network_addr_scan_cb, &scan);
	if (r < 0) {
		snprintf(err, errlen, "failed to read addresses of '%s': %s", c->bridge,
			 strerror(-r));
		goto rollback_overlay;
	}
	if (!scan.found) {
		r = nl_addr_add(m->nl, link.ifindex, c->gateway, c->subnet.prefixlen);
		if (r < 0) {
			char a[INET_ADDRSTRLEN];
			snprintf(err, errlen, "failed to add address %s/%u to '%s': %s",
				 in_addr_to_string(c->gateway, a), c->subnet.prefixlen, c->bridge,
				 strerror(-r));
			goto rollback_overlay;
		}
	}

	/* 3b. The gateway6 (and IPv6 forwarding), for the modes with a gateway. */
	r = gateway ? network6_up(m, n, link.ifindex, &up6, err, errlen) : 0;
	if (r < 0)
		goto rollback_addr;

	/* 4. The rules, in one transaction, only when they differ from what is installed. */
	fw_network_from_config(c, &model);
	hash = fw_network_hash(&model);
	if (ops->firewall && (hash != n->fw_hash || n->fw_unknown)) {
		_cleanup_free_ char *msg = NULL;
		r = network_fw_install(m, n, c, old, &msg);
		if (r < 0) {
			snprintf(err, errlen, "failed to install firewall rules: %s",
				 msg ? msg : strerror(-r));
			goto rollback_addr6;
		}
		fw_changed = true;
		n->fw_hash = hash;
		n->fw_unknown = false;
	}

	/* 5. Forwarding, for the modes that route. */
	if (ops->forwards && gateway) {
		r = network_enable_forwarding(m, c->name);
		if (r < 0) {
			snprintf(err, errlen, "failed to enable IPv4 forwarding: %s", strerror(-r));
			goto rollback_fw;
		}
	}

	/* 6. Up. */
	if (!link.up) {
		r = nl_link_set_up(m->nl, link.ifindex, true);
		if (r < 0) {
			snprintf(err, errlen, "failed to bring '%s' up: %s", c->bridge,
				 strerror(-r));
			goto rollback_fw;
		}
	}

	/* 7. DHCP and DNS on the bridge (re-opened if the bridge was re-created). */
	r = ops->dhcp_dns ? dhcp_service_network_start(n, err, errlen) : 0;
	if (r >= 0 && ops->dhcp_dns)
		r = dns_service_network_start(n, err, errlen);
	/* 7b. Router advertisements, for the modes with a gateway (none without a subnet6). */
	if (r >= 0 && gateway)
		r = ra_network_start(n, err, errlen);
	if (r < 0) {
		dns_service_network_stop(n);
		dhcp_service_network_stop(n);
		goto rollback_fw;
	}

	/* 8. Addresses left from an older definition go last: nothing can fail after this. */
	for (size_t i = 0; i < scan.n_stale; i++) {
		r = nl_addr_del(m->nl, link.ifindex, scan.stale[i].addr, scan.stale[i].prefixlen);
		if (r < 0 && r != -EADDRNOTAVAIL)
			log_warning_errno(r, "Failed to remove stale address from '%s': %m, ignoring",
					  c->bridge);
	}
	network6_up_finish(m, n, link.ifindex, &up6);
	if (ops->overlay)
		overlay_network_finish(m, n, old);
	/* 9. Guest ports: made, adopted, under policy (single failures are only logged). */
	port_service_network_up(n);
	forward_service_network_up(n);
	return 0;

rollback_fw:
	if (fw_changed) {
		/* Put back what was there: the old definition's rules, or none. */
		if (old && old_hash)
			(void)network_fw_install(m, n, old, c, NULL);
		else
			(void)network_fw_remove(m, n, c, NULL);
		n->fw_hash = old_hash;
	}
rollback_addr6:
	network6_up_undo(m, n, link.ifindex, &up6);
rollback_addr:
	if (!created && !scan.found)
		(void)nl_addr_del(m->nl, link.ifindex, c->gateway, c->subnet.prefixlen);
rollback_overlay:
	if (ops->overlay)
		overlay_network_undo(m, n, ov_created);
rollback:
	if (group_changed && !created)
		(void)nl_link_set_group(m->nl, link.ifindex, link.group);
	ops->bridge_undo(m, n, &link, created);
	if (created || !adopt) {
		manager_link_unindex(m, n);
		n->ifindex = 0;
	}
	return r;
}

int network_down(struct manager *m, struct network *n, char *err, size_t errlen)
{
	const struct network_config *c = &n->config;
	const struct network_mode_ops *ops = network_mode_ops(c->mode);
	_cleanup_free_ char *msg = NULL;
	int r = 0;

	if (ops->firewall)
		r = network_fw_remove(m, n, c, &msg);
	if (r < 0) {
		snprintf(err, errlen, "failed to remove firewall rules: %s", msg ? msg : strerror(-r));
		return r;
	}
	ra_network_stop(n, true);
	dhcp_service_network_stop(n);
	dns_service_network_stop(n);
	n->fw_hash = 0;
	n->fw_unknown = false;
	/*
	 * Taps before the bridge: a daemon killed in between restarts with the bridge still
	 * there, which tells it to finish the stop (manager_startup()); the other order would
	 * leave taps nothing explains.
	 */
	port_service_network_down(n);
	if (ops->overlay)
		overlay_network_down(m, n);

	r = ops->bridge_teardown(m, n, err, errlen);
	if (r < 0)
		return r;
	manager_link_unindex(m, n);
	n->ifindex = 0;
	/*
	 * The bindings of its reservations were still wanted above (a network binds addresses
	 * while it has a bridge): with the bridge gone they go too, before the caller answers.
	 */
	port_service_network_changed(n);
	if (m->ports)
		port_service_flush(m->ports);
	forward_service_network_down(n);
	return 0;
}

/* A network without bridge or subnet (macvtap): those keys are null, its macvtap-mode is told. */
static json_t *network_macvtap_to_json(const struct network *n, json_t *allow)
{
	const struct network_config *c = &n->config;
	char policy[300];

	return json_pack("{s:s, s:s, s:s, s:n, s:n, s:n, s:n, s:s, s:s, s:b, s:b, s:b, s:i, s:s, "
			 "s:s, s:o}",
			 "name", c->name, "mode", network_mode_to_string(c->mode), "state",
			 n->active ? "active" : "inactive", "bridge", "subnet", "gateway",
			 "dhcp-range", "uplink", c->uplink, "macvtap-mode",
			 network_macvtap_mode_to_string(c->macvtap_mode), "dhcp", c->dhcp, "dns",
			 c->dns, "autostart", c->autostart, "ifindex", n->active ? n->ifindex : 0,
			 "port-security", network_port_security_to_string(c->port_security),
			 "port-policy", port_service_macvtap_policy(n->manager->ports, n, policy,
								    sizeof(policy)),
			 "allow-attach", allow);
}

/* network_to_json() but for the overlay */
static json_t *network_base_to_json(const struct network *n);
static json_t *network_json_pack(const struct network *n, json_t *allow);

static json_t *json_decref_null(json_t *j)
{
	json_decref(j);
	return NULL;
}

json_t *network_to_json(const struct network *n)
{
	json_t *j = network_base_to_json(n);

	if (j && json_object_set_new(j, "tenant", n->config.tenant[0] ?
				     json_string(n->config.tenant) : json_null()) < 0)
		return json_decref_null(j);
	/* only when start-up left it stopped (manager_startup()): the key is absent otherwise */
	if (j && n->start_refused[0] &&
	    json_object_set_new(j, "start-refused", json_string(n->start_refused)) < 0)
		return json_decref_null(j);
	if (j && n->config.bridge[0] != '\0' &&
	    json_object_set_new(j, "overlay", overlay_to_json(n)) < 0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

static json_t *network_base_to_json(const struct network *n)
{
	const struct network_config *c = &n->config;
	json_t *allow, *obj;

	allow = json_array();
	if (!allow)
		return NULL;
	for (size_t i = 0; i < c->n_allow_attach; i++)
		if (json_array_append_new(allow, json_string(c->allow_attach[i])) < 0) {
			json_decref(allow);
			return NULL;
		}
	if (c->bridge[0] == '\0')   /* macvtap: no bridge */
		obj = network_macvtap_to_json(n, allow);
	else
		obj = network_json_pack(n, allow);
	if (obj && network6_to_json(c, obj) < 0)
		obj = json_decref_null(obj);
	return obj;
}

/* The keys of a network with a bridge ("o" hands 'allow' over, also when packing fails). */
static json_t *network_json_pack(const struct network *n, json_t *allow)
{
	const struct network_config *c = &n->config;
	char subnet[IN_PREFIX_STRLEN], gw[INET_ADDRSTRLEN], first[INET_ADDRSTRLEN],
		last[INET_ADDRSTRLEN], range[2 * INET_ADDRSTRLEN + 1], domain[NETWORK_DOMAIN_MAX + 1];

	in_addr_to_string(c->range_first, first);
	in_addr_to_string(c->range_last, last);
	snprintf(range, sizeof(range), "%s-%s", first, last);
	network_config_domain(c, domain);
	/* mode bridge: no subnet, gateway nor range of ours (null) */
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s, s:I, s:s?, s:b, s:b, s:b, s:i, "
			 "s:I, s:I, s:b, s:s, s:o}",
			 "name", c->name, "mode", network_mode_to_string(c->mode), "state",
			 n->active ? "active" : "inactive", "bridge", c->bridge, "subnet",
			 c->has_subnet ? in_prefix_to_string(&c->subnet, subnet) : NULL, "gateway",
			 c->has_subnet ? in_addr_to_string(c->gateway, gw) : NULL, "dhcp-range",
			 c->has_subnet ? range : NULL, "domain", domain,
			 "mtu", (json_int_t)c->mtu, "uplink", c->uplink[0] ? c->uplink : NULL,
			 "dhcp", c->dhcp, "dns", c->dns, "autostart", c->autostart, "ifindex",
			 n->active ? n->ifindex : 0, "lease-time", (json_int_t)c->lease_time_sec,
			 "dhcp-leases-per-port", (json_int_t)c->dhcp_leases_per_port,
			 "isolate-ports", c->isolate_ports, "port-security",
			 network_port_security_to_string(c->port_security), "allow-attach", allow);
}
