/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dhcp6/dhcp6-server without sockets: Solicit/Advertise/Request/Reply, rapid
 * commit, Renew, Rebind, Release, Decline, Confirm, Information-request, messages not for us,
 * a reservation by MAC and by DUID, a full pool, and unicast answered UseMulticast; the lease
 * store's change callback sees exactly the durable changes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-host.h"
#include "dhcp6/dhcp6-server.h"
#include "lease/lease-store.h"

static const uint8_t duid_a[] = { 0, 3, 0, 1, 0x52, 0x54, 0x00, 0, 0, 0x0a };
static const uint8_t duid_b[] = { 0, 4, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

struct fixture {
	struct lease_store *store;
	struct dhcp6_server *srv;
	struct dhcp6_server_config cfg;
	unsigned changes;
	struct lease last;
	bool last_removed;
	struct dhcp6_reply reply;
	struct dhcp6_message parsed;
};

static void on_change(const struct lease *l, bool removed, void *data)
{
	struct fixture *f = data;

	f->changes++;
	f->last = *l;
	f->last_removed = removed;
}

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(in6_addr_from_string(s, &a), 0);
	return a;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct in_addr first, last;

	assert_non_null(f);
	assert_int_equal(in6_addr_prefix_from_string("fd42::/64", &f->cfg.subnet6.addr,
						     &f->cfg.subnet6.prefixlen), 0);
	f->cfg.range_first = a6("fd42::1:0");
	f->cfg.range_last = a6("fd42::1:3");
	f->cfg.gateway6 = a6("fd42::1");
	memcpy(f->cfg.server_mac, (uint8_t[]){ 0x02, 0, 0, 0, 0, 0x99 }, 6);
	f->cfg.dns = true;
	f->cfg.dns_server = f->cfg.gateway6;
	strcpy(f->cfg.domain, "lab.kvmnet");
	f->cfg.lease_time_sec = 3600;
	first = dhcp6_addr_key(&f->cfg.range_first);
	last = dhcp6_addr_key(&f->cfg.range_last);
	assert_int_equal(lease_store_new(first, last, on_change, f, &f->store), 0);
	assert_int_equal(dhcp6_server_new(&f->cfg, f->store, &f->srv), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dhcp6_server_free(f->srv);
	lease_store_free(f->store);
	free(f);
	return 0;
}

/* Sends a client message of 'type' for IA 'iaid' (address 'addr' when not NULL). */
static int send_msg(struct fixture *f, uint8_t type, const uint8_t *duid, size_t duid_len,
		    uint32_t iaid, const char *addr, bool with_server_id, bool rapid,
		    bool multicast)
{
	struct dhcp6_message m;
	struct dhcp6_rx rx = { .src = a6("fe80::5054:ff:fe00:a"), .src_port = 546,
			       .multicast = multicast };
	uint8_t buf[DHCP6_MESSAGE_MAX];
	size_t sl;
	int len, r;

	memset(&m, 0, sizeof(m));
	m.type = type;
	m.xid = 0x42;
	m.client_id = duid;
	m.client_id_len = (uint16_t)duid_len;
	if (with_server_id)
		m.server_id = dhcp6_server_duid(f->srv, &sl), m.server_id_len = (uint16_t)sl;
	if (type != DHCP6_INFORMATION_REQUEST) {
		m.n_ia_na = 1;
		m.ia_na[0].iaid = iaid;
		if (addr) {
			m.ia_na[0].n_addrs = 1;
			m.ia_na[0].addrs[0].addr = a6(addr);
		}
	}
	m.rapid_commit = rapid;
	m.n_oro = 2;
	m.oro[0] = DHCP6_OPT_DNS_SERVERS;
	m.oro[1] = DHCP6_OPT_DOMAIN_LIST;
	len = dhcp6_message_build(&m, buf, sizeof(buf));
	assert_true(len > 0);
	r = dhcp6_server_handle_message(f->srv, buf, (size_t)len, &rx, 1000, &f->reply);
	if (r == 1)
		assert_int_equal(dhcp6_message_parse(f->reply.buf, f->reply.len, &f->parsed), 0);
	return r;
}

static void assert_addr(const struct dhcp6_message *m, const char *want)
{
	struct in6_addr w = a6(want);

	assert_int_equal(m->n_ia_na, 1);
	assert_false(m->ia_na[0].status.present);
	assert_true(m->ia_na[0].n_addrs >= 1);
	assert_memory_equal(&m->ia_na[0].addrs[0].addr, &w, 16);
	assert_int_equal(m->ia_na[0].addrs[0].valid_sec, 3600);
	assert_int_equal(m->ia_na[0].t1_sec, 1800);
	assert_int_equal(m->ia_na[0].t2_sec, 2880);
}

static void test_solicit_request(void **state)
{
	struct fixture *f = *state;
	const struct lease *l;

	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_a, sizeof(duid_a), 1, NULL, false, false,
				  true), 1);
	assert_int_equal(f->parsed.type, DHCP6_ADVERTISE);
	assert_int_equal(f->parsed.xid, 0x42);
	assert_int_equal(f->parsed.preference, 255);
	assert_addr(&f->parsed, "fd42::1:0");
	assert_int_equal(f->parsed.n_dns, 1);
	assert_string_equal(f->parsed.domains[0], "lab.kvmnet");
	assert_memory_equal(f->reply.dest.s6_addr, a6("fe80::5054:ff:fe00:a").s6_addr, 16);
	assert_int_equal(f->changes, 0);   /* an offer is not durable */

	assert_int_equal(send_msg(f, DHCP6_REQUEST, duid_a, sizeof(duid_a), 1, "fd42::1:0", true,
				  false, true), 1);
	assert_int_equal(f->parsed.type, DHCP6_REPLY);
	assert_addr(&f->parsed, "fd42::1:0");
	assert_int_equal(f->changes, 1);
	assert_true(lease_is_ipv6(&f->last));
	assert_int_equal(f->last.state, LEASE_BOUND);
	assert_int_equal(f->last.expires, 1000 + 3600);
	/* the MAC from the DUID-LL */
	assert_memory_equal(f->last.mac, duid_a + 4, 6);
	l = lease_store_find_by_ip(f->store, dhcp6_addr_key(&f->last.ip6));
	assert_non_null(l);

	/* Renew extends; Rebind too; a second IA gets another address */
	assert_int_equal(send_msg(f, DHCP6_RENEW, duid_a, sizeof(duid_a), 1, "fd42::1:0", true,
				  false, true), 1);
	assert_addr(&f->parsed, "fd42::1:0");
	assert_int_equal(send_msg(f, DHCP6_REBIND, duid_a, sizeof(duid_a), 1, "fd42::1:0", false,
				  false, true), 1);
	assert_addr(&f->parsed, "fd42::1:0");
	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_a, sizeof(duid_a), 2, NULL, false, true,
				  true), 1);
	assert_int_equal(f->parsed.type, DHCP6_REPLY);
	assert_true(f->parsed.rapid_commit);
	assert_addr(&f->parsed, "fd42::1:1");
}

