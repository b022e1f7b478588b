/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The text form of a network's definition (conf-network.h): network_config_parse() reads an INI
 * file through inih, with a line reader of our own so that line numbers, section headers, NUL
 * bytes and long lines are checked exactly; network_config_format() writes it back. Keys go
 * through the same setters as the CLI (conf-network.c, conf-port.c); [host], [dns-record] and
 * [port] sections are collected while reading and validated by conf-host.c, conf-dns-record.c
 * and conf-port.c once the [network] part is finished.
 */
#include "config/conf-network.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "config/conf-dns-record.h"
#include "config/conf-host.h"
#include "config/conf-network-internal.h"
#include "config/conf-forward.h"
#include "config/conf-port.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"
#include "shared/strbuf.h"

/* Longest input line accepted in a definition file (a 253-character domain needs about 262). */
#define CONF_LINE_MAX 1000
/* Line buffer inih is asked to use: CONF_LINE_MAX plus '\r', '\n' and NUL. */
#define CONF_INIH_LINE_BUF (CONF_LINE_MAX + 3)

/* One [host] section as read; validated against the network once the whole text is read. */
struct parsed_host {
	struct network_host host;
	int line;		/* of the section header */
	int mac_line;		/* line "mac" was set on, 0 = not yet */
	int ip_line;		/* line "ip" was set on, 0 = not yet */
	int ip6_line;		/* "ip6", likewise */
	int duid_line;		/* "duid", likewise */
};

/* One [dns-record] section as read; its value is checked once its type is known. */
struct parsed_record {
	struct network_dns_record rec;
	int line;		/* of the section header */
	int type_line;		/* line "type" was set on, 0 = not yet */
	int value_line;		/* line "value" was set on, 0 = not yet */
	char *value;		/* owned: a value given before the type, until the type comes */
};

/* One [port] section as read; validated against the network once the whole text is read. */
struct parsed_port {
	struct network_port port;
	int line;		/* of the section header */
	int key_line[CONF_PORT_KEYS]; /* line each key was set on, 0 = not yet */
};

/* One [forward NAME] section as read; checked against the network once the text is read. */
struct parsed_forward {
	struct network_forward f;
	int line;		/* of the section header */
	int key_line[4];	/* proto, host-port, to, host-address: line set on, 0 = not yet */
};

enum parse_section {
	PARSE_SECTION_NONE,	/* before the first section header */
	PARSE_SECTION_NETWORK,
	PARSE_SECTION_HOST,	/* the last entry of 'hosts' */
	PARSE_SECTION_RECORD,	/* the last entry of 'records' */
	PARSE_SECTION_PORT,	/* the last entry of 'ports' */
	PARSE_SECTION_FORWARD,	/* the last entry of 'forwards' */
};

/* "[host NAME]" or "[host]", as messages name a section. */
#define HOST_SECTION_BUF (NETWORK_HOST_NAME_MAX + 8)
/* "[dns-record NAME]", the name cut as in other messages. */
#define RECORD_SECTION_BUF (CONF_SHOW_BUF + 14)

/* State shared by the inih reader and handler while one text is parsed. */
struct parse_state {
	const char *p, *end;	/* unread part of the text */
	int line;		/* number of the line last handed to inih, from 1 */
	int err_line;		/* line of the first error recorded here, 0 = none */
	bool oom;		/* the error recorded is an allocation failure */
	enum parse_section section;
	bool seen_network;
	bool hosts_allowed;	/* the caller takes reservations ('hosts' not NULL) */
	bool records_allowed;	/* the caller takes DNS records ('records' not NULL) */
	bool ports_allowed;	/* the caller takes ports ('ports' not NULL) */
	int key_line[CONF_NETWORK_KEYS]; /* line each key was set on, 0 = not yet */
	struct parsed_host *hosts; /* every [host] section so far, in file order; owned */
	size_t n_hosts, hosts_allocated;
	struct parsed_record *records; /* every [dns-record] section so far, in file order; owned */
	size_t n_records, records_allocated;
	struct parsed_port *ports; /* every [port] section so far, in file order; owned */
	size_t n_ports, ports_allocated;
	bool forwards_allowed;	/* the caller takes forwards ('forwards' not NULL) */
	struct parsed_forward *forwards; /* every [forward] section so far, in file order; owned */
	size_t n_forwards;
	struct network_config *c;
	char *reterr;
	size_t errlen;
};

