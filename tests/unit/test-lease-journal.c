/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lease/lease-journal against files in a tmpdir: the record format (golden lines),
 * append/commit/reopen, removals, every kind of corrupt or torn tail, group commit and pending
 * semantics, the write-out of a full buffer, and compaction in a forked child (interleaved
 * commits, failures, abandonment).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lease/lease-journal.h"
#include "lease/lease.h"
#include "shared/alloc-util.h"
#include "shared/file-util.h"
#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"

static char tmpdir[64];
static char path[128];
static char path_new[140];

static int snap_gate = -1;    /* read end of a pipe: the child waits for one byte, if >= 0 */
static int snap_error;        /* returned by the snapshot instead of emitting, if non-zero */

static int setup(void **state)
{
	/* A test that failed half-way may have left these set. */
	snap_gate = -1;
	snap_error = 0;
	strcpy(tmpdir, "/tmp/kn-journal-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	snprintf(path, sizeof(path), "%s/leases.journal", tmpdir);
	snprintf(path_new, sizeof(path_new), "%s.new", path);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The leases of the tests: network 'net' (0 or 1) and address 10.0.0.'host'. */
static struct lease mk(unsigned host, uint64_t expires, enum lease_state state, const char *name)
{
	struct lease l;

	memset(&l, 0, sizeof(l));
	l.ip = in_addr_from_host(0x0a000000 + host);
	l.mac[0] = 0x52;
	l.mac[1] = 0x54;
	l.mac[5] = (uint8_t)host;
	l.id_len = 7;
	l.id[0] = 0x01;
	memcpy(l.id + 1, l.mac, 6);
	l.expires = expires;
	l.state = state;
	snprintf(l.hostname, sizeof(l.hostname), "%s", name);
	return l;
}

static bool lease_eq(const struct lease *a, const struct lease *b)
{
	return in_addr_equal(a->ip, b->ip) && memcmp(a->mac, b->mac, 6) == 0 &&
	       a->id_len == b->id_len && memcmp(a->id, b->id, a->id_len) == 0 &&
	       strcmp(a->hostname, b->hostname) == 0 && a->expires == b->expires &&
	       a->state == b->state && lease_is_ipv6(a) == lease_is_ipv6(b) &&
	       (!lease_is_ipv6(a) || memcmp(&a->ip6, &b->ip6, 16) == 0);
}

static const char *const networks[] = { "lab", "web-2" };

/* What the replay callback saw, in order. */
struct record {
	char network[33];
	struct lease l;
	bool removed;
};

struct replayed {
	struct record r[20000];
	size_t n;
};

static int collect_cb(const char *network, const struct lease *l, bool removed, void *data)
{
	struct replayed *rp = data;

	assert_true(rp->n < ELEMENTSOF(rp->r));
	snprintf(rp->r[rp->n].network, sizeof(rp->r[rp->n].network), "%s", network);
	rp->r[rp->n].l = *l;
	rp->r[rp->n].removed = removed;
	rp->n++;
	return 0;
}

/* The state a journal describes: live leases by network and last address byte. */
struct model {
	bool used[2][256];
	struct lease l[2][256];
};

static void model_apply(struct model *m, const char *network, const struct lease *l, bool removed)
{
	int net = strcmp(network, networks[0]) == 0 ? 0 : 1;
	unsigned host = in_addr_to_host(l->ip) & 0xff;

	m->used[net][host] = !removed;
	if (!removed)
		m->l[net][host] = *l;
}

static int model_cb(const char *network, const struct lease *l, bool removed, void *data)
{
	model_apply(data, network, l, removed);
	return 0;
}

static void model_assert_equal(const struct model *a, const struct model *b)
{
	for (int net = 0; net < 2; net++)
		for (int h = 0; h < 256; h++) {
			if (a->used[net][h] != b->used[net][h])
				fail_msg("network %d host %d: %d != %d", net, h, a->used[net][h],
					 b->used[net][h]);
			if (a->used[net][h] && !lease_eq(&a->l[net][h], &b->l[net][h]))
				fail_msg("network %d host %d differs", net, h);
		}
}

/* Appends to the journal and to the model at once. */
static void put(struct lease_journal *j, struct model *m, int net, const struct lease *l,
		bool removed)
{
	assert_int_equal(lease_journal_append(j, networks[net], l, removed), 0);
	if (m)
		model_apply(m, networks[net], l, removed);
}

static struct lease_journal *open_model(struct model *m)
{
	struct lease_journal *j = NULL;

	memset(m, 0, sizeof(*m));
	assert_int_equal(lease_journal_open(path, model_cb, m, &j), 0);
	return j;
}

static uint64_t file_size(const char *p)
{
	struct stat st;

	if (stat(p, &st) < 0)
		return UINT64_MAX;
	return (uint64_t)st.st_size;
}

static char *file_text(const char *p)
{
	char *text = NULL;

	assert_int_equal(read_file(p, 64 * 1024 * 1024, &text, NULL), 0);
	return text;
}

static void file_append(const char *p, const void *data, size_t len)
{
	int fd = open(p, O_WRONLY | O_APPEND | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* A bitwise CRC-32, independent of the journal's table-driven one. */
static uint32_t crc32_bitwise(const char *p, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= (uint8_t)p[i];
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
	}
	return ~crc;
}

static void test_golden_records(void **state)
{
	static const char expected[] =
		"v1 39847520 put lab 10.0.0.7 52:54:00:12:34:56 1767225600 bound 01525400123456 "
		"web1\n"
		"v1 de86b786 del lab 10.0.0.7 52:54:00:12:34:56 1767225600 released - -\n";
	struct lease_journal *j = NULL;
	_cleanup_free_ char *text = NULL;
	struct lease l;

	assert_int_equal(crc32_bitwise("123456789", 9), 0xcbf43926);
	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(in_addr_from_string("10.0.0.7", &l.ip), 0);
	memcpy(l.mac, (uint8_t[]){ 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, 6);
	l.id_len = 7;
	memcpy(l.id, (uint8_t[]){ 0x01, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, 7);
	strcpy(l.hostname, "web1");
	l.expires = 1767225600;
	l.state = LEASE_BOUND;
	assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
	l.state = LEASE_RELEASED;
	l.id_len = 0;
	l.hostname[0] = '\0';
	assert_int_equal(lease_journal_append(j, "lab", &l, true), 0);
	assert_int_equal(lease_journal_commit(j), 0);
	text = file_text(path);
	assert_string_equal(text, expected);
	/* The checksum is what an independent CRC-32 computes over the rest of the line. */
	assert_int_equal(crc32_bitwise(expected + 12, strchr(expected, '\n') - expected - 12),
			 0x39847520);
	lease_journal_free(j);
}

/* A DHCPv6 lease: the address in IPv6 text form, the identity IAID + DUID; replayed with its key. */
static void test_ipv6_record(void **state)
{
	static const uint8_t duid[] = { 0, 3, 0, 1, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
	struct replayed *out = calloc(1, sizeof(*out));
	struct lease_journal *j = NULL;
	_cleanup_free_ char *text = NULL;
	struct lease l;

	assert_non_null(out);
	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	memset(&l, 0, sizeof(l));
	l.family = AF_INET6;
	assert_int_equal(in6_addr_from_string("fd42::1:7", &l.ip6), 0);
	memcpy(&l.ip, &l.ip6.s6_addr[12], 4);
	memcpy(l.mac, duid + 4, 6);
	assert_int_equal(lease_id6_make(0x0a0b0c0d, duid, sizeof(duid), l.id, &l.id_len), 0);
	strcpy(l.hostname, "web1");
	l.expires = 1767225600;
	l.state = LEASE_BOUND;
	assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_free(j);
	text = file_text(path);
	assert_non_null(strstr(text, " put lab fd42::1:7 52:54:00:12:34:56 1767225600 bound "
				     "0a0b0c0d00030001525400123456 web1\n"));
	assert_int_equal(lease_journal_open(path, collect_cb, out, &j), 0);
	assert_int_equal(out->n, 1);
	assert_true(lease_eq(&out->r[0].l, &l));
	assert_true(lease_is_ipv6(&out->r[0].l));
	lease_journal_free(j);
	/* a DUID that leaves no room for the IAID in an identity */
	{
		uint8_t big[LEASE_CLIENT_ID_MAX] = { 0 };
		assert_int_equal(lease_id6_make(1, big, LEASE_CLIENT_ID_MAX - 3, l.id, &l.id_len),
				 -E2BIG);
	}
	free(out);
}

static void test_append_commit_reopen(void **state)
{
	struct replayed *in = calloc(1, sizeof(*in)), *out = calloc(1, sizeof(*out));
	struct lease_journal *j = NULL;
	struct lease_journal_stats st;

	assert_non_null(in);
	assert_non_null(out);
	assert_int_equal(lease_journal_open(path, collect_cb, out, &j), 0);
	assert_int_equal(out->n, 0);

	/* Ordinary leases, removals, and every field at its extremes. */
	for (unsigned i = 0; i < 200; i++) {
		struct record *r = &in->r[in->n++];

		snprintf(r->network, sizeof(r->network), "%s", networks[i % 2]);
		r->l = mk(i % 50 + 2, 1700000000 + i, (enum lease_state)(1 + i % 3),
			  i % 4 ? "vm" : "");
		r->removed = i % 7 == 0;
	}
	{
		struct record *r = &in->r[in->n++];

		strcpy(r->network, "abcdefghijklmnopqrstuvwxyz01234_"); /* 32 characters */
		r->l = mk(255, UINT64_MAX, LEASE_DECLINED, "");
		memset(r->l.hostname, 'h', LEASE_HOSTNAME_MAX);
		r->l.hostname[LEASE_HOSTNAME_MAX] = '\0';
		r->l.id_len = LEASE_CLIENT_ID_MAX;
		memset(r->l.id, 0xab, LEASE_CLIENT_ID_MAX);
		r->l.mac[0] = 0xff;
		r = &in->r[in->n++];
		strcpy(r->network, "0");
		r->l = mk(0, 0, LEASE_RELEASED, "A-9");
		r->l.id_len = 0;
		r = &in->r[in->n++];
		strcpy(r->network, "lab");
		r->l = mk(3, 5, LEASE_OFFERED, "gone");   /* an offer may be removed */
		r->removed = true;
	}
	for (size_t i = 0; i < in->n; i++)
		assert_int_equal(lease_journal_append(j, in->r[i].network, &in->r[i].l,
						      in->r[i].removed),
				 0);
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.records_committed, in->n);
	assert_int_equal(st.commits, 1);
	assert_int_equal(st.size, file_size(path));
	lease_journal_free(j);

	assert_int_equal(lease_journal_open(path, collect_cb, out, &j), 0);
	assert_int_equal(out->n, in->n);
	for (size_t i = 0; i < in->n; i++) {
		assert_string_equal(out->r[i].network, in->r[i].network);
		assert_int_equal(out->r[i].removed, in->r[i].removed);
		if (!lease_eq(&out->r[i].l, &in->r[i].l))
			fail_msg("record %zu differs", i);
	}
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.records_replayed, in->n);
	assert_int_equal(st.bytes_discarded, 0);
	assert_int_equal(st.commits, 0);
	lease_journal_free(j);
	free(in);
	free(out);
}

static void test_removal(void **state)
{
	struct model m, back;
	struct lease_journal *j = open_model(&m);
	struct lease l = mk(10, 100, LEASE_BOUND, "a");

	put(j, &m, 0, &l, false);
	put(j, &m, 1, &l, false);
	l.state = LEASE_RELEASED;
	put(j, &m, 0, &l, false);
	put(j, &m, 0, &l, true);
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_free(j);

	j = open_model(&back);
	assert_false(back.used[0][10]);
	assert_true(back.used[1][10]);
	assert_int_equal(back.l[1][10].state, LEASE_BOUND);
	model_assert_equal(&m, &back);
	lease_journal_free(j);
}

static void test_append_errors(void **state)
{
	struct lease_journal *j = NULL;
	struct replayed *out = calloc(1, sizeof(*out));
	struct lease l = mk(10, 100, LEASE_BOUND, "a");

	assert_non_null(out);
	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	assert_int_equal(lease_journal_append(j, "Lab", &l, false), -EINVAL);
	assert_int_equal(lease_journal_append(j, "", &l, false), -EINVAL);
	assert_int_equal(lease_journal_append(j, "-lab", &l, false), -EINVAL);
	assert_int_equal(lease_journal_append(j, "lab net", &l, false), -EINVAL);
	assert_int_equal(lease_journal_append(j, "abcdefghijklmnopqrstuvwxyz0123456", &l, false),
			 -E2BIG);
	l.id_len = LEASE_CLIENT_ID_MAX + 1;
	assert_int_equal(lease_journal_append(j, "lab", &l, false), -EINVAL);
	l = mk(10, 100, LEASE_OFFERED, "a");
	assert_int_equal(lease_journal_append(j, "lab", &l, false), -EINVAL);
	l.state = _LEASE_STATE_MAX;
	assert_int_equal(lease_journal_append(j, "lab", &l, true), -EINVAL);
	assert_false(lease_journal_pending(j));
	assert_int_equal(lease_journal_append(NULL, "lab", &l, false), -EINVAL);

	/* Host names that are not DNS labels are dropped, the lease is kept. */
	l = mk(11, 100, LEASE_BOUND, "a_b");
	assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
	l = mk(12, 100, LEASE_BOUND, "");
	memset(l.hostname, 'x', sizeof(l.hostname));   /* no NUL */
	assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
	l = mk(13, 100, LEASE_BOUND, "with space");
	assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_free(j);

	assert_int_equal(lease_journal_open(path, collect_cb, out, &j), 0);
	assert_int_equal(out->n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(out->r[i].l.hostname, "");
		assert_int_equal(in_addr_to_host(out->r[i].l.ip), 0x0a000000 + 11 + i);
	}
	lease_journal_free(j);
	free(out);
}

static void test_pending_and_commit(void **state)
{
	struct lease_journal *j = NULL;
	struct lease_journal_stats st;
	struct lease l = mk(10, 100, LEASE_BOUND, "a");

	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	assert_false(lease_journal_pending(j));
	/* Nothing pending: no write, no fdatasync. */
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.commits, 0);

	/* Appending does no I/O. */
	for (int i = 0; i < 100; i++)
		assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
	assert_true(lease_journal_pending(j));
	assert_int_equal(file_size(path), 0);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.size, 0);

	/* One commit for all of them. */
	assert_int_equal(lease_journal_commit(j), 0);
	assert_false(lease_journal_pending(j));
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.commits, 1);
	assert_int_equal(st.records_committed, 100);
	assert_true(file_size(path) > 0);
	assert_int_equal(st.size, file_size(path));
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.commits, 1);

	assert_int_equal(lease_journal_append(j, "lab", &l, true), 0);
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.commits, 2);
	assert_int_equal(st.records_committed, 101);

	/* Freeing commits what is pending. */
	assert_int_equal(lease_journal_append(j, "web-2", &l, false), 0);
	lease_journal_free(j);
	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.records_replayed, 102);
	lease_journal_free(j);
}

