/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's one event loop: epoll over io sources, one-shot timers (timerfd, CLOCK_MONOTONIC),
 * signals (signalfd) and deferred callbacks that run once before the next wait. Everything in
 * kvmnetd -- the API socket, the netlink monitor, DHCP and DNS sockets -- is a source here.
 * Shaped after Redis's ae.h and sd-event, but much smaller.
 */
#ifndef KN_EVENT_EVENT_H
#define KN_EVENT_EVENT_H

#include <stdint.h>
#include <sys/epoll.h>

struct event_loop;
struct event_source;
struct signalfd_siginfo;

/* Callbacks return 0, or a negative errno which is logged at debug level and otherwise ignored. */
typedef int (*event_io_fn)(struct event_source *s, int fd, uint32_t revents, void *data);
typedef int (*event_time_fn)(struct event_source *s, uint64_t now_usec, void *data);
typedef int (*event_signal_fn)(struct event_source *s, const struct signalfd_siginfo *si,
			       void *data);
typedef int (*event_defer_fn)(struct event_source *s, void *data);

/* Monotonic clock in microseconds. */
uint64_t now_usec(void);

int event_loop_new(struct event_loop **ret);
/* Frees the loop and every source still attached to it; accepts NULL; returns NULL. */
struct event_loop *event_loop_free(struct event_loop *e);

/*
 * Watches 'fd' (not owned, never closed here) for 'events' (EPOLLIN/EPOLLOUT/...). The source
 * belongs to the loop until event_source_free(). Returns 0 or -errno from epoll_ctl.
 */
int event_add_io(struct event_loop *e, int fd, uint32_t events, event_io_fn cb, void *data,
		 struct event_source **ret);
int event_source_set_io_events(struct event_source *s, uint32_t events);

/*
 * A one-shot timer firing at 'usec' on the monotonic clock (0 = disarmed). Re-arm it from its
 * callback or anywhere with event_source_set_time().
 */
int event_add_timer(struct event_loop *e, uint64_t usec, event_time_fn cb, void *data,
		    struct event_source **ret);
int event_source_set_time(struct event_source *s, uint64_t usec);

/* Blocks 'sig' for the process and delivers it through a signalfd to 'cb'. */
int event_add_signal(struct event_loop *e, int sig, event_signal_fn cb, void *data,
		     struct event_source **ret);

/* A callback that runs once, before the loop next waits; then it is disabled until re-enabled. */
int event_add_defer(struct event_loop *e, event_defer_fn cb, void *data, struct event_source **ret);
void event_source_enable_defer(struct event_source *s);

/*
 * Detaches and frees 's'; accepts NULL; returns NULL. Safe from inside any callback, including
 * the source's own: the memory is released after the current dispatch round.
 */
struct event_source *event_source_free(struct event_source *s);

/* Runs until event_loop_exit(); returns the exit code given there. May be run again. */
int event_loop_run(struct event_loop *e);
/* Makes event_loop_run() return 'code' after the current dispatch round. */
void event_loop_exit(struct event_loop *e, int code);

/*
 * How long the loop's rounds took: a round is everything between one epoll_wait() returning and
 * the next one being entered (the callbacks of its events, then the defers), wall time and the
 * thread's CPU time. A round over EVENT_SLOW_ROUND_USEC is logged as a warning: no reply leaves
 * and no packet is read meanwhile.
 */
#define EVENT_SLOW_ROUND_USEC (1000 * 1000ULL)
struct event_loop_stats {
	uint64_t rounds;
	uint64_t busy_usec;             /* wall time in rounds, summed */
	uint64_t max_round_usec;        /* the longest round, wall time */
	uint64_t max_round_cpu_usec;    /* the thread's CPU time in that round */
	uint64_t rounds_over_100ms;
	uint64_t rounds_over_1s;
};
void event_loop_get_stats(const struct event_loop *e, struct event_loop_stats *ret);

#endif
