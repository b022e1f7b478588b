/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dhcp6-packet.h. One bounds-checked TLV walker (options_walk()) serves the
 * message and the options nested in IA_NA and IAADDR; builders write through a cursor that
 * checks room before every write, and nested options get their length once their content is
 * written.
 */
#include "dhcp6/dhcp6-packet.h"

#include <errno.h>
#include <string.h>

#include "dhcp6/dhcp6-proto.h"
#include "shared/wire-util.h"

static const char *const msg_type_names[_DHCP6_MSG_MAX] = {
	[DHCP6_SOLICIT] = "SOLICIT",
	[DHCP6_ADVERTISE] = "ADVERTISE",
	[DHCP6_REQUEST] = "REQUEST",
	[DHCP6_CONFIRM] = "CONFIRM",
	[DHCP6_RENEW] = "RENEW",
	[DHCP6_REBIND] = "REBIND",
	[DHCP6_REPLY] = "REPLY",
	[DHCP6_RELEASE] = "RELEASE",
	[DHCP6_DECLINE] = "DECLINE",
	[DHCP6_RECONFIGURE] = "RECONFIGURE",
	[DHCP6_INFORMATION_REQUEST] = "INFORMATION-REQUEST",
	[DHCP6_RELAY_FORW] = "RELAY-FORW",
	[DHCP6_RELAY_REPL] = "RELAY-REPL",
};

const char *dhcp6_msg_type_to_string(int type)
{
	if (type <= 0 || type >= _DHCP6_MSG_MAX)
		return NULL;
	return msg_type_names[type];
}

typedef int (*option_fn)(uint16_t code, const uint8_t *val, size_t len, void *data);

/* Calls 'cb' for each option of 'buf'; -EBADMSG when one runs past the end. */
static int options_walk(const uint8_t *buf, size_t len, option_fn cb, void *data)
{
	size_t off = 0;

	while (off < len) {
		uint16_t code, olen;
		int r;

		if (len - off < DHCP6_OPTION_HEADER_SIZE)
			return -EBADMSG;
		code = wire_get_be16(buf + off);
		olen = wire_get_be16(buf + off + 2);
		off += DHCP6_OPTION_HEADER_SIZE;
		if (olen > len - off)
			return -EBADMSG;
		r = cb(code, buf + off, olen, data);
		if (r < 0)
			return r;
		off += olen;
	}
	return 0;
}

static int get_status(const uint8_t *val, size_t len, struct dhcp6_status_opt *ret)
{
	if (ret->present || len < 2)
		return -EBADMSG;
	/* field by field: 'ret' lies in a zeroed struct whose padding stays zero */
	ret->present = true;
	ret->code = wire_get_be16(val);
	ret->msg = len > 2 ? val + 2 : NULL;
	ret->msg_len = (uint16_t)(len - 2);
	return 0;
}

static int iaaddr_option_cb(uint16_t code, const uint8_t *val, size_t len, void *data)
{
	struct dhcp6_iaaddr *a = data;

	return code == DHCP6_OPT_STATUS_CODE ? get_status(val, len, &a->status) : 0;
}

static int ia_na_option_cb(uint16_t code, const uint8_t *val, size_t len, void *data)
{
	struct dhcp6_ia_na *ia = data;
	struct dhcp6_iaaddr a;
	int r;

	if (code == DHCP6_OPT_STATUS_CODE)
		return get_status(val, len, &ia->status);
	if (code != DHCP6_OPT_IAADDR)
		return 0;
	if (len < DHCP6_IAADDR_FIXED)
		return -EBADMSG;
	memset(&a, 0, sizeof(a));
	memcpy(&a.addr, val, 16);
	a.preferred_sec = wire_get_be32(val + 16);
	a.valid_sec = wire_get_be32(val + 20);
	r = options_walk(val + DHCP6_IAADDR_FIXED, len - DHCP6_IAADDR_FIXED, iaaddr_option_cb, &a);
	if (r < 0)
		return r;
	if (ia->n_addrs < DHCP6_IA_ADDRS_MAX)
		ia->addrs[ia->n_addrs++] = a;
	return 0;
}

