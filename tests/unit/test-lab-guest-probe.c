/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the tiny guest's probe channel (lab-guest-probe.h): its result lines and their
 * details, and the channel against a fake guest on the socket it listens on (a path longer than
 * sun_path): answers matched by id and what they name, garbled and overlong lines ignored, at
 * most LAB_GUEST_PROBE_INFLIGHT probes out, a probe never answered asked again and failed at its
 * deadline, a cancelled one forgotten, and every pending one failed when the guest's end closes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "daemon/lab/lab-guest-probe.h"
#include "daemon/lab/lab-node.h"
#include "event/event.h"

static void test_parse(void **state)
{
	const char *text, *what;
	size_t what_len;
	uint32_t id;
	int st;

	(void)state;
	assert_true(lab_guest_probe_parse("KNRESULT 7 tcp:10.1.2.3:80 open", &id, &what, &what_len,
					  &st, &text));
	assert_int_equal(id, 7);
	assert_int_equal(what_len, strlen("tcp:10.1.2.3:80"));
	assert_memory_equal(what, "tcp:10.1.2.3:80", what_len);
	assert_int_equal(st, 1);
	assert_string_equal(text, "");
	assert_true(lab_guest_probe_parse("KNRESULT 12 icmp:10.1.2.3 closed no-reply", &id, &what,
					  &what_len, &st, &text));
	assert_int_equal(id, 12);
	assert_int_equal(st, 0);
	assert_string_equal(text, "no-reply");
	assert_true(lab_guest_probe_parse("KNRESULT 3 icmp:1.2.3.4 error bad-address", &id, &what,
					  &what_len, &st, &text));
	assert_int_equal(st, -1);
	assert_string_equal(text, "bad-address");
	assert_false(lab_guest_probe_parse("KNRESULT 7 open", &id, &what, &what_len, &st, &text));
	assert_false(lab_guest_probe_parse("KNRESULT 0 icmp:1.2.3.4 open", &id, &what, &what_len,
					   &st, &text));
	assert_false(lab_guest_probe_parse("KNRESULT x icmp:1.2.3.4 open", &id, &what, &what_len,
					   &st, &text));
	assert_false(lab_guest_probe_parse("KNRESULT 5 icmp:1.2.3.4 opened", &id, &what,
					   &what_len, &st, &text));
	assert_false(lab_guest_probe_parse("KNRESULT 5 icmp:1.2.3.4", &id, &what, &what_len, &st,
					   &text));
	assert_false(lab_guest_probe_parse("KNRESULT 99999999999 icmp:1.2.3.4 open", &id, &what,
					   &what_len, &st, &text));
	assert_false(lab_guest_probe_parse("KVMNET-GUEST ready", &id, &what, &what_len, &st,
					   &text));
	assert_false(lab_guest_probe_parse("", &id, &what, &what_len, &st, &text));
}

static void test_detail(void **state)
{
	char buf[64];

	(void)state;
	lab_guest_probe_detail("nc: can't connect to remote host (10.1.1.1): Connection refused",
			       true, 2, buf, sizeof(buf));
	assert_string_equal(buf, "refused");
	lab_guest_probe_detail("nc: timed out", true, 2, buf, sizeof(buf));
	assert_string_equal(buf, "no answer within 2 s");
	lab_guest_probe_detail("", true, 3, buf, sizeof(buf));
	assert_string_equal(buf, "no answer within 3 s");
	lab_guest_probe_detail("nc: can't connect to remote host (10.1.1.1): Network is unreachable",
			       true, 2, buf, sizeof(buf));
	assert_string_equal(buf, "Network is unreachable");
	lab_guest_probe_detail("no-reply", false, 2, buf, sizeof(buf));
	assert_string_equal(buf, "no reply within 2 s");
}

#define N_PROBES (LAB_GUEST_PROBE_INFLIGHT + 2)

struct run {
	struct lab_probe probe;
	int calls, r;
	bool open;
	char detail[160];
};

static struct event_loop *loop;
static int want, got;

