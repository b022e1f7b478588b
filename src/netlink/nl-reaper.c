/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of nl-reaper.h: a counter of requests and one of completed group deletions,
 * under a mutex; the thread deletes the group whenever the first is ahead of the second.
 */
#include "netlink/nl-reaper.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>

#include "netlink/nl-link.h"
#include "netlink/nl-sock.h"

struct nl_reaper {
	struct nl_sock *nl;        /* the thread's own */
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;       /* signalled when 'requested' or 'done' moves, or on 'stop' */
	uint64_t requested;        /* links handed over so far */
	uint64_t done;             /* 'requested' as it was before the last completed deletion */
	bool stop;
};

static void *nl_reaper_main(void *data)
{
	struct nl_reaper *r = data;

	pthread_mutex_lock(&r->lock);
	for (;;) {
		uint64_t want;

		while (r->done == r->requested && !r->stop)
			pthread_cond_wait(&r->cond, &r->lock);
		if (r->done == r->requested)
			break;
		want = r->requested;
		pthread_mutex_unlock(&r->lock);
		/* -ENODEV: nothing in the group (someone deleted them first). Any other error
		 * leaves them there for the next round or the next start-up. */
		(void)nl_link_delete_group(r->nl, NL_REAPER_GROUP);
		pthread_mutex_lock(&r->lock);
		r->done = want;
		pthread_cond_broadcast(&r->cond);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

int nl_reaper_new(struct nl_reaper **ret)
{
	struct nl_reaper *r = calloc(1, sizeof(*r));
	sigset_t all, saved;
	int k;

	if (!r)
		return -ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->cond, NULL);
	k = nl_sock_new(&r->nl);
	if (k < 0) {
		nl_reaper_free(r);
		return k;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &saved);
	k = pthread_create(&r->thread, NULL, nl_reaper_main, r);
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	if (k != 0) {
		nl_reaper_free(r);
		return -k;
	}
	r->started = true;
	*ret = r;
	return 0;
}

struct nl_reaper *nl_reaper_free(struct nl_reaper *r)
{
	if (!r)
		return NULL;
	if (r->started) {
		pthread_mutex_lock(&r->lock);
		r->stop = true;
		pthread_cond_broadcast(&r->cond);
		pthread_mutex_unlock(&r->lock);
		pthread_join(r->thread, NULL);
	}
	nl_sock_free(r->nl);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
	return NULL;
}

int nl_reaper_delete(struct nl_reaper *r, struct nl_sock *s, int ifindex)
{
	int k = nl_link_set_group(s, ifindex, NL_REAPER_GROUP);

	if (k < 0)
		return k;
	pthread_mutex_lock(&r->lock);
	r->requested++;
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return 0;
}

bool nl_reaper_busy(struct nl_reaper *r)
{
	bool busy;

	pthread_mutex_lock(&r->lock);
	busy = r->done != r->requested;
	pthread_mutex_unlock(&r->lock);
	return busy;
}

void nl_reaper_drain(struct nl_reaper *r)
{
	pthread_mutex_lock(&r->lock);
	while (r->done != r->requested)
		pthread_cond_wait(&r->cond, &r->lock);
	pthread_mutex_unlock(&r->lock);
}

int nl_reaper_reap_now(struct nl_sock *s)
{
	int k = nl_link_delete_group(s, NL_REAPER_GROUP);

	return k == -ENODEV ? 0 : k;
}
