/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of wire-util.h. */
#include "wire-util.h"

#include <string.h>

uint16_t wire_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t wire_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void wire_put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void wire_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint8_t *wire_cursor_put(struct wire_cursor *c, size_t n)
{
	uint8_t *p;

	if (c->overflow || n > c->size - c->len) {
		c->overflow = true;
		return NULL;
	}
	p = c->buf + c->len;
	memset(p, 0, n);
	c->len += n;
	return p;
}
