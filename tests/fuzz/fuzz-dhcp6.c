/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the DHCPv6 codec (dhcp6/dhcp6-packet.h): the input is one UDP payload as the
 * server socket would receive it. A parsed message must build again and parse back to the same
 * content (the builder accepts whatever the parser yields, and the two agree); the DUID helper
 * must accept any client identifier.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6/dhcp6-packet.h"
#include "fuzz.h"

static void same_bytes(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen || (alen && memcmp(a, b, alen) != 0))
		abort();
}

static void same_status(struct dhcp6_status_opt *a, struct dhcp6_status_opt *b)
{
	same_bytes(a->msg, a->msg_len, b->msg, b->msg_len);
	a->msg = b->msg = NULL;
}

/* Compares what points into the buffers, then clears the pointers for one memcmp. */
static void same_views(struct dhcp6_message *a, struct dhcp6_message *b)
{
	if (!a->client_id != !b->client_id || !a->server_id != !b->server_id)
		abort();
	same_bytes(a->client_id, a->client_id_len, b->client_id, b->client_id_len);
	same_bytes(a->server_id, a->server_id_len, b->server_id, b->server_id_len);
	a->client_id = b->client_id = a->server_id = b->server_id = NULL;
	same_status(&a->status, &b->status);
	for (size_t i = 0; i < a->n_ia_na && i < b->n_ia_na; i++) {
		same_status(&a->ia_na[i].status, &b->ia_na[i].status);
		for (size_t j = 0; j < a->ia_na[i].n_addrs && j < b->ia_na[i].n_addrs; j++)
			same_status(&a->ia_na[i].addrs[j].status, &b->ia_na[i].addrs[j].status);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t buf[65536];
	static struct dhcp6_message m, back;
	uint8_t mac[6];
	int r = dhcp6_message_parse(data, size, &m), len;

	if (r == -EBADMSG)
		return 0;
	if (r != 0)
		abort();
	if (m.client_id)
		(void)dhcp6_duid_mac(m.client_id, m.client_id_len, mac);
	len = dhcp6_message_build(&m, buf, sizeof(buf));
	if (len < 0 || dhcp6_message_parse(buf, (size_t)len, &back) != 0)
		abort();
	/* IA_TA and IA_PD are only counted, never built */
	back.n_ia_ta = m.n_ia_ta;
	back.n_ia_pd = m.n_ia_pd;
	same_views(&m, &back);
	if (memcmp(&m, &back, sizeof(m)) != 0)
		abort();
	return 0;
}
