/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Named network namespaces without iproute2: a namespace is kept alive by a bind mount of its
 * nsfs file onto DIR/NAME (DIR is /run/netns for 'ip netns' to see them; tests use their own),
 * and sockets are made inside one by entering it on the calling thread for the socket() call
 * only. The daemon is single-threaded, so nothing else runs while it is inside.
 */
#ifndef KN_NETLINK_NL_NETNS_H
#define KN_NETLINK_NL_NETNS_H

#include <stdbool.h>

#define NL_NETNS_DIR "/run/netns"
#define NL_NETNS_NAME_MAX 64

/* True for 1..NL_NETNS_NAME_MAX characters from A-Z a-z 0-9 _ . -, not "." or "..". */
bool nl_netns_name_is_valid(const char *name);

/*
 * Creates namespace 'name' under 'dir' (made 0755 and turned into a shared mount as iproute2
 * does, so the namespace shows in every mount namespace): -EEXIST if it exists, -EINVAL for a
 * bad name; the calling thread ends in its own namespace again, and nothing is left on failure.
 */
int nl_netns_create(const char *dir, const char *name);

/* Opens the namespace (O_RDONLY|O_CLOEXEC): the fd, or -ENOENT / -errno. */
int nl_netns_open(const char *dir, const char *name);

/* Unmounts and removes DIR/NAME: 0, -ENOENT if there is none, or -errno. */
int nl_netns_delete(const char *dir, const char *name);

/* socket(domain, type, protocol) inside namespace 'ns_fd': the socket's fd, or -errno. */
int nl_netns_socket(int ns_fd, int domain, int type, int protocol);

struct nl_sock;

/* An rtnetlink socket (nl_sock_new()) inside namespace 'ns_fd': 0 and '*ret', or -errno. */
int nl_netns_sock_new(int ns_fd, struct nl_sock **ret);

#endif
