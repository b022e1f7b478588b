/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renders nft scripts (text for nft_run_cmd_from_buffer) from the model. Pure functions: same
 * model, same bytes, so they are tested against golden files.
 *
 * The layout: one table 'inet kvmnet' holds base chains (forward, input, postrouting) that
 * dispatch by interface name through verdict maps to per-network chains 'n_NAME_out' (forwarded
 * from the bridge), 'n_NAME_in' (forwarded to the bridge), 'n_NAME_input' (to the host from the
 * bridge), 'n_NAME_post' (masquerade). The set 'bridges' lists every kvmnet bridge, so a
 * network's chains can refuse traffic to or from any other kvmnet network with one lookup.
 * Per-packet cost therefore does not grow with the number of networks.
 */
#ifndef KN_FIREWALL_FW_RENDER_H
#define KN_FIREWALL_FW_RENDER_H

#include <stdint.h>

struct fw_network;

/*
 * Renders the script that installs network 'n' (or replaces its rules) in one transaction: it
 * creates the table, set, maps and base chains if missing (idempotent 'add'; the set and maps
 * are never flushed, the base chains are flushed and get their dispatch rules re-added, since
 * 'add rule' is not idempotent), adds the bridge to 'bridges', removes any chain of 'n' left
 * from before (any mode) with its map elements, then adds the chains of n's mode with their
 * rules, and the map elements that jump to them. Chains are re-created, not flushed, because
 * 'add chain' keeps an existing chain's old comment. An 'open' network ends up with only its
 * 'bridges' element and no chain at all. Every chain of the network carries the comment
 * "kvmnet:HASH" where HASH is fw_network_hash(n) in 16 hex digits. Map elements are keyed by
 * bridge: the script fails (EEXIST) if n's bridge is still mapped to another network's chain,
 * so delete the old model first when a bridge changes hands. Returns 0, -ENOMEM, or -EINVAL if
 * 'n' cannot be rendered (invalid name or mode; an interface name with '"', '*' or '\', which
 * nft strings cannot express). '*ret' is malloc'd.
 */
int fw_render_network(const struct fw_network *n, char **ret);

/*
 * Renders the script that removes every trace of 'n' (map elements, set element, chains) and
 * succeeds whether or not they exist (each object is added before it is deleted, within the same
 * transaction). Only the name and bridge of 'n' matter. Leaves the table, set, maps and base
 * chains in place (it creates the table, set and maps if missing). It may be followed by
 * fw_render_network() output in the same fw_apply() call (a mode change). Returns 0, -ENOMEM or
 * -EINVAL as fw_render_network(); '*ret' is malloc'd.
 */
int fw_render_network_delete(const struct fw_network *n, char **ret);

/*
 * 64-bit FNV-1a over the install script of 'n' rendered with 0 in place of the hash: equal hash =
 * nothing to change. Returns 0 for a model fw_render_network() would refuse.
 */
uint64_t fw_network_hash(const struct fw_network *n);

#endif
