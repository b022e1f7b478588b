/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of api-methods.h: one api_method_<noun>_<verb>() per method, and a table. */
#include "api-methods.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api-proto.h"
#include "daemon/api-methods-internal.h"
#include "daemon/dhcp-service.h"
#include "daemon/dns-service.h"
#include "daemon/forward-service.h"
#include "daemon/ipv6/ra-service.h"
#include "daemon/ipv6/subnet6.h"
#include "daemon/manager.h"
#include "daemon/network.h"
#include "daemon/port-service.h"
#include "daemon/state-dir.h"
#include "event/event.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

int api_param_string(json_t *params, const char *key, const char **ret, char *err, size_t errlen)
{
	json_t *v = json_object_get(params, key);

	if (!json_is_string(v)) {
		snprintf(err, errlen, "missing parameter '%s'", key);
		return -EINVAL;
	}
	*ret = json_string_value(v);
	return 0;
}

int api_param_network(struct manager *m, json_t *params, const char *key, struct network **ret,
		      char *err, size_t errlen)
{
	const char *name;
	int r = api_param_string(params, key, &name, err, errlen);

	if (r < 0)
		return r;
	*ret = manager_find_network(m, name);
	if (!*ret) {
		snprintf(err, errlen, "network '%s' does not exist", name);
		return -ENOENT;
	}
	return 0;
}

int api_save_definition(struct manager *m, const struct network_config *c,
			const struct network_hosts *hosts,
			const struct network_dns_records *records,
			const struct network_ports *ports, char *err, size_t errlen)
{
	const struct network *n = manager_find_network(m, c->name);

	return api_save_definition_full(m, c, hosts, records, ports, n ? &n->forwards : NULL, err,
					errlen);
}

int api_save_definition_full(struct manager *m, const struct network_config *c,
			     const struct network_hosts *hosts,
			     const struct network_dns_records *records,
			     const struct network_ports *ports,
			     const struct network_forwards *forwards, char *err, size_t errlen)
{
	_cleanup_free_ char *text = NULL;
	int r = network_config_format_full(c, hosts, records, ports, forwards, &text);

	if (r >= 0)
		r = state_dir_save_network(m->state, c->name, text);
	if (r < 0)
		snprintf(err, errlen, "failed to save the definition: %s", strerror(-r));
	return r;
}

static int api_method_net_create(struct manager *m, json_t *params, json_t **ret, char *err,
				 size_t errlen)
{
	struct network_config c;
	struct network *n = NULL;
	const char *name, *key;
	json_t *opts, *value;
	int r;

	r = api_param_string(params, "name", &name, err, errlen);
	if (r < 0)
		return r;
	network_config_init(&c);
	r = network_config_set(&c, "name", name, err, errlen);
	if (r < 0)
		return r;
	opts = json_object_get(params, "config");
	if (opts && !json_is_object(opts)) {
		snprintf(err, errlen, "parameter 'config' must be an object");
		return -EINVAL;
	}
	json_object_foreach(opts, key, value) {
		if (!json_is_string(value)) {
			snprintf(err, errlen, "value of '%s' must be a string", key);
			return -EINVAL;
		}
		if (strcmp(key, "name") == 0) {
			snprintf(err, errlen, "the name is given by parameter 'name', not in 'config'");
			return -EINVAL;
		}
		r = network_config_set(&c, key, json_string_value(value), err, errlen);
		if (r < 0)
			return r;
	}
	r = network_config_finish(&c, err, errlen);
	if (r < 0)
		return r;
	if (manager_find_network(m, c.name)) {
		snprintf(err, errlen, "network '%s' already exists", c.name);
		return -EEXIST;
	}
	if (m->n_networks >= MANAGER_NETWORKS_MAX) {
		snprintf(err, errlen, "too many networks (limit %d)", MANAGER_NETWORKS_MAX);
		return -E2BIG;
	}
	r = subnet6_resolve_auto(m, &c, NULL, err, errlen);
	if (r >= 0)
		r = manager_check_conflicts(m, &c, NULL, err, errlen);
	if (r < 0)
		return r;

	r = network_new(m, &c, NULL, NULL, &n);
	if (r < 0)
		return r;
	/*
	 * Durable before the kernel is touched: a daemon killed from here on finds the definition
	 * marked running and brings the network up at its next start (the request rolls forward),
	 * rather than leaving a bridge and rules no definition explains. The marker goes first (a
	 * marker without a definition means nothing); any failure below removes both again.
	 */
	r = state_dir_set_running(m->state, c.name, true);
	if (r < 0) {
		snprintf(err, errlen, "failed to record the network as running: %s", strerror(-r));
		goto fail_definition;
	}
	r = api_save_definition(m, &c, NULL, NULL, NULL, err, errlen);
	if (r < 0)
		goto fail_definition;
	r = network_up(m, n, NULL, false, err, errlen);
	if (r < 0)
		goto fail_definition;
	n->active = true;
	*ret = network_to_json(n);
	r = manager_add_network(m, n);   /* checked for room above: cannot fail but for OOM */
	if (r < 0) {
		json_decref(*ret);
		return r;
	}
	log_info("Network '%s' created and started on '%s'", c.name, c.bridge);
	return 0;

fail_definition:
	(void)state_dir_remove_network(m->state, c.name);
	manager_link_unindex(m, n);
	network_free(n);
	return r;
}

