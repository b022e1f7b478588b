/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the Neighbor Discovery codec (ndp/ndp-packet.h): the input is one ICMPv6
 * message as the RA socket would receive it, parsed as an RS, an RA and an NS/NA. A parsed RA
 * must build again and parse back to the same struct (the builder accepts whatever the parser
 * yields, and the two agree); a parsed NS/NA likewise.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "ndp/ndp-packet.h"

static void check_ra(const uint8_t *data, size_t size)
{
	static uint8_t buf[NDP_MESSAGE_MAX];
	struct ndp_ra ra, back;
	int r = ndp_ra_parse(data, size, &ra), len;

	if (r == -EBADMSG)
		return;
	if (r != 0)
		abort();
	len = ndp_ra_build(&ra, buf, sizeof(buf));
	/* the parser keeps at most the _MAX items, which always fit one message... unless
	 * the domains are long: four of 253 characters do not */
	if (len == -ENOBUFS)
		return;
	if (len < 0)
		abort();
	if (ndp_ra_parse(buf, (size_t)len, &back) != 0)
		abort();
	/* DNSSL lifetimes and RDNSS lifetimes are only built when there are entries */
	if (ra.n_rdnss == 0)
		ra.rdnss_lifetime_sec = back.rdnss_lifetime_sec;
	if (ra.n_dnssl == 0)
		ra.dnssl_lifetime_sec = back.dnssl_lifetime_sec;
	if (memcmp(&ra, &back, sizeof(ra)) != 0)
		abort();
}

static void check_neigh(const uint8_t *data, size_t size)
{
	static uint8_t buf[64];
	struct ndp_neigh n, back;
	uint8_t type, type2;
	int len;

	if (ndp_neigh_parse(data, size, &type, &n) != 0)
		return;
	if (type == 135)
		n.router = n.solicited = n.override = false;
	len = ndp_neigh_build(type, &n, buf, sizeof(buf));
	if (len < 0 || ndp_neigh_parse(buf, (size_t)len, &type2, &back) != 0 || type2 != type ||
	    memcmp(&n, &back, sizeof(n)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndp_rs rs;
	int r = ndp_rs_parse(data, size, &rs);

	if (r != 0 && r != -EBADMSG)
		abort();
	check_ra(data, size);
	check_neigh(data, size);
	return 0;
}