static void on_done(struct lab_probe *p, int r, bool open, const char *detail)
{
	struct run *x = (struct run *)((char *)p - offsetof(struct run, probe));

	x->calls++;
	x->r = r;
	x->open = open;
	snprintf(x->detail, sizeof(x->detail), "%s", detail);
	if (++got >= want)
		event_loop_exit(loop, 0);
}

static int on_guard(struct event_source *s, uint64_t now, void *data)
{
	(void)s;
	(void)now;
	(void)data;
	event_loop_exit(loop, -ETIMEDOUT);
	return 0;
}

/* Runs the loop until 'n' more probes ended (fails after 3 s). */
static void run_until(int n)
{
	struct event_source *guard = NULL;

	want = got + n;
	assert_int_equal(event_add_timer(loop, now_usec() + 3000000ULL, on_guard, NULL, &guard), 0);
	assert_int_equal(event_loop_run(loop), 0);
	event_source_free(guard);
}

/* Reads from the fake guest's end until 'needle' came (and what came with it) into 'buf'. */
static void read_until(int fd, const char *needle, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	while (!strstr(buf, needle)) {
		ssize_t k = recv(fd, buf + len, size - 1 - len, 0);

		assert_true(k > 0);
		len += (size_t)k;
		buf[len] = '\0';
	}
}

static void say(int fd, const char *line)
{
	assert_int_equal(send(fd, line, strlen(line), 0), (ssize_t)strlen(line));
}

