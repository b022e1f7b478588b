/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS on the wire (RFC 1035 §4, RFC 6891 EDNS0): header flags, opcodes, response codes, types,
 * classes and the limits the RFCs fix. Constants only; dns-packet.c reads and writes names and
 * records, dns-server.c builds the answers.
 */
#ifndef KN_DNS_DNS_PROTO_H
#define KN_DNS_DNS_PROTO_H

#include <stdint.h>

#define DNS_PORT 53

/* RFC 1035 §4.1.1: ID, flags and four counts, 16 bits each, network order. */
#define DNS_HEADER_SIZE 12

/* The flags word (host order). */
#define DNS_FLAG_QR 0x8000U        /* a response */
#define DNS_FLAG_AA 0x0400U        /* authoritative answer */
#define DNS_FLAG_TC 0x0200U        /* truncated */
#define DNS_FLAG_RD 0x0100U        /* recursion desired */
#define DNS_FLAG_RA 0x0080U        /* recursion available */
#define DNS_FLAG_AD 0x0020U        /* authentic data (RFC 4035) */
#define DNS_FLAG_CD 0x0010U        /* checking disabled (RFC 4035) */
#define DNS_FLAGS_OPCODE(f) (((f) >> 11) & 0xfU)
#define DNS_FLAGS_RCODE(f) ((f) & 0xfU)

enum dns_opcode {
	DNS_OPCODE_QUERY = 0,
	DNS_OPCODE_IQUERY = 1,
	DNS_OPCODE_STATUS = 2,
	DNS_OPCODE_NOTIFY = 4,
	DNS_OPCODE_UPDATE = 5,
};

enum dns_rcode {
	DNS_RCODE_NOERROR = 0,
	DNS_RCODE_FORMERR = 1,
	DNS_RCODE_SERVFAIL = 2,
	DNS_RCODE_NXDOMAIN = 3,
	DNS_RCODE_NOTIMP = 4,
	DNS_RCODE_REFUSED = 5,
	DNS_RCODE_BADVERS = 16,    /* extended (RFC 6891 §9): upper 8 bits in the OPT TTL */
};

enum dns_type {
	DNS_TYPE_A = 1,
	DNS_TYPE_NS = 2,
	DNS_TYPE_CNAME = 5,
	DNS_TYPE_SOA = 6,
	DNS_TYPE_PTR = 12,
	DNS_TYPE_MX = 15,
	DNS_TYPE_TXT = 16,
	DNS_TYPE_AAAA = 28,
	DNS_TYPE_SRV = 33,
	DNS_TYPE_OPT = 41,
	DNS_TYPE_IXFR = 251,
	DNS_TYPE_AXFR = 252,
	DNS_TYPE_ANY = 255,
};

enum dns_class {
	DNS_CLASS_IN = 1,
	DNS_CLASS_CH = 3,
	DNS_CLASS_ANY = 255,
};

/* RFC 1035 §2.3.4 and §4.1.4 */
#define DNS_LABEL_MAX 63           /* octets in one label */
#define DNS_NAME_WIRE_MAX 255      /* octets of a name on the wire, root label included */
#define DNS_NAME_TEXT_MAX 253      /* characters of a name in text without the trailing dot */
#define DNS_LABELS_MAX 127         /* a 255-octet name holds at most this many labels */
#define DNS_POINTER_MASK 0xc0U     /* top two bits of a length byte: 11 = compression pointer */
#define DNS_POINTER_OFFSET_MAX 0x3fffU
/* Hops allowed through compression pointers while reading one name; real names need a few. */
#define DNS_POINTER_HOPS_MAX 16

/* Fixed parts: type, class (question); type, class, TTL, RDLENGTH (resource record). */
#define DNS_QUESTION_FIXED 4
#define DNS_RR_FIXED 10

/* RFC 1035 §4.2.1: plain UDP messages are at most 512 octets. */
#define DNS_UDP_PLAIN_MAX 512
/*
 * RFC 6891 EDNS0. The UDP payload size we advertise: 1232 avoids IP fragmentation on any path
 * with an MTU of 1280 (the "DNS flag day 2020" value).
 */
#define DNS_EDNS_UDP_SIZE 1232
#define DNS_EDNS_VERSION 0
#define DNS_EDNS_FLAG_DO 0x8000U   /* in the low 16 bits of the OPT TTL (RFC 3225) */
#define DNS_OPT_RR_SIZE 11         /* root name, type, class, TTL, RDLENGTH 0 */

#endif