static int get_ia_na(const uint8_t *val, size_t len, struct dhcp6_message *m)
{
	struct dhcp6_ia_na ia;
	int r;

	if (len < DHCP6_IA_NA_FIXED)
		return -EBADMSG;
	memset(&ia, 0, sizeof(ia));
	ia.iaid = wire_get_be32(val);
	ia.t1_sec = wire_get_be32(val + 4);
	ia.t2_sec = wire_get_be32(val + 8);
	r = options_walk(val + DHCP6_IA_NA_FIXED, len - DHCP6_IA_NA_FIXED, ia_na_option_cb, &ia);
	if (r < 0)
		return r;
	/* RFC 8415 §12.1: the IAID identifies the IA; two with one IAID cannot both be meant */
	for (size_t i = 0; i < m->n_ia_na; i++)
		if (m->ia_na[i].iaid == ia.iaid)
			return -EBADMSG;
	if (m->n_ia_na < DHCP6_IA_MAX)
		m->ia_na[m->n_ia_na++] = ia;
	return 0;
}

static int get_duid(const uint8_t *val, size_t len, const uint8_t **ret, uint16_t *ret_len)
{
	if (*ret || len < 3 || len > DHCP6_DUID_MAX)
		return -EBADMSG;
	*ret = val;
	*ret_len = (uint16_t)len;
	return 0;
}

static int get_domains(const uint8_t *val, size_t len, struct dhcp6_message *m)
{
	size_t off = 0;

	while (off < len) {
		char name[DNS_NAME_TEXT_MAX + 1];
		int r = dns_name_get(val, len, &off, name, NULL);

		if (r < 0)
			return r;
		if (name[0] == '\0')
			return -EBADMSG;   /* the root is no search domain */
		if (m->n_domains < DHCP6_DOMAINS_MAX)
			strcpy(m->domains[m->n_domains++], name);
	}
	return 0;
}

static int get_fqdn(const uint8_t *val, size_t len, struct dhcp6_message *m)
{
	size_t off = 1;

	if (len < 1 || (val[0] & ~(DHCP6_FQDN_FLAG_S | DHCP6_FQDN_FLAG_O | DHCP6_FQDN_FLAG_N)))
		return -EBADMSG;
	m->has_fqdn = true;
	m->fqdn_flags = val[0];
	m->fqdn[0] = '\0';
	m->fqdn_partial = false;
	if (len == 1)
		return 0;
	if (dns_name_get(val, len, &off, m->fqdn, &m->fqdn_partial) < 0 || off != len ||
	    m->fqdn[0] == '\0')
		return -EBADMSG;
	return 0;
}

/* Marks singleton option 'code' seen; -EBADMSG the second time. */
static int once(uint32_t *seen, unsigned bit)
{
	if (*seen & (1U << bit))
		return -EBADMSG;
	*seen |= 1U << bit;
	return 0;
}

struct parse_ctx {
	struct dhcp6_message *m;
	uint32_t seen;
};

static int message_option_cb(uint16_t code, const uint8_t *val, size_t len, void *data)
{
	struct parse_ctx *c = data;
	struct dhcp6_message *m = c->m;

	switch (code) {
	case DHCP6_OPT_CLIENTID:
		return get_duid(val, len, &m->client_id, &m->client_id_len);
	case DHCP6_OPT_SERVERID:
		return get_duid(val, len, &m->server_id, &m->server_id_len);
	case DHCP6_OPT_IA_NA:
		return get_ia_na(val, len, m);
	case DHCP6_OPT_IA_TA:
		m->n_ia_ta++;
		return 0;
	case DHCP6_OPT_IA_PD:
		m->n_ia_pd++;
		return 0;
	case DHCP6_OPT_ORO:
		if (once(&c->seen, 0) < 0 || len % 2)
			return -EBADMSG;
		for (size_t i = 0; i < len / 2 && m->n_oro < DHCP6_ORO_MAX; i++)
			m->oro[m->n_oro++] = wire_get_be16(val + 2 * i);
		return 0;
	case DHCP6_OPT_ELAPSED_TIME:
		if (once(&c->seen, 1) < 0 || len != 2)
			return -EBADMSG;
		m->has_elapsed = true;
		m->elapsed_cs = wire_get_be16(val);
		return 0;
	case DHCP6_OPT_RAPID_COMMIT:
		if (once(&c->seen, 2) < 0 || len != 0)
			return -EBADMSG;
		m->rapid_commit = true;
		return 0;
	case DHCP6_OPT_STATUS_CODE:
		return get_status(val, len, &m->status);
	case DHCP6_OPT_PREFERENCE:
		if (once(&c->seen, 3) < 0 || len != 1)
			return -EBADMSG;
		m->has_preference = true;
		m->preference = val[0];
		return 0;
	case DHCP6_OPT_DNS_SERVERS:
		if (once(&c->seen, 4) < 0 || len % 16)
			return -EBADMSG;
		for (size_t i = 0; i < len / 16 && m->n_dns < DHCP6_DNS_MAX; i++)
			memcpy(&m->dns[m->n_dns++], val + 16 * i, 16);
		return 0;
	case DHCP6_OPT_DOMAIN_LIST:
		if (once(&c->seen, 5) < 0)
			return -EBADMSG;
		return get_domains(val, len, m);
	case DHCP6_OPT_CLIENT_FQDN:
		if (once(&c->seen, 6) < 0)
			return -EBADMSG;
		return get_fqdn(val, len, m);
	default:
		return 0;   /* RFC 8415 §16: unknown options are ignored */
	}
}

