/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The lease journal: one append-only file for every network's durable lease changes, so that a
 * lease is on disk before its ACK leaves. Records are buffered by lease_journal_append() and made
 * durable together by lease_journal_commit() (group commit: one write and one fdatasync for all
 * the ACKs of an event-loop round). Each record carries a checksum; at open, a corrupt or
 * truncated tail is detected, reported and cut off, and the good part kept. Compaction rewrites
 * the live leases into a new file in a forked child (copy-on-write snapshot, no pause of the
 * loop), then the records appended meanwhile are copied over and the new file renamed in place.
 */
#ifndef KN_LEASE_LEASE_JOURNAL_H
#define KN_LEASE_LEASE_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lease/lease.h"

struct lease_journal;

/* One replayed record: 'removed' true means "forget the lease at l->ip". */
typedef int (*lease_journal_replay_fn)(const char *network, const struct lease *l, bool removed,
				       void *data);

struct lease_journal_stats {
	uint64_t records_replayed;
	uint64_t bytes_discarded;     /* corrupt or truncated tail cut off at open */
	uint64_t commits;             /* fdatasync calls */
	uint64_t records_committed;
	uint64_t compactions;
};

/*
 * Opens (creating) the journal at 'path' and replays every valid record in order through 'cb'.
 * A corrupt or truncated tail is cut off (the file is truncated to the last good record) and
 * reported in the stats. Returns 0 or -errno; a callback error stops and is returned.
 */
int lease_journal_open(const char *path, lease_journal_replay_fn cb, void *data,
		       struct lease_journal **ret);
/* Commits what is pending, closes, frees. Accepts NULL. */
struct lease_journal *lease_journal_free(struct lease_journal *j);

/* Buffers a record of 'l' in network 'network' (or its removal). No I/O. -E2BIG when too long. */
int lease_journal_append(struct lease_journal *j, const char *network, const struct lease *l,
			 bool removed);

/* True when records are buffered but not yet durable. */
bool lease_journal_pending(const struct lease_journal *j);

/*
 * Writes every buffered record and fdatasync()s: on return 0 they are durable. Returns 0 at once
 * when nothing is pending. Blocks for the duration of one write + fdatasync.
 */
int lease_journal_commit(struct lease_journal *j);

/* Called in the child to write a snapshot: append every live lease with 'emit'. */
typedef int (*lease_journal_emit_fn)(struct lease_journal *j, const char *network,
				     const struct lease *l);
typedef int (*lease_journal_snapshot_fn)(struct lease_journal *j, lease_journal_emit_fn emit,
					 void *data);

/*
 * True when the file has grown past twice the size of the last snapshot (and at least 1 MiB):
 * time to compact.
 */
bool lease_journal_wants_compaction(const struct lease_journal *j);

/*
 * Starts a compaction: forks a child that writes 'snapshot' into PATH.new and exits. Returns a
 * pidfd (owned by the journal) to watch for EPOLLIN, or -errno; -EBUSY if one is running.
 */
int lease_journal_compact_begin(struct lease_journal *j, lease_journal_snapshot_fn snapshot,
				void *data);
/*
 * Finishes a compaction once its pidfd is readable: reaps the child, appends the records
 * committed since it began, fsyncs, renames PATH.new over PATH and switches to it. On a failed
 * child the old journal simply stays. Returns 0 or -errno.
 */
int lease_journal_compact_end(struct lease_journal *j);

void lease_journal_get_stats(const struct lease_journal *j, struct lease_journal_stats *ret);

#endif
