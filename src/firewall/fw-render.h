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
 * creates the table, sets, maps and base chains if missing (idempotently, never flushing them),
 * adds the bridge to 'bridges', then for each of the network's chains 'add chain', 'flush chain'
 * and its rules, and the map elements that jump to them. An 'open' network gets only its
 * 'bridges' element and no chain at all. Every chain of the network carries the comment
 * "kvmnet:HASH" where HASH is fw_network_hash(n) in 16 hex digits. Returns 0 or -ENOMEM;
 * '*ret' is malloc'd.
 */
int fw_render_network(const struct fw_network *n, char **ret);

/*
 * Renders the script that removes every trace of 'n' (map elements, set element, chains) and
 * succeeds whether or not they exist (each object is added before it is deleted, within the same
 * transaction). Returns 0 or -ENOMEM.
 */
int fw_render_network_delete(const struct fw_network *n, char **ret);

/* 64-bit FNV-1a over the rendered rules of 'n': equal hash = nothing to change. */
uint64_t fw_network_hash(const struct fw_network *n);

#endif
