/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probe channel of the tiny guest (docs/LABS.md): how lab checks from a qemu node run inside
 * the guest. kvmnetd makes a listening unix socket (lab_guest_probe_listen()) and hands it to
 * QEMU, which serves the guest's second serial port (ttyS1) on it; the guest's /init answers
 * whitelisted probe lines there (tests/guest/init). kvmnetd connects when it first needs the
 * channel, writes "KNPROBE ID tcp A.B.C.D PORT SECS" or "KNPROBE ID icmp A.B.C.D SECS" and reads
 * "KNRESULT ID WHAT open|closed|error [TEXT]" lines on its event loop: non-blocking, at most
 * LAB_GUEST_PROBE_INFLIGHT probes sent at once (the others queued in order), each with a
 * deadline, so that a guest that never answers fails its probes and holds nothing else up. The
 * serial line under TCG has been seen to repeat a character: an answer counts only when WHAT is
 * what its probe asked ("tcp:A.B.C.D:PORT", "icmp:A.B.C.D"), and a request without an answer
 * 3 s after its timeout is sent again (probes are idempotent: a second answer is ignored).
 * Knows nothing of labs: lab-node-qemu.c keeps one channel per node.
 */
#ifndef KN_DAEMON_LAB_LAB_GUEST_PROBE_H
#define KN_DAEMON_LAB_LAB_GUEST_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct event_loop;
struct lab_guest_probe;
struct lab_probe;

/* Probes sent to one guest at once (each is a process in a small TCG guest). */
#define LAB_GUEST_PROBE_INFLIGHT 8
/* How long beyond a probe's own timeout the guest may take to answer (it forks, under TCG). */
#define LAB_GUEST_PROBE_SLACK_USEC (10ULL * 1000000ULL)
/* How long after a probe's own timeout its request is sent again without an answer. */
#define LAB_GUEST_PROBE_RESEND_USEC (3ULL * 1000000ULL)

/*
 * A listening unix socket at 'path' (a stale one there is replaced), for QEMU to serve the
 * guest's ttyS1 on: its fd (close-on-exec, blocking) in '*ret_fd'. Paths longer than sun_path
 * are reached through their folder's /proc/self/fd entry. Returns 0 or -errno.
 */
int lab_guest_probe_listen(const char *path, int *ret_fd);

/*
 * A channel to the guest whose QEMU serves 'path' (copied); it connects on the first submit. A
 * probe sent is sent again every 'resend_usec' after its own timeout without an answer, and fails
 * when none came 'slack_usec' after it (LAB_GUEST_PROBE_RESEND_USEC and _SLACK_USEC but in tests).
 */
int lab_guest_probe_new(struct event_loop *loop, const char *path, uint64_t resend_usec,
			uint64_t slack_usec, struct lab_guest_probe **ret);
/* Closes the channel; probes still queued are forgotten without their 'done'. Returns NULL. */
struct lab_guest_probe *lab_guest_probe_free(struct lab_guest_probe *g);

/*
 * Queues probe 'p' (borrowed until its 'done' or lab_guest_probe_cancel()), connecting first if
 * the channel is not connected. Returns 0, or -errno with one line in 'err' when the guest's
 * socket cannot be reached (p->done is then not called). Never blocks.
 */
int lab_guest_probe_submit(struct lab_guest_probe *g, struct lab_probe *p, char *err,
			   size_t errlen);
/* Forgets 'p' if it is queued or sent (its answer is then ignored). */
void lab_guest_probe_cancel(struct lab_guest_probe *g, struct lab_probe *p);

/*
 * Parses one line from the guest, "KNRESULT ID WHAT STATUS [TEXT]": the id, what was probed
 * ("tcp:A.B.C.D:PORT" or "icmp:A.B.C.D", not NUL-terminated: 'ret_what_len' bytes), the status
 * (1 open, 0 closed, -1 error) and TEXT ("" when absent), all borrowed from 'line'. Returns false
 * for a line that is not a result (the channel carries nothing else; a garbled line is ignored).
 */
bool lab_guest_probe_parse(const char *line, uint32_t *ret_id, const char **ret_what,
			   size_t *ret_what_len, int *ret_status, const char **ret_text);

/*
 * What a 'closed' answer's TEXT (nc's last line of error, or "no-reply") means, as the netns
 * checks say it: "refused", "no answer within N s", "no reply within N s", or nc's reason
 * ("Network is unreachable"), into 'buf'.
 */
void lab_guest_probe_detail(const char *text, bool tcp, uint32_t timeout_sec, char *buf,
			    size_t size);

#endif
