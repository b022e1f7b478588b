/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The port methods: port.add, port.remove, port.list, and port.attach (QEMU's bridge helper,
 * which gets the tap's fd with the reply). A defined port is validated, made in the kernel,
 * then written to the definition; if the write fails the tap is deleted again.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config/conf-port.h"
#include "daemon/api-methods-internal.h"
#include "daemon/api-methods.h"
#include "daemon/manager-core.h"
#include "daemon/network.h"
#include "daemon/port-service.h"
#include "netlink/nl-link.h"
#include "shared/log.h"

/* Whether any network's definition has a port named 'name'; its network in '*ret'. */
static bool port_defined_anywhere(struct manager *m, const char *name, struct network **ret)
{
	for (size_t i = 0; i < m->n_networks; i++)
		if (network_ports_find(&m->networks[i]->ports, name)) {
			if (ret)
				*ret = m->networks[i];
			return true;
		}
	return false;
}

static bool ifname_taken(struct manager *m, const char *name)
{
	struct nl_link_info link;

	return port_defined_anywhere(m, name, NULL) || nl_link_get_by_name(m->nl, name, &link) >= 0;
}

/* Whether optional parameter 'key' was given: absent and null (the CLI's "s:s?") are not. */
static bool param_present(json_t *params, const char *key)
{
	json_t *v = json_object_get(params, key);

	return v && !json_is_null(v);
}

/* Picks the lowest free "kntN": free in every definition and in the kernel. */
static int port_pick_name(struct manager *m, char name[IFNAMSIZ])
{
	for (unsigned i = 0; i < 100000; i++) {
		snprintf(name, IFNAMSIZ, "knt%u", i);
		if (!ifname_taken(m, name))
			return 0;
	}
	return -ENOSPC;
}

/* Reads optional parameter 'key' (a string or an integer) as text into 'buf'. */
static int param_text(json_t *params, const char *key, char *buf, size_t size, bool *ret_set,
		      char *err, size_t errlen)
{
	json_t *v = json_object_get(params, key);

	*ret_set = false;
	if (!v || json_is_null(v))
		return 0;
	if (json_is_string(v))
		snprintf(buf, size, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else {
		snprintf(err, errlen, "parameter '%s' must be a string or a number", key);
		return -EINVAL;
	}
	*ret_set = true;
	return 0;
}

/*
 * What a macvtap network's port may not be: with queues or a rate (not supported on macvtap
 * devices here), or a second port of a passthrough network (the uplink goes to one guest). A port
 * without --mac gets one now: the guest must use its macvtap's address, so it is kept.
 */
static int macvtap_port_check(const struct network *n, struct network_port *port, char *err,
			      size_t errlen)
{
	if (port->queues > 1 || port->rate_mbit) {
		snprintf(err, errlen, "--%s is not supported on macvtap network '%s'",
			 port->queues > 1 ? "queues" : "rate", n->config.name);
		return -EINVAL;
	}
	if (n->config.macvtap_mode == NETWORK_MACVTAP_PASSTHRU && n->ports.n > 0) {
		snprintf(err, errlen, "macvtap network '%s' is in passthrough mode and has port '%s' "
			 "already: passthrough gives the whole uplink to one guest",
			 n->config.name, n->ports.items[0].name);
		return -EBUSY;
	}
	if (!port->has_mac) {
		port_service_random_guest_mac(port->mac);
		port->has_mac = true;
	}
	return 0;
}

int api_method_port_add(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	static const char *const keys[] = { "mac", "owner", "queues", "rate" };
	_cleanup_(network_ports_done) struct network_ports copy = { 0 };
	struct network_port port;
	struct network *n, *other;
	char buf[256];
	bool set;
	int r;

	r = api_param_network(m, params, "network", &n, err, errlen);
	if (r < 0)
		return r;
	network_port_init(&port);
	for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
		r = param_text(params, keys[i], buf, sizeof(buf), &set, err, errlen);
		if (r < 0)
			return r;
		if (set) {
			r = network_port_set(&port, keys[i], buf, err, errlen);
			if (r < 0)
				return r;
		}
	}
	r = param_text(params, "name", buf, sizeof(buf), &set, err, errlen);
	if (r < 0)
		return r;
	if (set && buf[0]) {
		if (!ifname_is_valid(buf)) {
			snprintf(err, errlen, "invalid port name '%s': must be 1-15 characters from "
				 "A-Z a-z 0-9 _ . -", buf);
			return -EINVAL;
		}
		if (port_defined_anywhere(m, buf, &other)) {
			snprintf(err, errlen, "port '%s' already exists in network '%s'", buf,
				 other->config.name);
			return -EEXIST;
		}
		if (ifname_taken(m, buf)) {
			snprintf(err, errlen, "interface '%s' already exists", buf);
			return -EEXIST;
		}
		memcpy(port.name, buf, strlen(buf) + 1); /* ifname_is_valid(): < IFNAMSIZ */
	} else if (port_pick_name(m, port.name) < 0) {
		snprintf(err, errlen, "no free port name");
		return -ENOSPC;
	}

	if (n->config.mode == NETWORK_MODE_MACVTAP) {
		r = macvtap_port_check(n, &port, err, errlen);
		if (r < 0)
			return r;
	}
	r = network_ports_copy(&copy, &n->ports);
	if (r < 0)
		return r;
	r = network_ports_add(&copy, &port, &n->config, err, errlen);
	if (r < 0)
		return r;
	/*
	 * The definition first: a daemon killed after it finds the port defined and makes its tap
	 * at the next start, where the other order would leave a tap no definition explains.
	 */
	r = api_save_definition(m, &n->config, &n->hosts, &n->dns_records, &copy, err, errlen);
	if (r < 0)
		return r;
	r = port_service_add(n, &port, err, errlen);
	if (r < 0) {
		char ignored[256];
		if (api_save_definition(m, &n->config, &n->hosts, &n->dns_records, &n->ports,
					ignored, sizeof(ignored)) < 0)
			log_error("Failed to restore the definition of network '%s': %s",
				  n->config.name, ignored);
		return r;
	}
	network_ports_done(&n->ports);
	n->ports = copy;
	copy = (struct network_ports){ 0 };
	if (n->config.mode == NETWORK_MODE_MACVTAP) {
		char mac[MAC_STRLEN];
		*ret = json_pack("{s:s, s:s, s:b, s:s, s:s?}", "name", port.name, "network",
				 n->config.name, "active", n->active, "mac",
				 mac_to_string(port.mac, mac), "device",
				 port_service_device(m->ports, port.name));
	} else
		*ret = json_pack("{s:s, s:s, s:b}", "name", port.name, "network", n->config.name,
				 "active", n->active);
	return *ret ? 0 : -ENOMEM;
}

int api_method_port_remove(struct manager *m, json_t *params, json_t **ret, char *err,
			   size_t errlen)
{
	_cleanup_(network_ports_done) struct network_ports copy = { 0 };
	struct network *n = NULL;
	const char *name;
	char net[NETWORK_NAME_MAX + 1];
	int r;

	r = api_param_string(params, "name", &name, err, errlen);
	if (r < 0)
		return r;
	if (param_present(params, "network")) {
		r = api_param_network(m, params, "network", &n, err, errlen);
		if (r < 0)
			return r;
		if (!network_ports_find(&n->ports, name) &&
		    !(port_service_find_transient(m->ports, name, net, sizeof(net)) &&
		      strcmp(net, n->config.name) == 0)) {
			snprintf(err, errlen, "network '%s' has no port '%s'", n->config.name, name);
			return -ENOENT;
		}
	}
	if (!n && !port_defined_anywhere(m, name, &n)) {
		if (!port_service_find_transient(m->ports, name, net, sizeof(net))) {
			snprintf(err, errlen, "port '%s' does not exist", name);
			return -ENOENT;
		}
		n = manager_find_network(m, net);
	}
	if (!network_ports_find(&n->ports, name)) {
		r = port_service_remove_transient(m->ports, name, err, errlen);
		if (r < 0)
			return r;
	} else {
		r = network_ports_copy(&copy, &n->ports);
		if (r >= 0)
			r = network_ports_remove(&copy, name);
		if (r < 0)
			return r;
		/*
		 * The tap first, then the definition: a daemon killed in between finds the port
		 * still defined and makes its tap again (the request did not happen), where the
		 * other order would leave a tap no definition explains.
		 */
		struct network_port old = *network_ports_find(&n->ports, name);
		(void)port_service_remove_defined(n, name);
		r = api_save_definition(m, &n->config, &n->hosts, &n->dns_records, &copy, err,
					errlen);
		if (r < 0) {
			char ignored[256];
			if (port_service_add(n, &old, ignored, sizeof(ignored)) < 0)
				log_error("Failed to restore port '%s': %s", old.name, ignored);
			return r;
		}
		network_ports_done(&n->ports);
		n->ports = copy;
		copy = (struct network_ports){ 0 };
	}
	log_info("Port '%s' removed from network '%s'", name, n->config.name);
	*ret = json_pack("{s:s, s:s}", "name", name, "network", n->config.name);
	return *ret ? 0 : -ENOMEM;
}

int api_method_port_list(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	struct network *n = NULL;
	json_t *a;
	int r;

	if (param_present(params, "network")) {
		r = api_param_network(m, params, "network", &n, err, errlen);
		if (r < 0)
			return r;
	}
	a = json_array();
	if (!a)
		return -ENOMEM;
	r = port_service_list_json(m->ports, n, a);
	if (r < 0) {
		json_decref(a);
		return r;
	}
	/* defined ports of inactive networks exist only on paper */
	for (size_t i = 0; i < m->n_networks; i++) {
		struct network *k = m->networks[i];
		if ((n && k != n) || k->active)
			continue;
		for (size_t j = 0; j < k->ports.n; j++) {
			json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", k->ports.items[j].name,
					      "network", k->config.name, "origin", "defined",
					      "state", "inactive");
			if (!o || json_array_append_new(a, o) < 0) {
				json_decref(a);
				return -ENOMEM;
			}
		}
	}
	*ret = a;
	return 0;
}

int api_method_port_attach(struct manager *m, struct api_call *call, json_t *params,
			   json_t **ret, char *err, size_t errlen)
{
	struct network *n = NULL;
	const char *bridge;
	char name[IFNAMSIZ];
	json_t *v;
	int r;

	r = api_param_string(params, "bridge", &bridge, err, errlen);
	if (r < 0)
		return r;
	v = json_object_get(params, "vnet_hdr");
	for (size_t i = 0; i < m->n_networks; i++)
		if (strcmp(m->networks[i]->config.bridge, bridge) == 0)
			n = m->networks[i];
	if (!n) {
		snprintf(err, errlen, "'%s' is not the bridge of a kvmnet network", bridge);
		return -ENOENT;
	}
	r = port_service_attach(n, &call->cred, v ? json_is_true(v) : true, &call->fd, name, err,
				errlen);
	if (r < 0)
		return r;
	*ret = json_pack("{s:s, s:s}", "name", name, "network", n->config.name);
	return *ret ? 0 : -ENOMEM;
}
