/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by conf-lab.c (values, whole-lab checks) and conf-lab-ini.c (the text). Not part of the
 * config module's API.
 */
#ifndef KN_CONFIG_CONF_LAB_INTERNAL_H
#define KN_CONFIG_CONF_LAB_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

struct lab_config;

/* "memory": MiB, or with the suffix M or G, LAB_MEMORY_MIN_MIB..LAB_MEMORY_MAX_MIB. */
int lab_parse_memory(const char *v, uint32_t *ret, char *reterr, size_t errlen);

/*
 * The checks that need the whole lab (name, overlaps, nodes' networks and addresses, checks'
 * nodes), in that order; each error names the line of the section at fault.
 */
int lab_config_validate(const struct lab_config *c, char *reterr, size_t errlen);

#endif
