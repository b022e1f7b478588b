/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of fw-script.h. */
#include "firewall/fw-script.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void fw_script_emit(struct fw_script *s, const char *fmt, ...)
{
	va_list ap;

	if (s->r < 0)
		return;
	va_start(ap, fmt);
	s->r = strbuf_vappendf(&s->sb, fmt, ap);
	va_end(ap);
	if (s->r >= 0)
		s->r = strbuf_append(&s->sb, "\n");
}

int fw_script_finish(struct fw_script *s, char **ret)
{
	if (s->r >= 0)
		s->r = strbuf_steal(&s->sb, ret);
	strbuf_done(&s->sb);
	return s->r;
}

void fw_script_emit_absent(struct fw_script *s, const char *table, const char *set,
			   const char *elem)
{
	/* the add is a no-op when it exists; nft 1.0.6 has no 'destroy' */
	fw_script_emit(s, "add element %s %s { %s }", table, set, elem);
	fw_script_emit(s, "delete element %s %s { %s }", table, set, elem);
}

void fw_script_emit_membership(struct fw_script *s, const char *table, const char *set,
			       const char *elem, bool member)
{
	if (member)
		fw_script_emit(s, "add element %s %s { %s }", table, set, elem);
	else
		fw_script_emit_absent(s, table, set, elem);
}

void fw_mac_format(const uint8_t mac[static 6], char buf[static FW_MAC_STRLEN])
{
	snprintf(buf, FW_MAC_STRLEN, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		 mac[3], mac[4], mac[5]);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool fw_mac_parse(const char *s, uint8_t ret[static 6])
{
	uint8_t mac[6];

	if (strlen(s) != FW_MAC_STRLEN - 1)
		return false;
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = hex_value(p[0]), lo = hex_value(p[1]);

		if ((i < 5 && p[2] != ':') || hi < 0 || lo < 0)
			return false;
		mac[i] = (uint8_t)(hi * 16 + lo);
	}
	memcpy(ret, mac, 6);
	return true;
}

size_t fw_json_elem_count(json_t *elems)
{
	if (!elems)
		return 0;
	return json_is_array(elems) ? json_array_size(elems) : 1;
}

json_t *fw_json_elem_get(json_t *elems, size_t i, json_t **ret_wrapper)
{
	json_t *e = json_is_array(elems) ? json_array_get(elems, i) : elems;
	json_t *wrapped = json_object_get(e, "elem");

	if (ret_wrapper)
		*ret_wrapper = wrapped;
	return wrapped ? json_object_get(wrapped, "val") : e;
}

json_t *fw_json_table_object(json_t *it, const char *kind, const char *family, const char *table)
{
	json_t *o = json_object_get(it, kind);
	const char *f = json_string_value(json_object_get(o, "family"));
	const char *t = json_string_value(json_object_get(o, "table"));

	if (!f || !t || strcmp(f, family) != 0 || strcmp(t, table) != 0)
		return NULL;
	return o;
}
