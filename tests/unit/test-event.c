/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests for the event loop: io, timers, signals, defers, and freeing sources in callbacks. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cmocka.h>

#include "event/event.h"

struct ctx {
	struct event_loop *loop;
	struct event_source *a, *b;
	int io_calls, timer_calls, signal_calls, defer_calls;
	int last_signal;
	uint64_t fired_at;
};

static int on_io(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct ctx *c = data;
	char buf[16];

	assert_true(revents & EPOLLIN);
	assert_true(read(fd, buf, sizeof(buf)) > 0);
	c->io_calls++;
	event_loop_exit(c->loop, 7);
	return 0;
}

static void test_io(void **state)
{
	struct ctx c = { 0 };
	struct event_source *s;
	int p[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(event_loop_new(&c.loop), 0);
	assert_int_equal(event_add_io(c.loop, p[0], EPOLLIN, on_io, &c, &s), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(event_loop_run(c.loop), 7);
	assert_int_equal(c.io_calls, 1);
	event_loop_free(c.loop);
	close(p[0]);
	close(p[1]);
}

static int on_timer(struct event_source *s, uint64_t now, void *data)
{
	struct ctx *c = data;

	c->timer_calls++;
	c->fired_at = now;
	if (c->timer_calls < 3)
		return event_source_set_time(s, now + 1000);
	event_loop_exit(c->loop, 0);
	return 0;
}

static void test_timer_rearm(void **state)
{
	struct ctx c = { 0 };
	struct event_source *s;
	uint64_t start = now_usec();

	assert_int_equal(event_loop_new(&c.loop), 0);
	assert_int_equal(event_add_timer(c.loop, start + 20000, on_timer, &c, &s), 0);
	assert_int_equal(event_loop_run(c.loop), 0);
	assert_int_equal(c.timer_calls, 3);
	assert_true(c.fired_at >= start + 20000);
	event_loop_free(c.loop);
}

static int on_signal(struct event_source *s, const struct signalfd_siginfo *si, void *data)
{
	struct ctx *c = data;

	c->signal_calls++;
	c->last_signal = (int)si->ssi_signo;
	event_loop_exit(c->loop, 0);
	return 0;
}

static void test_signal(void **state)
{
	struct ctx c = { 0 };
	struct event_source *s;

	assert_int_equal(event_loop_new(&c.loop), 0);
	assert_int_equal(event_add_signal(c.loop, SIGUSR1, on_signal, &c, &s), 0);
	assert_int_equal(kill(getpid(), SIGUSR1), 0);
	assert_int_equal(event_loop_run(c.loop), 0);
	assert_int_equal(c.signal_calls, 1);
	assert_int_equal(c.last_signal, SIGUSR1);
	event_loop_free(c.loop);
}

static int on_defer(struct event_source *s, void *data)
{
	struct ctx *c = data;

	c->defer_calls++;
	return 0;
}

static int on_timer_exit(struct event_source *s, uint64_t now, void *data)
{
	struct ctx *c = data;

	event_loop_exit(c->loop, 0);
	return 0;
}

static void test_defer_runs_once_until_enabled(void **state)
{
	struct ctx c = { 0 };
	struct event_source *d, *t;

	assert_int_equal(event_loop_new(&c.loop), 0);
	assert_int_equal(event_add_defer(c.loop, on_defer, &c, &d), 0);
	assert_int_equal(event_add_timer(c.loop, now_usec() + 5000, on_timer_exit, &c, &t), 0);
	assert_int_equal(event_loop_run(c.loop), 0);
	assert_int_equal(c.defer_calls, 1);
	/* Not pending any more: a second run does not call it... */
	assert_int_equal(event_source_set_time(t, now_usec() + 5000), 0);
	assert_int_equal(event_loop_run(c.loop), 0);
	assert_int_equal(c.defer_calls, 1);
	/* ...until it is enabled again. */
	event_source_enable_defer(d);
	assert_int_equal(event_source_set_time(t, now_usec() + 5000), 0);
	assert_int_equal(event_loop_run(c.loop), 0);
	assert_int_equal(c.defer_calls, 2);
	event_loop_free(c.loop);
}

/* A callback freeing another source whose event is pending in the same round. */
static int on_io_free_other(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct ctx *c = data;
	char buf[16];

	assert_true(read(fd, buf, sizeof(buf)) > 0);
	c->io_calls++;
	event_source_free(s == c->a ? c->b : c->a);
	event_loop_exit(c->loop, 0);
	return 0;
}

static void test_free_pending_source(void **state)
{
	struct ctx c = { 0 };
	int p[2], q[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	assert_int_equal(event_loop_new(&c.loop), 0);
	assert_int_equal(event_add_io(c.loop, p[0], EPOLLIN, on_io_free_other, &c, &c.a), 0);
	assert_int_equal(event_add_io(c.loop, q[0], EPOLLIN, on_io_free_other, &c, &c.b), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(write(q[1], "x", 1), 1);
	/* Both are ready in the same round; whichever runs first frees the other. */
	assert_int_equal(event_loop_run(c.loop), 0);
	assert_int_equal(c.io_calls, 1);
	event_loop_free(c.loop);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_io),
		cmocka_unit_test(test_timer_rearm),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_defer_runs_once_until_enabled),
		cmocka_unit_test(test_free_pending_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
