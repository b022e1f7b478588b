/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of api-proto.h on top of jansson. Documents are parsed with a size bound first. */
#include "api-proto.h"

#include <errno.h>
#include <string.h>

#include "shared/alloc-util.h"

static const struct {
	int error;
	const char *code;
} api_error_codes[] = {
	{ EINVAL, "EINVAL" },     { ENOENT, "ENOENT" },   { EEXIST, "EEXIST" },
	{ EBUSY, "EBUSY" },       { E2BIG, "E2BIG" },     { ENOSPC, "ENOSPC" },
	{ EBADMSG, "EBADMSG" },   { EPROTO, "EPROTO" },   { EOPNOTSUPP, "EOPNOTSUPP" },
	{ EPERM, "EPERM" },       { EACCES, "EACCES" },   { ENOMEM, "ENOMEM" },
	{ ENODEV, "ENODEV" },     { EADDRINUSE, "EADDRINUSE" }, { EIO, "EIO" },
	{ ENOSYS, "ENOSYS" },     { EALREADY, "EALREADY" },
};

const char *api_errno_to_code(int error)
{
	if (error < 0)
		error = -error;
	for (size_t i = 0; i < ELEMENTSOF(api_error_codes); i++)
		if (api_error_codes[i].error == error)
			return api_error_codes[i].code;
	return "EIO";
}

static int api_errno_from_code(const char *code)
{
	for (size_t i = 0; i < ELEMENTSOF(api_error_codes); i++)
		if (strcmp(api_error_codes[i].code, code) == 0)
			return -api_error_codes[i].error;
	return -EIO;
}

/* Dumps 'doc' compactly plus '\n'; jansson escapes control characters, so no raw newline. */
static int api_dump_line(json_t *doc, char **ret)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	size_t len;

	if (!s)
		return -ENOMEM;
	len = strlen(s);
	if (len + 1 > API_MESSAGE_MAX) {
		free(s);
		return -E2BIG;
	}
	char *line = realloc(s, len + 2);
	if (!line) {
		free(s);
		return -ENOMEM;
	}
	line[len] = '\n';
	line[len + 1] = '\0';
	*ret = line;
	return 0;
}

void api_request_done(struct api_request *r)
{
	json_decref(r->root);
	*r = (struct api_request){ 0 };
}

void api_response_done(struct api_response *r)
{
	json_decref(r->root);
	*r = (struct api_response){ 0 };
}

int api_request_encode(uint64_t id, const char *method, json_t *params, char **ret)
{
	json_t *doc = json_pack("{s:I, s:s}", "id", (json_int_t)id, "method", method);
	int r;

	if (!doc)
		return -ENOMEM;
	if (params && json_object_set(doc, "params", params) < 0) {
		json_decref(doc);
		return -ENOMEM;
	}
	r = api_dump_line(doc, ret);
	json_decref(doc);
	return r;
}

static json_t *api_parse_object(const char *line, size_t len)
{
	json_t *doc;

	if (len >= API_MESSAGE_MAX)
		return NULL;
	doc = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL);
	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

static int api_get_id(json_t *doc, uint64_t *ret)
{
	json_t *id = json_object_get(doc, "id");

	if (!json_is_integer(id) || json_integer_value(id) < 0)
		return -EBADMSG;
	*ret = (uint64_t)json_integer_value(id);
	return 0;
}

int api_request_decode(const char *line, size_t len, struct api_request *ret)
{
	json_t *doc = api_parse_object(line, len);
	json_t *method, *params;
	struct api_request r = { 0 };

	*ret = (struct api_request){ 0 };
	if (!doc)
		return -EBADMSG;
	r.root = doc;
	method = json_object_get(doc, "method");
	params = json_object_get(doc, "params");
	if (api_get_id(doc, &r.id) < 0 || !json_is_string(method) ||
	    (params && !json_is_object(params))) {
		json_decref(doc);
		return -EBADMSG;
	}
	if (!params) {
		params = json_object();
		if (!params || json_object_set_new(doc, "params", params) < 0) {
			json_decref(doc);
			return -ENOMEM;
		}
	}
	r.method = json_string_value(method);
	r.params = params;
	*ret = r;
	return 0;
}

int api_response_encode_result(uint64_t id, json_t *result, char **ret)
{
	json_t *doc = json_pack("{s:I, s:O?}", "id", (json_int_t)id, "result", result);
	int r;

	if (!doc)
		return -ENOMEM;
	r = api_dump_line(doc, ret);
	json_decref(doc);
	return r;
}

int api_response_encode_error(uint64_t id, int error, const char *message, char **ret)
{
	json_t *doc = json_pack("{s:I, s:{s:s, s:i, s:s}}", "id", (json_int_t)id, "error", "code",
				api_errno_to_code(error), "errno", error < 0 ? -error : error,
				"message", message ? message : "");
	int r;

	if (!doc)
		return -ENOMEM;
	r = api_dump_line(doc, ret);
	json_decref(doc);
	return r;
}

int api_response_decode(const char *line, size_t len, struct api_response *ret)
{
	json_t *doc = api_parse_object(line, len);
	struct api_response r = { 0 };
	json_t *err;

	*ret = (struct api_response){ 0 };
	if (!doc)
		return -EBADMSG;
	r.root = doc;
	if (api_get_id(doc, &r.id) < 0)
		goto bad;
	err = json_object_get(doc, "error");
	if (err) {
		json_t *code = json_object_get(err, "code");
		json_t *msg = json_object_get(err, "message");
		if (!json_is_object(err) || !json_is_string(code) || !json_is_string(msg))
			goto bad;
		r.code = json_string_value(code);
		r.message = json_string_value(msg);
		r.error = api_errno_from_code(r.code);
	} else {
		r.result = json_object_get(doc, "result");
		if (!r.result)
			goto bad;
	}
	*ret = r;
	return 0;
bad:
	json_decref(doc);
	return -EBADMSG;
}

void api_linebuf_done(struct api_linebuf *b)
{
	free(b->buf);
	*b = (struct api_linebuf){ 0 };
}

int api_linebuf_append(struct api_linebuf *b, const void *data, size_t len)
{
	/* Drop lines already handed out before growing. */
	if (b->consumed > 0) {
		memmove(b->buf, b->buf + b->consumed, b->len - b->consumed);
		b->len -= b->consumed;
		b->consumed = 0;
	}
	/* Lines are taken out as soon as they are complete, so this bounds one message. */
	if (b->len + len > API_MESSAGE_MAX)
		return -E2BIG;
	if (b->len + len + 1 > b->size) {
		size_t size = b->size ? b->size : 4096;
		while (size < b->len + len + 1)
			size *= 2;
		char *p = realloc(b->buf, size);
		if (!p)
			return -ENOMEM;
		b->buf = p;
		b->size = size;
	}
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	return 0;
}

bool api_linebuf_next(struct api_linebuf *b, const char **ret_line, size_t *ret_len)
{
	char *start, *nl;

	if (!b->buf || b->consumed >= b->len)
		return false;
	start = b->buf + b->consumed;
	nl = memchr(start, '\n', b->len - b->consumed);
	if (!nl)
		return false;
	*nl = '\0';
	*ret_line = start;
	*ret_len = (size_t)(nl - start);
	b->consumed += *ret_len + 1;
	return true;
}
