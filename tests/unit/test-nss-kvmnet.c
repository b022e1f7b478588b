/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the NSS module (src/nss/nss-kvmnet.c, compiled into this test): lookups by
 * name (short, FQDN, any case, trailing dot) and by address against a hosts file named by
 * KVMNET_NSS_HOSTS, glibc's buffer contract (ERANGE at every size too small, any alignment),
 * the status and error codes of every outcome, and the reader's tolerance of odd lines. Also
 * the lines kvmnetd writes for guests it learned on LAN networks (daemon/lan/lan-hosts.c),
 * resolved through the module.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/lan/addr-learn.h"
#include "daemon/lan/lan-hosts.h"
#include "nss/nss-kvmnet.h"
#include "shared/strbuf.h"

static char tmpdir[] = "/tmp/test-nss-kvmnet-XXXXXX";
static char hosts_path[64];

static const char hosts_basic[] = "# written by kvmnetd\n"
				  "10.0.0.10 web1 web1.lab.kvmnet\n"
				  "10.0.0.11\tdb1\tdb1.lab.kvmnet   # trailing comment\n"
				  "10.1.0.10 web1 web1.prod.kvmnet\n"
				  "10.0.0.10 www www.lab.kvmnet\n";

static int setup(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(hosts_path, sizeof(hosts_path), "%s/hosts", tmpdir);
	return setenv(NSS_KVMNET_HOSTS_ENV, hosts_path, 1);
}

static int teardown(void **state)
{
	unlink(hosts_path);
	return rmdir(tmpdir);
}

