/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lease journal: one append-only file for every network's durable lease changes, so that a
 * lease is on disk before its ACK leaves. Records are buffered by lease_journal_append() and made
 * durable together by lease_journal_commit() (group commit: one write and one fdatasync for all
 * the ACKs of an event-loop round). Each record carries a checksum; at open, a corrupt or
 * truncated tail is detected, reported and cut off, and the good part kept. Compaction rewrites
 * the live leases into a new file in a forked child (copy-on-write snapshot, no pause of the
 * loop), then the records appended meanwhile are copied over and the new file renamed in place.
 * The record format is described in docs/LEASES.md. Not thread-safe; one journal per file.
 */
#ifndef KN_LEASE_LEASE_JOURNAL_H
#define KN_LEASE_LEASE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lease/lease.h"

struct lease_journal;

/* Longest record, newline included (the longest possible one is about 310 bytes). */
#define LEASE_JOURNAL_RECORD_MAX 512
/* Buffered bytes beyond which lease_journal_append() writes them out (without fdatasync). */
#define LEASE_JOURNAL_BUFFER_MAX (1024 * 1024)
/* Records written during a compaction are kept for the new file up to this many bytes. */
#define LEASE_JOURNAL_REWRITE_MAX (64 * 1024 * 1024)
/* Default smallest file size at which lease_journal_wants_compaction() says yes. */
#define LEASE_JOURNAL_COMPACT_MIN (1024 * 1024)

/* One replayed record: 'removed' true means "forget the lease at l->ip". */
typedef int (*lease_journal_replay_fn)(const char *network, const struct lease *l, bool removed,
				       void *data);

struct lease_journal_stats {
	uint64_t records_replayed;
	uint64_t bytes_discarded;     /* corrupt or truncated tail cut off at open */
	uint64_t commits;             /* fdatasync calls */
	uint64_t records_committed;
	uint64_t compactions;
	uint64_t size;                /* bytes of records in the file now */
};

/*
 * Opens (creating, mode 0600) the journal at 'path' and replays every valid record in order
 * through 'cb' (may be NULL), 'l' pointing to a temporary. A corrupt or truncated tail is cut off
 * (the file is truncated to the last good record, durably) and reported in the stats:
 * everything from the first invalid record on is discarded, since records only make sense in
 * order. A "PATH.new" left by a compaction that a crash interrupted is removed. Returns 0 or
 * -errno; a callback error stops the replay and is returned (the file is then left untouched).
 * Blocks on disk.
 */
int lease_journal_open(const char *path, lease_journal_replay_fn cb, void *data,
		       struct lease_journal **ret);
/*
 * Commits what is pending (an error is lost: commit first to see it), closes, frees. A running
 * compaction is abandoned: its child is killed and waited for, and PATH.new removed. Accepts
 * NULL; returns NULL.
 */
struct lease_journal *lease_journal_free(struct lease_journal *j);

/*
 * Buffers a record of 'l' in network 'network' ('removed': a record of its removal, 'l' being
 * its last value). Nothing is durable before lease_journal_commit(). No I/O, except that once
 * LEASE_JOURNAL_BUFFER_MAX bytes are buffered they are first written out (one write(), no
 * fdatasync), which keeps memory bounded when thousands of leases change at once (expiry after
 * a restart). A host name that is not a DNS label is stored as none rather than losing the
 * lease. Returns 0; -EINVAL for an invalid network name, an identity longer than
 * LEASE_CLIENT_ID_MAX, an invalid state, or a LEASE_OFFERED lease that is not removed (offers
 * are never journaled); -E2BIG for a network name longer than 32 characters; the journal's
 * error if it is broken (see lease_journal_commit()); or a write error (the record is then not
 * buffered). -EBUSY inside a snapshot callback (use 'emit' there).
 */
int lease_journal_append(struct lease_journal *j, const char *network, const struct lease *l,
			 bool removed);

/* True when records are buffered or written but not yet durable. */
bool lease_journal_pending(const struct lease_journal *j);

/*
 * Writes every buffered record and fdatasync()s: on return 0 they are durable, and a crash at any
 * later instant replays them. Returns 0 at once when nothing is pending. Blocks for the duration
 * of one write + fdatasync.
 *
 * On a failed write the file is truncated back to its last whole record and the records stay
 * buffered, so a later commit retries them (e.g. after -ENOSPC). If fdatasync() fails, or the
 * truncation does, what is on disk is unknown: the journal is then broken, and this call, later
 * commits, appends and compactions all return that error until the journal is reopened.
 */
int lease_journal_commit(struct lease_journal *j);

/*
 * Called in the child to write a snapshot: append every live lease with 'emit' (records of
 * LEASE_OFFERED leases are skipped by 'emit' itself). The child is a fork() of the caller: it
 * sees the memory as it was at lease_journal_compact_begin() and must not touch anything shared
 * with the parent (sockets, the event loop). A negative return makes the compaction fail.
 */
typedef int (*lease_journal_emit_fn)(struct lease_journal *j, const char *network,
				     const struct lease *l);
typedef int (*lease_journal_snapshot_fn)(struct lease_journal *j, lease_journal_emit_fn emit,
					 void *data);

/*
 * True when the file has grown past twice its size after the last compaction or open, and past
 * the threshold (LEASE_JOURNAL_COMPACT_MIN by default): time to compact. False while a
 * compaction runs or when the journal is broken.
 */
bool lease_journal_wants_compaction(const struct lease_journal *j);

/* Sets the size lease_journal_wants_compaction() requires at least (for tests). */
void lease_journal_set_compaction_threshold(struct lease_journal *j, uint64_t min_bytes);

/*
 * Starts a compaction: creates PATH.new, forks a child that writes 'snapshot' into it, fdatasyncs
 * and exits. Meanwhile appends and commits go on as before, to the old file; whatever is written
 * there from now on is also kept in memory (up to LEASE_JOURNAL_REWRITE_MAX bytes, else the
 * compaction is abandoned) for lease_journal_compact_end(). Returns a pidfd (owned by the journal,
 * non-blocking, valid until lease_journal_compact_end() succeeds or fails with anything but
 * -EAGAIN) that becomes readable (EPOLLIN) when the child exits; or -errno; -EBUSY if one is
 * running. Nothing else in the process may reap children with waitpid(-1) or ignore SIGCHLD.
 */
int lease_journal_compact_begin(struct lease_journal *j, lease_journal_snapshot_fn snapshot,
				void *data);
/*
 * Finishes a compaction once its pidfd is readable: reaps the child, appends the records written
 * since it began, fdatasyncs, renames PATH.new over PATH, fsyncs the directory and switches to the
 * new file; replaying it gives the same leases as replaying the old one. Returns 0; -EAGAIN if
 * the child is still running (nothing changes); -ECHILD if no compaction runs. Any other error
 * means the compaction failed and the old journal simply stays: the child's error (the snapshot
 * callback's return, e.g. -ENOMEM; -EIO if it was killed), -E2BIG when the records written
 * meanwhile outgrew LEASE_JOURNAL_REWRITE_MAX, or an I/O error; PATH.new is removed. Should the
 * directory fsync fail after the rename, the switch still happens and the next commit retries
 * that fsync before writing anything. Blocks on disk.
 */
int lease_journal_compact_end(struct lease_journal *j);

/* Copies the counters into 'ret'. */
void lease_journal_get_stats(const struct lease_journal *j, struct lease_journal_stats *ret);

#endif
