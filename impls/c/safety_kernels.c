/* safety-kernels: the C side of loops where Rust's memory safety could cost something
 * (safety_kernels.rs), written as a C programmer would: plain arrays, indices and pointers,
 * no checks. `kernel` picks one; each walks `len` elements `passes` times (ops = len ×
 * passes). The data are built before the clock: the xorshift stream from 1,
 * d[0] = xs(1) and d[i] = xs(d[i - 1]) for i < len.
 *
 * 1. histogram: keys[i] = d[i] >> 52; every pass adds 1 to counts[keys[i]] for each i.
 *    Checksum: Σ_b counts[b] × (b + 1).
 * 2. pipeline: pass r sums v = (a[i] ^ r) × b[i] over the i where v < 2^63, with a = d and
 *    b[i] = xs(d[i]), in one for loop.
 * 3. shared: each pass fills `len` items that each hold a plain pointer to the shared
 *    table d, then consumes them, reading table[index] ^ r. Nothing counts the holders:
 *    keeping the table alive is the programmer's job. Checksum: Σ_r Σ_i (d[i] ^ r).
 *
 * All sums wrap at 2^64 (unsigned arithmetic). */
#include <stdlib.h>

#include "protocol.h"

/* The histogram's buckets: a key is the top 12 bits of a 64-bit value. */
#define BUCKETS 4096

/* One step of xorshift64 (docs/DESIGN.md, "Workloads"). */
static uint64_t xs(uint64_t x) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

/* Kernel 1: a histogram of keys, `passes` times over; Σ_b counts[b] × (b + 1). */
static uint64_t histogram(const uint32_t *keys, size_t len, uint64_t passes) {
    uint64_t counts[BUCKETS] = {0};
    for (uint64_t r = 0; r < passes; r++) {
        for (size_t i = 0; i < len; i++) {
            counts[keys[i]]++;
        }
    }
    uint64_t sum = 0;
    for (size_t b = 0; b < BUCKETS; b++) {
        sum += counts[b] * (b + 1);
    }
    return sum;
}

/* Kernel 2: over every pass r, the sum of (a[i] ^ r) × b[i] where that is below 2^63. */
static uint64_t pipeline(const uint64_t *a, const uint64_t *b, size_t len, uint64_t passes) {
    uint64_t sum = 0;
    for (uint64_t r = 0; r < passes; r++) {
        for (size_t i = 0; i < len; i++) {
            uint64_t v = (a[i] ^ r) * b[i];
            if (v >> 63 == 0) {
                sum += v;
            }
        }
    }
    return sum;
}

/* One item of kernel 3: a plain pointer to the shared table, and its index. */
typedef struct {
    const uint64_t *table;
    size_t index;
} item_t;

/* Kernel 3: every pass fills one item per element of table, then consumes them:
 * Σ_r Σ_i (table[i] ^ r). */
static uint64_t shared(const uint64_t *table, size_t len, item_t *items, uint64_t passes) {
    uint64_t sum = 0;
    for (uint64_t r = 0; r < passes; r++) {
        for (size_t i = 0; i < len; i++) {
            items[i] = (item_t){.table = table, .index = i};
        }
        for (size_t i = 0; i < len; i++) {
            sum += items[i].table[items[i].index] ^ r;
        }
    }
    return sum;
}

/* c-seq: the chosen kernel on the calling thread. */
static const char *kernels_seq(const args_t *args, outcome_t *out) {
    uint64_t kernel = args_get(args, "kernel"), passes = args_get(args, "passes");
    size_t len = (size_t)args_get(args, "len");
    uint64_t *d = malloc(len * sizeof *d);
    /* The second array: kernel 1's keys (as uint32_t), kernel 2's b, kernel 3's items. */
    void *other = malloc(len * (kernel == 3 ? sizeof(item_t) : sizeof(uint64_t)));
    if (d == NULL || other == NULL) {
        free(d);
        free(other);
        return "out of memory for the data";
    }
    uint64_t x = 1;
    for (size_t i = 0; i < len; i++) {
        d[i] = x = xs(x);
    }
    uint64_t start, sum;
    if (kernel == 1) {
        uint32_t *keys = other;
        for (size_t i = 0; i < len; i++) {
            keys[i] = (uint32_t)(d[i] >> 52);
        }
        start = now_ns();
        sum = histogram(keys, len, passes);
    } else if (kernel == 2) {
        uint64_t *b = other;
        for (size_t i = 0; i < len; i++) {
            b[i] = xs(d[i]);
        }
        start = now_ns();
        sum = pipeline(d, b, len, passes);
    } else {
        start = now_ns();
        sum = shared(d, len, other, passes);
    }
    *out = (outcome_t){.checksum = sum, .elapsed_ns = now_ns() - start, .ops = (uint64_t)len * passes};
    free(d);
    free(other);
    return NULL;
}

static const param_t params[] = {
    {"kernel", 1, 3},
    {"len", 1, 16777216},
    {"passes", 0, 1000000000},
};

static const model_t models[] = {
    {"c-seq", kernels_seq},
};

const workload_t safety_kernels = {
    "safety-kernels", params, sizeof params / sizeof *params, models, sizeof models / sizeof *models,
};