static void test_rapid_release_decline(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_b, sizeof(duid_b), 7, NULL, false, true,
				  true), 1);
	assert_int_equal(f->parsed.type, DHCP6_REPLY);
	assert_addr(&f->parsed, "fd42::1:0");
	assert_int_equal(f->changes, 1);
	assert_int_equal(f->last.state, LEASE_BOUND);
	/* Renew of an IA without binding: NoBinding */
	assert_int_equal(send_msg(f, DHCP6_RENEW, duid_b, sizeof(duid_b), 8, "fd42::1:1", true,
				  false, true), 1);
	assert_int_equal(f->parsed.ia_na[0].status.code, DHCP6_STATUS_NO_BINDING);
	/* Release: the lease is released (durably), the reply says Success */
	assert_int_equal(send_msg(f, DHCP6_RELEASE, duid_b, sizeof(duid_b), 7, "fd42::1:0", true,
				  false, true), 1);
	assert_int_equal(f->parsed.status.code, DHCP6_STATUS_SUCCESS);
	assert_int_equal(f->parsed.n_ia_na, 0);
	assert_int_equal(f->last.state, LEASE_RELEASED);
	/* the returning client gets its address back */
	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_b, sizeof(duid_b), 7, NULL, false, true,
				  true), 1);
	assert_addr(&f->parsed, "fd42::1:0");
	/* Decline: the address is nobody's for a while, the next Solicit gets another */
	assert_int_equal(send_msg(f, DHCP6_DECLINE, duid_b, sizeof(duid_b), 7, "fd42::1:0", true,
				  false, true), 1);
	assert_int_equal(f->last.state, LEASE_DECLINED);
	assert_int_equal(f->last.id_len, 0);
	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_b, sizeof(duid_b), 7, NULL, false, true,
				  true), 1);
	assert_addr(&f->parsed, "fd42::1:1");
}

