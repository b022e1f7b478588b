/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of nss-kvmnet.h. Every lookup opens the hosts file kvmnetd replaces atomically,
 * reads it once through a fixed buffer on the stack and lays the answer out in glibc's buffer:
 * no malloc, no state kept between calls, no kvmnet library linked in (this code runs inside
 * every process of the host that resolves a name).
 */
#include "nss-kvmnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read buffer, and so one more than the longest line considered (longer ones are skipped). */
#define HOSTS_READ_BUF 4096
/* Longest name in text form (RFC 1035 §2.3.4, without a trailing dot). */
#define HOSTS_NAME_MAX 253
/* Most distinct addresses returned for one name. */
#define HOSTS_ADDRS_MAX 16

/* Hands out the hosts file line by line from a fixed buffer. */
struct hosts_reader {
	int fd;
	size_t start, end;	/* unread bytes are buf[start..end) */
	bool eof;
	char buf[HOSTS_READ_BUF];
};

/* The fields of one line of the hosts file: pointers into the reader's buffer. */
struct hosts_entry {
	const char *ip;		/* as written; parsed only when the line matches */
	const char *name;	/* the short name */
	const char *fqdn;	/* NULL when the line has no third field */
};

/* An address of either family. */
struct hosts_addr {
	int family;		/* AF_INET or AF_INET6 */
	union {
		struct in_addr in;
		struct in6_addr in6;
	};
};

/* What a lookup found, copied out of the reader's buffer before it is reused. */
struct hosts_match {
	char canonical[HOSTS_NAME_MAX + 1];
	char alias[HOSTS_NAME_MAX + 1];	/* "" = none */
	struct hosts_addr addrs[HOSTS_ADDRS_MAX];
	size_t n_addrs;
};

/* Carves aligned pieces out of the caller's buffer; once one does not fit, all return NULL. */
struct layout {
	char *p;
	size_t left;
	bool full;
};

/*
 * Returns 1 with '*ret' the next line (NUL-terminated, newline removed), 0 at the end of the
 * file, or -errno. A line that does not fit in the buffer is skipped whole.
 */
static int hosts_reader_next(struct hosts_reader *rd, char **ret)
{
	bool skipping = false;

	for (;;) {
		char *nl = memchr(rd->buf + rd->start, '\n', rd->end - rd->start);
		ssize_t n;

		if (nl) {
			char *line = rd->buf + rd->start;

			*nl = '\0';
			rd->start = (size_t)(nl - rd->buf) + 1;
			if (skipping) {
				skipping = false;
				continue;
			}
			*ret = line;
			return 1;
		}
		if (rd->eof) {
			if (skipping || rd->start == rd->end)
				return 0;
			/* A last line without newline; end < sizeof(buf) leaves room for a NUL. */
			rd->buf[rd->end] = '\0';
			*ret = rd->buf + rd->start;
			rd->start = rd->end;
			return 1;
		}
		memmove(rd->buf, rd->buf + rd->start, rd->end - rd->start);
		rd->end -= rd->start;
		rd->start = 0;
		if (rd->end == sizeof(rd->buf) - 1) {
			skipping = true;
			rd->end = 0;
		}
		n = read(rd->fd, rd->buf + rd->end, sizeof(rd->buf) - 1 - rd->end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			rd->eof = true;
		rd->end += (size_t)n;
	}
}

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

/* Cuts the next blank-separated field out of '*p' (in place), or returns NULL. */
static char *next_field(char **p)
{
	char *s = *p, *start;

	while (is_blank(*s))
		s++;
	if (*s == '\0')
		return NULL;
	start = s;
	while (*s && !is_blank(*s))
		s++;
	if (*s)
		*s++ = '\0';
	*p = s;
	return start;
}

/*
 * Splits "IP NAME [FQDN] [ignored...]" with '#' starting a comment. Returns false for blank and
 * comment lines and for lines this version does not understand, which are skipped. The address
 * is checked by the caller, and only on lines that match: most lines of a lookup do not.
 */
static bool hosts_line_parse(char *line, struct hosts_entry *ret)
{
	char *hash = strchr(line, '#'), *p = line;
	struct hosts_entry e;

	if (hash)
		*hash = '\0';
	e.ip = next_field(&p);
	e.name = next_field(&p);
	e.fqdn = next_field(&p);
	if (!e.ip || !e.name)
		return false;
	if (strlen(e.name) > HOSTS_NAME_MAX || (e.fqdn && strlen(e.fqdn) > HOSTS_NAME_MAX))
		return false;
	*ret = e;
	return true;
}

static char ascii_tolower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Compares the 'len' bytes at 'q' with 's' without regard to ASCII case (locale-independent). */
static bool name_equal(const char *q, size_t len, const char *s)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\0' || ascii_tolower(q[i]) != ascii_tolower(s[i]))
			return false;
	return s[i] == '\0';
}

