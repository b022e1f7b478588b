/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of lease-journal.h. The file is a sequence of text records, one a line
 * (docs/LEASES.md has the full description):
 *
 *	v1 CRC OP NETWORK IP MAC EXPIRES STATE ID HOSTNAME\n
 *	v1 39847520 put lab 10.0.0.7 52:54:00:12:34:56 1767225600 bound 01525400123456 web1
 *
 * CRC is the CRC-32 (IEEE 802.3, as zlib's crc32()) of the bytes after "v1 CRC " up to the
 * newline, in 8 lowercase hex digits; OP is "put" (the lease at IP is now this one) or "del"
 * (forget the lease at IP; the fields are its last value); EXPIRES is Unix seconds; STATE is
 * "bound", "released", "declined" (or "offered", in "del" records only); ID is the client
 * identity in lowercase hex and HOSTNAME a DNS label, each "-" when empty. A line is a record
 * only if it ends in '\n', fits in LEASE_JOURNAL_RECORD_MAX bytes, its CRC matches and it is
 * byte for byte what the writer makes of the values it holds; the first line that is not ends
 * the journal (a crash mid-write leaves a torn tail, and records only make sense in order).
 *
 * The writer appends with O_APPEND and one write() per commit, so a crash leaves at most one
 * torn tail, which the next open cuts off before anything is appended after it. Compaction
 * follows Redis's BGREWRITEAOF: a fork()ed child writes the snapshot, the parent keeps a copy of
 * what it writes meanwhile (the "rewrite buffer") and appends it to the child's file before the
 * rename.
 */
#include "lease-journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/file-util.h"
#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"
#include "shared/strbuf.h"

#define JOURNAL_VERSION "v1"
/* "v1 " + 8 hex digits + " " */
#define JOURNAL_PREFIX_LEN 12
#define JOURNAL_NETWORK_MAX 32
/* Read size at open. */
#define JOURNAL_REPLAY_BUF (64 * 1024)
/* The child writes its snapshot in pieces of about this size. */
#define JOURNAL_SNAPSHOT_FLUSH (256 * 1024)

struct lease_journal {
	char *path;                 /* owned */
	char *path_new;             /* PATH.new, owned */
	int fd;                     /* the journal, O_APPEND */
	uint64_t size;              /* bytes of whole records in 'fd' */
	uint64_t base_size;         /* 'size' after open or the last compaction */
	uint64_t compact_min;       /* wants_compaction() needs at least this size */
	struct strbuf buf;          /* records appended, not yet written */
	uint64_t buf_records;       /* records in 'buf' */
	uint64_t unsynced_records;  /* records written to 'fd' but not yet fdatasync'd */
	int broken;                 /* 0, or the -errno that left the file in an unknown state */
	bool need_dir_sync;         /* a compaction's rename is not known to be durable yet */

	/* A running compaction, in the parent. */
	int pidfd;                  /* the child; -1 = no compaction running */
	int new_fd;                 /* PATH.new, O_APPEND; shared with the child */
	struct strbuf rewrite;      /* everything written to 'fd' since the fork */
	int rewrite_error;          /* the rewrite buffer was given up (-E2BIG, -ENOMEM) */

	/* In the compaction child. */
	bool in_child;
	struct strbuf snap;         /* snapshot records not yet written to 'new_fd' */
	int child_error;            /* first error of 'emit' */

	struct lease_journal_stats stats;
};

static const char *const journal_states[_LEASE_STATE_MAX] = {
	/* The on-disk names: fixed, whatever lease_state_to_string() says. */
	[LEASE_OFFERED] = "offered",
	[LEASE_BOUND] = "bound",
	[LEASE_RELEASED] = "released",
	[LEASE_DECLINED] = "declined",
};

/* Empties 'sb' but keeps its memory for the next records. */
static void buf_clear(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf)
		sb->buf[0] = '\0';
}

/* CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320), four bits at a time. */
static uint32_t crc32_ieee(const char *p, size_t len)
{
	static const uint32_t nibble[16] = {
		0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4,
		0x4db26158, 0x5005713c, 0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c,
		0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
	};
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= (uint8_t)p[i];
		crc = (crc >> 4) ^ nibble[crc & 0xf];
		crc = (crc >> 4) ^ nibble[crc & 0xf];
	}
	return ~crc;
}