static void test_pool_full(void **state)
{
	struct fixture *f = *state;
	uint8_t duid[sizeof(duid_b)];

	memcpy(duid, duid_b, sizeof(duid));
	for (int i = 0; i < 4; i++) {
		duid[17] = (uint8_t)i;
		assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid, sizeof(duid), 1, NULL, false,
					  true, true), 1);
		assert_false(f->parsed.ia_na[0].status.present);
	}
	duid[17] = 9;
	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid, sizeof(duid), 1, NULL, false, true,
				  true), 1);
	assert_int_equal(f->parsed.ia_na[0].status.code, DHCP6_STATUS_NO_ADDRS_AVAIL);
	assert_int_equal(f->parsed.ia_na[0].n_addrs, 0);
}

static void test_confirm_info_not_for_us(void **state)
{
	struct fixture *f = *state;
	struct dhcp6_server_stats st;
	static const uint8_t other[] = { 0, 3, 0, 1, 1, 2, 3, 4, 5, 6 };
	struct dhcp6_rx rx = { .src = a6("fe80::1"), .multicast = true };
	uint8_t junk[3] = { 1, 0, 0 };

	assert_int_equal(send_msg(f, DHCP6_CONFIRM, duid_a, sizeof(duid_a), 1, "fd42::1:0", false,
				  false, true), 1);
	assert_int_equal(f->parsed.status.code, DHCP6_STATUS_SUCCESS);
	assert_int_equal(send_msg(f, DHCP6_CONFIRM, duid_a, sizeof(duid_a), 1, "fd99::5", false,
				  false, true), 1);
	assert_int_equal(f->parsed.status.code, DHCP6_STATUS_NOT_ON_LINK);
	assert_int_equal(send_msg(f, DHCP6_INFORMATION_REQUEST, duid_a, sizeof(duid_a), 0, NULL,
				  false, false, true), 1);
	assert_int_equal(f->parsed.type, DHCP6_REPLY);
	assert_int_equal(f->parsed.n_ia_na, 0);
	assert_int_equal(f->parsed.n_dns, 1);
	assert_int_equal(f->changes, 0);
	/* a Solicit carrying a server id, a Request for another server, a Reply: not for us */
	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_a, sizeof(duid_a), 1, NULL, true, false,
				  true), 0);
	assert_int_equal(send_msg(f, DHCP6_ADVERTISE, duid_a, sizeof(duid_a), 1, NULL, true, false,
				  true), 0);
	(void)other;
	/* a Request sent unicast: UseMulticast */
	assert_int_equal(send_msg(f, DHCP6_REQUEST, duid_a, sizeof(duid_a), 1, NULL, true, false,
				  false), 1);
	assert_int_equal(f->parsed.status.code, DHCP6_STATUS_USE_MULTICAST);
	assert_int_equal(f->changes, 0);
	/* malformed */
	assert_int_equal(dhcp6_server_handle_message(f->srv, junk, sizeof(junk), &rx, 1000,
						     &f->reply), -EBADMSG);
	dhcp6_server_get_stats(f->srv, &st);
	assert_int_equal(st.dropped_not_for_us, 2);
	assert_int_equal(st.dropped_malformed, 1);
	assert_int_equal(st.confirms, 2);
	assert_int_equal(st.informs, 1);
}