static void write_hosts(const char *text)
{
	FILE *f = fopen(hosts_path, "we");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void assert_in_addr(const void *p, const char *expected)
{
	char buf[INET_ADDRSTRLEN];

	assert_non_null(inet_ntop(AF_INET, p, buf, sizeof(buf)));
	assert_string_equal(buf, expected);
}

/* Looks 'name' up with gethostbyname2_r(AF_INET) in a large buffer. */
static enum nss_status byname(const char *name, struct hostent *he, char *buf, size_t len,
			      int *err, int *herr)
{
	*err = 0;
	*herr = 0;
	return _nss_kvmnet_gethostbyname2_r(name, AF_INET, he, buf, len, err, herr);
}

static void check_found(const char *name, const char *canonical, const char *alias,
			const char *addr)
{
	struct hostent he;
	char buf[1024];
	int err, herr;

	assert_int_equal(byname(name, &he, buf, sizeof(buf), &err, &herr), NSS_STATUS_SUCCESS);
	assert_string_equal(he.h_name, canonical);
	assert_int_equal(he.h_addrtype, AF_INET);
	assert_int_equal(he.h_length, 4);
	if (alias) {
		assert_non_null(he.h_aliases[0]);
		assert_string_equal(he.h_aliases[0], alias);
		assert_null(he.h_aliases[1]);
	} else {
		assert_null(he.h_aliases[0]);
	}
	assert_non_null(he.h_addr_list[0]);
	assert_in_addr(he.h_addr_list[0], addr);
}

static void check_not_found(const char *name)
{
	struct hostent he;
	char buf[1024];
	int err, herr;

	assert_int_equal(byname(name, &he, buf, sizeof(buf), &err, &herr), NSS_STATUS_NOTFOUND);
	assert_int_equal(err, ENOENT);
	assert_int_equal(herr, HOST_NOT_FOUND);
}

static void test_name_found(void **state)
{
	struct hostent he;
	char buf[1024];
	int err, herr;

	write_hosts(hosts_basic);
	check_found("db1", "db1.lab.kvmnet", "db1", "10.0.0.11");
	check_found("db1.lab.kvmnet", "db1.lab.kvmnet", "db1", "10.0.0.11");
	check_found("www", "www.lab.kvmnet", "www", "10.0.0.10");

	/* A short name on two lines: the first line's names, both addresses in file order. */
	assert_int_equal(byname("web1", &he, buf, sizeof(buf), &err, &herr), NSS_STATUS_SUCCESS);
	assert_string_equal(he.h_name, "web1.lab.kvmnet");
	assert_in_addr(he.h_addr_list[0], "10.0.0.10");
	assert_in_addr(he.h_addr_list[1], "10.1.0.10");
	assert_null(he.h_addr_list[2]);
	/* The FQDN is unique. */
	assert_int_equal(byname("web1.prod.kvmnet", &he, buf, sizeof(buf), &err, &herr),
			 NSS_STATUS_SUCCESS);
	assert_string_equal(he.h_name, "web1.prod.kvmnet");
	assert_in_addr(he.h_addr_list[0], "10.1.0.10");
	assert_null(he.h_addr_list[1]);
}

static void test_name_case_and_dot(void **state)
{
	write_hosts(hosts_basic);
	check_found("DB1", "db1.lab.kvmnet", "db1", "10.0.0.11");
	check_found("Db1.LAB.kvmNET", "db1.lab.kvmnet", "db1", "10.0.0.11");
	check_found("db1.", "db1.lab.kvmnet", "db1", "10.0.0.11");
	check_found("DB1.lab.kvmnet.", "db1.lab.kvmnet", "db1", "10.0.0.11");

	check_not_found("db1..");
	check_not_found(".");
	check_not_found("");
	check_not_found("db");
	check_not_found("db10");
	check_not_found("db1.lab");
	check_not_found("lab.kvmnet");
	check_not_found("10.0.0.11");
}

static void test_not_found_and_families(void **state)
{
	struct hostent he;
	char buf[1024], *canon = NULL;
	int32_t ttl = 99;
	int err = 0, herr = 0;

	write_hosts(hosts_basic);
	check_not_found("nope");

	/* a name without an IPv6 line: "not here" for AF_INET6, for the next module */
	assert_int_equal(_nss_kvmnet_gethostbyname2_r("db1", AF_INET6, &he, buf, sizeof(buf), &err,
						      &herr),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(herr, HOST_NOT_FOUND);
	assert_int_equal(_nss_kvmnet_gethostbyname3_r("db1", AF_UNIX, &he, buf, sizeof(buf), &err,
						      &herr, &ttl, &canon),
			 NSS_STATUS_UNAVAIL);
	assert_int_equal(err, EAFNOSUPPORT);
	assert_int_equal(herr, NO_RECOVERY);
	assert_int_equal(ttl, 99);
	assert_null(canon);

	/* AF_UNSPEC is taken as AF_INET. */
	assert_int_equal(_nss_kvmnet_gethostbyname3_r("db1", AF_UNSPEC, &he, buf, sizeof(buf),
						      &err, &herr, &ttl, &canon),
			 NSS_STATUS_SUCCESS);
	assert_int_equal(ttl, 0);
	assert_ptr_equal(canon, he.h_name);
	assert_string_equal(canon, "db1.lab.kvmnet");
}

static void test_gethostbyname_r(void **state)
{
	struct hostent he;
	char buf[1024];
	int err = 0, herr = 0;

	write_hosts(hosts_basic);
	assert_int_equal(_nss_kvmnet_gethostbyname_r("www.lab.kvmnet", &he, buf, sizeof(buf), &err,
						     &herr),
			 NSS_STATUS_SUCCESS);
	assert_string_equal(he.h_name, "www.lab.kvmnet");
	assert_in_addr(he.h_addr_list[0], "10.0.0.10");
	assert_int_equal(_nss_kvmnet_gethostbyname_r("nope", &he, buf, sizeof(buf), &err, &herr),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(herr, HOST_NOT_FOUND);
}

static void test_gethostbyname4(void **state)
{
	struct gaih_addrtuple *pat = NULL, pre = { 0 };
	char buf[1024];
	int32_t ttl = 99;
	int err = 0, herr = 0;

	write_hosts(hosts_basic);
	assert_int_equal(_nss_kvmnet_gethostbyname4_r("WEB1.", &pat, buf, sizeof(buf), &err, &herr,
						      &ttl),
			 NSS_STATUS_SUCCESS);
	assert_int_equal(ttl, 0);
	assert_non_null(pat);
	assert_string_equal(pat->name, "web1.lab.kvmnet");
	assert_int_equal(pat->family, AF_INET);
	assert_in_addr(pat->addr, "10.0.0.10");
	assert_int_equal(pat->scopeid, 0);
	assert_non_null(pat->next);
	assert_int_equal(pat->next->family, AF_INET);
	assert_in_addr(pat->next->addr, "10.1.0.10");
	assert_null(pat->next->next);

	/* A head preallocated by the caller (older glibc) is filled in place. */
	pat = &pre;
	assert_int_equal(_nss_kvmnet_gethostbyname4_r("db1", &pat, buf, sizeof(buf), &err, &herr,
						      NULL),
			 NSS_STATUS_SUCCESS);
	assert_ptr_equal(pat, &pre);
	assert_string_equal(pre.name, "db1.lab.kvmnet");
	assert_in_addr(pre.addr, "10.0.0.11");
	assert_null(pre.next);

	pat = NULL;
	assert_int_equal(_nss_kvmnet_gethostbyname4_r("nope", &pat, buf, sizeof(buf), &err, &herr,
						      &ttl),
			 NSS_STATUS_NOTFOUND);
	assert_null(pat);
	assert_int_equal(err, ENOENT);
	assert_int_equal(herr, HOST_NOT_FOUND);
}

static void test_reverse(void **state)
{
	struct in_addr a;
	struct hostent he;
	char buf[1024];
	int32_t ttl = 99;
	int err = 0, herr = 0;

	write_hosts(hosts_basic);
	inet_pton(AF_INET, "10.0.0.11", &a);
	assert_int_equal(_nss_kvmnet_gethostbyaddr2_r(&a, sizeof(a), AF_INET, &he, buf, sizeof(buf),
						      &err, &herr, &ttl),
			 NSS_STATUS_SUCCESS);
	assert_int_equal(ttl, 0);
	assert_string_equal(he.h_name, "db1.lab.kvmnet");
	assert_string_equal(he.h_aliases[0], "db1");
	assert_null(he.h_aliases[1]);
	assert_int_equal(he.h_addrtype, AF_INET);
	assert_in_addr(he.h_addr_list[0], "10.0.0.11");
	assert_null(he.h_addr_list[1]);

	/* An address with two names: the first line's. */
	inet_pton(AF_INET, "10.0.0.10", &a);
	assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a, sizeof(a), AF_INET, &he, buf, sizeof(buf),
						     &err, &herr),
			 NSS_STATUS_SUCCESS);
	assert_string_equal(he.h_name, "web1.lab.kvmnet");

	inet_pton(AF_INET, "10.0.0.99", &a);
	assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a, sizeof(a), AF_INET, &he, buf, sizeof(buf),
						     &err, &herr),
			 NSS_STATUS_NOTFOUND);
	assert_int_equal(err, ENOENT);
	assert_int_equal(herr, HOST_NOT_FOUND);

	{
		struct in6_addr a6 = IN6ADDR_LOOPBACK_INIT;

		assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a6, sizeof(a6), AF_INET6, &he, buf,
							     sizeof(buf), &err, &herr),
				 NSS_STATUS_NOTFOUND);
		assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a6, sizeof(a6), AF_INET, &he, buf,
							     sizeof(buf), &err, &herr),
				 NSS_STATUS_UNAVAIL);
		assert_int_equal(err, EINVAL);
		assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a6, 4, AF_PACKET, &he, buf,
							     sizeof(buf), &err, &herr),
				 NSS_STATUS_UNAVAIL);
		assert_int_equal(err, EAFNOSUPPORT);
	}
}

