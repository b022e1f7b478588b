/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The port-forward methods: forward.add, forward.remove, forward.list. A new forward is checked
 * on its own and against the network, then against every network's forwards (the index) and the
 * host's listening sockets; its map elements go in when the network runs, then the definition is
 * written; if the write fails the elements are taken out again. Nothing else in the ruleset moves.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config/conf-forward.h"
#include "daemon/api-methods-internal.h"
#include "daemon/forward-service.h"
#include "daemon/manager-core.h"
#include "daemon/network-mode.h"
#include "daemon/network.h"
#include "shared/log.h"

/* Optional string parameter 'key': NULL when absent or null. */
static int param_opt_string(json_t *params, const char *key, const char **ret, char *err,
			    size_t errlen)
{
	json_t *v = json_object_get(params, key);

	*ret = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		snprintf(err, errlen, "parameter '%s' must be a string", key);
		return -EINVAL;
	}
	*ret = json_string_value(v);
	return 0;
}

/* Builds the forward of a forward.add request, finished against network 'n'. */
static int forward_from_params(json_t *params, const struct network *n, struct network_forward *f,
			       char *err, size_t errlen)
{
	static const char *const keys[] = { "proto", "host-port", "to" };
	const char *v, *name;
	int r;

	network_forward_init(f);
	for (size_t i = 0; i < 3; i++) {
		r = api_param_string(params, keys[i], &v, err, errlen);
		if (r >= 0)
			r = network_forward_set(f, keys[i], v, err, errlen);
		if (r < 0)
			return -EINVAL;
	}
	r = param_opt_string(params, "host-address", &v, err, errlen);
	if (r >= 0 && v)
		r = network_forward_set(f, "host-address", v, err, errlen);
	if (r >= 0)
		r = param_opt_string(params, "name", &name, err, errlen);
	if (r < 0)
		return -EINVAL;
	if (name) {
		if (!network_forward_name_is_valid(name)) {
			snprintf(err, errlen, "invalid forward name '%.64s': expected "
				 "[a-z0-9][a-z0-9_.-]{0,62}", name);
			return -EINVAL;
		}
		snprintf(f->name, sizeof(f->name), "%s", name);
	} else
		network_forward_default_name(f, f->name);
	return network_forward_finish(f, &n->config, err, errlen);
}

static json_t *forward_to_json(const struct network *n, const struct network_forward *f)
{
	char hp[16], tp[16], to[INET_ADDRSTRLEN + 16], a[INET_ADDRSTRLEN], ha[INET_ADDRSTRLEN];

	if (f->host_port_first == f->host_port_last)
		snprintf(hp, sizeof(hp), "%u", f->host_port_first);
	else
		snprintf(hp, sizeof(hp), "%u-%u", f->host_port_first, f->host_port_last);
	if (f->to_port_first == f->to_port_last)
		snprintf(tp, sizeof(tp), "%u", f->to_port_first);
	else
		snprintf(tp, sizeof(tp), "%u-%u", f->to_port_first, f->to_port_last);
	snprintf(to, sizeof(to), "%s:%s", in_addr_to_string(f->to_addr, a), tp);
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s}", "network", n->config.name,
			 "name", f->name, "proto", forward_proto_to_string(f->proto), "host-port",
			 hp, "host-address",
			 f->has_host_address ? in_addr_to_string(f->host_address, ha) : NULL, "to",
			 to, "to-ip", a, "state", n->active ? "active" : "inactive");
}

int api_method_forward_add(struct manager *m, json_t *params, json_t **ret, char *err,
			   size_t errlen)
{
	_cleanup_(network_forwards_done) struct network_forwards copy = { 0 };
	struct network_forward f;
	struct network *n;
	char ignored[256];
	int r;

	r = api_param_network(m, params, "network", &n, err, errlen);
	if (r < 0)
		return r;
	r = forward_from_params(params, n, &f, err, errlen);
	if (r < 0)
		return r;
	r = forward_service_check_network(m, n, &n->config, &f, true, err, errlen);
	if (r < 0)
		return r;
	r = network_forwards_copy(&copy, &n->forwards);
	if (r >= 0)
		r = network_forwards_add(&copy, &f, err, errlen);
	if (r < 0)
		return r;
	if (n->active) {
		r = forward_service_apply(m, &f, true, err, errlen);
		if (r < 0)
			return r;
	}
	r = api_save_definition_full(m, &n->config, &n->hosts, &n->dns_records, &n->ports, &copy,
				     err, errlen);
	if (r >= 0) {
		(void)forward_service_index(m, n, &n->forwards, false);
		network_forwards_done(&n->forwards);
		n->forwards = copy;
		copy = (struct network_forwards){ 0 };
		r = forward_service_index(m, n, &n->forwards, true);
	}
	if (r < 0) {
		if (n->active)
			(void)forward_service_apply(m, &f, false, ignored, sizeof(ignored));
		return r;
	}
	log_info("Network '%s': forward %s added", n->config.name, f.name);
	*ret = forward_to_json(n, network_forwards_find(&n->forwards, f.name));
	return *ret ? 0 : -ENOMEM;
}