int dhcp6_message_parse(const uint8_t *buf, size_t len, struct dhcp6_message *ret)
{
	struct parse_ctx c = { .m = ret };

	memset(ret, 0, sizeof(*ret));
	if (len < DHCP6_HEADER_SIZE || buf[0] == 0 || buf[0] >= DHCP6_RELAY_FORW)
		return -EBADMSG;
	ret->type = buf[0];
	ret->xid = (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3];
	return options_walk(buf + DHCP6_HEADER_SIZE, len - DHCP6_HEADER_SIZE, message_option_cb,
			    &c);
}

/* Starts option 'code' and returns where its header is, for option_end(); -1 on overflow. */
static long option_begin(struct wire_cursor *c, uint16_t code)
{
	uint8_t *p = wire_cursor_put(c, DHCP6_OPTION_HEADER_SIZE);

	if (!p)
		return -1;
	wire_put_be16(p, code);
	return (long)(p - c->buf);
}

static void option_end(struct wire_cursor *c, long at)
{
	if (at < 0 || c->overflow)
		return;
	wire_put_be16(c->buf + at + 2, (uint16_t)(c->len - (size_t)at - DHCP6_OPTION_HEADER_SIZE));
}

static void put_option(struct wire_cursor *c, uint16_t code, const void *val, size_t len)
{
	long at = option_begin(c, code);
	uint8_t *p = wire_cursor_put(c, len);

	if (p && len)
		memcpy(p, val, len);
	option_end(c, at);
}

static void put_status(struct wire_cursor *c, const struct dhcp6_status_opt *st)
{
	long at;
	uint8_t *p;

	if (!st->present)
		return;
	at = option_begin(c, DHCP6_OPT_STATUS_CODE);
	p = wire_cursor_put(c, 2 + (size_t)st->msg_len);
	if (p) {
		wire_put_be16(p, st->code);
		if (st->msg_len)
			memcpy(p + 2, st->msg, st->msg_len);
	}
	option_end(c, at);
}

static void put_ia_na(struct wire_cursor *c, const struct dhcp6_ia_na *ia)
{
	long at = option_begin(c, DHCP6_OPT_IA_NA);
	uint8_t *p = wire_cursor_put(c, DHCP6_IA_NA_FIXED);

	if (p) {
		wire_put_be32(p, ia->iaid);
		wire_put_be32(p + 4, ia->t1_sec);
		wire_put_be32(p + 8, ia->t2_sec);
	}
	for (size_t i = 0; i < ia->n_addrs && i < DHCP6_IA_ADDRS_MAX; i++) {
		const struct dhcp6_iaaddr *a = &ia->addrs[i];
		long at_addr = option_begin(c, DHCP6_OPT_IAADDR);

		p = wire_cursor_put(c, DHCP6_IAADDR_FIXED);
		if (p) {
			memcpy(p, &a->addr, 16);
			wire_put_be32(p + 16, a->preferred_sec);
			wire_put_be32(p + 20, a->valid_sec);
		}
		put_status(c, &a->status);
		option_end(c, at_addr);
	}
	put_status(c, &ia->status);
	option_end(c, at);
}

static int put_domains(struct wire_cursor *c, const struct dhcp6_message *m)
{
	size_t total = 0;
	long at;
	uint8_t *p;

	if (m->n_domains > DHCP6_DOMAINS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < m->n_domains; i++) {
		int l = dns_name_wire_len(m->domains[i]);
		if (l < 0)
			return l;
		total += (size_t)l;
	}
	at = option_begin(c, DHCP6_OPT_DOMAIN_LIST);
	p = wire_cursor_put(c, total);
	for (size_t i = 0; p && i < m->n_domains; i++)
		p += dns_name_put(p, m->domains[i], false);
	option_end(c, at);
	return 0;
}

