/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control socket: a UNIX stream socket (mode 0660 with the API group, kvmnetd --group,
 * default 'kvmnet' when that group exists; else 0600), callers checked with SO_PEERCRED, newline-delimited JSON requests read
 * into per-client line buffers and answered in order through api-methods.
 */
#ifndef KN_DAEMON_API_SERVER_H
#define KN_DAEMON_API_SERVER_H

#include <sys/types.h>

struct api_server;
struct manager;

/* Hard limit on connected clients. */
#define API_SERVER_CLIENTS_MAX 256

/*
 * Binds 'path' (creating its directory, 0755, if missing; an existing one is not changed) and
 * starts accepting on 'm's loop. Members of 'group' (named 'group_name', for messages) may use
 * the socket besides root: it is then root:group 0660, else root's 0600; (gid_t)-1 = no group.
 * Refuses with -EADDRINUSE when another daemon answers on the socket; a stale socket file is
 * replaced.
 */
int api_server_new(struct manager *m, const char *path, gid_t group, const char *group_name,
		   struct api_server **ret);
/* Closes every client and the socket, and unlinks the socket file. Accepts NULL. */
struct api_server *api_server_free(struct api_server *s);

#endif