static bool entry_has_name(const struct hosts_entry *e, const char *q, size_t len)
{
	return name_equal(q, len, e->name) || (e->fqdn && name_equal(q, len, e->fqdn));
}

/* The FQDN is the canonical name and the short name its alias; either may be alone. */
static void match_set_names(struct hosts_match *m, const struct hosts_entry *e)
{
	const char *canonical = e->fqdn ? e->fqdn : e->name;

	memcpy(m->canonical, canonical, strlen(canonical) + 1);
	m->alias[0] = '\0';
	if (e->fqdn && strcmp(e->fqdn, e->name) != 0)
		memcpy(m->alias, e->name, strlen(e->name) + 1);
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

static void match_add_addr(struct hosts_match *m, const struct hosts_addr *a)
{
	for (size_t i = 0; i < m->n_addrs; i++)
		if (m->addrs[i].family == a->family &&
		    memcmp(&m->addrs[i].in6, &a->in6, addr_len(a->family)) == 0)
			return;
	if (m->n_addrs < HOSTS_ADDRS_MAX)
		m->addrs[m->n_addrs++] = *a;
}

/* Parses the address of a line if it is of family 'af' (AF_UNSPEC: either). */
static bool addr_parse(const char *text, int af, struct hosts_addr *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (af != AF_INET6 && inet_pton(AF_INET, text, &ret->in) == 1) {
		ret->family = AF_INET;
		return true;
	}
	if (af != AF_INET && inet_pton(AF_INET6, text, &ret->in6) == 1) {
		ret->family = AF_INET6;
		return true;
	}
	return false;
}

static int hosts_open(void)
{
	/* secure_getenv(): a setuid program must not be pointed at a file of the caller's. */
	const char *path = secure_getenv(NSS_KVMNET_HOSTS_ENV);
	int fd;

	if (!path || path[0] == '\0')
		path = NSS_KVMNET_HOSTS_PATH;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	return fd < 0 ? -errno : fd;
}

/*
 * Scans the hosts file for the name 'q' ('len' bytes), its addresses of family 'af' (AF_UNSPEC:
 * both) or, when 'q' is NULL, for the address 'addr' (first line only). Returns 1 with '*ret'
 * filled, 0 if nothing matched, or -errno.
 */
static int hosts_lookup(const char *q, size_t len, int af, const struct hosts_addr *addr,
			struct hosts_match *ret)
{
	struct hosts_reader rd = { .fd = -1 };
	char addr_text[INET6_ADDRSTRLEN] = "";
	struct hosts_entry e;
	struct hosts_addr a;
	char *line = NULL;
	int r;

	/*
	 * inet_pton() accepts one spelling per address (no leading zeros), so comparing text finds
	 * the same lines as comparing addresses, without parsing every line's.
	 */
	if (!q) {
		af = addr->family;
		inet_ntop(af, &addr->in6, addr_text, sizeof(addr_text));
	}
	ret->n_addrs = 0;
	rd.fd = hosts_open();
	if (rd.fd < 0)
		return rd.fd;
	while ((r = hosts_reader_next(&rd, &line)) > 0) {
		if (!hosts_line_parse(line, &e))
			continue;
		if (q ? !entry_has_name(&e, q, len) : strcmp(e.ip, addr_text) != 0)
			continue;
		if (!addr_parse(e.ip, af, &a))
			continue;
		if (ret->n_addrs == 0)
			match_set_names(ret, &e);
		match_add_addr(ret, &a);
		if (!q)
			break;
	}
	close(rd.fd);
	if (r < 0)
		return r;
	return ret->n_addrs > 0;
}

/* Looks a name up after the checks every name entry point shares. Returns as hosts_lookup(). */
static int hosts_lookup_name(const char *name, int af, struct hosts_match *ret)
{
	size_t len = strlen(name);

	/* "web1." is the absolute form of "web1"; "." alone and "web1.." match nothing. */
	if (len > 1 && name[len - 1] == '.')
		len--;
	if (len == 0 || len > HOSTS_NAME_MAX)
		return 0;
	return hosts_lookup(name, len, af, NULL, ret);
}

static void *layout_take(struct layout *l, size_t size, size_t align)
{
	size_t pad = (size_t)(-(uintptr_t)l->p & (align - 1));
	void *p;

	if (l->full || pad > l->left || size > l->left - pad) {
		l->full = true;
		return NULL;
	}
	p = l->p + pad;
	l->p += pad + size;
	l->left -= pad + size;
	return p;
}

static char *layout_strdup(struct layout *l, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = layout_take(l, n, 1);

	if (p)
		memcpy(p, s, n);
	return p;
}

/* Lays 'm' out in 'buffer' as a hostent. Returns 0 or -ERANGE ('result' untouched then). */
/* (All of 'm's addresses are of one family: a hostent has one.) */
static int hostent_fill(const struct hosts_match *m, struct hostent *result, char *buffer,
			size_t buflen)
{
	struct layout l = { .p = buffer, .left = buflen };
	size_t n_aliases = m->alias[0] ? 1 : 0;
	int family = m->addrs[0].family;
	size_t alen = addr_len(family);
	char **aliases, **addr_list, *h_name, *alias = NULL;
	char *addrs;

	aliases = layout_take(&l, (n_aliases + 1) * sizeof(char *), _Alignof(char *));
	addr_list = layout_take(&l, (m->n_addrs + 1) * sizeof(char *), _Alignof(char *));
	addrs = layout_take(&l, m->n_addrs * alen, _Alignof(struct in6_addr));
	h_name = layout_strdup(&l, m->canonical);
	if (n_aliases > 0)
		alias = layout_strdup(&l, m->alias);
	if (l.full)
		return -ERANGE;

	aliases[0] = alias;
	aliases[n_aliases] = NULL;
	for (size_t i = 0; i < m->n_addrs; i++) {
		memcpy(addrs + i * alen, &m->addrs[i].in6, alen);
		addr_list[i] = addrs + i * alen;
	}
	addr_list[m->n_addrs] = NULL;
	*result = (struct hostent){
		.h_name = h_name,
		.h_aliases = aliases,
		.h_addrtype = family,
		.h_length = (int)alen,
		.h_addr_list = addr_list,
	};
	return 0;
}

/* Lays 'm' out in 'buffer' as a list of gaih_addrtuple. Returns 0 or -ERANGE. */
static int tuples_fill(const struct hosts_match *m, struct gaih_addrtuple **pat, char *buffer,
		       size_t buflen)
{
	struct layout l = { .p = buffer, .left = buflen };
	struct gaih_addrtuple *t;
	char *name;

	t = layout_take(&l, m->n_addrs * sizeof(*t), _Alignof(struct gaih_addrtuple));
	name = layout_strdup(&l, m->canonical);
	if (l.full)
		return -ERANGE;
	for (size_t i = 0; i < m->n_addrs; i++) {
		t[i] = (struct gaih_addrtuple){
			.next = i + 1 < m->n_addrs ? &t[i + 1] : NULL,
			.name = name,
			.family = m->addrs[i].family,
		};
		memcpy(t[i].addr, &m->addrs[i].in6, addr_len(m->addrs[i].family));
	}
	/* Older glibc passes a tuple of its own to fill in; newer ones pass a NULL head. */
	if (*pat)
		**pat = t[0];
	else
		*pat = t;
	return 0;
}

/* Maps a helper's result (0 = not found, -errno) onto the NSS status and both error codes. */
static enum nss_status status_from_error(int r, int *errnop, int *h_errnop)
{
	if (r == -ERANGE) {
		/* Exactly what glibc checks before it retries with a larger buffer. */
		*errnop = ERANGE;
		*h_errnop = NETDB_INTERNAL;
		return NSS_STATUS_TRYAGAIN;
	}
	if (r == 0) {
		*errnop = ENOENT;
		*h_errnop = HOST_NOT_FOUND;
		return NSS_STATUS_NOTFOUND;
	}
	*errnop = -r;
	*h_errnop = NO_RECOVERY;
	return NSS_STATUS_UNAVAIL;
}

enum nss_status _nss_kvmnet_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp)
{
	struct hosts_match m;
	int r;

