/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the renderers of kvmnet's per-port tables share (fw-port.c, the bridge table; fw-macvtap.c,
 * the netdev table): an nft script built line by line, MAC addresses as nft writes them, and the
 * set elements of nft's JSON listings.
 */
#ifndef KN_FIREWALL_FW_SCRIPT_H
#define KN_FIREWALL_FW_SCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "shared/alloc-util.h"
#include "shared/strbuf.h"

/* A script being built; the first error sticks and makes later emits no-ops. */
struct fw_script {
	struct strbuf sb;
	int r;
};

#define FW_SCRIPT_INIT { .sb = STRBUF_INIT }

/* Appends one line (formatted, a newline added). */
void fw_script_emit(struct fw_script *s, const char *fmt, ...) _printf_(2, 3);
/* Hands the script to '*ret' (malloc'd) or returns the first error (-ENOMEM); frees 's' either way. */
int fw_script_finish(struct fw_script *s, char **ret);

/* Makes sure 'elem' is not in set 'set' of 'table' ("FAMILY NAME"), whether or not it was. */
void fw_script_emit_absent(struct fw_script *s, const char *table, const char *set,
			   const char *elem);
/* Puts 'elem' in set 'set' of 'table', or makes sure it is not there ('member' false). */
void fw_script_emit_membership(struct fw_script *s, const char *table, const char *set,
			       const char *elem, bool member);

/* "xx:xx:xx:xx:xx:xx" and its NUL. */
#define FW_MAC_STRLEN 18

/* Writes 'mac' as nft does, lower-case hex. */
void fw_mac_format(const uint8_t mac[static 6], char buf[static FW_MAC_STRLEN]);
/* Parses "xx:xx:xx:xx:xx:xx" (hex digits of either case); false for anything else. */
bool fw_mac_parse(const char *s, uint8_t ret[static 6]);

/* Number of elements in a set's "elem" member: an array, or (defensively) one bare value. */
size_t fw_json_elem_count(json_t *elems);
/*
 * Element 'i', unwrapped from the {"elem": {"val": ...}} form nft uses for elements carrying a
 * timeout, counter or comment; 'ret_wrapper' (may be NULL) gets that wrapper (NULL when bare).
 */
json_t *fw_json_elem_get(json_t *elems, size_t i, json_t **ret_wrapper);

/*
 * The object of kind 'kind' ("set", "map", "counter", "limit") in listing item 'it' when it
 * belongs to table 'table' of 'family', else NULL. Every item of a table listing is that table's;
 * checking costs little and guards the parsers.
 */
json_t *fw_json_table_object(json_t *it, const char *kind, const char *family, const char *table);

#endif
