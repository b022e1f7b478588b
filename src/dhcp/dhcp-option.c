/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCP option parsing and building. Every read is checked against the end of the field it lies
 * in (the options field ends with the message; 'file' and 'sname' with their fixed sizes), so a
 * hostile length cannot make the walker read past the buffer; nothing here allocates.
 */
#include "dhcp/dhcp-option.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dhcp/dhcp-proto.h"
#include "shared/alloc-util.h"

static const char *const msg_type_table[_DHCP_MSG_MAX] = {
	[DHCP_MSG_DISCOVER] = "DHCPDISCOVER",
	[DHCP_MSG_OFFER] = "DHCPOFFER",
	[DHCP_MSG_REQUEST] = "DHCPREQUEST",
	[DHCP_MSG_DECLINE] = "DHCPDECLINE",
	[DHCP_MSG_ACK] = "DHCPACK",
	[DHCP_MSG_NAK] = "DHCPNAK",
	[DHCP_MSG_RELEASE] = "DHCPRELEASE",
	[DHCP_MSG_INFORM] = "DHCPINFORM",
};

const char *dhcp_msg_type_to_string(int type)
{
	if (type < 0 || (size_t)type >= ELEMENTSOF(msg_type_table))
		return NULL;
	return msg_type_table[type];
}

bool dhcp_options_has(const struct dhcp_options *o, uint8_t code)
{
	return o->present[code / 64] & (1ULL << (code % 64));
}

/* Records one instance of an option; a repeated one is joined to the earlier (RFC 3396). */
static int options_add(struct dhcp_options *o, uint8_t code, const uint8_t *p, uint8_t l)
{
	size_t old;

	if (!dhcp_options_has(o, code)) {
		o->present[code / 64] |= 1ULL << (code % 64);
		o->data[code] = p;
		o->len[code] = l;
		return 0;
	}
	old = o->len[code];
	if (o->scratch_tail == code) {
		/* the previous join ends the scratch area: extend it in place */
		if (o->scratch_used + l > sizeof(o->scratch))
			return -EBADMSG;
	} else {
		if (o->scratch_used + old + l > sizeof(o->scratch))
			return -EBADMSG;
		memmove(o->scratch + o->scratch_used, o->data[code], old);
		o->data[code] = o->scratch + o->scratch_used;
		o->scratch_used += old;
		o->scratch_tail = code;
	}
	memcpy(o->scratch + o->scratch_used, p, l);
	o->scratch_used += l;
	o->len[code] = (uint16_t)(old + l);
	return 0;
}

/* Walks one field of 'n' bytes. Option 52 counts only in the options field itself. */
static int options_walk(struct dhcp_options *o, const uint8_t *p, size_t n, bool main_field)
{
	size_t i = 0;
	int r;

	while (i < n) {
		uint8_t code = p[i], l;

		if (code == DHCP_OPTION_PAD) {
			i++;
			continue;
		}
		if (code == DHCP_OPTION_END)
			return 0;
		if (n - i < 2)
			return -EBADMSG;
		l = p[i + 1];
		if (n - i - 2 < l)
			return -EBADMSG;
		if (code != DHCP_OPTION_OVERLOAD || main_field) {
			r = options_add(o, code, p + i + 2, l);
			if (r < 0)
				return r;
		}
		i += 2 + (size_t)l;
	}
	return 0;
}

int dhcp_options_parse(struct dhcp_options *o, const uint8_t *msg, size_t len)
{
	uint32_t magic;
	int r;

	memset(o->present, 0, sizeof(o->present));
	o->overload = 0;
	o->scratch_used = 0;
	o->scratch_tail = -1;

	if (len < DHCP_HEADER_SIZE)
		return -EBADMSG;
	memcpy(&magic, msg + DHCP_HEADER_SIZE - 4, sizeof(magic));
	if (ntohl(magic) != DHCP_MAGIC_COOKIE)
		return -EBADMSG;

	r = options_walk(o, msg + DHCP_HEADER_SIZE, len - DHCP_HEADER_SIZE, true);
	if (r < 0)
		return r;

	if (dhcp_options_has(o, DHCP_OPTION_OVERLOAD)) {
		if (o->len[DHCP_OPTION_OVERLOAD] != 1)
			return -EBADMSG;
		o->overload = o->data[DHCP_OPTION_OVERLOAD][0];
		if (o->overload < 1 || o->overload > 3)
			return -EBADMSG;
	}
	/* RFC 2131 §4.1: the options field first, then 'file', then 'sname' */
	if (o->overload & DHCP_OVERLOAD_FILE) {
		r = options_walk(o, msg + DHCP_FILE_OFFSET, DHCP_FILE_SIZE, false);
		if (r < 0)
			return r;
	}
	if (o->overload & DHCP_OVERLOAD_SNAME) {
		r = options_walk(o, msg + DHCP_SNAME_OFFSET, DHCP_SNAME_SIZE, false);
		if (r < 0)
			return r;
	}
	return 0;
}

