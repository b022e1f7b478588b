/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Big-endian integers on the wire and a write cursor that checks room before every write, for
 * the packet builders of NDP and DHCPv6 (ndp-packet.c, dhcp6-packet.c). Pure.
 */
#ifndef KN_SHARED_WIRE_UTIL_H
#define KN_SHARED_WIRE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint16_t wire_get_be16(const uint8_t *p);
uint32_t wire_get_be32(const uint8_t *p);
void wire_put_be16(uint8_t *p, uint16_t v);
void wire_put_be32(uint8_t *p, uint32_t v);

/* Writes into 'buf' of 'size' bytes; 'overflow' is set, and stays set, once a write did not fit. */
struct wire_cursor {
	uint8_t *buf;
	size_t size, len;
	bool overflow;
};

/*
 * Reserves the next 'n' bytes (zeroed) and returns them, or NULL (setting 'overflow') when they
 * do not fit or an earlier write did not. Borrowed pointer into c->buf.
 */
uint8_t *wire_cursor_put(struct wire_cursor *c, size_t n);

#endif
