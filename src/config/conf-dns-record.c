/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of conf-dns-record.h. Records are kept in the order given; a whole definition
 * is validated by sorting (network_dns_records_build), one record added at a time by a linear
 * scan. Like conf-host.c, the array's capacity is implicit: the smallest power of two that holds
 * 'n' items.
 */
#include "conf-dns-record.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/conf-network.h"
#include "config/conf-network-internal.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

/* Longest label (RFC 1035 §2.3.4). */
#define DNS_LABEL_MAX 63

static const char *const type_names[_NETWORK_DNS_RECORD_TYPE_MAX] = {
	[NETWORK_DNS_RECORD_A] = "A",
	[NETWORK_DNS_RECORD_CNAME] = "CNAME",
	[NETWORK_DNS_RECORD_TXT] = "TXT",
	[NETWORK_DNS_RECORD_SRV] = "SRV",
};

const char *network_dns_record_type_to_string(enum network_dns_record_type t)
{
	if (t < 0 || t >= _NETWORK_DNS_RECORD_TYPE_MAX)
		return NULL;
	return type_names[t];
}

enum network_dns_record_type network_dns_record_type_from_string(const char *s)
{
	if (!s)
		return _NETWORK_DNS_RECORD_TYPE_INVALID;
	/* Types are case-insensitive in zone files (RFC 1035 §5.1); written in uppercase. */
	for (int i = 0; i < _NETWORK_DNS_RECORD_TYPE_MAX; i++)
		if (strcasecmp(s, type_names[i]) == 0)
			return (enum network_dns_record_type)i;
	return _NETWORK_DNS_RECORD_TYPE_INVALID;
}

/*
 * Checks the 'n' characters at 's' as dot-separated labels of [a-z0-9_-] (RFC 1035 §2.3.1 plus
 * the '_' of RFC 2782 and RFC 8552 names), no label starting or ending with '-'.
 */
static int labels_check(const char *s, size_t n, char *why, size_t whylen)
{
	size_t label = 0;

	for (size_t i = 0; i <= n; i++) {
		char ch = i < n ? s[i] : '\0';

		if (ch == '.' || ch == '\0') {
			if (label == 0)
				return conf_fail(why, whylen, "empty label");
			if (s[i - label] == '-' || s[i - 1] == '-')
				return conf_fail(why, whylen, "a label starts or ends with '-'");
			label = 0;
			continue;
		}
		if (ch >= 'A' && ch <= 'Z')
			return conf_fail(why, whylen,
					 "uppercase '%c' (names are written in lowercase)", ch);
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_'))
			return conf_fail(why, whylen,
					 "character '%c' not allowed (labels use a-z, 0-9, '_' and "
					 "'-')",
					 ch >= ' ' && ch < 0x7f ? ch : '?');
		if (++label > DNS_LABEL_MAX)
			return conf_fail(why, whylen, "a label is longer than %d characters",
					 DNS_LABEL_MAX);
	}
	return 0;
}

int network_dns_record_name_check(const char *name, char *why, size_t whylen)
{
	size_t n = strnlen(name, NETWORK_DNS_NAME_MAX + 1);

	if (strcmp(name, "@") == 0)
		return 0;
	if (n == 0)
		return conf_fail(why, whylen, "empty");
	if (n > NETWORK_DNS_NAME_MAX)
		return conf_fail(why, whylen, "longer than %d characters", NETWORK_DNS_NAME_MAX);
	if (n > 1 && name[n - 1] == '.')
		return conf_fail(why, whylen,
				 "names are relative to the network's domain: no trailing '.'");
	return labels_check(name, n, why, whylen);
}

/* Checks a CNAME or SRV target: "@", a relative name, an absolute one ("x.y."), "." for SRV. */
static int target_check(const char *target, bool allow_root, char *why, size_t whylen)
{
	size_t n = strnlen(target, NETWORK_DNS_NAME_MAX + 2);

	if (strcmp(target, "@") == 0)
		return 0;
	if (strcmp(target, ".") == 0)
		return allow_root ? 0 : conf_fail(why, whylen, "'.' is not a name");
	if (n > 1 && target[n - 1] == '.')
		n--;
	if (n > NETWORK_DNS_NAME_MAX)
		return conf_fail(why, whylen, "longer than %d characters", NETWORK_DNS_NAME_MAX);
	return labels_check(target, n, why, whylen);
}