/* IPv6 lines (DHCPv6 leases, reservations with an ip6, the gateway6) answer AF_INET6 lookups. */
static void test_ipv6(void **state)
{
	static const char text[] = "10.0.0.10 web1 web1.lab.kvmnet\n"
				   "fd42::10 web1 web1.lab.kvmnet\n"
				   "fd42::20 six six.lab.kvmnet\n";
	struct gaih_addrtuple *pat = NULL;
	struct in6_addr want, a6;
	struct hostent he;
	char buf[1024];
	int err = 0, herr = 0;
	int32_t ttl = 5;

	write_hosts(text);
	inet_pton(AF_INET6, "fd42::10", &want);
	assert_int_equal(_nss_kvmnet_gethostbyname2_r("web1", AF_INET6, &he, buf, sizeof(buf),
						      &err, &herr),
			 NSS_STATUS_SUCCESS);
	assert_int_equal(he.h_addrtype, AF_INET6);
	assert_int_equal(he.h_length, 16);
	assert_memory_equal(he.h_addr_list[0], &want, 16);
	assert_null(he.h_addr_list[1]);
	assert_string_equal(he.h_name, "web1.lab.kvmnet");
	/* AF_INET still sees only the IPv4 line; an IPv6-only name is not found there */
	assert_int_equal(_nss_kvmnet_gethostbyname2_r("web1", AF_INET, &he, buf, sizeof(buf),
						      &err, &herr),
			 NSS_STATUS_SUCCESS);
	assert_int_equal(he.h_length, 4);
	assert_null(he.h_addr_list[1]);
	assert_int_equal(_nss_kvmnet_gethostbyname2_r("six", AF_INET, &he, buf, sizeof(buf),
						      &err, &herr),
			 NSS_STATUS_NOTFOUND);
	/* getaddrinfo's entry: both families, in file order */
	assert_int_equal(_nss_kvmnet_gethostbyname4_r("web1.lab.kvmnet", &pat, buf, sizeof(buf),
						      &err, &herr, &ttl),
			 NSS_STATUS_SUCCESS);
	assert_int_equal(pat->family, AF_INET);
	assert_non_null(pat->next);
	assert_int_equal(pat->next->family, AF_INET6);
	assert_memory_equal(pat->next->addr, &want, 16);
	assert_null(pat->next->next);
	/* reverse */
	inet_pton(AF_INET6, "fd42::20", &a6);
	assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a6, sizeof(a6), AF_INET6, &he, buf,
						     sizeof(buf), &err, &herr),
			 NSS_STATUS_SUCCESS);
	assert_string_equal(he.h_name, "six.lab.kvmnet");
	assert_int_equal(he.h_length, 16);
	/* too small a buffer: ERANGE, as for IPv4 */
	assert_int_equal(_nss_kvmnet_gethostbyname2_r("web1", AF_INET6, &he, buf, 20, &err, &herr),
			 NSS_STATUS_TRYAGAIN);
	assert_int_equal(err, ERANGE);
}