static void test_channel(void **state)
{
	char dir[] = "/tmp/kn-probe-XXXXXX", path[400], sub[300], buf[8192], err[200];
	static struct run runs[N_PROBES], late, cancelled;
	struct lab_guest_probe *g = NULL;
	int lfd = -1, gfd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/%0120d", dir, 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/lab.node.probe.sock", sub);
	assert_true(strlen(path) > 108);
	assert_int_equal(event_loop_new(&loop), 0);
	/* sent again 200 ms after its timeout (0 s here) without an answer, failed after 900 ms */
	assert_int_equal(lab_guest_probe_new(loop, path, 200000ULL, 900000ULL, &g), 0);

	/* nobody listens: refused at once, with a line */
	runs[0].probe = (struct lab_probe){ .port = 80, .timeout_sec = 0, .done = on_done };
	assert_int_equal(lab_guest_probe_submit(g, &runs[0].probe, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "no such socket"));

	assert_int_equal(lab_guest_probe_listen(path, &lfd), 0);
	for (int i = 0; i < N_PROBES; i++) {
		runs[i] = (struct run){ 0 };
		runs[i].probe = (struct lab_probe){ .port = (uint16_t)(i % 2 ? 0 : 80 + i),
						    .timeout_sec = 0, .done = on_done };
		inet_pton(AF_INET, "10.1.2.3", &runs[i].probe.target);
		assert_int_equal(lab_guest_probe_submit(g, &runs[i].probe, err, sizeof(err)), 0);
	}
	gfd = accept(lfd, NULL, NULL);
	assert_true(gfd >= 0);
	/* only LAB_GUEST_PROBE_INFLIGHT are out */
	read_until(gfd, "KNPROBE 8 ", buf, sizeof(buf));
	assert_non_null(strstr(buf, "KNPROBE 1 tcp 10.1.2.3 80 0\nKNPROBE 2 icmp 10.1.2.3 0\n"));
	assert_null(strstr(buf, "KNPROBE 9 "));

	/*
	 * Answers out of order; a garbled line, an overlong one, an unknown id, and an answer whose
	 * id is right but names another probe (a repeated character): all ignored.
	 */
	say(gfd, "KNRESULT 2 icmp:10.1.2.3 open\nKNRES\n");
	memset(buf, 'x', 700);
	buf[700] = '\0';
	say(gfd, buf);
	say(gfd, " KNRESULT 3 tcp:10.1.2.3:82 open\nKNRESULT 999 icmp:10.1.2.3 open\n");
	say(gfd, "KNRESULT 3 tcp:10.1.2.3:822 open\nKNRESULT 3 tcp:10.1.2.3:8 open\n");
	say(gfd, "KNRESULT 1 tcp:10.1.2.3:80 closed nc: can't connect to remote host (10.1.2.3): "
		 "Connection refused\nKNRESULT 3 tcp:10.1.2.3:82 closed nc: timed out\n"
		 "KNRESULT 4 icmp:10.1.2.3 closed no-reply\n");
	run_until(4);
	assert_true(runs[1].open && runs[1].r == 0);
	assert_string_equal(runs[1].detail, "echo reply");
	assert_true(!runs[0].open && runs[0].r == 0);
	assert_string_equal(runs[0].detail, "refused");
	assert_true(!runs[2].open && runs[2].r == 0);
	assert_string_equal(runs[2].detail, "no answer within 0 s");
	assert_string_equal(runs[3].detail, "no reply within 0 s");
	for (int i = 0; i < 4; i++)
		assert_int_equal(runs[i].calls, 1);

	/* the queued ones went out as answers came */
	read_until(gfd, "KNPROBE 10 icmp 10.1.2.3 0\n", buf, sizeof(buf));
	assert_non_null(strstr(buf, "KNPROBE 9 tcp 10.1.2.3 88 0\n"));
	say(gfd, "KNRESULT 5 tcp:10.1.2.3:84 open\nKNRESULT 6 icmp:10.1.2.3 error bad-address\n"
		 "KNRESULT 7 tcp:10.1.2.3:86 open\nKNRESULT 8 icmp:10.1.2.3 open\n"
		 "KNRESULT 9 tcp:10.1.2.3:88 open\nKNRESULT 9 tcp:10.1.2.3:88 closed\n");
	run_until(5);
	assert_int_equal(runs[5].r, -EPROTO);
	assert_string_equal(runs[5].detail, "the guest refused the probe: bad-address");
	assert_string_equal(runs[4].detail, "connected");
	assert_true(runs[8].open && runs[8].calls == 1);

	/* probe 10 never answered: asked again, then failed at its deadline */
	cancelled.probe = (struct lab_probe){ .timeout_sec = 0, .done = on_done };
	assert_int_equal(lab_guest_probe_submit(g, &cancelled.probe, err, sizeof(err)), 0);
	lab_guest_probe_cancel(g, &cancelled.probe);
	assert_false(cancelled.probe.queued);
	run_until(1);
	assert_int_equal(runs[9].r, -ETIMEDOUT);
	assert_string_equal(runs[9].detail, "the guest did not answer within 0 s");
	read_until(gfd, "KNPROBE 11 ", buf, sizeof(buf));
	if (!strstr(buf, "KNPROBE 10 icmp"))
		read_until(gfd, "KNPROBE 10 icmp 10.1.2.3 0\n", buf, sizeof(buf));
	/* late answers, to the cancelled one and the failed one: ignored */
	say(gfd, "KNRESULT 11 icmp:0.0.0.0 open\nKNRESULT 10 icmp:10.1.2.3 open\n");

	/* the guest's end closes: what is pending fails, the cancelled one stays silent */
	late.probe = (struct lab_probe){ .timeout_sec = 5, .done = on_done };
	assert_int_equal(lab_guest_probe_submit(g, &late.probe, err, sizeof(err)), 0);
	close(gfd);
	run_until(1);
	assert_int_equal(late.r, -ECONNRESET);
	assert_non_null(strstr(late.detail, "probe channel closed"));
	assert_int_equal(cancelled.calls, 0);
	assert_int_equal(runs[9].calls, 1);

	/* and it connects again for the next one */
	late = (struct run){ 0 };
	late.probe = (struct lab_probe){ .timeout_sec = 5, .done = on_done };
	assert_int_equal(lab_guest_probe_submit(g, &late.probe, err, sizeof(err)), 0);
	gfd = accept(lfd, NULL, NULL);
	assert_true(gfd >= 0);
	read_until(gfd, "\n", buf, sizeof(buf));
	assert_string_equal(buf, "KNPROBE 13 icmp 0.0.0.0 5\n");
	close(gfd);
	lab_guest_probe_free(g);
	close(lfd);
	event_loop_free(loop);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_detail),
		cmocka_unit_test(test_channel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