int network_dns_record_type_check(enum network_dns_record_type t, const char *name, char *why,
				  size_t whylen)
{
	switch (t) {
	case NETWORK_DNS_RECORD_CNAME:
		/* The apex holds the SOA, and a CNAME cannot share its name (RFC 1034 §3.6.2). */
		if (strcmp(name, "@") == 0)
			return conf_fail(why, whylen, "the apex '@' cannot be an alias");
		return 0;
	case NETWORK_DNS_RECORD_SRV: {
		const char *dot = strchr(name, '.');

		/* RFC 2782: _Service._Proto.Name; a bare "_http._tcp" is the domain's own. */
		if (name[0] != '_' || !dot || dot[1] != '_')
			return conf_fail(why, whylen,
					 "an SRV record's name starts with _service._proto, e.g. "
					 "_http._tcp");
		return 0;
	}
	case NETWORK_DNS_RECORD_A:
	case NETWORK_DNS_RECORD_TXT:
		return 0;
	default:
		return conf_fail(why, whylen, "invalid type %d", (int)t);
	}
}

/* What the INI reader could not give back unchanged is refused (see the header). */
static int txt_check(const char *txt, char *why, size_t whylen)
{
	size_t n = strnlen(txt, NETWORK_DNS_TXT_MAX + 1);

	if (n == 0)
		return conf_fail(why, whylen, "empty");
	if (n > NETWORK_DNS_TXT_MAX)
		return conf_fail(why, whylen, "longer than %d bytes", NETWORK_DNS_TXT_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)txt[i];

		if (ch < ' ' || ch == 0x7f)
			return conf_fail(why, whylen, "control character at byte %zu", i + 1);
		if (ch == ';' && (i == 0 || txt[i - 1] == ' '))
			return conf_fail(why, whylen,
					 "';' at the start or after a blank would start a comment");
	}
	if (txt[0] == ' ' || txt[n - 1] == ' ')
		return conf_fail(why, whylen, "starts or ends with a blank");
	return 0;
}

/* Parses a decimal 0..65535 of 1..5 digits, the whole of 's'. */
static int parse_u16(const char *s, uint16_t *ret)
{
	size_t n = strlen(s);
	unsigned long v = 0;

	if (n == 0 || n > 5 || strspn(s, "0123456789") != n)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		v = v * 10 + (unsigned long)(s[i] - '0');
	if (v > UINT16_MAX)
		return -EINVAL;
	*ret = (uint16_t)v;
	return 0;
}

static int srv_parse(const char *value, struct network_dns_record *r, char *why, size_t whylen)
{
	char buf[NETWORK_DNS_VALUE_MAX + 1], msg[128], *save = NULL, *f[5];

	if (strlen(value) > NETWORK_DNS_VALUE_MAX)
		goto syntax;
	strcpy(buf, value);
	f[0] = strtok_r(buf, " \t", &save);
	for (size_t i = 1; i < ELEMENTSOF(f); i++)
		f[i] = f[i - 1] ? strtok_r(NULL, " \t", &save) : NULL;
	if (!f[3] || f[4] || parse_u16(f[0], &r->priority) < 0 ||
	    parse_u16(f[1], &r->weight) < 0 || parse_u16(f[2], &r->port) < 0)
		goto syntax;
	if (target_check(f[3], true, msg, sizeof(msg)) < 0)
		return conf_fail(why, whylen, "target '%s': %s", f[3], msg);
	strcpy(r->target, f[3]);
	return 0;

syntax:
	return conf_fail(why, whylen,
			 "expected PRIORITY WEIGHT PORT TARGET (numbers 0-65535), e.g. 10 5 443 "
			 "web1");
}