/* More than LEASE_JOURNAL_BUFFER_MAX bytes of records: written out early, durable at commit. */
static void test_buffer_write_out(void **state)
{
	struct lease_journal *j = NULL;
	struct lease_journal_stats st;
	struct lease l = mk(10, 100, LEASE_BOUND, "a-rather-long-host-name-for-a-vm");
	const unsigned n = 15000;

	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
	assert_true(file_size(path) > 0);
	assert_true(file_size(path) <= LEASE_JOURNAL_BUFFER_MAX);
	assert_true(lease_journal_pending(j));
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.commits, 0);
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.commits, 1);
	assert_int_equal(st.records_committed, n);
	assert_false(lease_journal_pending(j));
	lease_journal_free(j);

	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.records_replayed, n);
	lease_journal_free(j);
}

/* Writes 'n' records of distinct leases (10.0.0.2, .3, ...) and returns each one's end offset. */
static void write_records(unsigned n, uint64_t *ends)
{
	struct lease_journal *j = NULL;

	unlink(path);
	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	for (unsigned i = 0; i < n; i++) {
		struct lease l = mk(2 + i, 1000 + i, LEASE_BOUND, "vm");

		assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
		assert_int_equal(lease_journal_commit(j), 0);
		ends[i] = file_size(path);
	}
	lease_journal_free(j);
}