static int put_fqdn(struct wire_cursor *c, const struct dhcp6_message *m)
{
	int l = m->fqdn[0] ? dns_name_wire_len(m->fqdn) : 1;
	long at;
	uint8_t *p;

	if (l < 0)
		return l;
	at = option_begin(c, DHCP6_OPT_CLIENT_FQDN);
	/* flags, then the name; a partial name lacks the root label */
	p = wire_cursor_put(c, 1 + (m->fqdn[0] ? (size_t)l - m->fqdn_partial : 0));
	if (p) {
		p[0] = m->fqdn_flags;
		if (m->fqdn[0])
			dns_name_put(p + 1, m->fqdn, m->fqdn_partial);
	}
	option_end(c, at);
	return 0;
}

static bool duid_len_ok(const uint8_t *duid, uint16_t len)
{
	return !duid || (len >= 3 && len <= DHCP6_DUID_MAX);
}

int dhcp6_message_build(const struct dhcp6_message *m, uint8_t *buf, size_t size)
{
	struct wire_cursor c = { .buf = buf, .size = size };
	uint8_t *p;
	int r;

	if (m->xid > 0xffffff || m->type == 0 || m->type >= DHCP6_RELAY_FORW ||
	    !duid_len_ok(m->client_id, m->client_id_len) ||
	    !duid_len_ok(m->server_id, m->server_id_len))
		return -EINVAL;
	p = wire_cursor_put(&c, DHCP6_HEADER_SIZE);
	if (p) {
		p[0] = m->type;
		p[1] = (uint8_t)(m->xid >> 16);
		p[2] = (uint8_t)(m->xid >> 8);
		p[3] = (uint8_t)m->xid;
	}
	if (m->client_id)
		put_option(&c, DHCP6_OPT_CLIENTID, m->client_id, m->client_id_len);
	if (m->server_id)
		put_option(&c, DHCP6_OPT_SERVERID, m->server_id, m->server_id_len);
	for (size_t i = 0; i < m->n_ia_na && i < DHCP6_IA_MAX; i++)
		put_ia_na(&c, &m->ia_na[i]);
	put_status(&c, &m->status);
	if (m->has_preference)
		put_option(&c, DHCP6_OPT_PREFERENCE, &m->preference, 1);
	if (m->rapid_commit)
		put_option(&c, DHCP6_OPT_RAPID_COMMIT, NULL, 0);
	if (m->has_elapsed) {
		uint8_t v[2];
		wire_put_be16(v, m->elapsed_cs);
		put_option(&c, DHCP6_OPT_ELAPSED_TIME, v, 2);
	}
	if (m->n_oro > 0) {
		long at = option_begin(&c, DHCP6_OPT_ORO);
		for (size_t i = 0; i < m->n_oro && i < DHCP6_ORO_MAX; i++)
			if ((p = wire_cursor_put(&c, 2)))
				wire_put_be16(p, m->oro[i]);
		option_end(&c, at);
	}
	if (m->n_dns > 0)
		put_option(&c, DHCP6_OPT_DNS_SERVERS, m->dns,
			   16 * (m->n_dns < DHCP6_DNS_MAX ? m->n_dns : DHCP6_DNS_MAX));
	if (m->n_domains > 0 && (r = put_domains(&c, m)) < 0)
		return r;
	if (m->has_fqdn && (r = put_fqdn(&c, m)) < 0)
		return r;
	if (c.overflow)
		return -ENOBUFS;
	return (int)c.len;
}

bool dhcp6_message_requests(const struct dhcp6_message *m, uint16_t code)
{
	for (size_t i = 0; i < m->n_oro; i++)
		if (m->oro[i] == code)
			return true;
	return false;
}

int dhcp6_duid_mac(const uint8_t *duid, size_t len, uint8_t ret_mac[6])
{
	uint16_t type;
	size_t off;

	if (len < 4)
		return -ENOENT;
	type = wire_get_be16(duid);
	if (wire_get_be16(duid + 2) != DHCP6_ARP_HTYPE_ETHER)
		return -ENOENT;
	/* RFC 8415 §11.2: type, hardware type, time, address; §11.4: type, hardware type, address */
	if (type == DHCP6_DUID_LLT)
		off = 8;
	else if (type == DHCP6_DUID_LL)
		off = 4;
	else
		return -ENOENT;
	if (len != off + 6)
		return -ENOENT;
	memcpy(ret_mac, duid + off, 6);
	return 0;
}
