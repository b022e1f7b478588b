/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A lab file checked against this host before anything is created (docs/LABS.md): the file's
 * own rules (config/conf-lab.h), then each of its networks against the host's networks and
 * routes, exactly as 'net create' checks one network. Also the lab's JSON description, as the
 * lab.* methods return it.
 */
#ifndef KN_DAEMON_LAB_LAB_PLAN_H
#define KN_DAEMON_LAB_LAB_PLAN_H

#include <jansson.h>
#include <stddef.h>

#include "config/conf-lab.h"

struct manager;

/*
 * Parses the lab file 'text' ('len' bytes) into 'ret' (free with lab_config_done()); its default
 * name is that of 'file' (a path or base name, may be NULL; see lab_name_from_path()). Then every
 * network of the lab must be new to the host (-EEXIST "line 3: network front already exists on
 * this host") and pass manager_check_conflicts() (bridge, subnets of the host's networks, the
 * host's routes; "line 3: network front: subnet ... overlaps network 'x' (...)"). Nothing is
 * changed. Returns 0 or a negative errno with one line in 'err'. Costs, per network of the lab,
 * what one 'net create' check costs.
 */
int lab_plan_validate(struct manager *m, const char *text, size_t len, const char *file,
		      struct lab_config *ret, char *err, size_t errlen);

/*
 * {"name", "networks": [{"name", "mode", "subnet", "gateway", "dhcp"}], "nodes": [{"name",
 * "kind", "listen": [ports], "memory", "cpus" (qemu only), "nics": [{"network", "address" (null = DHCP), "rate",
 * "loss", "delay", "jitter"}]}], "checks": [{"name", "from", "to", "port" (null = ping),
 * "expect"}], "forwards": [{"name", "network", "proto", "host-port", "host-address" (null =
 * any), "to" (NODE:PORT[-LAST]), "to-address"}]}. NULL on -ENOMEM.
 */
json_t *lab_config_to_json(const struct lab_config *c);

#endif