int network_dns_record_set_value(struct network_dns_record *r, const char *value, char *why,
				 size_t whylen)
{
	struct network_dns_record v = { 0 };
	int k;

	assert(r);
	assert(value);

	switch (r->type) {
	case NETWORK_DNS_RECORD_A:
		if (in_addr_from_string(value, &v.a) < 0)
			return conf_fail(why, whylen,
					 "expected an IPv4 address, e.g. 192.168.122.10");
		break;
	case NETWORK_DNS_RECORD_CNAME:
		k = target_check(value, false, why, whylen);
		if (k < 0)
			return k;
		if (strcmp(value, r->name) == 0)
			return conf_fail(why, whylen, "'%s' would be an alias of itself", r->name);
		strcpy(v.target, value);
		break;
	case NETWORK_DNS_RECORD_TXT:
		k = txt_check(value, why, whylen);
		if (k < 0)
			return k;
		strcpy(v.txt, value);
		break;
	case NETWORK_DNS_RECORD_SRV:
		k = srv_parse(value, &v, why, whylen);
		if (k < 0)
			return k;
		break;
	default:
		return conf_fail(why, whylen, "invalid type %d", (int)r->type);
	}
	r->a = v.a;
	memcpy(r->target, v.target, sizeof(r->target));
	memcpy(r->txt, v.txt, sizeof(r->txt));
	r->priority = v.priority;
	r->weight = v.weight;
	r->port = v.port;
	return 0;
}

const char *network_dns_record_value_to_string(const struct network_dns_record *r, char *buf)
{
	char a[INET_ADDRSTRLEN];

	switch (r->type) {
	case NETWORK_DNS_RECORD_A:
		snprintf(buf, NETWORK_DNS_VALUE_MAX + 1, "%s", in_addr_to_string(r->a, a));
		break;
	case NETWORK_DNS_RECORD_CNAME:
		snprintf(buf, NETWORK_DNS_VALUE_MAX + 1, "%.*s", (int)sizeof(r->target),
			 r->target);
		break;
	case NETWORK_DNS_RECORD_TXT:
		snprintf(buf, NETWORK_DNS_VALUE_MAX + 1, "%.*s", (int)sizeof(r->txt), r->txt);
		break;
	case NETWORK_DNS_RECORD_SRV:
		snprintf(buf, NETWORK_DNS_VALUE_MAX + 1, "%u %u %u %.*s", (unsigned)r->priority,
			 (unsigned)r->weight, (unsigned)r->port, (int)sizeof(r->target),
			 r->target);
		break;
	default:
		buf[0] = '\0';
		break;
	}
	return buf;
}

