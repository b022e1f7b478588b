/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCP options (RFC 2132), bounds-checked: a parser that fills views into the caller's message
 * (options field, then 'file' and 'sname' when option 52 overloads them; repeated options
 * concatenated per RFC 3396), a builder that writes into the caller's buffer and never past it,
 * and decoders for the option values the server records (host name, client FQDN). No allocation;
 * dhcp-server.c is the user.
 */
#ifndef KN_DHCP_DHCP_OPTION_H
#define KN_DHCP_DHCP_OPTION_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for options split over several instances (RFC 3396) that must be joined. */
#define DHCP_OPTIONS_SCRATCH 2048
/* A host name is one DNS label. */
#define DHCP_HOSTNAME_MAX 63

/*
 * The options of one message. 'data' and 'len' of a code are valid only when it is present;
 * 'data' points into the message or into 'scratch', so the struct must not outlive the message.
 */
struct dhcp_options {
	uint64_t present[4];              /* bit per option code */
	uint8_t overload;                 /* option 52: DHCP_OVERLOAD_* bits, 0 = none */
	size_t scratch_used;
	int scratch_tail;                 /* code whose joined value ends 'scratch', or -1 */
	const uint8_t *data[256];
	uint16_t len[256];
	uint8_t scratch[DHCP_OPTIONS_SCRATCH];
};

/* "DHCPDISCOVER" ... "DHCPINFORM", or NULL for an unknown type. */
const char *dhcp_msg_type_to_string(int type);

/*
 * Parses the options of the DHCP message 'msg' of 'len' bytes (the fixed header included) into
 * 'o'. Checks the magic cookie, that every option lies within its field, and option 52. A missing
 * END is accepted (the field ends with the message). Returns 0 or -EBADMSG; never reads past
 * 'len'. Does not look at the other header fields.
 */
int dhcp_options_parse(struct dhcp_options *o, const uint8_t *msg, size_t len);

/* True if option 'code' was present (possibly with length 0). */
bool dhcp_options_has(const struct dhcp_options *o, uint8_t code);

/* The value of option 'code' and its length in '*ret_len', or NULL when absent. Borrowed. */
const uint8_t *dhcp_options_get(const struct dhcp_options *o, uint8_t code, size_t *ret_len);

/*
 * Fixed-size values, converted to host order ('ret_addr' stays in network order, as struct
 * in_addr is). -ENOENT when absent, -EBADMSG when the length is wrong.
 */
int dhcp_options_get_u8(const struct dhcp_options *o, uint8_t code, uint8_t *ret);
int dhcp_options_get_u16(const struct dhcp_options *o, uint8_t code, uint16_t *ret);
int dhcp_options_get_u32(const struct dhcp_options *o, uint8_t code, uint32_t *ret);
int dhcp_options_get_addr(const struct dhcp_options *o, uint8_t code, struct in_addr *ret_addr);

/* Writes options into a caller's buffer; always keeps one byte for the END option. */
struct dhcp_option_builder {
	uint8_t *buf;
	size_t size;
	size_t len;
};

/* Starts building into 'buf' of 'size' bytes (at least 1). */
void dhcp_option_builder_init(struct dhcp_option_builder *b, uint8_t *buf, size_t size);

/*
 * Appends option 'code' with 'len' bytes of 'data'; values over 255 bytes are split into several
 * instances (RFC 3396). Returns 0, or -E2BIG when it would not fit with the END option after it
 * (then nothing is written). -EINVAL for PAD or END.
 */
int dhcp_option_append(struct dhcp_option_builder *b, uint8_t code, const void *data, size_t len);
int dhcp_option_append_u8(struct dhcp_option_builder *b, uint8_t code, uint8_t v);
int dhcp_option_append_u16(struct dhcp_option_builder *b, uint8_t code, uint16_t v);
int dhcp_option_append_u32(struct dhcp_option_builder *b, uint8_t code, uint32_t v);
int dhcp_option_append_addr(struct dhcp_option_builder *b, uint8_t code, struct in_addr a);

/* Bytes an option of 'len' bytes takes on the wire, headers of all its instances included. */
size_t dhcp_option_wire_size(size_t len);

/* Writes END and returns the number of bytes used. */
size_t dhcp_option_builder_finish(struct dhcp_option_builder *b);

/*
 * Turns a host name sent by a client (option 12, or the name in option 81) of 'len' bytes into
 * one DNS label in 'ret': trailing NULs dropped, the first label of a dotted name taken, folded
 * to lowercase. Returns 0, or -EINVAL (and "" in 'ret') unless the label is 1..63 characters of
 * [a-z0-9-] that neither starts nor ends with '-'.
 */
int dhcp_hostname_sanitize(const uint8_t *name, size_t len, char ret[DHCP_HOSTNAME_MAX + 1]);

/*
 * Decodes the client FQDN option 81 (RFC 4702: flags, two RCODEs, then the name in DNS wire
 * format when flag E is set, else ASCII) and sanitises its first label into 'ret'. Returns 0 or
 * -EINVAL ("" in 'ret').
 */
int dhcp_fqdn_hostname(const uint8_t *opt, size_t len, char ret[DHCP_HOSTNAME_MAX + 1]);

#endif