/* Replaces the live kernel state of active 'n' by 'c'; on failure the old state is restored. */
static int api_redefine_active(struct manager *m, struct network *n, const struct network_config *c,
			       char *err, size_t errlen)
{
	struct network_config old = n->config;
	char ignored[256];
	int r;

	if (strcmp(old.bridge, c->bridge) == 0) {
		n->config = *c;
		r = network_up(m, n, &old, true, err, errlen);
		if (r < 0)
			n->config = old;
		return r;
	}
	/* A new bridge: take the old network down, bring the new one up, or go back. */
	r = network_down(m, n, err, errlen);
	if (r < 0)
		return r;
	n->config = *c;
	r = network_up(m, n, NULL, false, err, errlen);
	if (r < 0) {
		n->config = old;
		if (network_up(m, n, NULL, true, ignored, sizeof(ignored)) < 0)
			log_error("Failed to restore network '%s': %s", old.name, ignored);
	}
	return r;
}

/* Replaces n's forwards by '*fs' (taken): index, and the elements when the network runs. */
static void api_define_forwards(struct manager *m, struct network *n, struct network_forwards *fs)
{
	if (n->active)
		forward_service_network_down(n);
	(void)forward_service_index(m, n, &n->forwards, false);
	network_forwards_done(&n->forwards);
	n->forwards = *fs;
	*fs = (struct network_forwards){ 0 };
	if (forward_service_index(m, n, &n->forwards, true) < 0)
		log_error("Out of memory indexing the forwards of '%s'", n->config.name);
	if (n->active)
		forward_service_network_up(n);
}

