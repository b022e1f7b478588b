/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for api-proto: request/response encoding and decoding, errors, line framing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/api-proto.h"

static void test_request_round_trip(void **state)
{
	json_t *params = json_pack("{s:s, s:{s:s}}", "name", "lab", "config", "mode", "nat");
	struct api_request req;
	char *line = NULL;

	assert_int_equal(api_request_encode(42, "net.create", params, &line), 0);
	/* One line, newline-terminated, no newline inside. */
	assert_non_null(strchr(line, '\n'));
	assert_int_equal(strchr(line, '\n') - line, (long)strlen(line) - 1);
	assert_int_equal(api_request_decode(line, strlen(line) - 1, &req), 0);
	assert_int_equal(req.id, 42);
	assert_string_equal(req.method, "net.create");
	assert_true(json_equal(req.params, params));
	api_request_done(&req);
	free(line);
	json_decref(params);
}

static void test_request_without_params(void **state)
{
	const char *line = "{\"id\":7,\"method\":\"net.list\"}";
	struct api_request req;

	assert_int_equal(api_request_decode(line, strlen(line), &req), 0);
	assert_true(json_is_object(req.params));
	assert_int_equal(json_object_size(req.params), 0);
	api_request_done(&req);
}

static void test_request_newline_in_string_is_escaped(void **state)
{
	json_t *params = json_pack("{s:s}", "text", "[network]\nmode = nat\n");
	char *line = NULL;

	assert_int_equal(api_request_encode(1, "net.define", params, &line), 0);
	assert_ptr_equal(strchr(line, '\n'), line + strlen(line) - 1);
	free(line);
	json_decref(params);
}

static void test_request_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[1,2,3]",
		"{\"method\":\"x\"}",
		"{\"id\":-1,\"method\":\"x\"}",
		"{\"id\":\"1\",\"method\":\"x\"}",
		"{\"id\":1}",
		"{\"id\":1,\"method\":5}",
		"{\"id\":1,\"method\":\"x\",\"params\":[]}",
		"{\"id\":1,\"method\":\"x\",\"method\":\"y\"}",
		"{\"id\":1,\"method\":\"x\"",
	};
	struct api_request req;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(api_request_decode(bad[i], strlen(bad[i]), &req), -EBADMSG);
		assert_null(req.root);
	}
}

static void test_response_result(void **state)
{
	json_t *result = json_pack("[{s:s}]", "name", "lab");
	struct api_response resp;
	char *line = NULL;

	assert_int_equal(api_response_encode_result(9, result, &line), 0);
	assert_int_equal(api_response_decode(line, strlen(line) - 1, &resp), 0);
	assert_int_equal(resp.id, 9);
	assert_int_equal(resp.error, 0);
	assert_true(json_equal(resp.result, result));
	api_response_done(&resp);
	free(line);
	json_decref(result);
}

static void test_response_null_result(void **state)
{
	struct api_response resp;
	char *line = NULL;

	assert_int_equal(api_response_encode_result(3, NULL, &line), 0);
	assert_int_equal(api_response_decode(line, strlen(line) - 1, &resp), 0);
	assert_true(json_is_null(resp.result));
	api_response_done(&resp);
	free(line);
}

static void test_response_error(void **state)
{
	struct api_response resp;
	char *line = NULL;

	assert_int_equal(api_response_encode_error(5, -EBUSY, "subnet overlaps network 'web'", &line),
			 0);
	assert_non_null(strstr(line, "\"code\":\"EBUSY\""));
	assert_non_null(strstr(line, "\"errno\":16"));
	assert_int_equal(api_response_decode(line, strlen(line) - 1, &resp), 0);
	assert_int_equal(resp.error, -EBUSY);
	assert_string_equal(resp.code, "EBUSY");
	assert_string_equal(resp.message, "subnet overlaps network 'web'");
	assert_null(resp.result);
	api_response_done(&resp);
	free(line);
}

static void test_errno_codes(void **state)
{
	assert_string_equal(api_errno_to_code(-EEXIST), "EEXIST");
	assert_string_equal(api_errno_to_code(ENOENT), "ENOENT");
	assert_string_equal(api_errno_to_code(-E2BIG), "E2BIG");
	assert_string_equal(api_errno_to_code(-12345), "EIO");
}

static void test_response_malformed(void **state)
{
	static const char *const bad[] = {
		"{\"id\":1}",
		"{\"id\":1,\"error\":{\"code\":\"EIO\"}}",
		"{\"id\":1,\"error\":\"x\"}",
		"{\"result\":1}",
	};
	struct api_response resp;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(api_response_decode(bad[i], strlen(bad[i]), &resp), -EBADMSG);
}

static void test_linebuf_split(void **state)
{
	struct api_linebuf b = { 0 };
	const char *line;
	size_t len;

	assert_false(api_linebuf_next(&b, &line, &len));
	assert_int_equal(api_linebuf_append(&b, "ab", 2), 0);
	assert_false(api_linebuf_next(&b, &line, &len));
	assert_int_equal(api_linebuf_append(&b, "c\nde\nf", 6), 0);
	assert_true(api_linebuf_next(&b, &line, &len));
	assert_int_equal(len, 3);
	assert_string_equal(line, "abc");
	assert_true(api_linebuf_next(&b, &line, &len));
	assert_string_equal(line, "de");
	assert_false(api_linebuf_next(&b, &line, &len));
	assert_int_equal(api_linebuf_append(&b, "g\n", 2), 0);
	assert_true(api_linebuf_next(&b, &line, &len));
	assert_string_equal(line, "fg");
	api_linebuf_done(&b);
}

static void test_linebuf_limit(void **state)
{
	struct api_linebuf b = { 0 };
	char *chunk = malloc(64 * 1024);
	int r = 0;

	memset(chunk, 'x', 64 * 1024);
	for (int i = 0; i < 400 && r == 0; i++)
		r = api_linebuf_append(&b, chunk, 64 * 1024);
	assert_int_equal(r, -E2BIG);
	api_linebuf_done(&b);
	free(chunk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_round_trip),
		cmocka_unit_test(test_request_without_params),
		cmocka_unit_test(test_request_newline_in_string_is_escaped),
		cmocka_unit_test(test_request_malformed),
		cmocka_unit_test(test_response_result),
		cmocka_unit_test(test_response_null_result),
		cmocka_unit_test(test_response_error),
		cmocka_unit_test(test_errno_codes),
		cmocka_unit_test(test_response_malformed),
		cmocka_unit_test(test_linebuf_split),
		cmocka_unit_test(test_linebuf_limit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