/*
 * Opens the damaged journal: expects 'kept' records and the file cut to 'good' bytes; then an
 * append + commit + reopen is clean and replays kept + 1 records.
 */
static void check_recovery(unsigned kept, uint64_t good, uint64_t size_before)
{
	struct lease_journal *j = NULL;
	struct lease_journal_stats st;
	struct model m;
	struct lease l = mk(200, 5, LEASE_BOUND, "after");

	j = open_model(&m);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.records_replayed, kept);
	assert_int_equal(st.bytes_discarded, size_before - good);
	assert_true(st.bytes_discarded > 0);
	assert_int_equal(file_size(path), good);
	assert_int_equal(st.size, good);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(m.used[0][2 + i], i < kept);

	assert_int_equal(lease_journal_append(j, "lab", &l, false), 0);
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_free(j);

	j = open_model(&m);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.records_replayed, kept + 1);
	assert_int_equal(st.bytes_discarded, 0);
	assert_true(m.used[0][200]);
	lease_journal_free(j);
}

static void flip_byte(uint64_t offset)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	char ch;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &ch, 1, (off_t)offset), 1);
	ch ^= 0x20;
	assert_int_equal(pwrite(fd, &ch, 1, (off_t)offset), 1);
	close(fd);
}

static void test_corrupt_tail(void **state)
{
	uint64_t ends[10], size;
	char big[LEASE_JOURNAL_RECORD_MAX + 10];

	/* A flipped byte in the last record (in a field, in the checksum, in the newline). */
	write_records(10, ends);
	flip_byte(ends[8] + 40);
	check_recovery(9, ends[8], ends[9]);
	write_records(10, ends);
	flip_byte(ends[8] + 5);
	check_recovery(9, ends[8], ends[9]);
	write_records(10, ends);
	flip_byte(ends[9] - 1);
	check_recovery(9, ends[8], ends[9]);

	/* A record cut short, as a crash mid-write leaves it. */
	write_records(10, ends);
	assert_int_equal(truncate(path, (off_t)(ends[9] - 5)), 0);
	check_recovery(9, ends[8], ends[9] - 5);
	write_records(10, ends);
	assert_int_equal(truncate(path, (off_t)(ends[8] + 1)), 0);
	check_recovery(9, ends[8], ends[8] + 1);

	/* Garbage after the last record: with and without a newline, zeros, an overlong line. */
	write_records(10, ends);
	file_append(path, "hello world\n", 12);
	check_recovery(10, ends[9], ends[9] + 12);
	write_records(10, ends);
	file_append(path, "v1 00", 5);
	check_recovery(10, ends[9], ends[9] + 5);
	write_records(10, ends);
	memset(big, 0, sizeof(big));
	file_append(path, big, sizeof(big));
	check_recovery(10, ends[9], ends[9] + sizeof(big));
	write_records(10, ends);
	memset(big, 'v', sizeof(big));
	file_append(path, big, sizeof(big));
	check_recovery(10, ends[9], ends[9] + sizeof(big));

	/* A bad record in the middle: everything after it goes too (order matters). */
	write_records(10, ends);
	flip_byte(ends[3] + 30);
	check_recovery(4, ends[3], ends[9]);
	/* The very first record. */
	write_records(10, ends);
	flip_byte(3);
	check_recovery(0, 0, ends[9]);

	/* A line with a valid checksum but not in canonical form is not a record either. */
	{
		static const char *const bodies[] = {
			"put lab 10.0.0.9 52:54:00:00:00:09 1000 bound - VM",   /* canonical */
			"put lab 10.0.0.9 52:54:00:00:00:0A 1000 bound - vm",   /* uppercase MAC */
			"put lab 10.0.0.9 52:54:00:00:00:09 01000 bound - vm",  /* leading zero */
			"put lab 10.0.0.9 52:54:00:00:00:09 1000  bound - vm",  /* two blanks */
			"put lab 10.0.0.9 52:54:00:00:00:09 1000 offered - vm", /* offers not put */
			"set lab 10.0.0.9 52:54:00:00:00:09 1000 bound - vm",
			"put lab 10.0.0.9 52:54:00:00:00:09 1000 bound 0 vm",   /* odd hex */
			"put lab 10.0.0.9 52:54:00:00:00:09 1000 bound - vm x",
			"put lab 10.0.0.09 52:54:00:00:00:09 1000 bound - vm",
			"put lab 10.0.0.9 52:54:00:00:00:09 99999999999999999999 bound - vm",
		};
		char line[256];

		for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
			int n = snprintf(line, sizeof(line), "v1 %08x %s\n",
					 crc32_bitwise(bodies[i], strlen(bodies[i])), bodies[i]);

			write_records(3, ends);
			file_append(path, line, (size_t)n);
			size = ends[2] + (uint64_t)n;
			if (i == 0) {
				struct lease_journal *j = NULL;
				struct lease_journal_stats st;

				assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
				lease_journal_get_stats(j, &st);
				assert_int_equal(st.records_replayed, 4);
				assert_int_equal(st.bytes_discarded, 0);
				lease_journal_free(j);
				continue;
			}
			check_recovery(3, ends[2], size);
		}
	}
}