static int api_method_net_define(struct manager *m, json_t *params, json_t **ret, char *err,
				 size_t errlen)
{
	_cleanup_(network_hosts_done) struct network_hosts hosts = { 0 };
	_cleanup_(network_dns_records_done) struct network_dns_records records = { 0 };
	_cleanup_(network_ports_done) struct network_ports ports = { 0 };
	_cleanup_(network_forwards_done) struct network_forwards forwards = { 0 };
	struct network_config c;
	struct network *n;
	const char *name, *text;
	bool created = false;
	int r;

	r = api_param_string(params, "name", &name, err, errlen);
	if (r < 0)
		return r;
	r = api_param_string(params, "text", &text, err, errlen);
	if (r < 0)
		return r;
	r = network_config_parse_full(text, strlen(text), name, &c, &hosts, &records, &ports,
				      &forwards, err, errlen);
	if (r < 0)
		return r;
	n = manager_find_network(m, c.name);
	r = subnet6_resolve_auto(m, &c, n ? c.name : NULL, err, errlen);
	if (r >= 0)
		r = manager_check_conflicts(m, &c, n ? c.name : NULL, err, errlen);
	/* New host ports are probed for listeners as forward.add does; those the network has
	 * forwarded already are not (they were probed then, and its own DNAT holds no socket) */
	for (size_t i = 0; r >= 0 && i < forwards.n; i++)
		r = forward_service_check_network(m, n, &c, &forwards.items[i],
						  !forward_service_claims(m, n, &forwards.items[i]),
						  err, errlen);
	if (r < 0)
		return r;

	if (!n) {
		if (m->n_networks >= MANAGER_NETWORKS_MAX) {
			snprintf(err, errlen, "too many networks (limit %d)", MANAGER_NETWORKS_MAX);
			return -E2BIG;
		}
		/* A new network is defined inactive, whatever a crashed delete left marked. */
		r = state_dir_set_running(m->state, c.name, false);
		if (r >= 0)
			r = api_save_definition_full(m, &c, &hosts, &records, &ports, &forwards,
						     err, errlen);
		if (r < 0)
			return r;
		r = network_new(m, &c, &hosts, &records, &n);
		if (r >= 0) {
			n->ports = ports;
			ports = (struct network_ports){ 0 };
			n->forwards = forwards;
			forwards = (struct network_forwards){ 0 };
			r = forward_service_index(m, n, &n->forwards, true);
			if (r >= 0)
				r = manager_add_network(m, n);
			else
				network_free(n);
		}
		if (r < 0) {
			(void)state_dir_remove_network(m->state, c.name);
			return r;
		}
		created = true;
	} else {
		struct network_config old = n->config;
		/* Turning DHCP or DNS on or off opens or closes sockets: that is live work too. */
		bool live = n->active && (network_config_kernel_differs(&old, &c) ||
					  old.dhcp != c.dhcp || old.dns != c.dns);

		if (live) {
			r = api_redefine_active(m, n, &c, err, errlen);
			if (r < 0)
				return r;
		}
		r = api_save_definition_full(m, &c, &hosts, &records, &ports, &forwards, err,
					     errlen);
		if (r < 0) {
			char ignored[256];
			if (live && api_redefine_active(m, n, &old, ignored, sizeof(ignored)) < 0)
				log_error("Failed to restore network '%s': %s", old.name, ignored);
			return r;
		}
		n->config = c;
		manager_network_redefined(m, n, &old);
		network_hosts_done(&n->hosts);
		n->hosts = hosts;
		hosts = (struct network_hosts){ 0 };
		network_dns_records_done(&n->dns_records);
		n->dns_records = records;
		records = (struct network_dns_records){ 0 };
		network_ports_done(&n->ports);
		n->ports = ports;
		ports = (struct network_ports){ 0 };
		if (!network_forwards_equal(&n->forwards, &forwards))
			api_define_forwards(m, n, &forwards);
		/* new, dropped or changed ports; port-security or isolate-ports changes */
		if (n->active)
			port_service_network_up(n);
		r = dhcp_service_network_reconfigure(n);
		if (r < 0)
			log_warning_errno(r, "Failed to apply the new definition of '%s' to its DHCP "
					  "server: %m", c.name);
		r = dns_service_network_reconfigure(n);
		if (r < 0)
			log_warning_errno(r, "Failed to apply the new definition of '%s' to its DNS "
					  "zone: %m", c.name);
	}
	log_info("Network '%s' %s", c.name, created ? "defined" : "redefined");
	*ret = network_to_json(n);
	if (*ret && json_object_set_new(*ret, "created", json_boolean(created)) < 0)
		return -ENOMEM;
	return *ret ? 0 : -ENOMEM;
}

static int api_method_net_export(struct manager *m, json_t *params, json_t **ret, char *err,
				 size_t errlen)
{
	_cleanup_free_ char *text = NULL;
	struct network *n;
	int r;

	r = api_param_network(m, params, "name", &n, err, errlen);
	if (r < 0)
		return r;
	r = network_config_format_full(&n->config, &n->hosts, &n->dns_records, &n->ports,
				       &n->forwards, &text);
	if (r < 0)
		return r;
	*ret = json_pack("{s:s}", "text", text);
	return *ret ? 0 : -ENOMEM;
}

