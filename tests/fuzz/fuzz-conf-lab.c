/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for lab files: any input either fails with a one-line error and an empty lab, or
 * parses to a lab that keeps the validator's promises (every nic on a network of the lab, every
 * check between two distinct nodes of the lab, no two subnets overlapping, names unique, every
 * forward onto its node's static address and claiming host ports no other forward claims) and
 * whose impairments print as text that reads back to the same values.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-lab.h"
#include "fuzz.h"

static void check_impair(const struct lab_impair *imp)
{
	static const char *const keys[] = { "rate", "loss", "delay", "jitter" };
	struct lab_impair back = { 0 };
	char buf[24];

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!lab_impair_to_string(imp, keys[i], buf, sizeof(buf)) ||
		    lab_impair_set(&back, keys[i], buf, NULL, 0) != 0)
			abort();
	if (memcmp(&back, imp, sizeof(back)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lab_config c;
	char err[512];

	if (lab_config_parse((const char *)data, size, "fuzz", &c, err, sizeof(err)) < 0) {
		if (strchr(err, '\n') || c.networks || c.nodes || c.checks || c.n_nodes)
			abort();
		return 0;
	}
	for (size_t i = 0; i < c.n_networks; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c.networks[i].config.name, c.networks[j].config.name) == 0 ||
			    in_prefix_overlaps(&c.networks[i].config.subnet,
					       &c.networks[j].config.subnet))
				abort();
	for (size_t i = 0; i < c.n_nodes; i++) {
		const struct lab_node *n = &c.nodes[i];

		if (n->n_nics == 0 || lab_config_find_node(&c, n->name) != n)
			abort();
		for (size_t k = 0; k < n->n_nics; k++) {
			const struct lab_network *net = lab_config_find_network(&c, n->nics[k].network);

			if (!net || lab_node_find_nic(n, n->nics[k].network) != &n->nics[k])
				abort();
			if (n->nics[k].has_ip && !in_prefix_contains(&net->config.subnet, n->nics[k].ip))
				abort();
			check_impair(&n->nics[k].impair);
		}
	}
	for (size_t i = 0; i < c.n_checks; i++)
		if (!lab_config_find_node(&c, c.checks[i].from) ||
		    !lab_config_find_node(&c, c.checks[i].to) ||
		    strcmp(c.checks[i].from, c.checks[i].to) == 0)
			abort();
	for (size_t i = 0; i < c.n_forwards; i++) {
		const struct lab_forward *f = &c.forwards[i];
		const struct lab_node *n = lab_config_find_node(&c, f->node);
		const struct lab_nic *nic = n ? lab_node_find_nic(n, f->network) : NULL;

		if (!nic || !nic->has_ip || !in_addr_equal(nic->ip, f->fwd.to_addr))
			abort();
		for (size_t j = 0; j < i; j++)
			if (network_forward_overlaps(&c.forwards[j].fwd, &f->fwd))
				abort();
	}
	lab_config_done(&c);
	return 0;
}