	r = hosts_lookup_name(name, AF_UNSPEC, &m);
	if (r <= 0)
		return status_from_error(r, errnop, h_errnop);
	r = tuples_fill(&m, pat, buffer, buflen);
	if (r < 0)
		return status_from_error(r, errnop, h_errnop);
	if (ttlp)
		*ttlp = 0;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_kvmnet_gethostbyname3_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp, char **canonp)
{
	struct hosts_match m;
	int r;

	if (af == AF_UNSPEC)
		af = AF_INET;
	if (af != AF_INET && af != AF_INET6)
		return status_from_error(-EAFNOSUPPORT, errnop, h_errnop);

	r = hosts_lookup_name(name, af, &m);
	if (r <= 0)
		return status_from_error(r, errnop, h_errnop);
	r = hostent_fill(&m, result, buffer, buflen);
	if (r < 0)
		return status_from_error(r, errnop, h_errnop);
	if (ttlp)
		*ttlp = 0;
	if (canonp)
		*canonp = result->h_name;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_kvmnet_gethostbyname2_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop)
{
	return _nss_kvmnet_gethostbyname3_r(name, af, result, buffer, buflen, errnop, h_errnop,
					    NULL, NULL);
}

enum nss_status _nss_kvmnet_gethostbyname_r(const char *name, struct hostent *result,
					    char *buffer, size_t buflen, int *errnop,
					    int *h_errnop)
{
	return _nss_kvmnet_gethostbyname3_r(name, AF_INET, result, buffer, buflen, errnop,
					    h_errnop, NULL, NULL);
}