static bool char_is_alnum(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
}

/* [a-z0-9][a-z0-9_-]{0,31}, as conf-network's network_name_is_valid() (not a dependency). */
static bool network_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > JOURNAL_NETWORK_MAX)
		return false;
	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* One DNS label, RFC 1123 §2.1: letters, digits, inner hyphens, 1..63 characters. */
static bool hostname_ok(const char *s, size_t n)
{
	if (n == 0 || n > LEASE_HOSTNAME_MAX || !char_is_alnum(s[0]) || !char_is_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!char_is_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

/*
 * Formats one record, newline included, into 'buf' ('size' >= LEASE_JOURNAL_RECORD_MAX; no NUL
 * is added). Returns its length or -errno (see lease_journal_append()).
 */
static int record_format(char *buf, size_t size, const char *network, const struct lease *l,
			 bool removed)
{
	char ip[INET6_ADDRSTRLEN], id[2 * LEASE_CLIENT_ID_MAX + 1], prefix[JOURNAL_PREFIX_LEN + 1];
	size_t host_len = strnlen(l->hostname, sizeof(l->hostname));
	char *body = buf + JOURNAL_PREFIX_LEN;
	int n;

	if (strnlen(network, JOURNAL_NETWORK_MAX + 1) > JOURNAL_NETWORK_MAX)
		return -E2BIG;
	if (!network_name_ok(network) || l->id_len > LEASE_CLIENT_ID_MAX)
		return -EINVAL;
	if ((unsigned)l->state >= _LEASE_STATE_MAX || (!removed && l->state == LEASE_OFFERED))
		return -EINVAL;

	for (size_t i = 0; i < l->id_len; i++)
		snprintf(id + 2 * i, 3, "%02x", l->id[i]);
	if (l->id_len == 0)
		strcpy(id, "-");

	n = snprintf(body, size - JOURNAL_PREFIX_LEN,
		     "%s %s %s %02x:%02x:%02x:%02x:%02x:%02x %" PRIu64 " %s %s %.*s",
		     removed ? "del" : "put", network,
		     lease_is_ipv6(l) ? in6_addr_to_string(&l->ip6, ip) : in_addr_to_string(l->ip, ip),
		     l->mac[0],
		     l->mac[1], l->mac[2], l->mac[3], l->mac[4], l->mac[5], l->expires,
		     journal_states[l->state], id,
		     hostname_ok(l->hostname, host_len) ? (int)host_len : 1,
		     hostname_ok(l->hostname, host_len) ? l->hostname : "-");
	if (n < 0 || (size_t)n + 1 > size - JOURNAL_PREFIX_LEN ||
	    (size_t)n + 1 + JOURNAL_PREFIX_LEN > LEASE_JOURNAL_RECORD_MAX)
		return -E2BIG;
	snprintf(prefix, sizeof(prefix), JOURNAL_VERSION " %08x ", crc32_ieee(body, (size_t)n));
	memcpy(buf, prefix, JOURNAL_PREFIX_LEN);
	body[n] = '\n';
	return JOURNAL_PREFIX_LEN + n + 1;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

/* Parses the fields of a record body (NUL-terminated, checksum already verified). */
static int record_parse_fields(char *body, char *network, struct lease *l, bool *removed)
{
	char *f[8], *save = NULL, *extra;
	size_t n;

	for (size_t i = 0; i < ELEMENTSOF(f); i++) {
		f[i] = strtok_r(i == 0 ? body : NULL, " ", &save);
		if (!f[i])
			return -EBADMSG;
	}
	extra = strtok_r(NULL, " ", &save);
	if (extra)
		return -EBADMSG;

	memset(l, 0, sizeof(*l));
	if (strcmp(f[0], "put") != 0 && strcmp(f[0], "del") != 0)
		return -EBADMSG;
	*removed = f[0][0] == 'd';
	if (!network_name_ok(f[1]))
		return -EBADMSG;
	strcpy(network, f[1]);
	if (strchr(f[2], ':')) {
		/* a DHCPv6 lease: the store's key is the address's low 32 bits (lease.h) */
		if (in6_addr_from_string(f[2], &l->ip6) < 0)
			return -EBADMSG;
		l->family = AF_INET6;
		memcpy(&l->ip, &l->ip6.s6_addr[12], 4);
	} else if (in_addr_from_string(f[2], &l->ip) < 0)
		return -EBADMSG;
	if (strlen(f[3]) != 17)
		return -EBADMSG;
	for (size_t i = 0; i < 6; i++) {
		int hi = hexval(f[3][3 * i]), lo = hexval(f[3][3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && f[3][3 * i + 2] != ':'))
			return -EBADMSG;
		l->mac[i] = (uint8_t)(hi << 4 | lo);
	}
	n = strlen(f[4]);
	if (n == 0 || n > 20 || strspn(f[4], "0123456789") != n)
		return -EBADMSG;
	errno = 0;
	l->expires = strtoull(f[4], NULL, 10);
	if (errno != 0)
		return -EBADMSG;
	for (n = 0; n < _LEASE_STATE_MAX; n++)
		if (strcmp(f[5], journal_states[n]) == 0)
			break;
	if (n == _LEASE_STATE_MAX)
		return -EBADMSG;
	l->state = (enum lease_state)n;
	if (strcmp(f[6], "-") != 0) {
		n = strlen(f[6]);
		if (n % 2 != 0 || n > 2 * LEASE_CLIENT_ID_MAX)
			return -EBADMSG;
		for (size_t i = 0; i < n / 2; i++) {
			int hi = hexval(f[6][2 * i]), lo = hexval(f[6][2 * i + 1]);

			if (hi < 0 || lo < 0)
				return -EBADMSG;
			l->id[i] = (uint8_t)(hi << 4 | lo);
		}
		l->id_len = (uint8_t)(n / 2);
	}
	if (strcmp(f[7], "-") != 0) {
		n = strlen(f[7]);
		if (!hostname_ok(f[7], n))
			return -EBADMSG;
		memcpy(l->hostname, f[7], n);
	}
	return 0;
}

/*
 * Parses the record 'line' ('len' bytes, its newline included). Returns 0 or -EBADMSG for
 * anything but a valid record in canonical form.
 */
static int record_parse(const char *line, size_t len, char *network, struct lease *l,
			bool *removed)
{
	char body[LEASE_JOURNAL_RECORD_MAX], again[LEASE_JOURNAL_RECORD_MAX];
	uint32_t crc = 0;
	int n;

	if (len > LEASE_JOURNAL_RECORD_MAX || len < JOURNAL_PREFIX_LEN + 1 ||
	    line[len - 1] != '\n' || memcmp(line, JOURNAL_VERSION " ", 3) != 0 ||
	    line[JOURNAL_PREFIX_LEN - 1] != ' ')
		return -EBADMSG;
	for (size_t i = 3; i < JOURNAL_PREFIX_LEN - 1; i++) {
		int v = hexval(line[i]);

		if (v < 0)
			return -EBADMSG;
		crc = crc << 4 | (uint32_t)v;
	}
	len -= JOURNAL_PREFIX_LEN + 1;
	if (crc32_ieee(line + JOURNAL_PREFIX_LEN, len) != crc)
		return -EBADMSG;
	if (memchr(line + JOURNAL_PREFIX_LEN, '\0', len))
		return -EBADMSG;
	memcpy(body, line + JOURNAL_PREFIX_LEN, len);
	body[len] = '\0';
	if (record_parse_fields(body, network, l, removed) < 0)
		return -EBADMSG;
	/* Canonical form only: what the writer makes of these values, byte for byte. */
	n = record_format(again, sizeof(again), network, l, *removed);
	if (n < 0 || (size_t)n != len + JOURNAL_PREFIX_LEN + 1 ||
	    memcmp(again, line, (size_t)n) != 0)
		return -EBADMSG;
	return 0;
}

/*
 * Replays the file from its start through 'cb'. Stores in '*ret_good' the offset just after the
 * last valid record. Returns 0, a callback error, or a read error.
 */
static int journal_replay(struct lease_journal *j, lease_journal_replay_fn cb, void *data,
			  uint64_t *ret_good)
{
	_cleanup_free_ char *buf = malloc(JOURNAL_REPLAY_BUF);
	uint64_t off = 0;	/* file offset of buf[0] */
	size_t have = 0;
	bool eof = false;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		size_t start = 0;
		const char *nl;
		ssize_t n;

		while ((nl = memchr(buf + start, '\n', have - start))) {
			size_t len = (size_t)(nl - (buf + start)) + 1;
			char network[JOURNAL_NETWORK_MAX + 1];
			bool removed;
			struct lease l;
			int r;

			if (record_parse(buf + start, len, network, &l, &removed) < 0) {
				*ret_good = off + start;
				return 0;
			}
			if (cb) {
				r = cb(network, &l, removed, data);
				if (r < 0)
					return r;
			}
			j->stats.records_replayed++;
			start += len;
		}
		/* No record is this long: whatever follows cannot become one. */
		if (have - start >= LEASE_JOURNAL_RECORD_MAX || eof) {
			*ret_good = off + start;
			return 0;
		}
		memmove(buf, buf + start, have - start);
		have -= start;
		off += start;

		n = read(j->fd, buf + have, JOURNAL_REPLAY_BUF - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			eof = true;
		have += (size_t)n;
	}
}

int lease_journal_open(const char *path, lease_journal_replay_fn cb, void *data,
		       struct lease_journal **ret)
{
	struct lease_journal *j;
	uint64_t good = 0;
	struct stat st;
	int r;

	if (!path || !ret)
		return -EINVAL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->fd = j->pidfd = j->new_fd = -1;
	j->compact_min = LEASE_JOURNAL_COMPACT_MIN;
	j->path = strdup(path);
	if (!j->path || asprintf(&j->path_new, "%s.new", path) < 0) {
		j->path_new = NULL;
		r = -ENOMEM;
		goto fail;
	}

	/* A compaction a crash interrupted: its file never became the journal. */
	if (unlink(j->path_new) < 0 && errno != ENOENT) {
		r = -errno;
		goto fail;
	}
	j->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (j->fd < 0) {
		r = -errno;
		goto fail;
	}
	/* Makes the file's creation durable (cheap when it already existed). */
	r = fsync_parent_directory(path);
	if (r < 0)
		goto fail;

	r = journal_replay(j, cb, data, &good);
	if (r < 0)
		goto fail;
	if (fstat(j->fd, &st) < 0) {
		r = -errno;
		goto fail;
	}
	if ((uint64_t)st.st_size > good) {
		/* Cut the tail durably before anything is appended after it. */
		if (ftruncate(j->fd, (off_t)good) < 0 || fsync(j->fd) < 0) {
			r = -errno;
			goto fail;
		}
		j->stats.bytes_discarded = (uint64_t)st.st_size - good;
	}
	j->size = j->base_size = good;
	*ret = j;
	return 0;

fail:
	lease_journal_free(j);
	return r;
}

/* Kills the compaction child (if it still runs) and waits for it. */
static void journal_child_kill_and_wait(struct lease_journal *j)
{
	(void)pidfd_send_signal(j->pidfd, SIGKILL, NULL, 0);
	for (;;) {
		struct pollfd p = { .fd = j->pidfd, .events = POLLIN };
		siginfo_t si;

		memset(&si, 0, sizeof(si));
		if (waitid(P_PIDFD, (id_t)j->pidfd, &si, WEXITED | WNOHANG) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				return;   /* ECHILD: already reaped */
		} else if (si.si_pid != 0) {
			return;
		}
		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			return;
	}
}

/* Forgets a compaction that failed or is abandoned: its file goes. The child is already reaped. */
static void journal_compact_reset(struct lease_journal *j)
{
	j->pidfd = safe_close(j->pidfd);
	if (j->new_fd >= 0) {
		j->new_fd = safe_close(j->new_fd);
		(void)unlink(j->path_new);
	}
	strbuf_done(&j->rewrite);
	j->rewrite_error = 0;
}

struct lease_journal *lease_journal_free(struct lease_journal *j)
{
	if (!j)
		return NULL;
	if (!j->in_child && j->fd >= 0) {
		if (j->pidfd >= 0) {
			journal_child_kill_and_wait(j);
			journal_compact_reset(j);
		}
		(void)lease_journal_commit(j);
	}
	safe_close(j->fd);
	safe_close(j->new_fd);
	safe_close(j->pidfd);
	strbuf_done(&j->buf);
	strbuf_done(&j->rewrite);
	strbuf_done(&j->snap);
	free(j->path);
	free(j->path_new);
	free(j);
	return NULL;
}

/* Keeps a copy of what was just written to the old file, for the compacted one. */
static void journal_rewrite_add(struct lease_journal *j, const char *p, size_t len)
{
	int r;

	if (j->pidfd < 0 || j->rewrite_error < 0)
		return;
	r = j->rewrite.len + len > LEASE_JOURNAL_REWRITE_MAX ? -E2BIG
							     : strbuf_appendn(&j->rewrite, p, len);
	if (r < 0) {
		/* Give up this compaction, and spare the child's work. */
		j->rewrite_error = r;
		strbuf_done(&j->rewrite);
		(void)pidfd_send_signal(j->pidfd, SIGKILL, NULL, 0);
	}
}

/* Writes the buffered records to the file (no fdatasync). */
static int journal_write(struct lease_journal *j)
{
	int r;

	if (j->buf.len == 0)
		return 0;
	r = fd_write_all(j->fd, j->buf.buf, j->buf.len);
	if (r < 0) {
		/*
		 * Part of it may be in the file: cut it off, or a later record would be appended
		 * after a torn one, and replay stops at the first bad record.
		 */
		if (ftruncate(j->fd, (off_t)j->size) < 0)
			j->broken = -errno;
		return r;
	}
	j->size += j->buf.len;
	j->unsynced_records += j->buf_records;
	journal_rewrite_add(j, j->buf.buf, j->buf.len);
	buf_clear(&j->buf);
	j->buf_records = 0;
	return 0;
}

int lease_journal_append(struct lease_journal *j, const char *network, const struct lease *l,
			 bool removed)
{
	char rec[LEASE_JOURNAL_RECORD_MAX];
	int n, r;

	if (!j || !network || !l)
		return -EINVAL;
	if (j->in_child)
		return -EBUSY;
	if (j->broken < 0)
		return j->broken;
	n = record_format(rec, sizeof(rec), network, l, removed);
	if (n < 0)
		return n;
	if (j->buf.len + (size_t)n > LEASE_JOURNAL_BUFFER_MAX) {
		r = journal_write(j);
		if (r < 0)
			return r;
	}
	r = strbuf_appendn(&j->buf, rec, (size_t)n);
	if (r < 0)
		return r;
	j->buf_records++;
	return 0;
}

bool lease_journal_pending(const struct lease_journal *j)
{
	return j && (j->buf.len > 0 || j->unsynced_records > 0);
}

int lease_journal_commit(struct lease_journal *j)
{
	int r;

	if (!j)
		return -EINVAL;
	if (j->in_child)
		return -EBUSY;
	if (j->broken < 0)
		return j->broken;
	if (!lease_journal_pending(j))
		return 0;
	if (j->need_dir_sync) {
		r = fsync_parent_directory(j->path);
		if (r < 0)
			return r;
		j->need_dir_sync = false;
	}
	r = journal_write(j);
	if (r < 0)
		return r;
	if (fdatasync(j->fd) < 0) {
		/* After a failed fdatasync the kernel may have dropped the dirty pages: unknown. */
		j->broken = -errno;
		return j->broken;
	}
	j->stats.commits++;
	j->stats.records_committed += j->unsynced_records;
	j->unsynced_records = 0;
	return 0;
}

bool lease_journal_wants_compaction(const struct lease_journal *j)
{
	return j && !j->in_child && j->pidfd < 0 && j->broken == 0 && j->size > j->compact_min &&
	       j->size > 2 * j->base_size;
}

void lease_journal_set_compaction_threshold(struct lease_journal *j, uint64_t min_bytes)
{
	if (j)
		j->compact_min = min_bytes;
}

/* The 'emit' handed to the snapshot callback, in the child. */
static int journal_emit(struct lease_journal *j, const char *network, const struct lease *l)
{
	char rec[LEASE_JOURNAL_RECORD_MAX];
	int n, r;

	if (!j || !j->in_child || !network || !l)
		return -EINVAL;
	if (j->child_error < 0)
		return j->child_error;
	if (l->state == LEASE_OFFERED)
		return 0;
	n = record_format(rec, sizeof(rec), network, l, false);
	r = n < 0 ? n : strbuf_appendn(&j->snap, rec, (size_t)n);
	if (r == 0 && j->snap.len >= JOURNAL_SNAPSHOT_FLUSH) {
		r = fd_write_all(j->new_fd, j->snap.buf, j->snap.len);
		buf_clear(&j->snap);
	}
	if (r < 0)
		j->child_error = r;
	return r;
}

/*
 * The compaction child: writes the snapshot into PATH.new and exits with 0 or an errno. _exit()
 * only: no atexit handlers, no stdio flush of buffers copied from the parent.
 */
static _Noreturn void journal_child(struct lease_journal *j, lease_journal_snapshot_fn snapshot,
				    void *data)
{
	int r;

	j->in_child = true;
	j->child_error = 0;
	strbuf_init(&j->snap);
	r = snapshot(j, journal_emit, data);
	if (r >= 0)
		r = j->child_error;
	if (r >= 0)
		r = fd_write_all(j->new_fd, j->snap.buf, j->snap.len);
	if (r >= 0 && fdatasync(j->new_fd) < 0)
		r = -errno;
	_exit(r >= 0 ? 0 : -r < 256 ? -r : EIO);
}

int lease_journal_compact_begin(struct lease_journal *j, lease_journal_snapshot_fn snapshot,
				void *data)
{
	_cleanup_close_ int new_fd = -1;
	pid_t pid;
	int pidfd, r;

	if (!j || !snapshot)
		return -EINVAL;
	if (j->in_child || j->pidfd >= 0)
		return -EBUSY;
	if (j->broken < 0)
		return j->broken;

	new_fd = open(j->path_new, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOCTTY,
		      0600);
	if (new_fd < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)unlink(j->path_new);
		return r;
	}
	if (pid == 0) {
		j->new_fd = new_fd;
		journal_child(j, snapshot, data);
	}

	/*
	 * Race-free as long as nobody else reaps our children: until waitid() below, the child
	 * stays at least a zombie, so its PID cannot be reused.
	 */
	pidfd = pidfd_open(pid, PIDFD_NONBLOCK);
	if (pidfd < 0) {
		r = -errno;
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		(void)unlink(j->path_new);
		return r;
	}
	j->pidfd = pidfd;
	j->new_fd = TAKE_FD(new_fd);
	strbuf_done(&j->rewrite);
	j->rewrite_error = 0;
	return pidfd;
}

/* Completes a compaction whose child succeeded: the new file becomes the journal. */
static int journal_compact_switch(struct lease_journal *j)
{
	struct stat st;
	int r;

	r = fd_write_all(j->new_fd, j->rewrite.buf, j->rewrite.len);
	if (r < 0)
		return r;
	if (fdatasync(j->new_fd) < 0 || fstat(j->new_fd, &st) < 0)
		return -errno;
	if (rename(j->path_new, j->path) < 0)
		return -errno;

	/* PATH is the new file now, whatever happens next. */
	safe_close(j->fd);
	j->fd = TAKE_FD(j->new_fd);
	j->size = j->base_size = (uint64_t)st.st_size;
	if (fsync_parent_directory(j->path) < 0)
		j->need_dir_sync = true;
	return 0;
}

int lease_journal_compact_end(struct lease_journal *j)
{
	siginfo_t si;
	int r;

	if (!j || j->in_child)
		return -EINVAL;
	if (j->pidfd < 0)
		return -ECHILD;
	memset(&si, 0, sizeof(si));
	if (waitid(P_PIDFD, (id_t)j->pidfd, &si, WEXITED | WNOHANG) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return -EAGAIN;
		r = -errno;
		journal_child_kill_and_wait(j);
		journal_compact_reset(j);
		return r;
	}
	if (si.si_pid == 0)
		return -EAGAIN;

	if (j->rewrite_error < 0)
		r = j->rewrite_error;
	else if (j->broken < 0)
		r = j->broken;
	else if (si.si_code != CLD_EXITED)
		r = -EIO;
	else if (si.si_status != 0)
		r = -si.si_status;
	else
		r = journal_compact_switch(j);
	if (r < 0) {
		journal_compact_reset(j);
		return r;
	}
	j->stats.compactions++;
	journal_compact_reset(j);
	return 0;
}

void lease_journal_get_stats(const struct lease_journal *j, struct lease_journal_stats *ret)
{
	if (!ret)
		return;
	if (!j) {
		memset(ret, 0, sizeof(*ret));
		return;
	}
	*ret = j->stats;
	ret->size = j->size;
}