/* Records the first error, on line 'line' (not always the current one: see record values). */
_printf_(3, 4) static void parse_fail_at(struct parse_state *st, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (st->err_line > 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->err_line = line;
	conf_fail(st->reterr, st->errlen, "line %d: %s", line, msg);
}

#define parse_fail(st, ...) parse_fail_at((st), (st)->line, __VA_ARGS__)

static const char *host_section_name(const struct network_host *h, char *buf)
{
	if (h->name[0])
		snprintf(buf, HOST_SECTION_BUF, "[host %s]", h->name);
	else
		snprintf(buf, HOST_SECTION_BUF, "[host]");
	return buf;
}

/*
 * Starts a [host] section. 'rest' ('len' bytes) is what follows "host" inside the brackets:
 * nothing, or blanks and the host name.
 */
static bool parse_host_header(struct parse_state *st, const char *rest, size_t len)
{
	char name[CONF_SHOW_BUF], v[CONF_SHOW_BUF];
	struct parsed_host *ph;
	bool blank = len > 0;

	if (!st->hosts_allowed) {
		parse_fail(st, "[host] sections are not allowed here");
		return false;
	}
	while (len > 0 && (*rest == ' ' || *rest == '\t')) {
		rest++;
		len--;
	}
	if (blank && len == 0) {
		parse_fail(st, "expected [host] or [host NAME]");
		return false;
	}
	memcpy(name, rest, len > CONF_SHOW_MAX ? CONF_SHOW_MAX : len);
	name[len > CONF_SHOW_MAX ? CONF_SHOW_MAX : len] = '\0';
	if (len > 0 && (len > NETWORK_HOST_NAME_MAX || !host_name_is_valid(name))) {
		parse_fail(st, "host name '%s' is not a valid DNS label", conf_show(name, v));
		return false;
	}
	if (st->n_hosts >= NETWORK_HOSTS_MAX) {
		parse_fail(st, "too many [host] sections (limit %d)", NETWORK_HOSTS_MAX);
		return false;
	}
	if (st->n_hosts == st->hosts_allocated) {
		size_t n = st->hosts_allocated ? 2 * st->hosts_allocated : 16;
		struct parsed_host *p = realloc(st->hosts, n * sizeof(*p));

		if (!p) {
			parse_fail(st, "out of memory");
			st->oom = true;
			return false;
		}
		st->hosts = p;
		st->hosts_allocated = n;
	}
	ph = &st->hosts[st->n_hosts++];
	memset(ph, 0, sizeof(*ph));
	memcpy(ph->host.name, name, len);
	ph->line = st->line;
	st->section = PARSE_SECTION_HOST;
	return true;
}

static const char *record_section_name(const struct network_dns_record *r, char *buf)
{
	char shown[CONF_SHOW_BUF];

	snprintf(buf, RECORD_SECTION_BUF, "[dns-record %s]", conf_show(r->name, shown));
	return buf;
}

/*
 * Starts a [dns-record NAME] section. 'rest' ('len' bytes) is what follows "dns-record" inside
 * the brackets: blanks and the record's name.
 */
static bool parse_record_header(struct parse_state *st, const char *rest, size_t len)
{
	char name[NETWORK_DNS_NAME_MAX + 1], v[CONF_SHOW_BUF], why[256];
	struct parsed_record *pr;

	if (!st->records_allowed) {
		parse_fail(st, "[dns-record] sections are not allowed here");
		return false;
	}
	while (len > 0 && (*rest == ' ' || *rest == '\t')) {
		rest++;
		len--;
	}
	if (len == 0) {
		parse_fail(st, "expected [dns-record NAME]");
		return false;
	}
	memcpy(name, rest, len > NETWORK_DNS_NAME_MAX ? NETWORK_DNS_NAME_MAX : len);
	name[len > NETWORK_DNS_NAME_MAX ? NETWORK_DNS_NAME_MAX : len] = '\0';
	if (len > NETWORK_DNS_NAME_MAX) {
		parse_fail(st, "invalid record name '%s': longer than %d characters",
			   conf_show(name, v), NETWORK_DNS_NAME_MAX);
		return false;
	}
	if (network_dns_record_name_check(name, why, sizeof(why)) < 0) {
		parse_fail(st, "invalid record name '%s': %s", conf_show(name, v), why);
		return false;
	}
	if (st->n_records >= NETWORK_DNS_RECORDS_MAX) {
		parse_fail(st, "too many [dns-record] sections (limit %d)",
			   NETWORK_DNS_RECORDS_MAX);
		return false;
	}
	if (st->n_records == st->records_allocated) {
		size_t n = st->records_allocated ? 2 * st->records_allocated : 16;
		struct parsed_record *p = realloc(st->records, n * sizeof(*p));

		if (!p) {
			parse_fail(st, "out of memory");
			st->oom = true;
			return false;
		}
		st->records = p;
		st->records_allocated = n;
	}
	pr = &st->records[st->n_records++];
	memset(pr, 0, sizeof(*pr));
	memcpy(pr->rec.name, name, len);
	pr->line = st->line;
	st->section = PARSE_SECTION_RECORD;
	return true;
}

/*
 * Starts a [port NAME] section. 'rest' ('len' bytes) is what follows "port" inside the brackets:
 * blanks and the port's (interface) name.
 */
static bool parse_port_header(struct parse_state *st, const char *rest, size_t len)
{
	char name[CONF_SHOW_BUF], v[CONF_SHOW_BUF];
	struct parsed_port *pp;

	if (!st->ports_allowed) {
		parse_fail(st, "[port] sections are not allowed here");
		return false;
	}
	while (len > 0 && (*rest == ' ' || *rest == '\t')) {
		rest++;
		len--;
	}
	if (len == 0) {
		parse_fail(st, "expected [port NAME]");
		return false;
	}
	/* One character more than is shown, so that conf_show() marks a long name as cut. */
	memcpy(name, rest, len > CONF_SHOW_MAX + 1 ? CONF_SHOW_MAX + 1 : len);
	name[len > CONF_SHOW_MAX + 1 ? CONF_SHOW_MAX + 1 : len] = '\0';
	if (len >= IFNAMSIZ || !ifname_is_valid(name)) {
		parse_fail(st, "invalid port name '%s': " CONF_IFNAME_RULE, conf_show(name, v));
		return false;
	}
	if (st->n_ports >= NETWORK_PORTS_MAX) {
		parse_fail(st, "too many [port] sections (limit %d)", NETWORK_PORTS_MAX);
		return false;
	}
	if (st->n_ports == st->ports_allocated) {
		size_t n = st->ports_allocated ? 2 * st->ports_allocated : 16;
		struct parsed_port *p = realloc(st->ports, n * sizeof(*p));

		if (!p) {
			parse_fail(st, "out of memory");
			st->oom = true;
			return false;
		}
		st->ports = p;
		st->ports_allocated = n;
	}
	pp = &st->ports[st->n_ports++];
	memset(pp, 0, sizeof(*pp));
	network_port_init(&pp->port);
	memcpy(pp->port.name, name, len);
	pp->line = st->line;
	st->section = PARSE_SECTION_PORT;
	return true;
}

/* Starts a [forward NAME] section; 'rest' ('len' bytes) follows "forward" in the brackets. */
static bool parse_forward_header(struct parse_state *st, const char *rest, size_t len)
{
	char name[CONF_SHOW_BUF], v[CONF_SHOW_BUF];
	struct parsed_forward *pf;

	if (!st->forwards_allowed) {
		parse_fail(st, "[forward] sections are not allowed here");
		return false;
	}
	while (len > 0 && (*rest == ' ' || *rest == '\t')) {
		rest++;
		len--;
	}
	memcpy(name, rest, len > CONF_SHOW_MAX + 1 ? CONF_SHOW_MAX + 1 : len);
	name[len > CONF_SHOW_MAX + 1 ? CONF_SHOW_MAX + 1 : len] = '\0';
	if (len == 0) {
		parse_fail(st, "expected [forward NAME]");
		return false;
	}
	if (len > FORWARD_NAME_MAX || !network_forward_name_is_valid(name)) {
		parse_fail(st, "invalid forward name '%s': expected [a-z0-9][a-z0-9_.-]{0,62}",
			   conf_show(name, v));
		return false;
	}
	if (st->n_forwards >= NETWORK_FORWARDS_MAX) {
		parse_fail(st, "too many [forward] sections (limit %d)", NETWORK_FORWARDS_MAX);
		return false;
	}
	pf = conf_array_grow(st->forwards, st->n_forwards, sizeof(*pf));
	if (!pf) {
		parse_fail(st, "out of memory");
		st->oom = true;
		return false;
	}
	st->forwards = pf;
	pf = &st->forwards[st->n_forwards++];
	memset(pf, 0, sizeof(*pf));
	network_forward_init(&pf->f);
	memcpy(pf->f.name, name, len);
	pf->line = st->line;
	st->section = PARSE_SECTION_FORWARD;
	return true;
}

/*
 * Section headers are checked here, not in the handler: inih as packaged calls the handler only
 * for key/value pairs, so an empty unknown section or a second [network] would go unnoticed.
 * Returns false after recording an error.
 */
static bool parse_section_header(struct parse_state *st, const char *s, size_t len)
{
	const char *close = memchr(s, ']', len);
	char name[CONF_SHOW_BUF], v[CONF_SHOW_BUF];
	size_t n, i;

	if (!close) {
		parse_fail(st, "missing ']' in section header");
		return false;
	}
	for (i = (size_t)(close - s) + 1; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	if (i < len && s[i] != ';' && s[i] != '#') {
		parse_fail(st, "unexpected text after section header");
		return false;
	}

	n = (size_t)(close - s) - 1;
	if (n == strlen("network") && memcmp(s + 1, "network", n) == 0) {
		if (st->seen_network) {
			parse_fail(st, "duplicate section [network]");
			return false;
		}
		st->seen_network = true;
		st->section = PARSE_SECTION_NETWORK;
		return true;
	}
	if (n >= 4 && memcmp(s + 1, "host", 4) == 0 && (n == 4 || s[5] == ' ' || s[5] == '\t'))
		return parse_host_header(st, s + 5, n - 4);
	if (n >= 10 && memcmp(s + 1, "dns-record", 10) == 0 &&
	    (n == 10 || s[11] == ' ' || s[11] == '\t'))
		return parse_record_header(st, s + 11, n - 10);
	if (n >= 4 && memcmp(s + 1, "port", 4) == 0 && (n == 4 || s[5] == ' ' || s[5] == '\t'))
		return parse_port_header(st, s + 5, n - 4);
	if (n >= 7 && memcmp(s + 1, "forward", 7) == 0 && (n == 7 || s[8] == ' ' || s[8] == '\t'))
		return parse_forward_header(st, s + 8, n - 7);
	if (n > CONF_SHOW_MAX)
		n = CONF_SHOW_MAX;
	memcpy(name, s + 1, n);
	name[n] = '\0';
	parse_fail(st, "unknown section [%s]", conf_show(name, v));
	return false;
}

/*
 * inih reader (fgets-like): hands over one line per call, so inih's line count and ours agree.
 * It also strips indentation (inih would otherwise take an indented line as the continuation of
 * the previous value), a UTF-8 BOM and '\r', and refuses NUL bytes and over-long lines.
 */
static char *parse_reader(char *buf, int size, void *userdata)
{
	struct parse_state *st = userdata;
	size_t len, max = size > 3 ? (size_t)size - 3 : 0;
	const char *s;

	if (st->err_line > 0)
		return NULL;
	if (max > CONF_LINE_MAX)
		max = CONF_LINE_MAX;
	switch (conf_line_take(&st->p, st->end, &st->line, max, &s, &len)) {
	case CONF_LINE_END:
		return NULL;
	case CONF_LINE_NUL:
		parse_fail(st, "NUL byte");
		return NULL;
	case CONF_LINE_LONG:
		parse_fail(st, "line too long (more than %zu characters)", max);
		return NULL;
	case CONF_LINE_OK:
		break;
	}
	if (len > 0 && s[0] == '[' && !parse_section_header(st, s, len))
		return NULL;
	return conf_line_give(buf, s, len);
}

/* "00:03:00:01:..." into h->duid; -EINVAL unless 3..NETWORK_HOST_DUID_MAX bytes. */
static int duid_from_string(const char *s, struct network_host *h)
{
	size_t n = 0;

	for (;;) {
		unsigned v;
		int used = 0;

		if (n == NETWORK_HOST_DUID_MAX || !isxdigit((unsigned char)s[0]) ||
		    !isxdigit((unsigned char)s[1]) || sscanf(s, "%2x%n", &v, &used) != 1 || used != 2)
			return -EINVAL;
		h->duid[n++] = (uint8_t)v;
		s += 2;
		if (*s == '\0')
			break;
		if (*s++ != ':')
			return -EINVAL;
	}
	if (n < 3)
		return -EINVAL;
	h->duid_len = (uint8_t)n;
	return 0;
}

/* A key of the current [host] section. Returns 1 (inih's "go on") or 0 after an error. */
static int parse_host_key(struct parse_state *st, const char *name, const char *value)
{
	struct parsed_host *ph = &st->hosts[st->n_hosts - 1];
	char sec[HOST_SECTION_BUF], k[CONF_SHOW_BUF], v[CONF_SHOW_BUF];
	int *line;

	host_section_name(&ph->host, sec);
	if (strcmp(name, "mac") == 0)
		line = &ph->mac_line;
	else if (strcmp(name, "ip") == 0)
		line = &ph->ip_line;
	else if (strcmp(name, "ip6") == 0)
		line = &ph->ip6_line;
	else if (strcmp(name, "duid") == 0)
		line = &ph->duid_line;
	else {
		parse_fail(st, "unknown key '%s' in %s", conf_show(name, k), sec);
		return 0;
	}
	if (*line > 0) {
		parse_fail(st, "duplicate key '%s' in %s (first set on line %d)", name, sec, *line);
		return 0;
	}
	*line = st->line;
	if (value[0] == '\0') {
		parse_fail(st, "invalid %s '': empty value", name);
		return 0;
	}
	if (line == &ph->mac_line && mac_from_string(value, ph->host.mac) < 0) {
		parse_fail(st, "invalid mac '%s': expected six hex bytes, e.g. 52:54:00:12:34:56",
			   conf_show(value, v));
		return 0;
	}
	if (line == &ph->ip_line && in_addr_from_string(value, &ph->host.ip) < 0) {
		parse_fail(st, "invalid ip '%s': expected an IPv4 address, e.g. 192.168.122.10",
			   conf_show(value, v));
		return 0;
	}
	if (line == &ph->ip6_line) {
		if (in6_addr_from_string(value, &ph->host.ip6) < 0) {
			parse_fail(st, "invalid ip6 '%s': expected an IPv6 address, e.g. "
				   "fd12:3456:789a:1::10", conf_show(value, v));
			return 0;
		}
		ph->host.has_ip6 = true;
	}
	if (line == &ph->duid_line && duid_from_string(value, &ph->host) < 0) {
		parse_fail(st, "invalid duid '%s': expected 3 to %d hex bytes separated by ':', "
			   "e.g. 00:03:00:01:52:54:00:12:34:56", conf_show(value, v),
			   NETWORK_HOST_DUID_MAX);
		return 0;
	}
	return 1;
}

/* Sets the value of a record whose type is known; an error is reported on 'line', the value's. */
static int parse_record_value(struct parse_state *st, struct parsed_record *pr, const char *value,
			      int line)
{
	char why[256], v[CONF_SHOW_BUF];

	if (network_dns_record_set_value(&pr->rec, value, why, sizeof(why)) < 0) {
		parse_fail_at(st, line, "invalid value '%s' for %s: %s", conf_show(value, v),
			      network_dns_record_type_to_string(pr->rec.type), why);
		return 0;
	}
	return 1;
}

/* A key of the current [dns-record] section. Returns 1 (inih's "go on") or 0 after an error. */
static int parse_record_key(struct parse_state *st, const char *name, const char *value)
{
	struct parsed_record *pr = &st->records[st->n_records - 1];
	char sec[RECORD_SECTION_BUF], k[CONF_SHOW_BUF], v[CONF_SHOW_BUF], why[256];
	enum network_dns_record_type t;
	int *line, r;

	record_section_name(&pr->rec, sec);
	if (strcmp(name, "type") == 0)
		line = &pr->type_line;
	else if (strcmp(name, "value") == 0)
		line = &pr->value_line;
	else {
		parse_fail(st, "unknown key '%s' in %s", conf_show(name, k), sec);
		return 0;
	}
	if (*line > 0) {
		parse_fail(st, "duplicate key '%s' in %s (first set on line %d)", name, sec, *line);
		return 0;
	}
	*line = st->line;
	if (value[0] == '\0') {
		parse_fail(st, "invalid %s '': empty value", name);
		return 0;
	}
	if (line == &pr->value_line) {
		if (pr->type_line > 0)
			return parse_record_value(st, pr, value, st->line);
		/* Checked when the type comes (or the section is reported incomplete). */
		pr->value = strdup(value);
		if (!pr->value) {
			parse_fail(st, "out of memory");
			st->oom = true;
			return 0;
		}
		return 1;
	}

	t = network_dns_record_type_from_string(value);
	if (t < 0) {
		parse_fail(st, "invalid type '%s': must be A, CNAME, TXT or SRV",
			   conf_show(value, v));
		return 0;
	}
	if (network_dns_record_type_check(t, pr->rec.name, why, sizeof(why)) < 0) {
		parse_fail(st, "invalid type '%s': %s", conf_show(value, v), why);
		return 0;
	}
	pr->rec.type = t;
	if (!pr->value)
		return 1;
	r = parse_record_value(st, pr, pr->value, pr->value_line);
	free(pr->value);
	pr->value = NULL;
	return r;
}

/* A key of the current [port] section. Returns 1 (inih's "go on") or 0 after an error. */
static int parse_port_key(struct parse_state *st, const char *name, const char *value)
{
	struct parsed_port *pp = &st->ports[st->n_ports - 1];
	char k[CONF_SHOW_BUF], msg[256];
	int i = network_port_key_find(name);

	if (i < 0) {
		parse_fail(st, "unknown key '%s' in [port %s]", conf_show(name, k), pp->port.name);
		return 0;
	}
	if (pp->key_line[i] > 0) {
		parse_fail(st, "duplicate key '%s' in [port %s] (first set on line %d)", name,
			   pp->port.name, pp->key_line[i]);
		return 0;
	}
	pp->key_line[i] = st->line;
	if (network_port_set(&pp->port, name, value, msg, sizeof(msg)) < 0) {
		parse_fail(st, "%s", msg);
		return 0;
	}
	return 1;
}

/* A key of the current [forward] section. Returns 1 (inih's "go on") or 0 after an error. */
static int parse_forward_key(struct parse_state *st, const char *name, const char *value)
{
	static const char *const keys[] = { "proto", "host-port", "to", "host-address" };
	struct parsed_forward *pf = &st->forwards[st->n_forwards - 1];
	char k[CONF_SHOW_BUF], msg[256];
	size_t i;

	for (i = 0; i < ELEMENTSOF(keys) && strcmp(keys[i], name) != 0; i++)
		;
	if (i == ELEMENTSOF(keys)) {
		parse_fail(st, "unknown key '%s' in [forward %s]", conf_show(name, k), pf->f.name);
		return 0;
	}
	if (pf->key_line[i] > 0) {
		parse_fail(st, "duplicate key '%s' in [forward %s] (first set on line %d)", name,
			   pf->f.name, pf->key_line[i]);
		return 0;
	}
	pf->key_line[i] = st->line;
	if (network_forward_set(&pf->f, name, value, msg, sizeof(msg)) < 0) {
		parse_fail(st, "%s", msg);
		return 0;
	}
	return 1;
}

static int parse_handler(void *userdata, const char *section, const char *name, const char *value)
{
	struct parse_state *st = userdata;
	char msg[512], k[CONF_SHOW_BUF];
	int i;

	if (st->err_line > 0)
		return 0;
	if (st->section == PARSE_SECTION_HOST)
		return parse_host_key(st, name, value);
	if (st->section == PARSE_SECTION_RECORD)
		return parse_record_key(st, name, value);
	if (st->section == PARSE_SECTION_PORT)
		return parse_port_key(st, name, value);
	if (st->section == PARSE_SECTION_FORWARD)
		return parse_forward_key(st, name, value);
	if (st->section != PARSE_SECTION_NETWORK) {
		parse_fail(st, "key '%s' before the [network] section", conf_show(name, k));
		return 0;
	}
	i = network_key_find(name);
	if (i < 0) {
		parse_fail(st, "unknown key '%s' in [network]", conf_show(name, k));
		return 0;
	}
	if (st->key_line[i] > 0) {
		parse_fail(st, "duplicate key '%s' in [network] (first set on line %d)", name,
			   st->key_line[i]);
		return 0;
	}
	st->key_line[i] = st->line;
	if (network_config_set(st->c, name, value, msg, sizeof(msg)) < 0) {
		parse_fail(st, "%s", msg);
		return 0;
	}
	return 1;
}

/*
 * Every [host] and [dns-record] section needs both its keys; the first section without reports,
 * with its header's line.
 */
static int parse_sections_complete(const struct parse_state *st)
{
	const struct parsed_host *ph = NULL;
	const struct parsed_record *pr = NULL;
	char sec[RECORD_SECTION_BUF > HOST_SECTION_BUF ? RECORD_SECTION_BUF : HOST_SECTION_BUF];

	for (size_t i = 0; i < st->n_hosts && !ph; i++)
		if (st->hosts[i].mac_line == 0 || st->hosts[i].ip_line == 0)
			ph = &st->hosts[i];
	for (size_t i = 0; i < st->n_records && !pr; i++)
		if (st->records[i].type_line == 0 || st->records[i].value_line == 0)
			pr = &st->records[i];
	if (ph && (!pr || ph->line < pr->line))
		return conf_fail(st->reterr, st->errlen, "line %d: missing key '%s' in %s",
				 ph->line, ph->mac_line == 0 ? "mac" : "ip",
				 host_section_name(&ph->host, sec));
	if (pr)
		return conf_fail(st->reterr, st->errlen, "line %d: missing key '%s' in %s",
				 pr->line, pr->type_line == 0 ? "type" : "value",
				 record_section_name(&pr->rec, sec));
	return 0;
}

/* Validates the [host] sections against the finished config, in file order, into 'ret'. */
static int parse_hosts_build(const struct parse_state *st, struct network_hosts *ret)
{
	_cleanup_free_ struct network_host *items = NULL;
	char msg[256];
	size_t bad = 0;
	int r;

	if (st->n_hosts == 0)
		return 0;
	items = calloc(st->n_hosts, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_hosts; i++)
		items[i] = st->hosts[i].host;
	r = network_hosts_build(ret, items, st->n_hosts, st->c, &bad, msg, sizeof(msg));
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return conf_fail(st->reterr, st->errlen, "line %d: %s", st->hosts[bad].line, msg);
	return 0;
}

/* Validates the [dns-record] sections against the finished config, in file order, into 'ret'. */
static int parse_records_build(const struct parse_state *st, struct network_dns_records *ret)
{
	_cleanup_free_ struct network_dns_record *items = NULL;
	char msg[512];
	size_t bad = 0;
	int r;

	if (st->n_records == 0)
		return 0;
	items = calloc(st->n_records, sizeof(*items));
	if (!items)
		return -ENOMEM;
	for (size_t i = 0; i < st->n_records; i++)
		items[i] = st->records[i].rec;
	r = network_dns_records_build(ret, items, st->n_records, st->c, &bad, msg, sizeof(msg));
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return conf_fail(st->reterr, st->errlen, "line %d: %s", st->records[bad].line, msg);
	return 0;
}

/* Adds the [port] sections to 'ret' in file order, validated against the finished config. */
static int parse_ports_build(const struct parse_state *st, struct network_ports *ret)
{
	char msg[256];

	for (size_t i = 0; i < st->n_ports; i++) {
		int r = network_ports_add(ret, &st->ports[i].port, st->c, msg, sizeof(msg));

		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return conf_fail(st->reterr, st->errlen, "line %d: %s", st->ports[i].line,
					 msg);
	}
	return 0;
}

/* Checks the [forward] sections against the finished config, into 'ret' in file order. */
static int parse_forwards_build(const struct parse_state *st, struct network_forwards *ret)
{
	char msg[256];

	for (size_t i = 0; i < st->n_forwards; i++) {
		struct network_forward f = st->forwards[i].f;
		int r = network_forward_finish(&f, st->c, msg, sizeof(msg));

		if (r >= 0)
			r = network_forwards_add(ret, &f, msg, sizeof(msg));
		if (r == -ENOMEM)
			return r;
		if (r < 0)
			return conf_fail(st->reterr, st->errlen, "line %d: %s",
					 st->forwards[i].line, msg);
	}
	return 0;
}

static int parse_text(struct parse_state *st, const char *text, size_t len, const char *name,
		      struct network_hosts *hosts, struct network_dns_records *records,
		      struct network_ports *ports, struct network_forwards *forwards)
{
	struct network_config *c = st->c;
	int r;

	if (len > NETWORK_CONFIG_TEXT_MAX) {
		conf_fail(st->reterr, st->errlen, "definition is larger than %d bytes",
			  NETWORK_CONFIG_TEXT_MAX);
		return -E2BIG;
	}
	/* 'text' may be NULL when 'len' is 0, and NULL + 0 is undefined in C. */
	st->p = text ? text : "";
	st->end = st->p + len;

	/*
	 * Debian builds inih with run-time options and a 200-byte line buffer by default, too short
	 * for a 253-character domain. Every parse sets the same constant, so this is configuration,
	 * not state; the reader still enforces whatever buffer size inih actually passes.
	 */
	ini_max_line = CONF_INIH_LINE_BUF;
	r = ini_parse_stream(parse_reader, st, parse_handler, st);
	if (r == -2 || st->oom)
		return -ENOMEM;
	/* inih reports lines without '=' itself and keeps going: compare with our first error. */
	if (r > 0 && (st->err_line == 0 || r < st->err_line)) {
		st->err_line = 0;
		st->line = r;
		parse_fail(st, "expected 'key = value', '[section]' or a comment");
	}
	if (st->err_line > 0)
		return -EINVAL;
	if (r < 0)
		return -EIO;

	if (!st->seen_network)
		return conf_fail(st->reterr, st->errlen, "missing [network] section");
	r = parse_sections_complete(st);
	if (r < 0)
		return r;
	if (st->key_line[network_key_find("name")] == 0 && name) {
		r = network_config_set(c, "name", name, st->reterr, st->errlen);
		if (r < 0)
			return r;
	}
	r = network_config_finish(c, st->reterr, st->errlen);
	if (r < 0)
		return r;
	r = hosts ? parse_hosts_build(st, hosts) : 0;
	if (r < 0)
		return r;
	r = records ? parse_records_build(st, records) : 0;
	if (r < 0)
		return r;
	r = ports ? parse_ports_build(st, ports) : 0;
	if (r < 0)
		return r;
	return forwards ? parse_forwards_build(st, forwards) : 0;
}

int network_config_parse(const char *text, size_t len, const char *name, struct network_config *c,
			 struct network_hosts *hosts, struct network_dns_records *records,
			 struct network_ports *ports, char *reterr, size_t errlen)
{
	return network_config_parse_full(text, len, name, c, hosts, records, ports, NULL, reterr,
					 errlen);
}

int network_config_parse_full(const char *text, size_t len, const char *name,
			      struct network_config *c, struct network_hosts *hosts,
			      struct network_dns_records *records, struct network_ports *ports,
			      struct network_forwards *forwards, char *reterr, size_t errlen)
{
	struct parse_state st = {
		.forwards_allowed = forwards != NULL,
		.hosts_allowed = hosts != NULL,
		.records_allowed = records != NULL,
		.ports_allowed = ports != NULL,
		.c = c,
		.reterr = reterr,
		.errlen = errlen,
	};
	int r;

	assert(text || len == 0);
	assert(c);

	network_config_init(c);
	if (hosts)
		*hosts = (struct network_hosts){ 0 };
	if (records)
		*records = (struct network_dns_records){ 0 };
	if (ports)
		*ports = (struct network_ports){ 0 };
	if (forwards)
		*forwards = (struct network_forwards){ 0 };
	r = parse_text(&st, text, len, name, hosts, records, ports, forwards);
	/* What was built before a later part failed is not handed out: the caller gets nothing. */
	if (r < 0) {
		network_hosts_done(hosts);
		network_dns_records_done(records);
		network_ports_done(ports);
		network_forwards_done(forwards);
	}
	free(st.forwards);
	free(st.hosts);
	free(st.ports);
	for (size_t i = 0; i < st.n_records; i++)
		free(st.records[i].value);
	free(st.records);
	return r;
}

static int format_routes(struct strbuf *sb, const struct network_config *c)
{
	char d[IN_PREFIX_STRLEN], g[INET_ADDRSTRLEN];
	int r = strbuf_append(sb, "dhcp-routes = ");

	for (size_t i = 0; r == 0 && i < c->n_routes && i < NETWORK_ROUTES_MAX; i++)
		r = strbuf_appendf(sb, "%s%s via %s", i > 0 ? ", " : "",
				   in_prefix_to_string(&c->routes[i].dst, d),
				   in_addr_to_string(c->routes[i].gw, g));
	return r < 0 ? r : strbuf_append(sb, "\n");
}

static int format_forwarders(struct strbuf *sb, const struct network_config *c)
{
	char a[IP_ADDR_STRLEN];
	int r = strbuf_append(sb, "dns-forwarders = ");

	for (size_t i = 0; r == 0 && i < c->n_dns_forwarders && i < NETWORK_DNS_FORWARDERS_MAX; i++)
		r = strbuf_appendf(sb, "%s%s", i > 0 ? ", " : "",
				   ip_addr_to_string(&c->dns_forwarders[i], a));
	return r < 0 ? r : strbuf_append(sb, "\n");
}

static int format_record(struct strbuf *sb, const struct network_dns_record *rec)
{
	const char *type = network_dns_record_type_to_string(rec->type);
	char v[NETWORK_DNS_VALUE_MAX + 1];

	if (!type)
		return -EINVAL;
	return strbuf_appendf(sb, "\n[dns-record %.*s]\ntype = %s\nvalue = %s\n",
			      (int)strnlen(rec->name, sizeof(rec->name)), rec->name, type,
			      network_dns_record_value_to_string(rec, v));
}

static int format_host(struct strbuf *sb, const struct network_host *h)
{
	char m[MAC_STRLEN], a[INET_ADDRSTRLEN], a6[INET6_ADDRSTRLEN];
	size_t n = strnlen(h->name, sizeof(h->name));
	int r;

	if (n > 0)
		r = strbuf_appendf(sb, "\n[host %.*s]\nmac = %s\nip = %s\n", (int)n, h->name,
				   mac_to_string(h->mac, m), in_addr_to_string(h->ip, a));
	else
		r = strbuf_appendf(sb, "\n[host]\nmac = %s\nip = %s\n", mac_to_string(h->mac, m),
				   in_addr_to_string(h->ip, a));
	if (r == 0 && h->has_ip6)
		r = strbuf_appendf(sb, "ip6 = %s\n", in6_addr_to_string(&h->ip6, a6));
	for (size_t i = 0; r == 0 && i < h->duid_len; i++)
		r = strbuf_appendf(sb, "%s%02x%s", i ? "" : "duid = ", h->duid[i],
				   i + 1 < h->duid_len ? ":" : "\n");
	return r;
}

static int format_port(struct strbuf *sb, const struct network_port *p)
{
	char m[MAC_STRLEN];
	int r;

	r = strbuf_appendf(sb, "\n[port %.*s]\n", (int)strnlen(p->name, sizeof(p->name)), p->name);
	if (r == 0 && p->has_mac)
		r = strbuf_appendf(sb, "mac = %s\n", mac_to_string(p->mac, m));
	if (r == 0 && p->has_owner)
		r = strbuf_appendf(sb, "owner = %lu\n", (unsigned long)p->owner);
	if (r == 0 && p->queues != 1)
		r = strbuf_appendf(sb, "queues = %lu\n", (unsigned long)p->queues);
	if (r == 0 && p->rate_mbit != 0)
		r = strbuf_appendf(sb, "rate = %lu\n", (unsigned long)p->rate_mbit);
	return r;
}

static int format_allow_attach(struct strbuf *sb, const struct network_config *c)
{
	int r = strbuf_append(sb, "allow-attach = ");

	for (size_t i = 0; r == 0 && i < c->n_allow_attach && i < NETWORK_ALLOW_ATTACH_MAX; i++)
		r = strbuf_appendf(sb, "%s%.*s", i > 0 ? ", " : "",
				   (int)strnlen(c->allow_attach[i], sizeof(c->allow_attach[i])),
				   c->allow_attach[i]);
	return r < 0 ? r : strbuf_append(sb, "\n");
}

/* The keys after "autostart", each only when it is not the default. */
static int format_port_keys(struct strbuf *sb, const struct network_config *c)
{
	const char *ps = network_port_security_to_string(c->port_security);
	int r = 0;

	if (!ps)
		return -EINVAL;
	if (c->isolate_ports)
		r = strbuf_append(sb, "isolate-ports = yes\n");
	if (r == 0 && c->port_security != NETWORK_PORT_SECURITY_FULL)
		r = strbuf_appendf(sb, "port-security = %s\n", ps);
	if (r == 0 && c->n_allow_attach > 0)
		r = format_allow_attach(sb, c);
	return r;
}

int network_config_format(const struct network_config *c, const struct network_hosts *hosts,
			  const struct network_dns_records *records,
			  const struct network_ports *ports, char **ret)
{
	return network_config_format_full(c, hosts, records, ports, NULL, ret);
}

int network_config_format_full(const struct network_config *c, const struct network_hosts *hosts,
			       const struct network_dns_records *records,
			       const struct network_ports *ports,
			       const struct network_forwards *forwards, char **ret)
{
	_cleanup_(strbuf_done) struct strbuf sb = STRBUF_INIT;
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], s[IN_PREFIX_STRLEN], t[16];
	const char *mode = network_mode_to_string(c->mode);
	int r;

	assert(ret);

	if (!mode)
		return -EINVAL;
	r = strbuf_appendf(&sb, "[network]\nmode = %s\n", mode);
	if (r == 0 && c->has_subnet)
		r = strbuf_appendf(&sb, "subnet = %s\n", in_prefix_to_string(&c->subnet, s));
	if (r == 0 && c->has_range)
		r = strbuf_appendf(&sb, "dhcp-range = %s-%s\n",
				   in_addr_to_string(c->range_first, a),
				   in_addr_to_string(c->range_last, b));
	if (r == 0)
		r = conf_network6_format(&sb, c);
	if (r == 0 && c->lease_time_sec != NETWORK_LEASE_TIME_DEFAULT)
		r = strbuf_appendf(&sb, "lease-time = %s\n",
				   lease_time_to_string(c->lease_time_sec, t, sizeof(t)));
	if (r == 0 && c->n_routes > 0)
		r = format_routes(&sb, c);
	if (r == 0 && c->dhcp_leases_per_port != NETWORK_DHCP_LEASES_PER_PORT_DEFAULT)
		r = strbuf_appendf(&sb, "dhcp-leases-per-port = %u\n",
				   (unsigned)c->dhcp_leases_per_port);
	if (r == 0 && c->domain[0] != '\0')
		r = strbuf_appendf(&sb, "domain = %s\n", c->domain);
	if (r == 0 && c->n_dns_forwarders > 0)
		r = format_forwarders(&sb, c);
	if (r == 0 && c->mtu != 0)
		r = strbuf_appendf(&sb, "mtu = %u\n", (unsigned)c->mtu);
	if (r == 0 && c->has_bridge)
		r = strbuf_appendf(&sb, "bridge = %s\n", c->bridge);
	if (r == 0 && c->uplink[0] != '\0')
		r = strbuf_appendf(&sb, "uplink = %s\n", c->uplink);
	if (r == 0 && c->mode == NETWORK_MODE_MACVTAP)
		r = strbuf_appendf(&sb, "macvtap-mode = %s\n",
				   network_macvtap_mode_to_string(c->macvtap_mode));
	if (r == 0 && c->tenant[0] != '\0')
		r = strbuf_appendf(&sb, "tenant = %s\n", c->tenant);
	if (r == 0)
		r = network_overlay_format(&c->overlay, &sb);
	if (r == 0 && network_overlay_dhcp_value(c))
		r = strbuf_appendf(&sb, "dhcp = %s\n", network_overlay_dhcp_value(c));
	if (r == 0 && !c->dns)
		r = strbuf_append(&sb, "dns = no\n");
	if (r == 0 && c->autostart)
		r = strbuf_append(&sb, "autostart = yes\n");
	if (r == 0)
		r = format_port_keys(&sb, c);
	for (size_t i = 0; r == 0 && hosts && i < hosts->n; i++)
		r = format_host(&sb, &hosts->items[i]);
	for (size_t i = 0; r == 0 && records && i < records->n; i++)
		r = format_record(&sb, &records->items[i]);
	for (size_t i = 0; r == 0 && ports && i < ports->n; i++)
		r = format_port(&sb, &ports->items[i]);
	if (r == 0)
		r = network_forwards_format(forwards, &sb);
	if (r < 0)
		return r;
	/* A text the parser would refuse is never produced (nor saved). */
	if (sb.len > NETWORK_CONFIG_TEXT_MAX)
		return -E2BIG;
	return strbuf_steal(&sb, ret);
}
