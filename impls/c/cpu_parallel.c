/* cpu-parallel: the article's ProcessPoolExecutor sample. Task k (0 <= k < tasks)
 * computes s_k = Σ_{i < n+k} i*i (wrapping u64); the checksum is Σ_k s_k, ops = tasks, and
 * `workers` is the pool size (c-seq ignores it). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "protocol.h"

/* Task k's work: the sum of i*i for i < n+k, wrapping (unsigned arithmetic wraps in C).
 *
 * Kept to the six instructions of Go's taskSum and Rust's task (mov, imul, add, inc, cmp,
 * jb): the empty asm tells the compiler that the loop counter may have changed, so that it
 * can neither replace the loop by the closed form of Σi² (clang would, as LLVM does for
 * Rust) nor vectorise it, while the counter stays in a register (the asm has no memory
 * operand), as Rust's `opaque` does. gcc 12.2 -O2 compiles it to mov, imul, add $1, add,
 * cmp, jb. Never inlined, like theirs, so that both models run the same copy of the loop. */
__attribute__((noinline)) static uint64_t task_sum(uint64_t n, uint64_t k) {
    uint64_t end = n + k, sum = 0;
    for (uint64_t i = 0; i < end;) {
        sum += i * i;
        i++;
        __asm__ volatile("" : "+r"(i));
    }
    return sum;
}

static const char *cpu_seq(const args_t *args, outcome_t *out) {
    uint64_t tasks = args_get(args, "tasks"), n = args_get(args, "n");
    uint64_t start = now_ns();
    uint64_t sum = 0;
    for (uint64_t k = 0; k < tasks; k++) {
        sum += task_sum(n, k);
    }
    *out = (outcome_t){.checksum = sum, .elapsed_ns = now_ns() - start, .ops = tasks};
    return NULL;
}

/* What the workers of c-threads share: the task count, n, and the next task index. */
typedef struct {
    uint64_t tasks, n;
    atomic_uint_fast64_t next;
} pool_t;

/* One worker of c-threads: claims task indices until none is left and returns its partial
 * sum through pthread_join. */
static void *cpu_worker(void *arg) {
    pool_t *pool = arg;
    uint64_t sum = 0;
    for (;;) {
        /* Relaxed: the index only hands out distinct numbers; the results travel back
         * through pthread_join, which synchronises. */
        uint64_t k = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed);
        if (k >= pool->tasks) {
            break;
        }
        sum += task_sum(pool->n, k);
    }
    /* The partial sum travels in the pointer itself: a 64-bit machine's pointer holds it. */
    return (void *)(uintptr_t)sum;
}

/* c-threads: `workers` pthreads claim task numbers from a shared atomic index until none
 * is left (the scheme of rust-threads); each returns its partial sum through
 * pthread_join. */
static const char *cpu_threads(const args_t *args, outcome_t *out) {
    _Static_assert(sizeof(uintptr_t) >= sizeof(uint64_t), "a partial sum travels in a pointer");
    uint64_t workers = args_get(args, "workers");
    pool_t pool = {.tasks = args_get(args, "tasks"), .n = args_get(args, "n")};
    atomic_init(&pool.next, 0);
    pthread_t *threads = malloc(workers * sizeof *threads);
    if (threads == NULL) {
        return "out of memory for the thread handles";
    }
    const char *failure = NULL;
    uint64_t start = now_ns();
    uint64_t started = 0;
    for (; started < workers; started++) {
        if (pthread_create(&threads[started], NULL, cpu_worker, &pool) != 0) {
            failure = "pthread_create failed"; /* the threads already started finish the tasks */
            break;
        }
    }
    uint64_t sum = 0;
    for (uint64_t w = 0; w < started; w++) {
        void *partial;
        pthread_join(threads[w], &partial);
        sum += (uint64_t)(uintptr_t)partial;
    }
    *out = (outcome_t){.checksum = sum, .elapsed_ns = now_ns() - start, .ops = pool.tasks};
    free(threads);
    return failure;
}

static const param_t params[] = {
    {"tasks", 1, 1000000},
    {"n", 0, 10000000000u},
    {"workers", 1, 1024},
};

static const model_t models[] = {
    {"c-seq", cpu_seq},
    {"c-threads", cpu_threads},
};

const workload_t cpu_parallel = {
    "cpu-parallel", params, sizeof params / sizeof *params, models, sizeof models / sizeof *models,
};