enum nss_status _nss_kvmnet_gethostbyaddr2_r(const void *addr, socklen_t len, int af,
					     struct hostent *result, char *buffer, size_t buflen,
					     int *errnop, int *h_errnop, int32_t *ttlp)
{
	struct hosts_match m;
	struct hosts_addr a = { .family = af };
	int r;

	if (af != AF_INET && af != AF_INET6)
		return status_from_error(-EAFNOSUPPORT, errnop, h_errnop);
	if (len != addr_len(af))
		return status_from_error(-EINVAL, errnop, h_errnop);

	memcpy(&a.in6, addr, len);
	r = hosts_lookup(NULL, 0, af, &a, &m);
	if (r <= 0)
		return status_from_error(r, errnop, h_errnop);
	r = hostent_fill(&m, result, buffer, buflen);
	if (r < 0)
		return status_from_error(r, errnop, h_errnop);
	if (ttlp)
		*ttlp = 0;
	return NSS_STATUS_SUCCESS;
}

enum nss_status _nss_kvmnet_gethostbyaddr_r(const void *addr, socklen_t len, int af,
					    struct hostent *result, char *buffer, size_t buflen,
					    int *errnop, int *h_errnop)
{
	return _nss_kvmnet_gethostbyaddr2_r(addr, len, af, result, buffer, buflen, errnop,
					    h_errnop, NULL);
}
