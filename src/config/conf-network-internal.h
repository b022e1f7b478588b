/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by conf-network.c (keys, validation) and conf-network-ini.c (text form). Not
 * part of the config module's API.
 */
#ifndef KN_CONFIG_CONF_NETWORK_INTERNAL_H
#define KN_CONFIG_CONF_NETWORK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/alloc-util.h"

/* Values quoted in error messages are cut to this many characters. */
#define CONF_SHOW_MAX 80
#define CONF_SHOW_BUF (CONF_SHOW_MAX + 4)

/* Number of keys of the [network] section (checked against the key table at compile time). */
#define CONF_NETWORK_KEYS 30
/* Number of keys of a [port] section ("mac", "owner", "queues", "rate"). */
#define CONF_PORT_KEYS 4

/* Why a name is refused by ifname_is_valid(), as messages put it. */
#define CONF_IFNAME_RULE "not an interface name (1-15 characters from A-Z, a-z, 0-9, '_', '.', '-')"

/*
 * Copies 's' into 'buf' (CONF_SHOW_BUF bytes) for quoting in a message: control and non-ASCII
 * bytes become '?', and more than CONF_SHOW_MAX characters are cut and end in "...". Returns 'buf'.
 */
const char *conf_show(const char *s, char *buf);

/*
 * Parses a decimal number from 0 to 'max' (digits only, leading zeros allowed, no sign) into
 * 'ret'. Returns 0, -EINVAL for anything but digits, or -ERANGE above 'max'.
 */
int conf_parse_uint32(const char *s, uint32_t max, uint32_t *ret);

/* Writes the message to 'reterr' (size 'errlen'; may be NULL/0) and returns -EINVAL. */
int conf_fail(char *reterr, size_t errlen, const char *fmt, ...) _printf_(3, 4);

/*
 * The IPv6 keys (conf-network6.c): "subnet6", "ra-mode" and "nat6", with the signature of the
 * key table's setters.
 */
struct network_config;
int conf_set_subnet6(struct network_config *c, const char *key, const char *value, char *reterr,
		     size_t errlen);
int conf_set_dhcp6_range(struct network_config *c, const char *key, const char *value,
			 char *reterr, size_t errlen);
int conf_set_ra_mode(struct network_config *c, const char *key, const char *value, char *reterr,
		     size_t errlen);
int conf_set_nat6(struct network_config *c, const char *key, const char *value, char *reterr,
		  size_t errlen);

/*
 * The IPv6 part of network_config_finish(): the subnet6 re-checked and its gateway6 derived,
 * nat6 refused outside mode nat; for modes without a bridge of ours (bridge, macvtap), any
 * subnet6 refused. Returns 0 or -EINVAL with a reason in 'reterr'.
 */
int conf_network6_finish(struct network_config *c, char *reterr, size_t errlen);

/* The IPv6 keys of 'c' that are not the default, as "key = value" lines, appended to 'sb'. */
struct strbuf;
int conf_network6_format(struct strbuf *sb, const struct network_config *c);

/* True if the IPv6 fields of 'a' and 'b' are the same. */
bool conf_network6_equal(const struct network_config *a, const struct network_config *b);

/* Index of 'key' in the [network] key table, or -ENOENT. */
int network_key_find(const char *key);

/* Index (0..CONF_PORT_KEYS-1) of 'key' among the keys of a [port] section, or -ENOENT. */
int network_port_key_find(const char *key);

/*
 * Writes the canonical text of a lease time into 'buf' ('size' bytes, 16 are enough): the number
 * in the largest unit that divides it exactly, "1d", "2h", "90m" or "61s". Returns 'buf'.
 */
const char *lease_time_to_string(uint32_t sec, char *buf, size_t size);

/*
 * The sorted arrays of [host], [port] and [dns-record] items (conf-array.c) hold 'n' items in
 * conf_array_capacity(n) slots: 0, or the smallest power of two >= n.
 */
size_t conf_array_capacity(size_t n);

/*
 * Makes room for one more item in 'items' (n items of 'size' bytes): returns the array, moved if
 * it had to grow, or NULL on -ENOMEM (and 'items' is left as it was).
 */
void *conf_array_grow(void *items, size_t n, size_t size);

/*
 * A copy of the 'n' (> 0) items of 'items' with the full implicit capacity, so that the next add
 * to the copy needs no realloc to be safe. NULL on -ENOMEM.
 */
void *conf_array_dup(const void *items, size_t n, size_t size);

/* What conf_line_take() found. */
enum conf_line {
	CONF_LINE_OK,   /* a line: '*rets' and '*retlen' set */
	CONF_LINE_END,  /* no more text */
	CONF_LINE_NUL,  /* the line holds a NUL byte */
	CONF_LINE_LONG, /* the line is longer than 'max' */
};

/*
 * The line reader under both inih parsers (definition and lab files), so that inih's line count
 * and theirs agree: takes the next line of the text [*p, end), advancing '*p' and counting it in
 * '*line' (from 1), without its '\n' and '\r', leading blanks (inih would take an indented line as
 * the continuation of the previous value) and, on line 1, a UTF-8 BOM.
 */
enum conf_line conf_line_take(const char **p, const char *end, int *line, size_t max,
			      const char **rets, size_t *retlen);

/* Hands a line taken by conf_line_take() to inih: 'len' bytes, '\n', NUL into 'buf'. Returns 'buf'. */
char *conf_line_give(char *buf, const char *s, size_t len);

#endif
