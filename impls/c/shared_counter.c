/* shared-counter: the article's Arc<Mutex> sample. `units` pthreads each add 1 to one
 * shared counter `increments` times; the checksum is the final counter, ops = units ×
 * increments. */
#include <pthread.h>
#include <stdlib.h>

#include "protocol.h"

/* What the units of c-mutex share: the counter, its lock, and each unit's increments. */
typedef struct {
    pthread_mutex_t lock;
    uint64_t counter;
    uint64_t increments;
} counter_t;

/* One unit of c-mutex: each increment takes the lock. lock and unlock are calls gcc cannot
 * see into (and a lock is a compiler barrier), so every increment loads and stores the
 * counter. */
static void *add_locked(void *arg) {
    counter_t *c = arg;
    for (uint64_t i = 0; i < c->increments; i++) {
        pthread_mutex_lock(&c->lock);
        c->counter++;
        pthread_mutex_unlock(&c->lock);
    }
    return NULL;
}

/* c-mutex: `units` pthreads and one default pthread_mutex_t. With one unit it measures the
 * uncontended lock. */
static const char *counter_mutex(const args_t *args, outcome_t *out) {
    uint64_t units = args_get(args, "units");
    counter_t c = {.counter = 0, .increments = args_get(args, "increments")};
    if (pthread_mutex_init(&c.lock, NULL) != 0) {
        return "pthread_mutex_init failed";
    }
    pthread_t *threads = malloc(units * sizeof *threads);
    if (threads == NULL) {
        return "out of memory for the thread handles";
    }
    const char *failure = NULL;
    uint64_t start = now_ns();
    uint64_t started = 0;
    for (; started < units; started++) {
        if (pthread_create(&threads[started], NULL, add_locked, &c) != 0) {
            failure = "pthread_create failed";
            break;
        }
    }
    for (uint64_t u = 0; u < started; u++) {
        pthread_join(threads[u], NULL);
    }
    /* pthread_join orders every increment before this read. */
    *out = (outcome_t){.checksum = c.counter, .elapsed_ns = now_ns() - start, .ops = units * c.increments};
    free(threads);
    pthread_mutex_destroy(&c.lock);
    return failure;
}

/* c-mutex-local: no concurrency: one thread owns a pthread_mutex_t that no other thread
 * ever sees, and locks it for every unit's increments, one after another. The C side of
 * "an uncontended lock in a single-threaded program" (rust-mutex-local): glibc's default
 * mutex takes its lock with a compare-and-swap whether or not the process has threads. */
static const char *counter_mutex_local(const args_t *args, outcome_t *out) {
    uint64_t units = args_get(args, "units");
    uint64_t increments = args_get(args, "increments");
    pthread_mutex_t lock;
    if (pthread_mutex_init(&lock, NULL) != 0) {
        return "pthread_mutex_init failed";
    }
    uint64_t counter = 0;
    uint64_t start = now_ns();
    for (uint64_t i = 0; i < units * increments; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    *out = (outcome_t){.checksum = counter, .elapsed_ns = now_ns() - start, .ops = units * increments};
    pthread_mutex_destroy(&lock);
    return NULL;
}

static const param_t params[] = {
    {"units", 1, 100000},
    {"increments", 0, 1000000000},
};

static const model_t models[] = {
    {"c-mutex", counter_mutex},
    {"c-mutex-local", counter_mutex_local},
};

const workload_t shared_counter = {
    "shared-counter", params, sizeof params / sizeof *params, models, sizeof models / sizeof *models,
};
