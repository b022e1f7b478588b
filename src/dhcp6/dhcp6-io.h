/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The socket of one network's DHCPv6 server: UDP port 547 on the bridge (SO_BINDTODEVICE, so a
 * message is only seen by the network it arrived on), joined to All_DHCP_Relay_Agents_and_Servers
 * (ff02::1:2) there, telling multicast from unicast arrivals (IPV6_PKTINFO). Replies go to the
 * client's link-local address through the IP stack.
 */
#ifndef KN_DHCP6_DHCP6_IO_H
#define KN_DHCP6_DHCP6_IO_H

#include <stddef.h>
#include <stdint.h>

struct dhcp6_io;
struct dhcp6_reply;
struct dhcp6_rx;

/*
 * Opens the socket on bridge 'ifname' (index 'ifindex'), non-blocking and close-on-exec.
 * -EADDRINUSE (nothing left open) when another process holds port 547 on that device.
 */
int dhcp6_io_open(const char *ifname, int ifindex, struct dhcp6_io **ret);
struct dhcp6_io *dhcp6_io_free(struct dhcp6_io *d);

/* The socket to watch for EPOLLIN, and the bridge it was opened on. */
int dhcp6_io_fd(const struct dhcp6_io *d);
int dhcp6_io_ifindex(const struct dhcp6_io *d);

/*
 * Receives one datagram into 'buf' and fills 'rx'. Returns its length, -EAGAIN when none is
 * waiting, -EXDEV for one from another interface, or another -errno.
 */
int dhcp6_io_recv(struct dhcp6_io *d, uint8_t *buf, size_t size, struct dhcp6_rx *rx);

/* Sends 'reply' to its destination on the bridge. Returns 0 or -errno. Never blocks. */
int dhcp6_io_send(struct dhcp6_io *d, const struct dhcp6_reply *reply);

#endif