static int api_method_net_start(struct manager *m, json_t *params, json_t **ret, char *err,
				size_t errlen)
{
	struct network *n;
	char ignored[256];
	int r;

	r = api_param_network(m, params, "name", &n, err, errlen);
	if (r < 0)
		return r;
	if (n->active) {
		snprintf(err, errlen, "network '%s' is already active", n->config.name);
		return -EALREADY;
	}
	r = manager_check_conflicts(m, &n->config, n->config.name, err, errlen);
	if (r < 0)
		return r;
	r = network_up(m, n, NULL, true, err, errlen);
	if (r < 0)
		return r;
	r = state_dir_set_running(m->state, n->config.name, true);
	if (r < 0) {
		snprintf(err, errlen, "failed to record the network as running: %s", strerror(-r));
		(void)network_down(m, n, ignored, sizeof(ignored));
		return r;
	}
	n->active = true;
	n->start_refused[0] = '\0';
	log_info("Network '%s' started", n->config.name);
	*ret = network_to_json(n);
	return *ret ? 0 : -ENOMEM;
}

static int api_method_net_stop(struct manager *m, json_t *params, json_t **ret, char *err,
			       size_t errlen)
{
	struct network *n;
	int r;

	r = api_param_network(m, params, "name", &n, err, errlen);
	if (r < 0)
		return r;
	if (!n->active) {
		snprintf(err, errlen, "network '%s' is not active", n->config.name);
		return -EALREADY;
	}
	r = state_dir_set_running(m->state, n->config.name, false);
	if (r < 0) {
		snprintf(err, errlen, "failed to record the network as stopped: %s", strerror(-r));
		return r;
	}
	r = network_down(m, n, err, errlen);
	if (r < 0) {
		(void)state_dir_set_running(m->state, n->config.name, true);
		return r;
	}
	n->active = false;
	log_info("Network '%s' stopped", n->config.name);
	*ret = network_to_json(n);
	return *ret ? 0 : -ENOMEM;
}

static int api_method_net_delete(struct manager *m, json_t *params, json_t **ret, char *err,
				 size_t errlen)
{
	struct network *n;
	int r;

	r = api_param_network(m, params, "name", &n, err, errlen);
	if (r < 0)
		return r;
	if (n->active) {
		r = network_down(m, n, err, errlen);
		if (r < 0)
			return r;
		n->active = false;
	}
	r = state_dir_remove_network(m->state, n->config.name);
	if (r < 0) {
		snprintf(err, errlen, "failed to remove the definition: %s", strerror(-r));
		return r;
	}
	r = api_doctor_network_deleted(m, n->config.name);
	if (r < 0)
		log_warning_errno(r, "Failed to remove the doctor's rules of network '%s': %m",
				  n->config.name);
	r = dhcp_service_network_forget_leases(n);
	if (r < 0)
		log_warning_errno(r, "Failed to forget the leases of network '%s': %m",
				  n->config.name);
	log_info("Network '%s' deleted", n->config.name);
	*ret = json_pack("{s:s}", "name", n->config.name);
	manager_remove_network(m, n);
	return *ret ? 0 : -ENOMEM;
}

static int api_method_net_show(struct manager *m, json_t *params, json_t **ret, char *err,
			       size_t errlen)
{
	struct network *n;
	int r = api_param_network(m, params, "name", &n, err, errlen);

	if (r < 0)
		return r;
	*ret = network_to_json(n);
	if (!*ret)
		return -ENOMEM;
	json_t *stats = dhcp_service_network_stats_to_json(n);
	if (stats && json_object_set_new(*ret, "dhcp-stats", stats) < 0)
		return -ENOMEM;
	stats = dns_service_network_stats_to_json(n);
	if (stats && json_object_set_new(*ret, "dns-stats", stats) < 0)
		return -ENOMEM;
	stats = ra_network_stats_to_json(n);
	if (stats && json_object_set_new(*ret, "ra-stats", stats) < 0)
		return -ENOMEM;
	return 0;
}

static int api_method_net_list(struct manager *m, json_t *params, json_t **ret, char *err,
			       size_t errlen)
{
	json_t *a = json_array();

	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < m->n_networks; i++)
		if (json_array_append_new(a, network_to_json(m->networks[i])) < 0) {
			json_decref(a);
			return -ENOMEM;
		}
	*ret = a;
	return 0;
}

