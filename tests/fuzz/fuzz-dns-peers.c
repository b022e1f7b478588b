/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the overlay peers' DNS protocol (dns/dns-peers.c): any bytes as a peer query
 * (the listener reads one from any sender before it knows it is a peer's) and as a peer's answer
 * (checked against a question, then rewritten for a guest with and without EDNS). Nothing may
 * be read past the input; a rewritten answer is never longer than the input and reads back as
 * the answer it was.
 */
#include <stdlib.h>
#include <string.h>

#include "dns/dns-packet.h"
#include "dns/dns-peers.h"
#include "dns/dns-proto.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[65536];
	unsigned answers = 0;
	uint32_t vni = 0;
	int rcode, n;

	if (dns_peers_query_vni(data, size, &vni) == 0 && (vni == 0 || vni > 0xffffff))
		abort();
	rcode = dns_peers_check_answer(data, size, size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0,
				       "g2.ov.kvmnet", DNS_TYPE_A, &answers);
	if (rcode < 0)
		return 0;
	for (int edns = 0; edns < 2; edns++) {
		n = dns_peers_answer_to_guest(data, size, 0x1234, edns, out, sizeof(out));
		if (n < 0)
			continue;
		if ((size_t)n > size)
			abort();
		if (dns_peers_check_answer(out, (size_t)n, 0x1234, "g2.ov.kvmnet", DNS_TYPE_A,
					   &answers) != rcode)
			abort();
	}
	return 0;
}
