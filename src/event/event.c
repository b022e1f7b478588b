/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of event.h. Every io, timer and signal source is one epoll registration (timers
 * and signals own a timerfd/signalfd). Freed sources are unlinked at once and released after the
 * dispatch round, so a callback may free any source, even one whose event is still pending.
 */
#include "event.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "shared/alloc-util.h"
#include "shared/log.h"

#define EVENT_MAX_BATCH 64

enum event_source_type {
	EVENT_SOURCE_IO,
	EVENT_SOURCE_TIMER,
	EVENT_SOURCE_SIGNAL,
	EVENT_SOURCE_DEFER,
};

struct event_source {
	struct event_loop *loop;
	enum event_source_type type;
	int fd;          /* watched fd; owned only for timers and signals */
	bool dead;       /* freed during this round; memory released afterwards */
	bool enabled;    /* defer sources: pending */
	int sig;
	void *data;
	union {
		event_io_fn io;
		event_time_fn timer;
		event_signal_fn signal;
		event_defer_fn defer;
	} cb;
	struct event_source *next, *prev;     /* all live sources */
	struct event_source *next_dead;
};

struct event_loop {
	int epoll_fd;
	bool exiting;
	int exit_code;
	struct event_source *sources; /* io, timer and signal sources */
	struct event_source *defers;  /* defer sources: a list of their own, so that looking for
				       * a pending one costs the few defers, not every socket */
	struct event_source *dead;
	struct event_loop_stats stats;
};

uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

static uint64_t thread_cpu_usec(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) < 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

/* Accounts one round that began at 'start' (wall) / 'start_cpu' (thread CPU). */
static void event_round_done(struct event_loop *e, uint64_t start, uint64_t start_cpu)
{
	uint64_t wall = now_usec() - start, cpu = thread_cpu_usec() - start_cpu;
	struct event_loop_stats *st = &e->stats;

	st->rounds++;
	st->busy_usec += wall;
	if (wall > st->max_round_usec) {
		st->max_round_usec = wall;
		st->max_round_cpu_usec = cpu;
	}
	st->rounds_over_100ms += wall >= 100 * 1000ULL;
	st->rounds_over_1s += wall >= 1000 * 1000ULL;
	if (wall >= EVENT_SLOW_ROUND_USEC)
		log_warning("Event loop: one round took %llu ms (%llu ms of CPU): nothing else was "
			    "served meanwhile", (unsigned long long)(wall / 1000),
			    (unsigned long long)(cpu / 1000));
}

void event_loop_get_stats(const struct event_loop *e, struct event_loop_stats *ret)
{
	*ret = e->stats;
}

int event_loop_new(struct event_loop **ret)
{
	struct event_loop *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epoll_fd < 0) {
		int r = -errno;
		free(e);
		return r;
	}
	*ret = e;
	return 0;
}

static void event_release_dead(struct event_loop *e)
{
	while (e->dead) {
		struct event_source *s = e->dead;
		e->dead = s->next_dead;
		free(s);
	}
}

struct event_loop *event_loop_free(struct event_loop *e)
{
	if (!e)
		return NULL;
	while (e->sources)
		event_source_free(e->sources);
	while (e->defers)
		event_source_free(e->defers);
	event_release_dead(e);
	if (e->epoll_fd >= 0)
		close(e->epoll_fd);
	free(e);
	return NULL;
}

static struct event_source **event_source_list(struct event_loop *e, enum event_source_type type)
{
	return type == EVENT_SOURCE_DEFER ? &e->defers : &e->sources;
}

static int event_source_attach(struct event_loop *e, enum event_source_type type, int fd,
			       uint32_t events, void *data, struct event_source **ret)
{
	struct event_source *s = calloc(1, sizeof(*s)), **head = event_source_list(e, type);

	if (!s)
		return -ENOMEM;
	*s = (struct event_source){ .loop = e, .type = type, .fd = fd, .data = data, .sig = -1 };
	if (fd >= 0) {
		struct epoll_event ev = { .events = events, .data.ptr = s };
		if (epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			int r = -errno;
			free(s);
			return r;
		}
	}
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
	*ret = s;
	return 0;
}

int event_add_io(struct event_loop *e, int fd, uint32_t events, event_io_fn cb, void *data,
		 struct event_source **ret)
{
	struct event_source *s = NULL;
	int r = event_source_attach(e, EVENT_SOURCE_IO, fd, events, data, &s);

	if (r < 0)
		return r;
	s->cb.io = cb;
	*ret = s;
	return 0;
}

int event_source_set_io_events(struct event_source *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = s };

	if (epoll_ctl(s->loop->epoll_fd, EPOLL_CTL_MOD, s->fd, &ev) < 0)
		return -errno;
	return 0;
}

