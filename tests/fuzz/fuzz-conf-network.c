/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for definition files: any input either fails with a one-line error and no
 * reservations or DNS records, or parses to a config, reservations and records that format and
 * parse back to themselves.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-dns-record.h"
#include "config/conf-host.h"
#include "config/conf-network.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct network_dns_records records, back_records;
	struct network_hosts hosts, back_hosts;
	struct network_config c, back;
	char err[256], *text = NULL;
	int r;

	if (network_config_parse((const char *)data, size, "fuzz", &c, &hosts, &records, err,
				 sizeof(err)) < 0) {
		if (strchr(err, '\n') || hosts.n != 0 || hosts.items || records.n != 0 ||
		    records.items)
			abort();
		return 0;
	}
	/*
	 * The canonical text ("mac = ...", blank lines) may be longer than a compact input near
	 * NETWORK_CONFIG_TEXT_MAX: format() then refuses with -E2BIG rather than write a text that
	 * would not load.
	 */
	r = network_config_format(&c, &hosts, &records, &text);
	if (r == -E2BIG && size > NETWORK_CONFIG_TEXT_MAX / 2) {
		network_hosts_done(&hosts);
		network_dns_records_done(&records);
		return 0;
	}
	if (r < 0)
		abort();
	if (network_config_parse(text, strlen(text), c.name, &back, &back_hosts, &back_records, err,
				 sizeof(err)) < 0)
		abort();
	if (!network_config_equal(&c, &back) || !network_hosts_equal(&hosts, &back_hosts) ||
	    !network_dns_records_equal(&records, &back_records))
		abort();
	/* Every reservation is found by MAC and by address (linear: not for huge inputs). */
	for (size_t i = 0; i < hosts.n && hosts.n < 4096; i++)
		if (network_hosts_find_mac(&hosts, hosts.items[i].mac) != &hosts.items[i] ||
		    network_hosts_find_ip(&hosts, hosts.items[i].ip) != &hosts.items[i])
			abort();
	free(text);
	network_hosts_done(&hosts);
	network_hosts_done(&back_hosts);
	network_dns_records_done(&records);
	network_dns_records_done(&back_records);
	return 0;
}
