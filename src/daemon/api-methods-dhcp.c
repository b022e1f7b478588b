/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DHCP methods: host.add, host.remove, host.list (reservations) and lease.list. A
 * reservation change is validated, written to the definition atomically, and then handed to
 * the running engine at once: no restart, no other client disturbed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/conf-host.h"
#include "daemon/api-methods-internal.h"
#include "daemon/dhcp-service.h"
#include "daemon/dns-service.h"
#include "daemon/manager-core.h"
#include "daemon/network.h"
#include "daemon/port-service.h"
#include "shared/log.h"

static json_t *host_to_json(const struct network_host *h)
{
	char mac[MAC_STRLEN], ip[INET_ADDRSTRLEN];

	return json_pack("{s:s, s:s, s:s}", "mac", mac_to_string(h->mac, mac), "ip",
			 in_addr_to_string(h->ip, ip), "hostname", h->name);
}

/* Replaces the reservations of 'n' by 'hosts' (taking its contents), durably and live. */
static int api_hosts_commit(struct manager *m, struct network *n, struct network_hosts *hosts,
			    char *err, size_t errlen)
{
	int r = api_save_definition(m, &n->config, hosts, &n->dns_records, &n->ports, err,
				    errlen);

	if (r < 0) {
		network_hosts_done(hosts);
		return r;
	}
	network_hosts_done(&n->hosts);
	n->hosts = *hosts;
	*hosts = (struct network_hosts){ 0 };
	r = dhcp_service_network_reconfigure(n);
	if (r < 0)
		log_warning_errno(r, "Failed to apply reservations of '%s' to its DHCP server: %m",
				  n->config.name);
	r = dns_service_network_reconfigure(n);
	if (r < 0)
		log_warning_errno(r, "Failed to apply reservations of '%s' to its DNS zone: %m",
				  n->config.name);
	port_service_network_changed(n);
	return 0;
}

int api_method_host_add(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	struct network_hosts copy = { 0 };
	struct network_host host = { 0 };
	const char *mac, *ip, *name = "";
	struct network *n;
	json_t *v;
	int r;

	r = api_param_network(m, params, "network", &n, err, errlen);
	if (r >= 0)
		r = api_param_string(params, "mac", &mac, err, errlen);
	if (r >= 0)
		r = api_param_string(params, "ip", &ip, err, errlen);
	if (r < 0)
		return r;
	v = json_object_get(params, "hostname");
	if (json_is_string(v))
		name = json_string_value(v);
	if (mac_from_string(mac, host.mac) < 0) {
		snprintf(err, errlen, "invalid MAC address '%s'", mac);
		return -EINVAL;
	}
	if (in_addr_from_string(ip, &host.ip) < 0) {
		snprintf(err, errlen, "invalid IPv4 address '%s'", ip);
		return -EINVAL;
	}
	if (name[0] && !host_name_is_valid(name)) {
		snprintf(err, errlen, "host name '%s' is not a valid DNS label", name);
		return -EINVAL;
	}
	if (strlen(name) >= sizeof(host.name)) {
		snprintf(err, errlen, "host name '%s' is too long", name);
		return -EINVAL;
	}
	memcpy(host.name, name, strlen(name) + 1);

	r = network_hosts_copy(&copy, &n->hosts);
	if (r < 0)
		return r;
	r = network_hosts_add(&copy, &host, &n->config, err, errlen);
	if (r < 0) {
		network_hosts_done(&copy);
		return r;
	}
	r = api_hosts_commit(m, n, &copy, err, errlen);
	if (r < 0)
		return r;
	log_info("Reservation %s -> %s added to network '%s'", mac, ip, n->config.name);
	*ret = host_to_json(network_hosts_find_mac(&n->hosts, host.mac));
	return *ret ? 0 : -ENOMEM;
}

int api_method_host_remove(struct manager *m, json_t *params, json_t **ret, char *err,
			   size_t errlen)
{
	struct network_hosts copy = { 0 };
	uint8_t addr[6];
	const char *mac;
	struct network *n;
	int r;

	r = api_param_network(m, params, "network", &n, err, errlen);
	if (r >= 0)
		r = api_param_string(params, "mac", &mac, err, errlen);
	if (r < 0)
		return r;
	if (mac_from_string(mac, addr) < 0) {
		snprintf(err, errlen, "invalid MAC address '%s'", mac);
		return -EINVAL;
	}
	const struct network_host *h = network_hosts_find_mac(&n->hosts, addr);
	if (!h) {
		snprintf(err, errlen, "network '%s' has no reservation for %s", n->config.name, mac);
		return -ENOENT;
	}
	*ret = host_to_json(h);
	if (!*ret)
		return -ENOMEM;
	r = network_hosts_copy(&copy, &n->hosts);
	if (r >= 0)
		r = network_hosts_remove(&copy, addr);
	if (r >= 0)
		r = api_hosts_commit(m, n, &copy, err, errlen);
	else
		network_hosts_done(&copy);
	if (r < 0) {
		json_decref(*ret);
		*ret = NULL;
		return r;
	}
	log_info("Reservation for %s removed from network '%s'", mac, n->config.name);
	return 0;
}

int api_method_host_list(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	struct network *n;
	json_t *a;
	int r = api_param_network(m, params, "network", &n, err, errlen);

	if (r < 0)
		return r;
	a = json_array();
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < n->hosts.n; i++)
		if (json_array_append_new(a, host_to_json(&n->hosts.items[i])) < 0) {
			json_decref(a);
			return -ENOMEM;
		}
	*ret = a;
	return 0;
}

int api_method_lease_list(struct manager *m, json_t *params, json_t **ret, char *err,
			  size_t errlen)
{
	struct network *only = NULL;
	json_t *a, *all = json_object_get(params, "all");
	int r;

	if (json_is_string(json_object_get(params, "network"))) {
		r = api_param_network(m, params, "network", &only, err, errlen);
		if (r < 0)
			return r;
	}
	a = json_array();
	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_networks; i++) {
		if (only && m->networks[i] != only)
			continue;
		r = dhcp_service_network_leases_to_json(m->networks[i], json_is_true(all), a);
		if (r < 0) {
			json_decref(a);
			return r;
		}
	}
	*ret = a;
	return 0;
}
