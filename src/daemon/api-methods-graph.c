/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The 'graph' method: the whole topology in one document, taken in one turn of the event loop
 * (one consistent snapshot): the networks (each with its reservations), the ports and the bound
 * leases, exactly as net.list, host.list, port.list and lease.list give them, and the labs, as
 * lab.status gives each (without its progress lines).
 */
#include <errno.h>

#include "daemon/api-methods-internal.h"
#include "daemon/lab/lab-engine.h"
#include "daemon/manager-core.h"
#include "daemon/network.h"

static json_t *labs_json(const struct lab_engine *e)
{
	json_t *labs = json_array();

	for (size_t i = 0; labs && e && i < e->n_labs; i++) {
		const struct lab *l = e->labs[i];
		if (json_array_append_new(labs, lab_engine_status_json(l, l->n_events)) < 0) {
			json_decref(labs);
			return NULL;
		}
	}
	return labs;
}

int api_method_graph(struct manager *m, json_t *params, json_t **ret, char *err, size_t errlen)
{
	json_t *nets = json_array(), *ports = NULL, *leases = NULL, *labs = NULL;
	json_t *none = json_object();
	int r = nets && none ? 0 : -ENOMEM;

	for (size_t i = 0; r >= 0 && i < m->n_networks; i++) {
		json_t *o = network_to_json(m->networks[i]), *hosts = NULL, *p;

		p = o ? json_pack("{s:s}", "network", m->networks[i]->config.name) : NULL;
		r = p ? api_method_host_list(m, p, &hosts, err, errlen) : -ENOMEM;
		json_decref(p);
		if (r >= 0 && json_object_set_new(o, "hosts", hosts) < 0)
			r = -ENOMEM;
		if (r >= 0 && json_array_append(nets, o) < 0)
			r = -ENOMEM;
		json_decref(o);
	}
	if (r >= 0)
		r = api_method_port_list(m, none, &ports, err, errlen);
	if (r >= 0)
		r = api_method_lease_list(m, none, &leases, err, errlen);
	json_decref(none);
	if (r >= 0 && !(labs = labs_json(m->labs)))
		r = -ENOMEM;
	if (r >= 0) {
		*ret = json_pack("{s:o, s:o, s:o, s:o}", "networks", nets, "ports", ports, "leases",
				 leases, "labs", labs);
		return *ret ? 0 : -ENOMEM;
	}
	json_decref(nets);
	json_decref(ports);
	json_decref(leases);
	return r;
}
