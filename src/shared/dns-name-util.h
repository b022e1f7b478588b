/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Domain names in DNS wire form without compression (RFC 1035 §3.1), as the option formats of
 * NDP (DNSSL, RFC 8106) and DHCPv6 (domain search list, RFC 3646; client FQDN, RFC 4704) carry
 * them: the text form's length on the wire, writing it, and reading it back into text. Pure.
 */
#ifndef KN_SHARED_DNS_NAME_UTIL_H
#define KN_SHARED_DNS_NAME_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name in text form, without a trailing dot. */
#define DNS_NAME_TEXT_MAX 253

/*
 * Bytes the dotted name 'name' (no trailing dot) takes in wire form, root label included, or
 * -EINVAL unless it is 1..DNS_NAME_TEXT_MAX characters of labels of 1..63 characters.
 */
int dns_name_wire_len(const char *name);

/*
 * Writes 'name' (valid for dns_name_wire_len(), which gives the room needed) at 'p' in wire
 * form, ending with the root label unless 'partial' (RFC 4704 §4.2: a partial name ends with its
 * last label). Returns the bytes written.
 */
size_t dns_name_put(uint8_t *p, const char *name, bool partial);

/*
 * Reads one wire-form name from 'buf' ('len' bytes) at '*off' into 'ret' as dotted text and
 * advances '*off' past it. The name ends with the root label; when 'ret_partial' is non-NULL it
 * may also end with the end of 'buf' (a partial name, '*ret_partial' set). Compression pointers,
 * labels over 63 characters, labels holding '.' or NUL (whose text form could not be built back),
 * names over DNS_NAME_TEXT_MAX and running past 'len' are -EBADMSG. A lone root label gives "".
 */
int dns_name_get(const uint8_t *buf, size_t len, size_t *off, char ret[DNS_NAME_TEXT_MAX + 1],
		 bool *ret_partial);

#endif