static void check_missing(void)
{
	struct gaih_addrtuple *pat = NULL;
	struct in_addr a = { htonl(0x0a00000a) };
	struct hostent he;
	char buf[1024];
	int err = 0, herr = 0;

	assert_int_equal(byname("web1", &he, buf, sizeof(buf), &err, &herr), NSS_STATUS_UNAVAIL);
	assert_int_equal(err, ENOENT);
	assert_int_equal(herr, NO_RECOVERY);
	err = herr = 0;
	assert_int_equal(_nss_kvmnet_gethostbyname4_r("web1", &pat, buf, sizeof(buf), &err, &herr,
						      NULL),
			 NSS_STATUS_UNAVAIL);
	assert_int_equal(err, ENOENT);
	assert_int_equal(herr, NO_RECOVERY);
	err = herr = 0;
	assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a, sizeof(a), AF_INET, &he, buf, sizeof(buf),
						     &err, &herr),
			 NSS_STATUS_UNAVAIL);
	assert_int_equal(err, ENOENT);
	assert_int_equal(herr, NO_RECOVERY);
}

static void test_missing_file(void **state)
{
	char other[96];

	unlink(hosts_path);
	check_missing();

	/* The variable is followed: another path that does not exist either. */
	snprintf(other, sizeof(other), "%s/absent", tmpdir);
	assert_int_equal(setenv(NSS_KVMNET_HOSTS_ENV, other, 1), 0);
	write_hosts(hosts_basic);
	check_missing();
	assert_int_equal(setenv(NSS_KVMNET_HOSTS_ENV, hosts_path, 1), 0);
	check_found("db1", "db1.lab.kvmnet", "db1", "10.0.0.11");
}

/*
 * Every buffer size below the smallest that works gives TRYAGAIN + ERANGE + NETDB_INTERNAL (what
 * glibc needs to retry), every size from it up works, at every alignment.
 */