int event_source_set_time(struct event_source *s, uint64_t usec)
{
	struct itimerspec its = { 0 };

	if (usec > 0) {
		its.it_value.tv_sec = (time_t)(usec / 1000000ULL);
		its.it_value.tv_nsec = (long)(usec % 1000000ULL) * 1000L;
	}
	if (timerfd_settime(s->fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		return -errno;
	return 0;
}

int event_add_timer(struct event_loop *e, uint64_t usec, event_time_fn cb, void *data,
		    struct event_source **ret)
{
	struct event_source *s = NULL;
	int fd, r;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = event_source_attach(e, EVENT_SOURCE_TIMER, fd, EPOLLIN, data, &s);
	if (r < 0) {
		close(fd);
		return r;
	}
	s->cb.timer = cb;
	r = event_source_set_time(s, usec);
	if (r < 0) {
		event_source_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int event_add_signal(struct event_loop *e, int sig, event_signal_fn cb, void *data,
		     struct event_source **ret)
{
	struct event_source *s = NULL;
	sigset_t mask;
	int fd, r;

	sigemptyset(&mask);
	sigaddset(&mask, sig);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = event_source_attach(e, EVENT_SOURCE_SIGNAL, fd, EPOLLIN, data, &s);
	if (r < 0) {
		close(fd);
		return r;
	}
	s->cb.signal = cb;
	s->sig = sig;
	*ret = s;
	return 0;
}

int event_add_defer(struct event_loop *e, event_defer_fn cb, void *data, struct event_source **ret)
{
	struct event_source *s = NULL;
	int r = event_source_attach(e, EVENT_SOURCE_DEFER, -1, 0, data, &s);

	if (r < 0)
		return r;
	s->cb.defer = cb;
	s->enabled = true;
	*ret = s;
	return 0;
}

void event_source_enable_defer(struct event_source *s)
{
	s->enabled = true;
}

struct event_source *event_source_free(struct event_source *s)
{
	struct event_loop *e;

	if (!s || s->dead)
		return NULL;
	e = s->loop;
	if (s->fd >= 0) {
		epoll_ctl(e->epoll_fd, EPOLL_CTL_DEL, s->fd, NULL);
		if (s->type == EVENT_SOURCE_TIMER || s->type == EVENT_SOURCE_SIGNAL)
			close(s->fd);
	}
	if (s->prev)
		s->prev->next = s->next;
	else
		*event_source_list(e, s->type) = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->dead = true;
	s->next_dead = e->dead;
	e->dead = s;
	return NULL;
}

static int event_dispatch(struct event_source *s, uint32_t revents)
{
	switch (s->type) {
	case EVENT_SOURCE_IO:
		return s->cb.io(s, s->fd, revents, s->data);
	case EVENT_SOURCE_TIMER: {
		uint64_t expirations;
		if (read(s->fd, &expirations, sizeof(expirations)) < 0)
			return errno == EAGAIN ? 0 : -errno;
		return s->cb.timer(s, now_usec(), s->data);
	}
	case EVENT_SOURCE_SIGNAL: {
		struct signalfd_siginfo si;
		ssize_t n = read(s->fd, &si, sizeof(si));
		if (n != (ssize_t)sizeof(si))
			return n < 0 && errno != EAGAIN ? -errno : 0;
		return s->cb.signal(s, &si, s->data);
	}
	case EVENT_SOURCE_DEFER:
		break;
	}
	return 0;
}

static struct event_source *event_next_defer(struct event_loop *e)
{
	for (struct event_source *s = e->defers; s; s = s->next)
		if (s->enabled)
			return s;
	return NULL;
}

/*
 * Runs pending defer sources. A callback may free or enable any source, so the list is searched
 * afresh after each one; a bounded number run per round so a self-re-enabling defer cannot
 * starve io.
 */
static void event_run_defers(struct event_loop *e)
{
	unsigned budget = 1024;
	struct event_source *s = NULL;

	while (!e->exiting && budget-- > 0 && (s = event_next_defer(e))) {
		s->enabled = false;
		int r = s->cb.defer(s, s->data);
		if (r < 0)
			log_debug_errno(r, "Deferred callback failed: %m");
	}
	event_release_dead(e);
}

int event_loop_run(struct event_loop *e)
{
	struct epoll_event events[EVENT_MAX_BATCH];

	uint64_t start = now_usec(), start_cpu = thread_cpu_usec();

	e->exiting = false;
	while (!e->exiting) {
		event_run_defers(e);
		if (e->exiting)
			break;

		event_round_done(e, start, start_cpu);
		int n = epoll_wait(e->epoll_fd, events, EVENT_MAX_BATCH, -1);
		start = now_usec();
		start_cpu = thread_cpu_usec();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n; i++) {
			struct event_source *s = events[i].data.ptr;
			if (s->dead)
				continue;
			int r = event_dispatch(s, events[i].events);
			if (r < 0)
				log_debug_errno(r, "Event callback failed: %m");
		}
		event_release_dead(e);
	}
	return e->exit_code;
}

void event_loop_exit(struct event_loop *e, int code)
{
	e->exiting = true;
	e->exit_code = code;
}
