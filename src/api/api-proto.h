/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The control protocol shared by kvmnetd and kvmnet (docs/API.md): newline-delimited JSON over a
 * UNIX stream socket. A request is {"id":N,"method":"net.create","params":{...}}; a response is
 * {"id":N,"result":...} or {"id":N,"error":{"code":"EEXIST","errno":17,"message":"..."}}.
 * This module encodes and decodes messages and splits a byte stream into lines; no I/O.
 */
#ifndef KN_API_API_PROTO_H
#define KN_API_API_PROTO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVMNET_API_VERSION 1
/* Largest message either side accepts, newline included. */
#define API_MESSAGE_MAX (16 * 1024 * 1024)

struct api_request {
	json_t *root;         /* owned: the whole document */
	uint64_t id;
	const char *method;   /* borrowed from 'root' */
	json_t *params;       /* borrowed from 'root'; an empty object when absent */
};

struct api_response {
	json_t *root;         /* owned */
	uint64_t id;
	json_t *result;       /* borrowed; NULL on error */
	int error;            /* negative errno on error, else 0 */
	const char *code;     /* borrowed: "EEXIST", ... (error only) */
	const char *message;  /* borrowed (error only) */
};

/* Frees the document held by 'r'; accepts an already-cleared struct. */
void api_request_done(struct api_request *r);
void api_response_done(struct api_response *r);

/*
 * Encodes a request as one line ending in '\n' into '*ret' (malloc'd). 'params' is borrowed
 * (may be NULL). Returns 0, -ENOMEM or -E2BIG when over API_MESSAGE_MAX.
 */
int api_request_encode(uint64_t id, const char *method, json_t *params, char **ret);

/*
 * Decodes one line (without its '\n'). Returns 0, or -EBADMSG when it is not a JSON object
 * with an unsigned integer "id", a string "method" and an optional object "params"; on error
 * '*ret' is left cleared.
 */
int api_request_decode(const char *line, size_t len, struct api_request *ret);

/* Encodes a success response; 'result' is borrowed (NULL encodes as null). */
int api_response_encode_result(uint64_t id, json_t *result, char **ret);
/* Encodes an error response for negative errno 'error' with a one-line 'message'. */
int api_response_encode_error(uint64_t id, int error, const char *message, char **ret);

/* Decodes a response line. Returns 0 or -EBADMSG. */
int api_response_decode(const char *line, size_t len, struct api_response *ret);

/* "EEXIST" for -EEXIST (or EEXIST); "EIO" for unknown values. */
const char *api_errno_to_code(int error);

/* Accumulates bytes from a stream and yields complete lines. */
struct api_linebuf {
	char *buf;
	size_t len, size;
	size_t consumed;   /* bytes of 'buf' already handed out as lines */
};

void api_linebuf_done(struct api_linebuf *b);
/* Appends 'len' bytes. Returns -E2BIG when a line would exceed API_MESSAGE_MAX, -ENOMEM. */
int api_linebuf_append(struct api_linebuf *b, const void *data, size_t len);
/*
 * Returns true and a view of the next complete line (without '\n', NUL-terminated in place)
 * valid until the next append; false when no complete line is buffered.
 */
bool api_linebuf_next(struct api_linebuf *b, const char **ret_line, size_t *ret_len);

#endif
