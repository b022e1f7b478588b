/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A lab file checked against the host, and its JSON description (lab-plan.h). */
#include "daemon/lab/lab-plan.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/manager.h"
#include "shared/in-addr-util.h"

int lab_plan_validate(struct manager *m, const char *text, size_t len, const char *file,
		      struct lab_config *ret, char *err, size_t errlen)
{
	char name[LAB_NAME_MAX + 1] = "", msg[512];
	int r;

	if (file)
		lab_name_from_path(file, name);
	r = lab_config_parse(text, len, file ? name : NULL, ret, err, errlen);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ret->n_networks; i++) {
		const struct lab_network *n = &ret->networks[i];

		if (manager_find_network(m, n->config.name)) {
			snprintf(err, errlen, "line %d: network %s already exists on this host",
				 n->line, n->config.name);
			r = -EEXIST;
			break;
		}
		r = manager_check_conflicts(m, &n->config, NULL, msg, sizeof(msg));
		if (r < 0) {
			snprintf(err, errlen, "line %d: network %s: %s", n->line, n->config.name,
				 msg);
			break;
		}
	}
	if (r < 0)
		lab_config_done(ret);
	return r;
}

static json_t *nic_to_json(const struct lab_nic *nic)
{
	static const char *const keys[] = { "rate", "loss", "delay", "jitter" };
	char ip[INET_ADDRSTRLEN], buf[24];
	json_t *o = json_pack("{s:s, s:s?}", "network", nic->network, "address",
			      nic->has_ip ? in_addr_to_string(nic->ip, ip) : NULL);

	for (size_t i = 0; o && i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_set_new(o, keys[i], json_string(lab_impair_to_string(
						&nic->impair, keys[i], buf, sizeof(buf)))) < 0) {
			json_decref(o);
			return NULL;
		}
	return o;
}

static json_t *node_to_json(const struct lab_node *node)
{
	json_t *nics = json_array(), *listen, *o;

	for (size_t i = 0; nics && i < node->n_nics; i++)
		if (json_array_append_new(nics, nic_to_json(&node->nics[i])) < 0) {
			json_decref(nics);
			return NULL;
		}
	if (!nics)
		return NULL;
	listen = json_array();
	for (size_t i = 0; listen && i < node->n_listen; i++)
		json_array_append_new(listen, json_integer(node->listen[i]));
	if (!listen) {
		json_decref(nics);
		return NULL;
	}
	o = json_pack("{s:s, s:s, s:o, s:o}", "name", node->name, "kind",
		      lab_node_kind_to_string(node->kind), "nics", nics, "listen", listen);
	if (o && node->kind == LAB_NODE_QEMU &&
	    (json_object_set_new(o, "memory", json_integer(node->memory_mib)) < 0 ||
	     json_object_set_new(o, "cpus", json_integer(node->cpus)) < 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *network_to_json_short(const struct network_config *c)
{
	char subnet[IN_PREFIX_STRLEN], gw[INET_ADDRSTRLEN];

	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", c->name, "mode",
			 network_mode_to_string(c->mode), "subnet",
			 in_prefix_to_string(&c->subnet, subnet), "gateway",
			 in_addr_to_string(c->gateway, gw), "dhcp", c->dhcp);
}

static json_t *forward_to_json(const struct lab_forward *f)
{
	const struct network_forward *w = &f->fwd;
	char host[16], to[48], ip[INET_ADDRSTRLEN], haddr[INET_ADDRSTRLEN];

	if (w->host_port_first == w->host_port_last)
		snprintf(host, sizeof(host), "%u", w->host_port_first);
	else
		snprintf(host, sizeof(host), "%u-%u", w->host_port_first, w->host_port_last);
	if (w->to_port_first == w->to_port_last)
		snprintf(to, sizeof(to), "%s:%u", f->node, w->to_port_first);
	else
		snprintf(to, sizeof(to), "%s:%u-%u", f->node, w->to_port_first, w->to_port_last);
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s}", "name", w->name, "network",
			 f->network, "proto", forward_proto_to_string(w->proto), "host-port", host,
			 "host-address",
			 w->has_host_address ? in_addr_to_string(w->host_address, haddr) : NULL,
			 "to", to, "to-address", in_addr_to_string(w->to_addr, ip));
}

json_t *lab_config_to_json(const struct lab_config *c)
{
	json_t *nets = json_array(), *nodes = json_array(), *checks = json_array();
	json_t *fwds = json_array();
	bool ok = nets && nodes && checks && fwds;

	for (size_t i = 0; ok && i < c->n_networks; i++)
		ok = json_array_append_new(nets, network_to_json_short(&c->networks[i].config)) == 0;
	for (size_t i = 0; ok && i < c->n_nodes; i++)
		ok = json_array_append_new(nodes, node_to_json(&c->nodes[i])) == 0;
	for (size_t i = 0; ok && i < c->n_checks; i++) {
		const struct lab_check *ch = &c->checks[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s}", "name", ch->name, "from",
				      ch->from, "to", ch->to, "port",
				      ch->port ? json_integer(ch->port) : json_null(), "expect",
				      lab_expect_to_string(ch->expect));

		ok = json_array_append_new(checks, o) == 0;
	}
	for (size_t i = 0; ok && i < c->n_forwards; i++)
		ok = json_array_append_new(fwds, forward_to_json(&c->forwards[i])) == 0;
	if (ok)
		return json_pack("{s:s, s:o, s:o, s:o, s:o}", "name", c->name, "networks", nets,
				 "nodes", nodes, "checks", checks, "forwards", fwds);
	json_decref(fwds);
	json_decref(nets);
	json_decref(nodes);
	json_decref(checks);
	return NULL;
}
