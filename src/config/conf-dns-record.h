/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Static DNS records of a network ("[dns-record NAME]" sections): A, CNAME, TXT and SRV records
 * the network's DNS server answers besides its guests' names. Names are relative to the
 * network's domain; validation on their own and against the network (names that fit in the
 * domain, a CNAME alone at its name, no record given twice) happens here, the serving in src/dns.
 */
#ifndef KN_CONFIG_CONF_DNS_RECORD_H
#define KN_CONFIG_CONF_DNS_RECORD_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct network_config;

#define NETWORK_DNS_RECORDS_MAX 4096
/* Longest name in text form, without a trailing dot (RFC 1035 §2.3.4: 255 octets on the wire). */
#define NETWORK_DNS_NAME_MAX 253
/* Longest TXT value: one character-string (RFC 1035 §3.3). */
#define NETWORK_DNS_TXT_MAX 255
/* Longest value text of any type ("65535 65535 65535 " + a 253-character name and its dot). */
#define NETWORK_DNS_VALUE_MAX 272

enum network_dns_record_type {
	NETWORK_DNS_RECORD_A,
	NETWORK_DNS_RECORD_CNAME,
	NETWORK_DNS_RECORD_TXT,
	NETWORK_DNS_RECORD_SRV,
	_NETWORK_DNS_RECORD_TYPE_MAX,
	_NETWORK_DNS_RECORD_TYPE_INVALID = -EINVAL,
};

/*
 * One record. Only the fields of its type are meaningful; the others are zero in every record
 * stored in a 'struct network_dns_records'.
 */
struct network_dns_record {
	char name[NETWORK_DNS_NAME_MAX + 1];   /* relative to the domain ("www"); "@" = itself */
	enum network_dns_record_type type;
	struct in_addr a;                       /* A */
	/*
	 * CNAME, SRV: as written, zone-file style: relative to the domain ("web1", "@") or absolute
	 * with a trailing dot ("www.example.com."); SRV also "." (no such service, RFC 2782).
	 */
	char target[NETWORK_DNS_NAME_MAX + 2];
	char txt[NETWORK_DNS_TXT_MAX + 1];      /* TXT: 1..255 bytes, no control characters */
	uint16_t priority, weight, port;        /* SRV, host order */
};

struct network_dns_records {
	struct network_dns_record *items;      /* owned, in the order given (the file's) */
	size_t n;
};

/* "A", "CNAME", "TXT", "SRV", or NULL for an invalid type. */
const char *network_dns_record_type_to_string(enum network_dns_record_type t);
/* Any case ("cname"); returns the type or _NETWORK_DNS_RECORD_TYPE_INVALID. */
enum network_dns_record_type network_dns_record_type_from_string(const char *s);

/*
 * Checks a record name: "@", or dot-separated labels of 1..63 characters from [a-z0-9_-], no
 * label starting or ending with '-', at most 253 characters, no trailing dot (names are relative
 * to the domain). Uppercase is refused, not folded, as in the "domain" key. Returns 0, or -EINVAL
 * with the reason (e.g. "a label is longer than 63 characters") in 'why' (size 'whylen'; may be
 * NULL/0).
 */
int network_dns_record_name_check(const char *name, char *why, size_t whylen);

/*
 * Checks that type 't' may be used at 'name' (a valid record name): a CNAME cannot be at the apex
 * "@" (which has the zone's SOA), and an SRV record's name starts with two labels beginning with
 * '_' (RFC 2782 "_service._proto"). Returns 0 or -EINVAL with the reason in 'why'.
 */
int network_dns_record_type_check(enum network_dns_record_type t, const char *name, char *why,
				  size_t whylen);

/*
 * Sets the fields of type r->type (which must be valid) from the text 'value', zeroing the
 * others: A an IPv4 address; CNAME a name (see 'target'); TXT the text itself, 1..255 bytes
 * without control characters, leading or trailing blanks or a ';' after a blank (which would
 * start a comment in the file); SRV "PRIORITY WEIGHT PORT TARGET", numbers 0..65535, separated
 * by blanks. On failure returns -EINVAL, leaves 'r' unchanged and writes the reason to 'why'
 * (e.g. "expected an IPv4 address, e.g. 192.168.122.10").
 */
int network_dns_record_set_value(struct network_dns_record *r, const char *value, char *why,
				 size_t whylen);

/*
 * Writes the value of 'r' in its canonical text form into 'buf' (NETWORK_DNS_VALUE_MAX + 1
 * bytes): what network_dns_record_set_value() reads back to the same record. Returns 'buf'.
 */
const char *network_dns_record_value_to_string(const struct network_dns_record *r, char *buf);

/*
 * Checks one record on its own (for records built in code rather than parsed): name, type for
 * that name, and the value fields of its type. Returns 0 or -EINVAL with a one-line reason in
 * 'reterr' naming the record, e.g. "record www CNAME: target 'a..b': empty label".
 */
int network_dns_record_check(const struct network_dns_record *r, char *reterr, size_t errlen);

/*
 * Writes the absolute form of 'name' (a record name or target) in domain 'domain' (no trailing
 * dot) into 'buf' (NETWORK_DNS_NAME_MAX + 1 bytes), without a trailing dot: "@" is the domain,
 * "www" is "www.DOMAIN", "www.example.com." is "www.example.com", "." is "". Returns 0, or
 * -EINVAL when the result would be longer than NETWORK_DNS_NAME_MAX.
 */
int network_dns_name_absolute(const char *name, const char *domain, char *buf);

/*
 * Adds a copy of 'r' (only the fields of its type) after network_dns_record_check() and checks
 * against network 'c' and the records already in 'rs': the absolute name and target fit in
 * NETWORK_DNS_NAME_MAX characters in c's domain (-EINVAL); the same record given twice (-EEXIST);
 * a CNAME at a name that has other records, or another record at a CNAME's name (-EEXIST);
 * more than NETWORK_DNS_RECORDS_MAX records (-E2BIG). One-line reason in 'reterr'. O(n).
 */
int network_dns_records_add(struct network_dns_records *rs, const struct network_dns_record *r,
			    const struct network_config *c, char *reterr, size_t errlen);

/*
 * Builds 'rs' (overwritten, not freed) from the 'n' records at 'items', with exactly the checks
 * and messages of adding them one by one with network_dns_records_add(), in O(n log n). On failure
 * 'rs' is left empty, '*ret_index' (may be NULL) is the position of the record the message in
 * 'reterr' is about, and the error is network_dns_records_add()'s (or -ENOMEM).
 */
int network_dns_records_build(struct network_dns_records *rs,
			      const struct network_dns_record *items, size_t n,
			      const struct network_config *c, size_t *ret_index, char *reterr,
			      size_t errlen);

/*
 * Re-checks every record against 'c' (after its name or domain changed): only the lengths in the
 * domain can have become wrong. Returns 0 or -EINVAL with the reason in 'reterr'.
 */
int network_dns_records_check(const struct network_dns_records *rs,
			      const struct network_config *c, char *reterr, size_t errlen);

/* Deep copy into 'dst' (which is overwritten, not freed). Returns 0 or -ENOMEM. */
int network_dns_records_copy(struct network_dns_records *dst,
			     const struct network_dns_records *src);

/* True if both hold the same records in the same order (NULL counts as empty). */
bool network_dns_records_equal(const struct network_dns_records *a,
			       const struct network_dns_records *b);

/* Frees the records and leaves 'rs' empty. Accepts NULL. */
void network_dns_records_done(struct network_dns_records *rs);

#endif
