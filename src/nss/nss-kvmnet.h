/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The glibc NSS "hosts" backend of libnss_kvmnet.so.2: lets the host resolve its guests by name
 * ("hosts: files kvmnet dns" in /etc/nsswitch.conf) from the hosts file kvmnetd keeps (format in
 * docs/NSS.md). glibc finds these functions by name with dlsym(); the header exists so that
 * they have prototypes and the unit test can call them. The module is self-contained: it links
 * nothing of kvmnet, because it runs inside every program on the host that resolves a name.
 */
#ifndef KN_NSS_NSS_KVMNET_H
#define KN_NSS_NSS_KVMNET_H

#include <netdb.h>
#include <nss.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The hosts file kvmnetd writes atomically (temp file + rename). */
#define NSS_KVMNET_HOSTS_PATH "/run/kvmnet/hosts"
/* Environment variable naming another hosts file; ignored in setuid/setgid programs. */
#define NSS_KVMNET_HOSTS_ENV "KVMNET_NSS_HOSTS"

/*
 * Conventions shared by every function below (glibc's NSS contract):
 * - the answer (strings, arrays, addresses) is laid out in 'buffer' ('buflen' bytes, any
 *   alignment); nothing is allocated, and the hosts file is read through a fixed buffer on the
 *   stack, so they are safe in any thread and never block on anything but reading that file;
 * - NSS_STATUS_SUCCESS: the answer is filled; '*errnop' and '*h_errnop' are untouched;
 * - NSS_STATUS_TRYAGAIN, '*errnop' ERANGE, '*h_errnop' NETDB_INTERNAL: 'buffer' is too small, and
 *   glibc calls again with a larger one;
 * - NSS_STATUS_NOTFOUND, '*errnop' ENOENT, '*h_errnop' HOST_NOT_FOUND: no such name or address
 *   (of the family asked for: the file's lines carry IPv4 or IPv6 addresses);
 * - NSS_STATUS_UNAVAIL, '*errnop' the error (ENOENT: no hosts file, kvmnetd is not running),
 *   '*h_errnop' NO_RECOVERY: the next module in nsswitch.conf is asked. EAFNOSUPPORT for an
 *   address family other than AF_INET, AF_INET6 (and AF_UNSPEC, taken as AF_INET, for names).
 * Names compare without regard to ASCII case, and one trailing dot is ignored. A name that
 * appears on several lines returns every distinct address of those lines, in file order, up to
 * 16; the canonical name and alias are those of the first line.
 */

/*
 * getaddrinfo()'s entry: fills a list of 'struct gaih_addrtuple' (both families, name the
 * canonical name) in 'buffer' and stores its head in '*pat' (or copies the head into '**pat'
 * when glibc passes a preallocated tuple). '*ttlp' (may be NULL) is set to 0.
 */
enum nss_status _nss_kvmnet_gethostbyname4_r(const char *name, struct gaih_addrtuple **pat,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp);

/*
 * gethostbyname2()'s entry with TTL and canonical name: fills 'result' for family 'af'.
 * '*ttlp' (may be NULL) is set to 0 and '*canonp' (may be NULL) to result->h_name.
 */
enum nss_status _nss_kvmnet_gethostbyname3_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop, int32_t *ttlp, char **canonp);

/* gethostbyname2_r(): _nss_kvmnet_gethostbyname3_r() without TTL and canonical name. */
enum nss_status _nss_kvmnet_gethostbyname2_r(const char *name, int af, struct hostent *result,
					     char *buffer, size_t buflen, int *errnop,
					     int *h_errnop);

/* gethostbyname_r(): _nss_kvmnet_gethostbyname2_r() for AF_INET. */
enum nss_status _nss_kvmnet_gethostbyname_r(const char *name, struct hostent *result,
					    char *buffer, size_t buflen, int *errnop,
					    int *h_errnop);

/*
 * Reverse lookup: fills 'result' with the names of the address at 'addr' ('len' bytes, which
 * must be 4 for AF_INET and 16 for AF_INET6, else UNAVAIL with EINVAL) from the first line
 * holding it.
 * '*ttlp' (may be NULL) is set to 0.
 */
enum nss_status _nss_kvmnet_gethostbyaddr2_r(const void *addr, socklen_t len, int af,
					     struct hostent *result, char *buffer, size_t buflen,
					     int *errnop, int *h_errnop, int32_t *ttlp);

/* gethostbyaddr_r(): _nss_kvmnet_gethostbyaddr2_r() without TTL. */
enum nss_status _nss_kvmnet_gethostbyaddr_r(const void *addr, socklen_t len, int af,
					    struct hostent *result, char *buffer, size_t buflen,
					    int *errnop, int *h_errnop);

#endif
