/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for shared/strbuf, shared/file-util and shared/fd-util , against a tmpdir. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shared/alloc-util.h"
#include "shared/fd-util.h"
#include "shared/file-util.h"
#include "shared/strbuf.h"

static char tmpdir[64];

static int setup(void **state)
{
	strcpy(tmpdir, "/tmp/kn-test-XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int count_entries(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;
	int n = 0;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void test_strbuf(void **state)
{
	_cleanup_(strbuf_done) struct strbuf sb = STRBUF_INIT;
	_cleanup_free_ char *s = NULL, *e = NULL;
	char big[5000];

	assert_int_equal(strbuf_steal(&sb, &e), 0);
	assert_string_equal(e, "");
	assert_int_equal(strbuf_append(&sb, "abc"), 0);
	assert_int_equal(strbuf_appendn(&sb, "defXYZ", 3), 0);
	assert_int_equal(strbuf_appendn(&sb, NULL, 0), 0);
	assert_int_equal(strbuf_appendf(&sb, "-%d-%s", 42, "x"), 0);
	assert_int_equal(sb.len, 11);
	assert_string_equal(sb.buf, "abcdef-42-x");
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_int_equal(strbuf_appendf(&sb, "%s|", big), 0);
	assert_int_equal(sb.len, 11 + 4999 + 1);
	assert_int_equal(sb.buf[sb.len], '\0');
	assert_int_equal(sb.buf[sb.len - 1], '|');
	assert_int_equal(strbuf_steal(&sb, &s), 0);
	assert_null(sb.buf);
	assert_int_equal(sb.len, 0);
	assert_int_equal(strlen(s), 11 + 5000);
	assert_int_equal(strbuf_append(&sb, "again"), 0);
	assert_string_equal(sb.buf, "again");
	strbuf_done(&sb);
	assert_null(sb.buf);
	strbuf_done(&sb); /* twice is fine */
}

static void test_write_read(void **state)
{
	char path[128], tmpl[128];
	_cleanup_free_ char *buf = NULL, *buf2 = NULL, *buf3 = NULL;
	size_t len = 99;
	struct stat st;
	mode_t old = umask(077);

	snprintf(path, sizeof(path), "%s/lab.conf", tmpdir);
	assert_int_equal(write_file_atomic(path, "hello\n", 6, 0644), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644); /* umask ignored */
	umask(old);
	assert_int_equal(read_file(path, 100, &buf, &len), 0);
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");

	/* Replace, with embedded NUL. */
	assert_int_equal(write_file_atomic(path, "a\0b", 3, 0600), 0);
	assert_int_equal(read_file(path, 3, &buf2, &len), 0);
	assert_int_equal(len, 3);
	assert_memory_equal(buf2, "a\0b", 4);
	assert_int_equal(read_file(path, 2, &buf3, NULL), -E2BIG);
	assert_null(buf3);
	assert_int_equal(count_entries(), 1); /* no temp file left */

	/* Empty file. */
	assert_int_equal(write_file_atomic(path, NULL, 0, 0600), 0);
	assert_int_equal(read_file(path, 0, &buf3, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(buf3, "");

	/* Failures: missing dir, path is a dir, bad path. Nothing is left behind. */
	snprintf(tmpl, sizeof(tmpl), "%s/nodir/x.conf", tmpdir);
	assert_int_equal(write_file_atomic(tmpl, "x", 1, 0600), -ENOENT);
	snprintf(tmpl, sizeof(tmpl), "%s/sub", tmpdir);
	assert_int_equal(mkdir(tmpl, 0700), 0);
	assert_int_equal(write_file_atomic(tmpl, "x", 1, 0600), -EISDIR);
	assert_int_equal(count_entries(), 2);
	assert_int_equal(write_file_atomic("", "x", 1, 0600), -EINVAL);
	assert_int_equal(write_file_atomic("/tmp/", "x", 1, 0600), -EINVAL);
	assert_int_equal(read_file(tmpl, 10, &buf3, NULL), -EISDIR);
	assert_int_equal(rmdir(tmpl), 0);

	/* Not regular: /proc file with st_size 0, growth past 4096. */
	{
		_cleanup_free_ char *p = NULL;
		assert_int_equal(read_file("/proc/self/status", 1 << 20, &p, &len), 0);
		assert_true(len > 0 && strlen(p) == len);
	}
	{
		_cleanup_free_ char *p = NULL;
		assert_int_equal(read_file("/proc/self/status", 10, &p, &len), -E2BIG);
	}
	assert_int_equal(read_file("/nonexistent/x", 10, &buf3, NULL), -ENOENT);

	/* Large file spanning several reallocs. */
	{
		size_t n = 300000;
		char *data = malloc(n);
		_cleanup_free_ char *p = NULL;
		for (size_t i = 0; i < n; i++)
			data[i] = (char)('a' + i % 26);
		assert_int_equal(write_file_atomic(path, data, n, 0600), 0);
		assert_int_equal(read_file(path, n, &p, &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(p, data, n);
		free(data);
	}

	assert_int_equal(unlink_and_sync(path), 0);
	assert_int_equal(unlink_and_sync(path), -ENOENT);
	assert_int_equal(count_entries(), 0);
	assert_int_equal(fsync_parent_directory(path), 0);
	assert_int_equal(fsync_parent_directory("relative-name"), 0);
}

static void test_read_only_dir(void **state)
{
	char dir[128], path[160];

	if (geteuid() == 0)
		skip();
	snprintf(dir, sizeof(dir), "%s/ro", tmpdir);
	assert_int_equal(mkdir(dir, 0500), 0);
	snprintf(path, sizeof(path), "%s/x", dir);
	assert_int_equal(write_file_atomic(path, "x", 1, 0600), -EACCES);
	rmdir(dir);
}

static void test_fd(void **state)
{
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(fcntl(p[0], F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(fd_set_nonblock_cloexec(p[0]), 0);
	assert_true(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	assert_int_equal(fd_set_nonblock_cloexec(p[0]), 0); /* idempotent */
	assert_int_equal(fd_write_all(p[1], "abc", 3), 0);
	{
		char b[4] = "";
		assert_int_equal(read(p[0], b, 3), 3);
		assert_string_equal(b, "abc");
	}
	/* Fill a non-blocking pipe: -EAGAIN. */
	assert_int_equal(fd_set_nonblock_cloexec(p[1]), 0);
	{
		static char big[1 << 20];
		assert_int_equal(fd_write_all(p[1], big, sizeof(big)), -EAGAIN);
	}
	errno = 1234;
	assert_int_equal(safe_close(p[0]), -1);
	assert_int_equal(errno, 1234);
	assert_int_equal(safe_close(p[1]), -1);
	assert_int_equal(safe_close(-1), -1);
	assert_int_equal(fd_set_nonblock_cloexec(p[0]), -EBADF);
	assert_int_equal(fd_set_nonblock_cloexec(-1), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strbuf),
		cmocka_unit_test(test_write_read),
		cmocka_unit_test(test_read_only_dir),
		cmocka_unit_test(test_fd),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