static void test_erange(void **state)
{
	_Alignas(16) char buf[1024 + 16];

	write_hosts(hosts_basic);
	for (size_t off = 0; off < 9; off++) {
		size_t need[4] = { 0 };

		for (size_t len = 0; len < 512; len++) {
			struct gaih_addrtuple *pat = NULL;
			struct in_addr a = { htonl(0x0a00000b) };
			enum nss_status st[4];
			struct hostent he;
			int err[4], herr[4];
			char *canon = NULL;

			st[0] = _nss_kvmnet_gethostbyname4_r("web1", &pat, buf + off, len, &err[0],
							     &herr[0], NULL);
			st[1] = _nss_kvmnet_gethostbyname3_r("web1", AF_INET, &he, buf + off, len,
							     &err[1], &herr[1], NULL, &canon);
			if (st[1] == NSS_STATUS_SUCCESS) {
				/* Everything the answer points to lies inside the buffer. */
				assert_true(he.h_name >= buf + off && he.h_name < buf + off + len);
				assert_true((char *)he.h_addr_list >= buf + off &&
					    (char *)(he.h_addr_list + 3) <= buf + off + len);
				assert_string_equal(canon, "web1.lab.kvmnet");
				assert_in_addr(he.h_addr_list[1], "10.1.0.10");
			}
			st[2] = _nss_kvmnet_gethostbyname_r("db1.lab.kvmnet", &he, buf + off, len,
							    &err[2], &herr[2]);
			st[3] = _nss_kvmnet_gethostbyaddr_r(&a, sizeof(a), AF_INET, &he, buf + off,
							    len, &err[3], &herr[3]);
			for (size_t k = 0; k < 4; k++) {
				if (need[k] == 0 && st[k] == NSS_STATUS_SUCCESS)
					need[k] = len ? len : SIZE_MAX;
				if (need[k] != 0) {
					assert_int_equal(st[k], NSS_STATUS_SUCCESS);
					continue;
				}
				assert_int_equal(st[k], NSS_STATUS_TRYAGAIN);
				assert_int_equal(err[k], ERANGE);
				assert_int_equal(herr[k], NETDB_INTERNAL);
			}
		}
		for (size_t k = 0; k < 4; k++) {
			assert_true(need[k] > 0 && need[k] < 512);
		}
		/* A tuple's pointers and the name, or hostent's two arrays, strings, addresses. */
		assert_true(need[0] >= 2 * sizeof(struct gaih_addrtuple) + 16);
		assert_true(need[1] >= 5 * sizeof(char *) + 8 + 16 + 5);
	}
}

static void test_file_syntax(void **state)
{
	static const char text[] = "\n"
				   "   # indented comment\n"
				   "#10.0.0.1 commented commented.lab.kvmnet\n"
				   "10.0.0.2\n"
				   "10.0.0.300 bad bad.lab.kvmnet\n"
				   "fe80::1 six six.lab.kvmnet\n"
				   "10.0.0.3 crlf crlf.lab.kvmnet\r\n"
				   "\t 10.0.0.4 \t short   \n"
				   "10.0.0.5 same same\n"
				   "10.0.0.6 extra extra.lab.kvmnet ignored fields\n"
				   "10.0.0.7 dup dup.lab.kvmnet\n"
				   "10.0.0.7 dup dup.lab.kvmnet\n"
				   "10.0.0.8 last last.lab.kvmnet";

	write_hosts(text);
	check_not_found("commented");
	check_not_found("bad");
	check_not_found("six");
	check_found("crlf", "crlf.lab.kvmnet", "crlf", "10.0.0.3");
	check_found("short", "short", NULL, "10.0.0.4");
	check_found("same", "same", NULL, "10.0.0.5");
	check_found("extra.lab.kvmnet", "extra.lab.kvmnet", "extra", "10.0.0.6");
	check_not_found("ignored");
	check_found("last", "last.lab.kvmnet", "last", "10.0.0.8");
	{
		struct hostent he;
		char buf[1024];
		int err, herr;

		/* The same address twice is returned once. */
		assert_int_equal(byname("dup", &he, buf, sizeof(buf), &err, &herr),
				 NSS_STATUS_SUCCESS);
		assert_null(he.h_addr_list[1]);
	}
}

/* Lines longer than the read buffer are skipped whole; files larger than it are read on. */
static void test_long_lines_and_large_file(void **state)
{
	size_t size = 300000, n = 0;
	char *text = malloc(size), *p;

	assert_non_null(text);
	p = text;
	n += (size_t)sprintf(p + n, "10.0.0.20 before before.lab.kvmnet\n10.0.0.21 ");
	memset(p + n, 'x', 9000);
	n += 9000;
	n += (size_t)sprintf(p + n, " huge\n10.0.0.22 after after.lab.kvmnet\n");
	for (unsigned i = 0; i < 5000; i++)
		n += (size_t)sprintf(p + n, "10.%u.%u.%u g%u g%u.lab.kvmnet\n", 2 + i / 65536,
				     (i / 256) % 256, i % 256, i, i);
	/* A name on 20 lines: at most 16 addresses come back. */
	for (unsigned i = 0; i < 20; i++)
		n += (size_t)sprintf(p + n, "10.9.0.%u many many.lab.kvmnet\n", i + 1);
	memset(p + n, 'y', 5000);
	n += 5000;
	p[n] = '\0';
	assert_true(n < size);
	write_hosts(text);
	free(text);

	check_found("before", "before.lab.kvmnet", "before", "10.0.0.20");
	check_not_found("huge");
	check_found("after", "after.lab.kvmnet", "after", "10.0.0.22");
	check_found("g0", "g0.lab.kvmnet", "g0", "10.2.0.0");
	check_found("g4999.lab.kvmnet", "g4999.lab.kvmnet", "g4999", "10.2.19.135");
	{
		struct hostent he;
		char buf[2048];
		int err, herr, count = 0;

		assert_int_equal(byname("many", &he, buf, sizeof(buf), &err, &herr),
				 NSS_STATUS_SUCCESS);
		while (he.h_addr_list[count])
			count++;
		assert_int_equal(count, 16);
		assert_in_addr(he.h_addr_list[15], "10.9.0.16");
	}
}

