/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A running lab's nics changed live (docs/LABS.md): their impairments applied when a node
 * starts or is taken back (lab-impair.h does the kernel work), 'lab set NODE:NIC KEY=VALUE'
 * (validated as the file's own value, applied whole or not at all) and 'lab link NODE:NIC
 * down|up' (the host end of the nic set down or up: a pulled cable). Live changes are kept in
 * the node's record ("impair": {NET: {KEY: VALUE}}, "link-down": [NET]) so that a restarted
 * daemon applies them again.
 */
#ifndef KN_DAEMON_LAB_LAB_LIVE_H
#define KN_DAEMON_LAB_LAB_LIVE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct lab;
struct lab_node_run;
struct lab_nic_run;

/*
 * Applies the impairments of every nic of 'n' (after the kind's start). Returns 0 or -errno
 * with one line in 'err' ("node client: nic front: ...").
 */
int lab_live_node_start(struct lab_node_run *n, char *err, size_t errlen);

/*
 * After the kind's adopt(): the record's live changes go back into the lab's config and every
 * nic's impairments and link state are applied again (failures are logged).
 */
void lab_live_node_adopt(struct lab_node_run *n, json_t *record);

/* Before the kind's stop(): removes the nics' loss rules (the qdiscs go with the links). */
void lab_live_node_stop(struct lab_node_run *n);

/*
 * 'lab set': sets impairment 'key' (rate, loss, delay, jitter) of the nic of node 'node' on
 * network 'nic' (or named ethN) to 'value'. Returns 0, -ENOENT (no such node or nic), -EINVAL
 * (a bad value, jitter without delay), -EOPNOTSUPP (no netem for a delay), -EBUSY (the node is
 * not up) or -errno, each with one line in 'err', and the nic unchanged on failure.
 */
int lab_live_set(struct lab *l, const char *node, const char *nic, const char *key,
		 const char *value, char *err, size_t errlen);

/* 'lab link': the host end of the nic down ('up' false) or up again. Errors as lab_live_set(). */
int lab_live_link(struct lab *l, const char *node, const char *nic, bool up, char *err,
		  size_t errlen);

/* Adds "rate", "loss", "delay", "jitter" (text, null for none) and "link" ("up"/"down"). */
int lab_live_nic_json(const struct lab_nic_run *nic, json_t *o);

#endif
