/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A client of FRR's vty sockets (DIR/bgpd.vty), speaking what vtysh speaks to each daemon: a
 * command is a NUL-terminated line, the answer is the daemon's output followed by three NUL
 * bytes and the command's status (FRR's CMD_* codes: 0 success, 1 warning, 2 unknown command,
 * 13 configuration failed, ...). EVPN overlays (evpn-frr.c) write bgpd's configuration with it;
 * no vtysh process is started and no FRR file is touched.
 */
#ifndef KN_DAEMON_OVERLAY_FRR_VTY_H
#define KN_DAEMON_OVERLAY_FRR_VTY_H

#include <stddef.h>

#include "shared/alloc-util.h"

/* How long one command may take before the daemon is taken for hung. */
#define FRR_VTY_TIMEOUT_MSEC 5000
/* The largest answer read; longer ones fail with -E2BIG. */
#define FRR_VTY_ANSWER_MAX (1024 * 1024)

struct frr_vty;

/*
 * Connects to 'dir'/'daemon'.vty (e.g. "/var/run/frr", "bgpd") and enters the daemon's enable
 * node. Returns 0 and '*ret' (free with frr_vty_free()), -ENOENT/-ECONNREFUSED/-EACCES when
 * the daemon is not there, -ENAMETOOLONG, -ETIMEDOUT, or -EPROTO for an unexpected answer.
 * Blocks for at most FRR_VTY_TIMEOUT_MSEC per step.
 */
int frr_vty_open(const char *dir, const char *daemon, struct frr_vty **ret);

/* Closes the connection; accepts NULL; returns NULL. */
struct frr_vty *frr_vty_free(struct frr_vty *v);
DEFINE_FREE_FUNC(struct frr_vty, frr_vty_free);

/*
 * Runs 'cmd' (one line, without a newline). Returns FRR's status (0 = success, > 0 = the
 * daemon refused it) or -errno when the connection failed (-ETIMEDOUT, -EPIPE, -E2BIG, ...).
 * When 'ret_output' is not NULL it gets the daemon's output (malloc'd, NUL-terminated, the
 * caller frees it) whenever the status is >= 0. Blocks for at most FRR_VTY_TIMEOUT_MSEC.
 */
int frr_vty_run(struct frr_vty *v, const char *cmd, char **ret_output);

/*
 * The daemon's answer to the last command, trimmed to its first line (for error messages);
 * "" when there was none. Valid until the next command.
 */
const char *frr_vty_last_line(const struct frr_vty *v);

#endif