static struct addr_learn_entry learned(uint8_t mac_last, const char *ip,
				       enum addr_learn_source source, const char *hostname)
{
	struct addr_learn_entry e = { .mac = { 0x52, 0x54, 0, 0, 0, mac_last }, .source = source };

	assert_int_equal(inet_pton(AF_INET, ip, &e.ip), 1);
	snprintf(e.hostname, sizeof(e.hostname), "%s", hostname);
	return e;
}

/*
 * Learned guests (modes bridge, macvtap): a DHCP pair under the name its client sent, else the
 * port's; a MAC with a DHCP pair has its ARP-only pairs left out; a port whose name is no DNS
 * label names nobody. The lines resolve both ways through the module.
 */
static void test_learned_guests(void **state)
{
	const struct addr_learn_entry e[] = {
		learned(1, "192.168.77.50", ADDR_LEARN_SOURCE_DHCP, "web1"),
		learned(1, "192.168.77.200", ADDR_LEARN_SOURCE_ARP, ""),
		learned(2, "192.168.77.60", ADDR_LEARN_SOURCE_DHCP, ""),
		learned(3, "192.168.77.70", ADDR_LEARN_SOURCE_ARP, ""),
	};
	_cleanup_(strbuf_done) struct strbuf sb = STRBUF_INIT;
	struct in_addr a;
	struct hostent he;
	char buf[1024];
	int err, herr;

	assert_int_equal(strbuf_append(&sb, "# kvmnet hosts\n"), 0);
	assert_int_equal(lan_hosts_append(&sb, e, 4, "VM-Web", "lan.kvmnet"), 0);
	assert_int_equal(lan_hosts_append(&sb, e + 2, 2, "vm_2", "lan.kvmnet"), 0);
	assert_int_equal(lan_hosts_append(&sb, e, 0, "vm3", "lan.kvmnet"), 0);
	assert_string_equal(sb.buf, "# kvmnet hosts\n"
				    "192.168.77.50 web1 web1.lan.kvmnet\n"
				    "192.168.77.60 vm-web vm-web.lan.kvmnet\n"
				    "192.168.77.70 vm-web vm-web.lan.kvmnet\n");
	write_hosts(sb.buf);
	check_found("web1", "web1.lan.kvmnet", "web1", "192.168.77.50");
	check_found("WEB1.lan.kvmnet.", "web1.lan.kvmnet", "web1", "192.168.77.50");
	assert_int_equal(byname("vm-web", &he, buf, sizeof(buf), &err, &herr), NSS_STATUS_SUCCESS);
	assert_string_equal(he.h_name, "vm-web.lan.kvmnet");
	assert_in_addr(he.h_addr_list[0], "192.168.77.60");
	assert_in_addr(he.h_addr_list[1], "192.168.77.70");
	assert_null(he.h_addr_list[2]);
	check_not_found("vm_2");
	check_not_found("vm3");
	inet_pton(AF_INET, "192.168.77.50", &a);
	assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a, sizeof(a), AF_INET, &he, buf, sizeof(buf),
						     &err, &herr),
			 NSS_STATUS_SUCCESS);
	assert_string_equal(he.h_name, "web1.lan.kvmnet");
	/* the ARP-only address of a guest that has its DHCP one is not named */
	inet_pton(AF_INET, "192.168.77.200", &a);
	assert_int_equal(_nss_kvmnet_gethostbyaddr_r(&a, sizeof(a), AF_INET, &he, buf, sizeof(buf),
						     &err, &herr),
			 NSS_STATUS_NOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_found),
		cmocka_unit_test(test_name_case_and_dot),
		cmocka_unit_test(test_not_found_and_families),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_gethostbyname_r),
		cmocka_unit_test(test_gethostbyname4),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_erange),
		cmocka_unit_test(test_file_syntax),
		cmocka_unit_test(test_long_lines_and_large_file),
		cmocka_unit_test(test_learned_guests),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
