/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for guest address learning (daemon/lan/addr-learn-parse.h, addr-learn.h): byte 0
 * gives the direction (bit 0: towards the guest), the rest is one Ethernet frame. The frame is
 * parsed, then fed to a learner without socket, followed by copies of itself with the direction
 * flipped and the addresses shifted, so the table's limits and eviction are exercised: it must
 * never hold more than ADDR_LEARN_PER_PORT_MAX pairs, nor a pair with an unusable address, and its
 * callback must see every pair that goes and only pairs it was told about. Every host name a
 * client sent, and every name a pair carries, must be one lowercase DNS label or "", and the
 * hosts-file lines of the pairs (lan-hosts.h) as many as the pairs at most.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/lan/addr-learn.h"
#include "daemon/lan/lan-hosts.h"
#include "fuzz.h"
#include "shared/strbuf.h"

static long live;

/* "" or 1..63 of [a-z0-9-], not starting nor ending with '-', NUL-terminated in its array */
static void check_label(const char name[ADDR_LEARN_HOSTNAME_MAX + 1])
{
	size_t len = strnlen(name, ADDR_LEARN_HOSTNAME_MAX + 1);

	if (len > ADDR_LEARN_HOSTNAME_MAX)
		abort();
	if (len && (name[0] == '-' || name[len - 1] == '-'))
		abort();
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
		      name[i] == '-'))
			abort();
}

static void check_hosts(const struct addr_learn *l)
{
	const struct addr_learn_entry *e;
	struct strbuf sb = STRBUF_INIT;
	size_t n, lines = 0;

	e = addr_learn_entries(l, &n);
	for (size_t i = 0; i < n; i++)
		check_label(e[i].hostname);
	if (lan_hosts_append(&sb, e, n, "knl0", "lan.kvmnet") < 0)
		abort();
	for (size_t i = 0; i < sb.len; i++)
		lines += sb.buf[i] == '\n';
	if (lines > n)
		abort();
	strbuf_done(&sb);
}

static void on_change(struct addr_learn *l, const struct addr_learn_entry *e, bool removed,
		      void *data)
{
	(void)l;
	(void)data;
	if (!addr_learn_ip_is_usable(e->ip))
		abort();
	live += removed ? -1 : 1;
	if (live < 0 || live > ADDR_LEARN_PER_PORT_MAX)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[4096];
	struct addr_learn_event ev;
	struct addr_learn *l;
	size_t len, n;
	int r;

	if (size < 1)
		return 0;
	len = size - 1 < sizeof(frame) ? size - 1 : sizeof(frame);
	memcpy(frame, data + 1, len);
	r = addr_learn_parse_frame(frame, len, data[0] & 1, &ev);
	if (r != 0 && r != 1 && r != -EBADMSG)
		abort();
	if (r == 1 && ev.verdict != ADDR_LEARN_CLIENT && !addr_learn_ip_is_usable(ev.ip))
		abort();
	if (r == 1 && ev.verdict == ADDR_LEARN_CLIENT)
		check_label(ev.hostname);
	live = 0;
	if (addr_learn_new(NULL, 0, on_change, NULL, &l) < 0)
		abort();
	for (unsigned i = 0; i < 3 * ADDR_LEARN_PER_PORT_MAX; i++) {
		addr_learn_feed(l, frame, len, (data[0] ^ (i & 1)) & 1, 1000 + i);
		/* shift every byte that may be an address's last: sender IP, yiaddr, ciaddr */
		for (size_t k = 31; k < len; k += 29)
			frame[k]++;
		addr_learn_entries(l, &n);
		if (n != (size_t)live || n > ADDR_LEARN_PER_PORT_MAX)
			abort();
	}
	check_hosts(l);
	addr_learn_free(l);
	return 0;
}