static int fail_cb(const char *network, const struct lease *l, bool removed, void *data)
{
	int *count = data;

	return ++*count == 3 ? -ENOTRECOVERABLE : 0;
}

static void test_open_errors(void **state)
{
	struct lease_journal *j = NULL;
	uint64_t ends[5];
	char missing[200];
	int count = 0;

	/* A callback error stops the replay, is returned, and leaves the file alone. */
	write_records(5, ends);
	file_append(path, "junk", 4);
	assert_int_equal(lease_journal_open(path, fail_cb, &count, &j), -ENOTRECOVERABLE);
	assert_null(j);
	assert_int_equal(count, 3);
	assert_int_equal(file_size(path), ends[4] + 4);

	snprintf(missing, sizeof(missing), "%s/no/such/dir/journal", tmpdir);
	assert_int_equal(lease_journal_open(missing, NULL, NULL, &j), -ENOENT);
	assert_int_equal(lease_journal_open(NULL, NULL, NULL, &j), -EINVAL);

	/* A PATH.new left by an interrupted compaction is removed. */
	file_append(path, "", 0);
	{
		int fd = open(path_new, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "partial", 7), 7);
		close(fd);
	}
	assert_int_equal(lease_journal_open(path, NULL, NULL, &j), 0);
	assert_int_equal(file_size(path_new), UINT64_MAX);
	lease_journal_free(j);
	lease_journal_free(NULL);
}

