/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for definition files: any input either fails with a one-line error and no
 * reservations, DNS records, ports or forwards, or parses to a config, reservations, records,
 * ports and forwards that format and parse back to themselves.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-dns-record.h"
#include "config/conf-forward.h"
#include "config/conf-host.h"
#include "config/conf-network.h"
#include "config/conf-port.h"
#include "fuzz.h"

static void done(struct network_hosts *hosts, struct network_dns_records *records,
		 struct network_ports *ports, struct network_forwards *forwards)
{
	network_forwards_done(forwards);
	network_hosts_done(hosts);
	network_dns_records_done(records);
	network_ports_done(ports);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct network_dns_records records, back_records;
	struct network_hosts hosts, back_hosts;
	struct network_ports ports, back_ports;
	struct network_forwards forwards, back_forwards;
	struct network_config c, back;
	char err[256], *text = NULL;
	int r;

	if (network_config_parse_full((const char *)data, size, "fuzz", &c, &hosts, &records,
				      &ports, &forwards, err, sizeof(err)) < 0) {
		if (strchr(err, '\n') || hosts.n != 0 || hosts.items || records.n != 0 ||
		    records.items || ports.n != 0 || ports.items || forwards.n != 0 ||
		    forwards.items)
			abort();
		return 0;
	}
	/*
	 * The canonical text ("mac = ...", blank lines) may be longer than a compact input near
	 * NETWORK_CONFIG_TEXT_MAX: format() then refuses with -E2BIG rather than write a text that
	 * would not load.
	 */
	r = network_config_format_full(&c, &hosts, &records, &ports, &forwards, &text);
	if (r == -E2BIG && size > NETWORK_CONFIG_TEXT_MAX / 2) {
		done(&hosts, &records, &ports, &forwards);
		return 0;
	}
	if (r < 0)
		abort();
	if (network_config_parse_full(text, strlen(text), c.name, &back, &back_hosts,
				      &back_records, &back_ports, &back_forwards, err,
				      sizeof(err)) < 0)
		abort();
	if (!network_config_equal(&c, &back) || !network_hosts_equal(&hosts, &back_hosts) ||
	    !network_dns_records_equal(&records, &back_records) ||
	    !network_ports_equal(&ports, &back_ports) ||
	    !network_forwards_equal(&forwards, &back_forwards))
		abort();
	/* Every reservation is found by MAC and by address (linear: not for huge inputs). */
	for (size_t i = 0; i < hosts.n && hosts.n < 4096; i++)
		if (network_hosts_find_mac(&hosts, hosts.items[i].mac) != &hosts.items[i] ||
		    network_hosts_find_ip(&hosts, hosts.items[i].ip) != &hosts.items[i])
			abort();
	/* Every port is found by name, and by MAC when it has one; all pass the re-check. */
	for (size_t i = 0; i < ports.n; i++)
		if (network_ports_find(&ports, ports.items[i].name) != &ports.items[i] ||
		    (ports.items[i].has_mac &&
		     network_ports_find_mac(&ports, ports.items[i].mac) != &ports.items[i]))
			abort();
	if (network_ports_check(&ports, &c, err, sizeof(err)) < 0 ||
	    network_forwards_check(&forwards, &c, err, sizeof(err)) < 0)
		abort();
	free(text);
	done(&hosts, &records, &ports, &forwards);
	done(&back_hosts, &back_records, &back_ports, &back_forwards);
	return 0;
}
