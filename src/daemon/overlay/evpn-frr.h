/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control plane of 'overlay = evpn' networks: BGP EVPN (RFC 7432, RFC 8365) run by FRR.
 * kvmnetd writes bgpd's running configuration through its vty socket (frr-vty.h): in the
 * default BGP instance's 'address-family l2vpn evpn', 'advertise-all-vni' (when FRR does not
 * have it yet) and one 'vni N' block per network. FRR's zebra then announces the guests' MACs
 * (type-2 routes) and the VTEP (type-3), and installs the remote ones in the VXLAN device's
 * forwarding table. The BGP instance and its neighbours are the operator's fabric, never
 * kvmnet's. kvmnet owns exactly what it wrote, recorded under STATE/frr/ (one empty file per
 * item), so that a restart adopts it and a network's removal takes away only its own lines.
 */
#ifndef KN_DAEMON_OVERLAY_EVPN_FRR_H
#define KN_DAEMON_OVERLAY_EVPN_FRR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct evpn_frr;
struct manager;
struct network_config;

/* FRR's default vty socket directory ('-N NAME' daemons use /var/run/frr/NAME). */
#define EVPN_FRR_VTY_DIR_DEFAULT "/var/run/frr"

/*
 * Makes the daemon's EVPN state: FRR's vty sockets in 'vty_dir' (NULL = the default), the
 * ownership records in 'state_path'/frr (made when first needed). '*ret' is freed with
 * evpn_frr_free(). -ENOMEM.
 */
int evpn_frr_new(const char *vty_dir, const char *state_path, struct evpn_frr **ret);
struct evpn_frr *evpn_frr_free(struct evpn_frr *e);

/* The vty socket directory in use (borrowed). */
const char *evpn_frr_vty_dir(const struct evpn_frr *e);

/*
 * Before anything changes: bgpd answers on its vty socket, has a BGP instance, and does not
 * know VNI 'c->overlay.vni' from a configuration kvmnet did not write ('device_exists': our
 * VXLAN device for it is already there, whose VNI bgpd learns from zebra). -EHOSTDOWN,
 * -ENOENT or -EEXIST with a one-line reason in 'err'. Blocks on bgpd (a few short commands).
 */
int evpn_frr_check(struct evpn_frr *e, const struct network_config *c, bool device_exists,
		   char *err, size_t errlen);

/*
 * Writes (again: bgpd may have restarted) the configuration of VNI 'vni', recording it first.
 * '*in_use' is the network's own flag: set here (and counted) the first time. '*ret_new' tells
 * whether the configuration was not kvmnet's before (evpn_frr_remove() on rollback). On failure
 * what this call added is gone again and 'err' says why.
 */
int evpn_frr_write(struct evpn_frr *e, uint32_t vni, bool *in_use, bool *ret_new, char *err,
		   size_t errlen);

/*
 * Removes what kvmnet wrote for VNI 'vni' (nothing if it wrote nothing), clearing '*in_use',
 * and, once no network of this daemon uses kvmnet's configuration, the 'advertise-all-vni' it
 * added. Failures are logged only.
 */
void evpn_frr_remove(struct evpn_frr *e, uint32_t vni, bool *in_use);

#endif
