#include "cli/http_guard.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "base/util.h"

typedef struct guard_slot {
	int fd;          /* -1: free */
	double since_ms; /* when the request's clock started */
	bool reaped;     /* shut down already: once is enough */
} guard_slot;

struct http_guard {
	pthread_mutex_t lock;
	double limit_ms;
	unsigned count;
	guard_slot *slots;
	unsigned *free_stack; /* indices of free slots */
	unsigned n_free;
};

http_guard *http_guard_new(unsigned slots, double limit_s)
{
	http_guard *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->slots = calloc(slots, sizeof(*g->slots));
	g->free_stack = calloc(slots, sizeof(*g->free_stack));
	if (!g->slots || !g->free_stack) {
		http_guard_free(g);
		return NULL;
	}
	pthread_mutex_init(&g->lock, NULL);
	g->limit_ms = limit_s * 1000.0;
	g->count = slots;
	for (unsigned i = 0; i < slots; i++) {
		g->slots[i].fd = -1;
		g->free_stack[g->n_free++] = slots - 1 - i;
	}
	return g;
}

void http_guard_free(http_guard *g)
{
	if (!g)
		return;
	if (g->slots)
		pthread_mutex_destroy(&g->lock);
	free(g->slots);
	free(g->free_stack);
	free(g);
}

void *http_guard_start(http_guard *g, int fd)
{
	pthread_mutex_lock(&g->lock);
	guard_slot *s = NULL;
	if (g->n_free) {
		s = &g->slots[g->free_stack[--g->n_free]];
		s->fd = fd;
		s->since_ms = xpu_now_ms();
		s->reaped = false;
	}
	pthread_mutex_unlock(&g->lock);
	if (!s)
		shutdown(fd, SHUT_RDWR);
	return s;
}

void http_guard_restart(http_guard *g, void *slot)
{
	if (!slot)
		return;
	pthread_mutex_lock(&g->lock);
	((guard_slot *)slot)->since_ms = xpu_now_ms();
	pthread_mutex_unlock(&g->lock);
}

void http_guard_end(http_guard *g, void *slot)
{
	if (!slot)
		return;
	guard_slot *s = slot;
	pthread_mutex_lock(&g->lock);
	s->fd = -1;
	g->free_stack[g->n_free++] = (unsigned)(s - g->slots);
	pthread_mutex_unlock(&g->lock);
}

unsigned http_guard_reap(http_guard *g)
{
	unsigned n = 0;
	double now = xpu_now_ms();
	/* under the lock: a slot's descriptor is the connection's until
	 * http_guard_end, which the server calls before it closes it */
	pthread_mutex_lock(&g->lock);
	for (unsigned i = 0; i < g->count; i++) {
		guard_slot *s = &g->slots[i];
		if (s->fd >= 0 && !s->reaped && now - s->since_ms > g->limit_ms) {
			shutdown(s->fd, SHUT_RDWR);
			s->reaped = true;
			n++;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return n;
}