/* The model the child snapshots (its copy-on-write view of the parent's memory at fork). */
static struct model snap_model;

static int snapshot_cb(struct lease_journal *j, lease_journal_emit_fn emit, void *data)
{
	struct model *m = data;
	char ch;

	if (snap_error)
		return snap_error;
	for (int net = 0; net < 2; net++)
		for (int h = 0; h < 256; h++) {
			int r;

			if (!m->used[net][h])
				continue;
			r = emit(j, networks[net], &m->l[net][h]);
			if (r < 0)
				return r;
		}
	/* Appending from the snapshot is refused: the child must only emit. */
	if (lease_journal_append(j, networks[0], &m->l[0][2], false) != -EBUSY)
		return -EPROTO;
	/* Bounded, so that a failed test never leaves a child behind for long. */
	if (snap_gate >= 0) {
		struct pollfd p = { .fd = snap_gate, .events = POLLIN };

		if (poll(&p, 1, 10000) != 1 || read(snap_gate, &ch, 1) != 1)
			return -ETIMEDOUT;
	}
	return 0;
}

static void wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	assert_int_equal(poll(&p, 1, 5000), 1);
}

static void test_compaction(void **state)
{
	struct model back;
	struct lease_journal *j = open_model(&snap_model);
	struct lease_journal_stats st;
	uint64_t before;
	int gate[2], pidfd;

	/* History: every lease rewritten many times, some removed. */
	for (int round = 0; round < 20; round++) {
		for (unsigned h = 2; h < 102; h++) {
			struct lease l = mk(h, 1000 + (unsigned)round, LEASE_BOUND, "vm");

			put(j, &snap_model, (int)(h % 2), &l, round == 19 && h % 5 == 0);
		}
		assert_int_equal(lease_journal_commit(j), 0);
	}
	/* The offer of a store is memory only: emit() skips it. */
	snap_model.used[0][150] = true;
	snap_model.l[0][150] = mk(150, 1, LEASE_OFFERED, "");

	lease_journal_set_compaction_threshold(j, 4096);
	assert_true(lease_journal_wants_compaction(j));
	/* Appended before the fork, committed after it: must reach the new file too. */
	{
		struct lease l = mk(120, 77, LEASE_DECLINED, "");

		put(j, &snap_model, 0, &l, false);
	}

	assert_int_equal(pipe2(gate, O_CLOEXEC), 0);
	snap_gate = gate[0];
	pidfd = lease_journal_compact_begin(j, snapshot_cb, &snap_model);
	assert_true(pidfd >= 0);
	assert_false(lease_journal_wants_compaction(j));
	assert_int_equal(lease_journal_compact_begin(j, snapshot_cb, &snap_model), -EBUSY);
	/* The child waits at the gate: not done yet. */
	assert_int_equal(lease_journal_compact_end(j), -EAGAIN);

	/* Meanwhile: new leases, changes, removals, committed to the old file. */
	snap_model.used[0][150] = false;
	assert_int_equal(lease_journal_commit(j), 0);
	for (unsigned h = 90; h < 130; h++) {
		struct lease l = mk(h, 5000 + h, LEASE_RELEASED, "late");

		put(j, &snap_model, (int)(h % 2), &l, h % 3 == 0);
		if (h % 10 == 0)
			assert_int_equal(lease_journal_commit(j), 0);
	}
	assert_int_equal(lease_journal_commit(j), 0);
	/* And some still pending when the compaction ends. */
	{
		struct lease l = mk(250, 9, LEASE_BOUND, "pending");

		put(j, &snap_model, 1, &l, false);
	}
	before = file_size(path);

	assert_int_equal(write(gate[1], "x", 1), 1);
	wait_readable(pidfd);
	assert_int_equal(lease_journal_compact_end(j), 0);
	assert_int_equal(lease_journal_compact_end(j), -ECHILD);
	assert_int_equal(file_size(path_new), UINT64_MAX);
	assert_true(file_size(path) < before / 4);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.compactions, 1);
	assert_int_equal(st.size, file_size(path));
	assert_false(lease_journal_wants_compaction(j));
	assert_true(lease_journal_pending(j));

	/* Appending goes on, into the new file. */
	assert_int_equal(lease_journal_commit(j), 0);
	assert_true(st.size < file_size(path));
	{
		struct lease l = mk(251, 10, LEASE_BOUND, "");

		put(j, &snap_model, 1, &l, false);
		l = mk(2, 10, LEASE_BOUND, "");
		put(j, &snap_model, 0, &l, true);
	}
	assert_int_equal(lease_journal_commit(j), 0);
	lease_journal_free(j);

	/* The compacted journal replays to exactly the state the old one described. */
	j = open_model(&back);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.bytes_discarded, 0);
	model_assert_equal(&snap_model, &back);
	assert_false(back.used[0][150]);
	lease_journal_free(j);

	close(gate[0]);
	close(gate[1]);
	snap_gate = -1;
}

