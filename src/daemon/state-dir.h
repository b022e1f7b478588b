/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's persistent state on disk, under --state-dir (default /var/lib/kvmnet):
 *   networks/NAME.conf   one definition per network, replaced atomically
 *   running/NAME         present while the network should be up (survives daemon restarts)
 *   boot-id              the kernel boot id of the last autostart, so autostart runs once a boot
 * Every change is durable before it is acknowledged (temp file, fsync, rename, fsync of the dir).
 */
#ifndef KN_DAEMON_STATE_DIR_H
#define KN_DAEMON_STATE_DIR_H

#include <stdbool.h>
#include <stddef.h>

struct state_dir;

/* Creates the directories (mode 0700) if missing. '*ret' is malloc'd. */
int state_dir_open(const char *path, struct state_dir **ret);
struct state_dir *state_dir_free(struct state_dir *d);
const char *state_dir_path(const struct state_dir *d);

typedef int (*state_dir_network_fn)(const char *name, const char *text, size_t len, void *data);

/*
 * Calls 'cb' for every networks/NAME.conf (in name order) with its contents. Files whose names
 * are not valid network names, and temp files, are skipped with a warning.
 */
int state_dir_load_networks(struct state_dir *d, state_dir_network_fn cb, void *data);

/* Atomically writes networks/NAME.conf. */
int state_dir_save_network(struct state_dir *d, const char *name, const char *text);
/* Removes networks/NAME.conf and running/NAME. */
int state_dir_remove_network(struct state_dir *d, const char *name);

/* Marks/unmarks the network as running; returns whether it is marked. */
int state_dir_set_running(struct state_dir *d, const char *name, bool running);
bool state_dir_is_running(struct state_dir *d, const char *name);

typedef bool (*state_dir_keep_fn)(const char *name, void *data);

/*
 * Removes every running/NAME for which 'keep' says false: the marker a crash between the two
 * unlinks of state_dir_remove_network() leaves behind.
 */
int state_dir_prune_running(struct state_dir *d, state_dir_keep_fn keep, void *data);

/*
 * Returns 1 if autostart has not run yet during this boot of the kernel (and records that it
 * now has), 0 if it has, or -errno.
 */
int state_dir_autostart_pending(struct state_dir *d);

#endif