static void test_reservations(void **state)
{
	struct fixture *f = *state;
	struct network_host items[2];
	struct network_hosts hosts = { .items = items, .n = 2 };

	memset(items, 0, sizeof(items));
	/* by MAC (sorted by MAC, as network_hosts keeps them) */
	memcpy(items[0].mac, duid_a + 4, 6);
	items[0].has_ip6 = true;
	items[0].ip6 = a6("fd42::10");
	/* by DUID: an address inside the pool, never handed out to others */
	memcpy(items[1].mac, (uint8_t[]){ 0x52, 0x54, 0, 0, 0, 0x77 }, 6);
	items[1].has_ip6 = true;
	items[1].ip6 = a6("fd42::1:0");
	items[1].duid_len = sizeof(duid_b);
	memcpy(items[1].duid, duid_b, sizeof(duid_b));
	assert_int_equal(dhcp6_server_set_hosts(f->srv, &hosts), 0);

	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_a, sizeof(duid_a), 1, NULL, false, true,
				  true), 1);
	assert_addr(&f->parsed, "fd42::10");
	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_b, sizeof(duid_b), 5, NULL, false, true,
				  true), 1);
	assert_addr(&f->parsed, "fd42::1:0");
	/* someone else (its link-local address is not the reserved MAC's): the pool skips ::1:0 */
	hosts.items = &items[1];
	hosts.n = 1;
	assert_int_equal(dhcp6_server_set_hosts(f->srv, &hosts), 0);
	{
		uint8_t d[sizeof(duid_b)];
		memcpy(d, duid_b, sizeof(d));
		d[17] = 0x55;
		assert_int_equal(send_msg(f, DHCP6_SOLICIT, d, sizeof(d), 5, NULL, false, true,
					  true), 1);
		assert_addr(&f->parsed, "fd42::1:1");
	}
	assert_int_equal(dhcp6_server_set_hosts(f->srv, NULL), 0);
}

struct name_probe {
	unsigned calls;
	bool had_mac;
	uint8_t mac[6];
	size_t id_len;
};

static bool name_of(const uint8_t *mac, const uint8_t *id, size_t id_len, char ret[64],
		    void *data)
{
	struct name_probe *p = data;

	(void)id;
	p->calls++;
	p->had_mac = mac != NULL;
	if (mac)
		memcpy(p->mac, mac, 6);
	p->id_len = id_len;
	strcpy(ret, "fromv4");
	return true;
}

/* Without an FQDN option the daemon's callback names the lease; the FQDN option wins. */
static void test_name_fn(void **state)
{
	struct fixture *f = *state;
	struct name_probe p = { 0 };

	dhcp6_server_set_name_fn(f->srv, name_of, &p);
	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_a, sizeof(duid_a), 1, NULL, false, true,
				  true), 1);
	assert_int_equal(f->last.state, LEASE_BOUND);
	assert_string_equal(f->last.hostname, "fromv4");
	assert_true(p.had_mac);
	assert_memory_equal(p.mac, duid_a + 4, 6);   /* the DUID-LL's MAC */
	assert_int_equal(p.id_len, 4 + sizeof(duid_a));   /* IAID + DUID */
	/* the renewing client keeps its name without asking again */
	p.calls = 0;
	assert_int_equal(send_msg(f, DHCP6_RENEW, duid_a, sizeof(duid_a), 1, "fd42::1:0", true,
				  false, true), 1);
	assert_string_equal(f->last.hostname, "fromv4");
	assert_int_equal(p.calls, 0);
	/* a callback that knows no name leaves the lease nameless */
	dhcp6_server_set_name_fn(f->srv, NULL, NULL);
	assert_int_equal(send_msg(f, DHCP6_SOLICIT, duid_b, sizeof(duid_b), 3, NULL, false, true,
				  true), 1);
	assert_string_equal(f->last.hostname, "");
}

static void test_bad_config(void **state)
{
	struct fixture *f = *state;
	struct dhcp6_server_config c = f->cfg;
	struct dhcp6_server *s = NULL;

	c.range_last = a6("fd42::1:0:0:5");   /* outside the first /96 */
	assert_int_equal(dhcp6_server_new(&c, f->store, &s), -EINVAL);
	c = f->cfg;
	c.range_first = a6("fd43::1:0");
	assert_int_equal(dhcp6_server_new(&c, f->store, &s), -EINVAL);
	c = f->cfg;
	c.range_first = a6("fd42::2:0");
	assert_int_equal(dhcp6_server_set_config(f->srv, &c), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_solicit_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rapid_release_decline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pool_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confirm_info_not_for_us, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reservations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_fn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_config, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
