/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest ports on kvmnet bridges: taps made for 'port add' (persistent, in the network's
 * definition) and for QEMU's bridge helper (transient: they vanish with QEMU's fd), and any
 * other port that joins a kvmnet bridge (a libvirt tap, a veth), adopted through the netlink
 * monitor. Every port of a network whose port-security is not 'no' is put under the per-port
 * policy of fw-port.h before it carries traffic (our own taps) or as soon as the monitor reports
 * it (adopted ports). The (MAC, IPv4) pairs the policy allows ('bindings') follow the leases and
 * reservations of networks with port-security 'yes', and are flushed to nftables before the
 * DHCP replies of a batch leave (so a guest never uses an address its port does not allow yet).
 */
#ifndef KN_DAEMON_PORT_SERVICE_H
#define KN_DAEMON_PORT_SERVICE_H

#include <jansson.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct lease;
struct manager;
struct network;
struct network_host;
struct network_port;
struct nl_change;
struct port_service;
struct strbuf;

/* Hard limit on ports known at once, all networks together (STYLE: bounded collections). */
#define PORT_SERVICE_PORTS_MAX 65536

int port_service_new(struct manager *m, struct port_service **ret);
struct port_service *port_service_free(struct port_service *ps);

/*
 * Called once after start-up brought the networks up: removes policy left in the kernel for ports
 * that no longer exist, and installs the bindings of every active network (removing stale ones).
 */
int port_service_startup(struct port_service *ps);

/*
 * Called at the end of network_up() (start, adoption at restart, repair, reconfiguration):
 * makes or adopts the network's defined taps, adopts every other port found on its bridge,
 * (re)applies the policy of all its ports and its bindings. Failures of single ports are logged,
 * not returned: the network itself is up.
 */
void port_service_network_up(struct network *n);

/*
 * Called when network 'n' goes down or is deleted: removes the policy of its ports and its
 * bindings, deletes its defined taps, forgets its other ports.
 */
void port_service_network_down(struct network *n);

/* The netlink monitor's view of links: adoption, departure, renames, resync. */
void port_service_link_changed(struct port_service *ps, const struct nl_change *c);

/* A lease of 'n' changed (from the lease store's change callback). */
void port_service_lease_changed(struct network *n, const struct lease *l, bool removed);
/* The reservations of 'n' changed: its bindings are re-examined (flushed from the loop). */
void port_service_network_changed(struct network *n);

/* Applies pending binding changes to nftables now (before DHCP replies are sent). */
void port_service_flush(struct port_service *ps);

/*
 * 'port add': makes the tap (on a macvtap network: the macvtap device and its /dev/tapN) for 'port' (name may be empty: a "knt%d" name is chosen and written
 * back into 'port->name') on active network 'n', attaches it with its policy and rate. On an
 * inactive network nothing is made (the tap is made when it starts). On failure nothing is left.
 */
int port_service_add(struct network *n, struct network_port *port, char *err, size_t errlen);

/* A random guest MAC 52:54:00:xx:xx:xx, for a macvtap port made without --mac. */
void port_service_random_guest_mac(uint8_t mac[6]);

/*
 * How the ports of macvtap network 'n' are policed, for 'net show': "egress" (each port's chain on
 * its device's egress hook, docs/MACVTAP.md), "off" (port-security no), or "unsupported: WHY"
 * when the last attempt to install a port's chain failed (a kernel or nft without the netdev
 * egress hook). Written into 'buf' ('len' bytes), which is returned.
 */
const char *port_service_macvtap_policy(struct port_service *ps, const struct network *n,
					char *buf, size_t len);

/* The /dev/tapN of macvtap port 'name' (borrowed), or NULL when 'name' is no such port. */
const char *port_service_device(struct port_service *ps, const char *name);

/* 'port remove' of defined port 'name' of 'n': deletes the tap and its policy. */
int port_service_remove_defined(struct network *n, const char *name);

/*
 * Looks up a port made by the helper or adopted: returns true and the network's name in 'net'
 * (NETWORK_NAME_MAX + 1) when 'name' is such a port.
 */
bool port_service_find_transient(struct port_service *ps, const char *name, char *net,
				 size_t netlen);
/*
 * The ifindex of the port of 'n' a DHCP request came in on, from the packet mark the port's policy
 * gave it (fw_port_dhcp_mark()), or 0 when 'mark' names no port of 'n' under policy (no mark,
 * someone else's, a port of port-security 'no' or of another network).
 */
int port_service_dhcp_port(struct port_service *ps, const struct network *n, uint32_t mark);
/* Deletes helper-made port 'name' (its VM loses the NIC). -EPERM for an adopted port. */
int port_service_remove_transient(struct port_service *ps, const char *name, char *err,
				  size_t errlen);

/*
 * QEMU's bridge helper: checks that 'cred' may attach to network 'n' (allow-attach), makes a
 * non-persistent tap on it with the policy in place, and returns its fd in '*ret_fd' (the caller
 * sends it and closes it; the tap vanishes when the last fd closes) and its name in 'ret_name'.
 */
int port_service_attach(struct network *n, const struct ucred *cred, bool vnet_hdr, int *ret_fd,
			char ret_name[IFNAMSIZ], char *err, size_t errlen);

/* Appends one JSON object per port (of 'n', or of all networks when NULL) to array 'a'. */
int port_service_list_json(struct port_service *ps, const struct network *n, json_t *a);

/*
 * Appends to 'sb' the NSS hosts-file lines of the guests whose addresses the ports learned
 * (bridge and macvtap networks: lan-hosts.h), port by port. Returns 0 or -ENOMEM.
 */
int port_service_hosts_append(struct port_service *ps, struct strbuf *sb);

#endif