static void test_compaction_failure(void **state)
{
	struct model m, back;
	struct lease_journal *j = open_model(&m);
	_cleanup_free_ char *old = NULL, *now = NULL;
	struct lease_journal_stats st;
	int pidfd;

	for (unsigned h = 2; h < 50; h++) {
		struct lease l = mk(h, h, LEASE_BOUND, "");

		put(j, &m, 0, &l, false);
	}
	assert_int_equal(lease_journal_commit(j), 0);
	old = file_text(path);

	/* The snapshot callback fails: the child's error comes back, the old journal stays. */
	snap_error = -ENOSPC;
	pidfd = lease_journal_compact_begin(j, snapshot_cb, &m);
	assert_true(pidfd >= 0);
	wait_readable(pidfd);
	assert_int_equal(lease_journal_compact_end(j), -ENOSPC);
	snap_error = 0;
	assert_int_equal(file_size(path_new), UINT64_MAX);
	now = file_text(path);
	assert_string_equal(now, old);
	lease_journal_get_stats(j, &st);
	assert_int_equal(st.compactions, 0);

	/* An invalid record from the snapshot fails it too. */
	memset(&snap_model, 0, sizeof(snap_model));
	{
		struct lease l = mk(3, 3, LEASE_BOUND, "");

		l.id_len = LEASE_CLIENT_ID_MAX + 1;
		snap_model.used[0][3] = true;
		snap_model.l[0][3] = l;
	}
	pidfd = lease_journal_compact_begin(j, snapshot_cb, &snap_model);
	assert_true(pidfd >= 0);
	{
		struct lease l = mk(60, 60, LEASE_BOUND, "");

		put(j, &m, 1, &l, false);
		assert_int_equal(lease_journal_commit(j), 0);
	}
	wait_readable(pidfd);
	assert_int_equal(lease_journal_compact_end(j), -EINVAL);

	/* The journal works on, and a later compaction succeeds. */
	{
		struct lease l = mk(61, 61, LEASE_BOUND, "");

		put(j, &m, 1, &l, false);
		assert_int_equal(lease_journal_commit(j), 0);
	}
	pidfd = lease_journal_compact_begin(j, snapshot_cb, &m);
	assert_true(pidfd >= 0);
	wait_readable(pidfd);
	assert_int_equal(lease_journal_compact_end(j), 0);
	lease_journal_free(j);

	j = open_model(&back);
	model_assert_equal(&m, &back);
	lease_journal_free(j);
}