static int api_method_status(struct manager *m, json_t *params, json_t **ret, char *err,
			     size_t errlen)
{
	struct event_loop_stats ls;
	size_t active = 0;

	for (size_t i = 0; i < m->n_networks; i++)
		active += m->networks[i]->active;
	event_loop_get_stats(m->loop, &ls);
	*ret = json_pack("{s:s, s:i, s:I, s:I, s:I, s:s, s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
			 "version", KVMNET_VERSION, "pid", (int)getpid(), "uptime-sec",
			 (json_int_t)((now_usec() - m->start_usec) / 1000000), "networks",
			 (json_int_t)m->n_networks, "active", (json_int_t)active, "state-dir",
			 state_dir_path(m->state), "loop", "rounds", (json_int_t)ls.rounds,
			 "busy-usec", (json_int_t)ls.busy_usec, "max-round-usec",
			 (json_int_t)ls.max_round_usec, "max-round-cpu-usec",
			 (json_int_t)ls.max_round_cpu_usec, "rounds-over-100ms",
			 (json_int_t)ls.rounds_over_100ms, "rounds-over-1s",
			 (json_int_t)ls.rounds_over_1s);
	return *ret ? 0 : -ENOMEM;
}

static int api_method_version(struct manager *m, json_t *params, json_t **ret, char *err,
			      size_t errlen)
{
	*ret = json_pack("{s:s, s:i}", "version", KVMNET_VERSION, "api", KVMNET_API_VERSION);
	return *ret ? 0 : -ENOMEM;
}

static const struct {
	const char *name;
	api_method_fn fn;
} api_methods[] = {
	{ "net.create", api_method_net_create }, { "net.define", api_method_net_define },
	{ "net.export", api_method_net_export }, { "net.start", api_method_net_start },
	{ "net.stop", api_method_net_stop },     { "net.delete", api_method_net_delete },
	{ "net.show", api_method_net_show },     { "net.list", api_method_net_list },
	{ "host.add", api_method_host_add },     { "host.remove", api_method_host_remove },
	{ "host.list", api_method_host_list },   { "lease.list", api_method_lease_list },
	{ "port.add", api_method_port_add },     { "port.remove", api_method_port_remove },
	{ "port.list", api_method_port_list },     { "graph", api_method_graph },
	{ "lab.validate", api_method_lab_validate }, { "lab.up", api_method_lab_up },
	{ "lab.status", api_method_lab_status },     { "lab.down", api_method_lab_down },
	{ "lab.set", api_method_lab_set },           { "lab.link", api_method_lab_link },
	{ "forward.add", api_method_forward_add },
	{ "forward.remove", api_method_forward_remove },
	{ "forward.list", api_method_forward_list },
	{ "status", api_method_status },         { "version", api_method_version },
};

/*
 * Reasons quote what the client sent (names, keys, values): a control character there (a
 * newline in a JSON key, found by fuzz-api-proto) would break the one-line error contract.
 */
static void api_err_one_line(char *err)
{
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
}

static int api_methods_call(struct manager *m, struct api_call *call, const char *method,
			    json_t *params, json_t **ret_result, char *err, size_t errlen)
{
	if (strcmp(method, "doctor.check") == 0 || strcmp(method, "doctor.fix") == 0)
		return api_method_doctor(m, method, params, ret_result, err, errlen);
	if (strcmp(method, "port.attach") == 0)
		return api_method_port_attach(m, call, params, ret_result, err, errlen);
	for (size_t i = 0; i < ELEMENTSOF(api_methods); i++)
		if (strcmp(api_methods[i].name, method) == 0)
			return api_methods[i].fn(m, params, ret_result, err, errlen);
	snprintf(err, errlen, "unknown method '%s'", method);
	return -ENOSYS;
}

int api_methods_dispatch(struct manager *m, struct api_call *call, const char *method,
			 json_t *params, json_t **ret_result, char *err, size_t errlen)
{
	int r = api_methods_call(m, call, method, params, ret_result, err, errlen);

	if (r < 0 && errlen > 0)
		api_err_one_line(err);
	return r;
}