/* "www CNAME", as messages name a record. 'buf' holds CONF_SHOW_BUF + 8 bytes. */
#define RECORD_LABEL_BUF (CONF_SHOW_BUF + 8)
static const char *record_label(const struct network_dns_record *r, char *buf)
{
	char name[NETWORK_DNS_NAME_MAX + 1], shown[CONF_SHOW_BUF];
	const char *type = network_dns_record_type_to_string(r->type);

	memcpy(name, r->name, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(buf, RECORD_LABEL_BUF, "%s %s", conf_show(name, shown), type ? type : "?");
	return buf;
}

int network_dns_record_check(const struct network_dns_record *r, char *reterr, size_t errlen)
{
	char label[RECORD_LABEL_BUF], why[256], shown[CONF_SHOW_BUF], field[CONF_SHOW_BUF];
	char name[NETWORK_DNS_NAME_MAX + 1];
	int k = 0;

	assert(r);

	/* Built in code, the strings may lack their NUL: such a name is too long. */
	memcpy(name, r->name, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	if (strnlen(r->name, sizeof(r->name)) == sizeof(r->name))
		return conf_fail(reterr, errlen,
				 "invalid record name '%s': longer than %d characters",
				 conf_show(name, shown), NETWORK_DNS_NAME_MAX);
	if (network_dns_record_name_check(name, why, sizeof(why)) < 0)
		return conf_fail(reterr, errlen, "invalid record name '%s': %s",
				 conf_show(name, shown), why);
	record_label(r, label);
	if (network_dns_record_type_check(r->type, name, why, sizeof(why)) < 0)
		return conf_fail(reterr, errlen, "record %s: %s", label, why);

	switch (r->type) {
	case NETWORK_DNS_RECORD_CNAME:
	case NETWORK_DNS_RECORD_SRV:
		if (strnlen(r->target, sizeof(r->target)) == sizeof(r->target))
			return conf_fail(reterr, errlen, "record %s: target is not terminated",
					 label);
		k = target_check(r->target, r->type == NETWORK_DNS_RECORD_SRV, why, sizeof(why));
		if (k == 0 && r->type == NETWORK_DNS_RECORD_CNAME && strcmp(r->target, name) == 0)
			k = conf_fail(why, sizeof(why), "'%s' would be an alias of itself", name);
		if (k < 0)
			return conf_fail(reterr, errlen, "record %s: target '%s': %s", label,
					 conf_show(r->target, field), why);
		break;
	case NETWORK_DNS_RECORD_TXT:
		if (strnlen(r->txt, sizeof(r->txt)) == sizeof(r->txt))
			return conf_fail(reterr, errlen, "record %s: text is not terminated",
					 label);
		if (txt_check(r->txt, why, sizeof(why)) < 0)
			return conf_fail(reterr, errlen, "record %s: text '%s': %s", label,
					 conf_show(r->txt, field), why);
		break;
	default:
		break;
	}
	return 0;
}

int network_dns_name_absolute(const char *name, const char *domain, char *buf)
{
	size_t n = strlen(name), d = strlen(domain);

	if (strcmp(name, "@") == 0)
		n = 0;
	else if (n > 0 && name[n - 1] == '.') {
		/* Absolute already ("." is the root: the empty name). */
		if (n - 1 > NETWORK_DNS_NAME_MAX)
			return -EINVAL;
		memcpy(buf, name, n - 1);
		buf[n - 1] = '\0';
		return 0;
	}
	if (n + (n > 0) + d > NETWORK_DNS_NAME_MAX)
		return -EINVAL;
	snprintf(buf, NETWORK_DNS_NAME_MAX + 1, "%.*s%s%s", (int)n, name, n > 0 ? "." : "",
		 domain);
	return 0;
}

/* Checks what depends on the network: the absolute name and target fit in its domain. */
static int record_check_network(const struct network_dns_record *r,
				const struct network_config *c, char *reterr, size_t errlen)
{
	char domain[NETWORK_DOMAIN_MAX + 1], abs[NETWORK_DNS_NAME_MAX + 1], label[RECORD_LABEL_BUF];

	network_config_domain(c, domain);
	if (network_dns_name_absolute(r->name, domain, abs) < 0)
		return conf_fail(reterr, errlen,
				 "record %s: the name is longer than %d characters in domain %s",
				 record_label(r, label), NETWORK_DNS_NAME_MAX, domain);
	if ((r->type == NETWORK_DNS_RECORD_CNAME || r->type == NETWORK_DNS_RECORD_SRV) &&
	    network_dns_name_absolute(r->target, domain, abs) < 0)
		return conf_fail(reterr, errlen,
				 "record %s: the target is longer than %d characters in domain %s",
				 record_label(r, label), NETWORK_DNS_NAME_MAX, domain);
	return 0;
}

/* Orders by name, type, then the fields of the type: equal means the same record. */
static int record_cmp(const struct network_dns_record *a, const struct network_dns_record *b)
{
	int k = strcmp(a->name, b->name);

	if (k != 0)
		return k;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	switch (a->type) {
	case NETWORK_DNS_RECORD_A: {
		uint32_t x = in_addr_to_host(a->a), y = in_addr_to_host(b->a);

		return (x > y) - (x < y);
	}
	case NETWORK_DNS_RECORD_CNAME:
		return strcmp(a->target, b->target);
	case NETWORK_DNS_RECORD_TXT:
		return strcmp(a->txt, b->txt);
	case NETWORK_DNS_RECORD_SRV:
		if (a->priority != b->priority)
			return a->priority < b->priority ? -1 : 1;
		if (a->weight != b->weight)
			return a->weight < b->weight ? -1 : 1;
		if (a->port != b->port)
			return a->port < b->port ? -1 : 1;
		return strcmp(a->target, b->target);
	default:
		return 0;
	}
}

/* 'r' is the same record as 'o', which is already there. Returns -EEXIST. */
static int fail_dup(const struct network_dns_record *r, char *reterr, size_t errlen)
{
	char label[RECORD_LABEL_BUF], v[NETWORK_DNS_VALUE_MAX + 1], shown[CONF_SHOW_BUF];

	conf_fail(reterr, errlen, "record %s %s is given twice", record_label(r, label),
		  conf_show(network_dns_record_value_to_string(r, v), shown));
	return -EEXIST;
}

/* 'r' shares its name with 'o', already there, and one of them is a CNAME. Returns -EEXIST. */
static int fail_cname(const struct network_dns_record *r, const struct network_dns_record *o,
		      char *reterr, size_t errlen)
{
	char label[RECORD_LABEL_BUF], shown[CONF_SHOW_BUF];

	conf_show(r->name, shown);
	if (o->type == NETWORK_DNS_RECORD_CNAME)
		conf_fail(reterr, errlen,
			  "record %s: %s is an alias (CNAME) and can have no other records",
			  record_label(r, label), shown);
	else
		conf_fail(reterr, errlen,
			  "record %s: %s already has %s records, and an alias (CNAME) must be the "
			  "only record of its name",
			  record_label(r, label), shown,
			  network_dns_record_type_to_string(o->type));
	return -EEXIST;
}

static int fail_limit(char *reterr, size_t errlen)
{
	conf_fail(reterr, errlen, "too many DNS records (limit %d)", NETWORK_DNS_RECORDS_MAX);
	return -E2BIG;
}

/* Checks 'r' alone and against the network. */
static int record_check_all(const struct network_dns_record *r, const struct network_config *c,
			    char *reterr, size_t errlen)
{
	int k = network_dns_record_check(r, reterr, errlen);

	return k < 0 ? k : record_check_network(r, c, reterr, errlen);
}

/* A copy of 'r' with only the fields of its type, the strings' tails zero (equal() compares). */
static void record_copy_clean(struct network_dns_record *dst, const struct network_dns_record *r)
{
	memset(dst, 0, sizeof(*dst));
	memcpy(dst->name, r->name, strlen(r->name));
	dst->type = r->type;
	switch (r->type) {
	case NETWORK_DNS_RECORD_A:
		dst->a = r->a;
		break;
	case NETWORK_DNS_RECORD_SRV:
		dst->priority = r->priority;
		dst->weight = r->weight;
		dst->port = r->port;
		memcpy(dst->target, r->target, strlen(r->target));
		break;
	case NETWORK_DNS_RECORD_CNAME:
		memcpy(dst->target, r->target, strlen(r->target));
		break;
	case NETWORK_DNS_RECORD_TXT:
		memcpy(dst->txt, r->txt, strlen(r->txt));
		break;
	default:
		break;
	}
}

int network_dns_records_add(struct network_dns_records *rs, const struct network_dns_record *r,
			    const struct network_config *c, char *reterr, size_t errlen)
{
	int k;

	assert(rs);
	assert(r);
	assert(c);

	k = record_check_all(r, c, reterr, errlen);
	if (k < 0)
		return k;
	for (size_t i = 0; i < rs->n; i++)
		if (record_cmp(&rs->items[i], r) == 0)
			return fail_dup(r, reterr, errlen);
	for (size_t i = 0; i < rs->n; i++)
		if (strcmp(rs->items[i].name, r->name) == 0 &&
		    (r->type == NETWORK_DNS_RECORD_CNAME ||
		     rs->items[i].type == NETWORK_DNS_RECORD_CNAME))
			return fail_cname(r, &rs->items[i], reterr, errlen);
	if (rs->n >= NETWORK_DNS_RECORDS_MAX)
		return fail_limit(reterr, errlen);

	struct network_dns_record *p = conf_array_grow(rs->items, rs->n, sizeof(*p));
	if (!p)
		return -ENOMEM;
	rs->items = p;
	record_copy_clean(&rs->items[rs->n++], r);
	return 0;
}

/* Sorts positions into 'items' by record, then by position. */
static int index_cmp(const void *a, const void *b, void *data)
{
	const struct network_dns_record *items = data;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int k = record_cmp(&items[x], &items[y]);

	return k ? k : (x > y) - (x < y);
}

/*
 * For the first 'n' of 'items' (all valid), stores in dup[i] the first position of a record equal
 * to record i, and in group[i] the first position of a record with the same name.
 */
static int find_firsts(const struct network_dns_record *items, size_t n, size_t *dup,
		       size_t *group)
{
	_cleanup_free_ size_t *order = calloc(n, sizeof(*order));
	size_t start = 0;

	if (!order)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	qsort_r(order, n, sizeof(*order), index_cmp, (void *)items);
	for (size_t i = 0; i < n; i++) {
		size_t x = order[i], first;

		/* Equal records are adjacent, the first of them first. */
		dup[x] = i > 0 && record_cmp(&items[order[i - 1]], &items[x]) == 0 ?
				 dup[order[i - 1]] : x;
		if (i + 1 < n && strcmp(items[order[i + 1]].name, items[x].name) == 0)
			continue;
		/* order[start..i] holds one name's records, by type: find the first given. */
		first = order[start];
		for (size_t k = start + 1; k <= i; k++)
			if (order[k] < first)
				first = order[k];
		for (size_t k = start; k <= i; k++)
			group[order[k]] = first;
		start = i + 1;
	}
	return 0;
}

int network_dns_records_build(struct network_dns_records *rs,
			      const struct network_dns_record *items, size_t n,
			      const struct network_config *c, size_t *ret_index, char *reterr,
			      size_t errlen)
{
	_cleanup_free_ size_t *first = NULL;
	size_t limit = n, valid, i;
	int k = 0;

	assert(rs);
	assert(items || n == 0);
	assert(c);

	*rs = (struct network_dns_records){ 0 };
	/* As if added one by one: nothing after the first invalid record (or the limit) matters. */
	if (limit > NETWORK_DNS_RECORDS_MAX + 1)
		limit = NETWORK_DNS_RECORDS_MAX + 1;
	for (valid = 0; valid < limit; valid++)
		if (record_check_all(&items[valid], c, NULL, 0) < 0)
			break;
	if (valid < limit)
		limit = valid + 1;
	if (valid > 0) {
		first = calloc(2 * valid, sizeof(*first));
		if (!first)
			return -ENOMEM;
		k = find_firsts(items, valid, first, first + valid);
		if (k < 0)
			return k;
	}
	for (i = 0; i < limit && k == 0; i++) {
		const struct network_dns_record *r = &items[i];

		if (i == valid)
			k = record_check_all(r, c, reterr, errlen);
		else if (first[i] != i)
			k = fail_dup(r, reterr, errlen);
		else if (first[valid + i] != i &&
			 (r->type == NETWORK_DNS_RECORD_CNAME ||
			  items[first[valid + i]].type == NETWORK_DNS_RECORD_CNAME))
			k = fail_cname(r, &items[first[valid + i]], reterr, errlen);
		else if (i == NETWORK_DNS_RECORDS_MAX)
			k = fail_limit(reterr, errlen);
	}
	if (k < 0) {
		if (ret_index)
			*ret_index = i - 1;
		return k;
	}

	if (n > 0) {
		rs->items = calloc(conf_array_capacity(n), sizeof(*rs->items));
		if (!rs->items)
			return -ENOMEM;
		for (i = 0; i < n; i++)
			record_copy_clean(&rs->items[i], &items[i]);
		rs->n = n;
	}
	return 0;
}

int network_dns_records_check(const struct network_dns_records *rs,
			      const struct network_config *c, char *reterr, size_t errlen)
{
	assert(rs);
	assert(c);

	for (size_t i = 0; i < rs->n; i++) {
		int k = record_check_network(&rs->items[i], c, reterr, errlen);

		if (k < 0)
			return k;
	}
	return 0;
}

int network_dns_records_copy(struct network_dns_records *dst,
			     const struct network_dns_records *src)
{
	struct network_dns_record *items = NULL;

	assert(dst);
	assert(src);

	if (src->n > 0) {
		items = conf_array_dup(src->items, src->n, sizeof(*items));
		if (!items)
			return -ENOMEM;
	}
	dst->items = items;
	dst->n = src->n;
	return 0;
}

bool network_dns_records_equal(const struct network_dns_records *a,
			       const struct network_dns_records *b)
{
	size_t na = a ? a->n : 0, nb = b ? b->n : 0;

	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (record_cmp(&a->items[i], &b->items[i]) != 0)
			return false;
	return true;
}

void network_dns_records_done(struct network_dns_records *rs)
{
	if (!rs)
		return;
	free(rs->items);
	rs->items = NULL;
	rs->n = 0;
}