/* Freeing the journal during a compaction abandons it: the child is killed, PATH.new removed. */
static void test_free_during_compaction(void **state)
{
	struct model m, back;
	struct lease_journal *j = open_model(&m);
	struct lease l = mk(7, 7, LEASE_BOUND, "x");
	int gate[2];

	put(j, &m, 0, &l, false);
	assert_int_equal(lease_journal_commit(j), 0);
	assert_int_equal(pipe2(gate, O_CLOEXEC), 0);
	snap_gate = gate[0];   /* never opened: the child would wait forever */
	assert_true(lease_journal_compact_begin(j, snapshot_cb, &m) >= 0);
	assert_true(file_size(path_new) != UINT64_MAX);
	l = mk(8, 8, LEASE_BOUND, "y");
	put(j, &m, 0, &l, false);   /* pending: committed by free */
	lease_journal_free(j);
	assert_int_equal(file_size(path_new), UINT64_MAX);
	close(gate[0]);
	close(gate[1]);
	snap_gate = -1;

	j = open_model(&back);
	model_assert_equal(&m, &back);
	lease_journal_free(j);
}

static void test_wants_compaction(void **state)
{
	struct model m;
	struct lease_journal *j = open_model(&m);
	struct lease_journal_stats st;
	struct lease l = mk(7, 7, LEASE_BOUND, "x");
	uint64_t first;

	assert_false(lease_journal_wants_compaction(j));
	/* Default threshold: 1 MiB. */
	for (int i = 0; i < 100; i++)
		put(j, NULL, 0, &l, false);
	assert_int_equal(lease_journal_commit(j), 0);
	assert_false(lease_journal_wants_compaction(j));
	lease_journal_set_compaction_threshold(j, 1000);
	assert_true(lease_journal_wants_compaction(j));
	lease_journal_free(j);

	/* After open, the file must double first. */
	j = open_model(&m);
	lease_journal_set_compaction_threshold(j, 1000);
	lease_journal_get_stats(j, &st);
	first = st.size;
	assert_false(lease_journal_wants_compaction(j));
	while (st.size <= 2 * first) {
		assert_false(lease_journal_wants_compaction(j));
		put(j, NULL, 0, &l, false);
		assert_int_equal(lease_journal_commit(j), 0);
		lease_journal_get_stats(j, &st);
	}
	assert_true(lease_journal_wants_compaction(j));
	lease_journal_free(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_golden_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_commit_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pending_and_commit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_write_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_during_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wants_compaction, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