const uint8_t *dhcp_options_get(const struct dhcp_options *o, uint8_t code, size_t *ret_len)
{
	if (!dhcp_options_has(o, code))
		return NULL;
	if (ret_len)
		*ret_len = o->len[code];
	return o->data[code];
}

static int get_fixed(const struct dhcp_options *o, uint8_t code, void *ret, size_t size)
{
	if (!dhcp_options_has(o, code))
		return -ENOENT;
	if (o->len[code] != size)
		return -EBADMSG;
	memcpy(ret, o->data[code], size);
	return 0;
}

int dhcp_options_get_u8(const struct dhcp_options *o, uint8_t code, uint8_t *ret)
{
	return get_fixed(o, code, ret, sizeof(*ret));
}

int dhcp_options_get_u16(const struct dhcp_options *o, uint8_t code, uint16_t *ret)
{
	uint16_t v;
	int r = get_fixed(o, code, &v, sizeof(v));

	if (r < 0)
		return r;
	*ret = ntohs(v);
	return 0;
}

int dhcp_options_get_u32(const struct dhcp_options *o, uint8_t code, uint32_t *ret)
{
	uint32_t v;
	int r = get_fixed(o, code, &v, sizeof(v));

	if (r < 0)
		return r;
	*ret = ntohl(v);
	return 0;
}

int dhcp_options_get_addr(const struct dhcp_options *o, uint8_t code, struct in_addr *ret_addr)
{
	struct in_addr a;
	int r = get_fixed(o, code, &a, sizeof(a));

	if (r < 0)
		return r;
	*ret_addr = a;
	return 0;
}

void dhcp_option_builder_init(struct dhcp_option_builder *b, uint8_t *buf, size_t size)
{
	*b = (struct dhcp_option_builder){ .buf = buf, .size = size };
}

size_t dhcp_option_wire_size(size_t len)
{
	return len == 0 ? 2 : len + 2 * ((len + 254) / 255);
}

int dhcp_option_append(struct dhcp_option_builder *b, uint8_t code, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t need = dhcp_option_wire_size(len);

	if (code == DHCP_OPTION_PAD || code == DHCP_OPTION_END)
		return -EINVAL;
	if (b->size == 0 || b->len + need > b->size - 1)
		return -E2BIG;
	do {
		size_t chunk = len > 255 ? 255 : len;

		b->buf[b->len++] = code;
		b->buf[b->len++] = (uint8_t)chunk;
		if (chunk)
			memcpy(b->buf + b->len, p, chunk);
		b->len += chunk;
		p += chunk;
		len -= chunk;
	} while (len > 0);
	return 0;
}

int dhcp_option_append_u8(struct dhcp_option_builder *b, uint8_t code, uint8_t v)
{
	return dhcp_option_append(b, code, &v, sizeof(v));
}

int dhcp_option_append_u16(struct dhcp_option_builder *b, uint8_t code, uint16_t v)
{
	uint16_t be = htons(v);

	return dhcp_option_append(b, code, &be, sizeof(be));
}

int dhcp_option_append_u32(struct dhcp_option_builder *b, uint8_t code, uint32_t v)
{
	uint32_t be = htonl(v);

	return dhcp_option_append(b, code, &be, sizeof(be));
}

int dhcp_option_append_addr(struct dhcp_option_builder *b, uint8_t code, struct in_addr a)
{
	return dhcp_option_append(b, code, &a, sizeof(a));
}

size_t dhcp_option_builder_finish(struct dhcp_option_builder *b)
{
	if (b->len < b->size)
		b->buf[b->len++] = DHCP_OPTION_END;
	return b->len;
}

static bool label_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

int dhcp_hostname_sanitize(const uint8_t *name, size_t len, char ret[DHCP_HOSTNAME_MAX + 1])
{
	size_t n = 0;

	ret[0] = '\0';
	while (len > 0 && name[len - 1] == '\0')
		len--;
	while (n < len && name[n] != '.')
		n++;
	if (n == 0 || n > DHCP_HOSTNAME_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = (char)name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!label_char_ok(c)) {
			ret[0] = '\0';
			return -EINVAL;
		}
		ret[i] = c;
	}
	ret[n] = '\0';
	if (ret[0] == '-' || ret[n - 1] == '-') {
		ret[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

int dhcp_fqdn_hostname(const uint8_t *opt, size_t len, char ret[DHCP_HOSTNAME_MAX + 1])
{
	const uint8_t *name;
	size_t n, l;

	ret[0] = '\0';
	if (len < 3)
		return -EINVAL;
	name = opt + 3;
	n = len - 3;
	if (!(opt[0] & DHCP_FQDN_FLAG_E))
		return dhcp_hostname_sanitize(name, n, ret);
	/* wire format: the first label's length, then the label (no compression in DHCP) */
	if (n < 1)
		return -EINVAL;
	l = name[0];
	if (l == 0 || l > DHCP_HOSTNAME_MAX || l > n - 1)
		return -EINVAL;
	/* a '.' inside a wire-format label is data, not a separator: refuse it */
	if (memchr(name + 1, '.', l))
		return -EINVAL;
	return dhcp_hostname_sanitize(name + 1, l, ret);
}
