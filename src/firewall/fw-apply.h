/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A thin wrapper over libnftables: one nft_ctx owned by the event loop's thread, scripts applied
 * atomically with nft_run_cmd_from_buffer(), errors captured as text, and the installed state of
 * kvmnet's own table read back for reconciliation.
 */
#ifndef KN_FIREWALL_FW_APPLY_H
#define KN_FIREWALL_FW_APPLY_H

#include <stdint.h>

struct fw_ctx;

/*
 * Creates a context around one nft_ctx with output and errors buffered (nothing is printed) and
 * terse listings. Not thread-safe: use it from the event loop's thread only. Returns 0 and sets
 * '*ret' (free with fw_ctx_free()), or -ENOMEM.
 */
int fw_ctx_new(struct fw_ctx **ret);

/* Frees 'ctx' (NULL is fine) and returns NULL. */
struct fw_ctx *fw_ctx_free(struct fw_ctx *ctx);

/*
 * Runs 'script' as one atomic transaction: all of it or none of it. Blocks for the netlink round
 * trips. Returns 0; or -EINVAL when nft refused it, with the error text (malloc'd, trailing
 * newline stripped, one line: the first "Error:" line, e.g. "Error: Could not process rule: No
 * such file or directory") in '*reterr_msg' when it is non-NULL; -ENOMEM if that copy fails.
 */
int fw_apply(struct fw_ctx *ctx, const char *script, char **reterr_msg);

typedef int (*fw_installed_fn)(const char *network, uint64_t hash, const char *purge, void *data);

/*
 * Reads table inet kvmnet's network elements back (one JSON listing, at start-up: it reads every
 * element) and calls 'cb' once per bridge that has any, with the network named by the comment
 * "kvmnet:NAME" of its 'bridges' element (NULL when there is none), the hash of its elements
 * computed as fw_network_hash() does (equal = exactly the elements that network's model has),
 * and 'purge': the script that removes exactly these elements (each added first, so it succeeds
 * whatever happened since; for fw_render_network()). 'network' and 'purge' are valid only during
 * the call; a negative return from 'cb' stops the walk and is returned. 'cb' may use 'ctx'.
 * Returns 0 (also when the table does not exist: nothing installed, nothing printed); 1 when the
 * table has an older layout (per-network chains and verdict maps; nothing is reported, render
 * the base with 'reset'); -EIO if nft cannot list it; -ENOMEM.
 */
int fw_list_installed(struct fw_ctx *ctx, fw_installed_fn cb, void *data);

/* Returns 0 and sets '*ret' to whether the table inet kvmnet exists (1) or not (0); -EIO. */
int fw_table_exists(struct fw_ctx *ctx, int *ret);

/*
 * Whether nftables table 'name' of 'family' (FW_FAMILY_*) exists: 1, 0; -errno. One netlink
 * request, whatever else the host has loaded.
 */
#define FW_FAMILY_INET 1   /* NFPROTO_INET; <linux/netfilter.h> clashes with <netinet/in.h> */
#define FW_FAMILY_BRIDGE 7 /* NFPROTO_BRIDGE */
int fw_table_lookup(int family, const char *name);

/*
 * Runs the listing command 'cmd' (nft syntax, e.g. "list table bridge kvmnet") with JSON output
 * and full listings, set elements included, for this one run (the context's terse text mode is
 * restored afterwards), and returns nft's JSON text in '*ret' (malloc'd, caller frees). Blocks
 * for the netlink dumps. Returns 0; -EIO when nft fails (the table does not exist, say): nothing
 * is printed, the error text is dropped; -ENOMEM.
 */
int fw_list_json(struct fw_ctx *ctx, const char *cmd, char **ret);

#endif
