/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sockets of one network's DHCP server: a UDP socket on port 67 bound to the bridge
 * (SO_BINDTODEVICE, so a packet is only ever seen by the network it arrived on) for receiving,
 * broadcasting and unicasting through the IP stack, and a packet socket on the bridge for the
 * replies RFC 2131 §4.1 sends to a client's hardware address before it has an IP address.
 */
#ifndef KN_DHCP_DHCP_IO_H
#define KN_DHCP_DHCP_IO_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

struct dhcp_io;
struct dhcp_reply;
struct dhcp_rx;

/*
 * Opens the sockets on bridge 'ifname' (index 'ifindex') whose address is 'server_ip'. Both are
 * non-blocking and close-on-exec. Returns -EADDRINUSE (with nothing left open) when another
 * process holds port 67 on that device.
 */
int dhcp_io_open(const char *ifname, int ifindex, struct in_addr server_ip, struct dhcp_io **ret);
struct dhcp_io *dhcp_io_free(struct dhcp_io *d);

/* The socket to watch for EPOLLIN. */
int dhcp_io_fd(const struct dhcp_io *d);
int dhcp_io_ifindex(const struct dhcp_io *d);

/*
 * Receives one datagram into 'buf'; fills 'rx': 'mark' is the packet's mark (SO_RCVMARK), and
 * 'port_ifindex' is 0 (the socket sees the bridge, not its port). Returns its length, -EAGAIN
 * when none is waiting, or another -errno. Datagrams from another interface (should
 * SO_BINDTODEVICE ever let one through) are reported as -EXDEV, for the caller to count and drop.
 */
int dhcp_io_recv(struct dhcp_io *d, uint8_t *buf, size_t size, struct dhcp_rx *rx);

/* Sends 'reply' to where it says. Returns 0 or -errno. Never blocks. */
int dhcp_io_send(struct dhcp_io *d, const struct dhcp_reply *reply);

#endif