/* The forward a forward.remove request names: by "name", or by proto, host-port, host-address. */
static int forward_find(json_t *params, const struct network *n,
			const struct network_forward **ret, char *err, size_t errlen)
{
	const char *name, *proto, *port, *addr;
	struct network_forward key;
	int r;

	r = param_opt_string(params, "name", &name, err, errlen);
	if (r < 0)
		return r;
	if (name) {
		*ret = network_forwards_find(&n->forwards, name);
		if (!*ret) {
			snprintf(err, errlen, "network %s has no forward %.64s", n->config.name, name);
			return -ENOENT;
		}
		return 0;
	}
	network_forward_init(&key);
	r = api_param_string(params, "proto", &proto, err, errlen);
	if (r >= 0)
		r = network_forward_set(&key, "proto", proto, err, errlen);
	if (r >= 0)
		r = api_param_string(params, "host-port", &port, err, errlen);
	if (r >= 0)
		r = network_forward_set(&key, "host-port", port, err, errlen);
	if (r >= 0)
		r = param_opt_string(params, "host-address", &addr, err, errlen);
	if (r >= 0 && addr)
		r = network_forward_set(&key, "host-address", addr, err, errlen);
	if (r < 0)
		return -EINVAL;
	*ret = network_forwards_find_port(&n->forwards, key.proto, key.host_port_first,
					  key.has_host_address ? &key.host_address : NULL);
	if (!*ret) {
		snprintf(err, errlen, "network %s has no %s forward from host port %s%s%s",
			 n->config.name, proto, port, addr ? " on " : "", addr ? addr : "");
		return -ENOENT;
	}
	return 0;
}

int api_method_forward_remove(struct manager *m, json_t *params, json_t **ret, char *err,
			      size_t errlen)
{
	_cleanup_(network_forwards_done) struct network_forwards copy = { 0 };
	const struct network_forward *found;
	struct network_forward f;
	struct network *n;
	char ignored[256];
	int r;

	r = api_param_network(m, params, "network", &n, err, errlen);
	if (r < 0)
		return r;
	r = forward_find(params, n, &found, err, errlen);
	if (r < 0)
		return r;
	f = *found;
	r = network_forwards_copy(&copy, &n->forwards);
	if (r < 0)
		return r;
	(void)network_forwards_remove(&copy, f.name);
	if (n->active) {
		r = forward_service_apply(m, &f, false, err, errlen);
		if (r < 0)
			return r;
	}
	r = api_save_definition_full(m, &n->config, &n->hosts, &n->dns_records, &n->ports, &copy,
				     err, errlen);
	if (r < 0) {
		if (n->active)
			(void)forward_service_apply(m, &f, true, ignored, sizeof(ignored));
		return r;
	}
	(void)forward_service_index(m, n, &n->forwards, false);
	network_forwards_done(&n->forwards);
	n->forwards = copy;
	copy = (struct network_forwards){ 0 };
	/* Fewer claims than before: no allocation can fail but the first. */
	(void)forward_service_index(m, n, &n->forwards, true);
	log_info("Network '%s': forward %s removed", n->config.name, f.name);
	*ret = json_pack("{s:s, s:s}", "network", n->config.name, "name", f.name);
	return *ret ? 0 : -ENOMEM;
}

static int append_forwards(json_t *arr, const struct network *n)
{
	for (size_t i = 0; i < n->forwards.n; i++)
		if (json_array_append_new(arr, forward_to_json(n, &n->forwards.items[i])) < 0)
			return -ENOMEM;
	return 0;
}

int api_method_forward_list(struct manager *m, json_t *params, json_t **ret, char *err,
			    size_t errlen)
{
	json_t *arr = json_array();
	int r = 0;

	if (!arr)
		return -ENOMEM;
	if (params && json_object_get(params, "network") &&
	    !json_is_null(json_object_get(params, "network"))) {
		struct network *n;

		r = api_param_network(m, params, "network", &n, err, errlen);
		if (r >= 0)
			r = append_forwards(arr, n);
	} else
		for (size_t i = 0; r >= 0 && i < m->n_networks; i++)
			r = append_forwards(arr, m->networks[i]);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*ret = arr;
	return 0;
}
