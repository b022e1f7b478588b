/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of evpn-fdb.h. */
#include "daemon/overlay/evpn-fdb.h"

#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/neighbour.h>

#include "config/conf-host.h"
#include "netlink/nl-fdb.h"
#include "shared/in-addr-util.h"

struct fdb_json {
	json_t *peers, *macs;
	size_t omitted;
};

static int fdb_json_cb(const struct nl_fdb_entry *e, void *data)
{
	static const uint8_t zero[6] = { 0 };
	struct fdb_json *f = data;
	char a[INET_ADDRSTRLEN], mac[18];

	if (!e->has_dst)
		return 0;
	in_addr_to_string(e->dst, a);
	if (memcmp(e->mac, zero, sizeof(zero)) == 0)
		return json_array_append_new(f->peers, json_string(a)) < 0 ? -ENOMEM : 0;
	/* what BGP taught zebra; a MAC the kernel learned from traffic is not there (learning
	 * is off) */
	if (!(e->flags & NTF_EXT_LEARNED))
		return 0;
	if (json_array_size(f->macs) >= EVPN_FDB_JSON_MACS_MAX) {
		f->omitted++;
		return 0;
	}
	return json_array_append_new(f->macs, json_pack("{s:s, s:s}", "mac",
							mac_to_string(e->mac, mac), "vtep", a)) < 0 ?
		       -ENOMEM : 0;
}

int evpn_fdb_to_json(struct nl_sock *nl, int ifindex, json_t *ov)
{
	struct fdb_json f = { .peers = json_array(), .macs = json_array() };
	int r = 0;

	if (!f.peers || !f.macs)
		r = -ENOMEM;
	if (r == 0 && ifindex > 0)
		r = nl_fdb_dump_dev(nl, ifindex, fdb_json_cb, &f);
	if (r == 0 && (json_object_set(ov, "peers", f.peers) < 0 ||
		       json_object_set(ov, "remote-macs", f.macs) < 0 ||
		       json_object_set_new(ov, "remote-macs-omitted",
					   json_integer((json_int_t)f.omitted)) < 0))
		r = -ENOMEM;
	json_decref(f.peers);
	json_decref(f.macs);
	return r;
}
