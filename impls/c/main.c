/* Command concbench-c runs one concbench workload under one C model and prints one JSON
 * line (the protocol of impls/README.md):
 *
 *     concbench-c <workload> <model> --<param>=<value> ...
 *     concbench-c --list
 *
 * C is the suite's baseline, not a contender: plain pthreads, built with
 * `cc -O2 -pthread -o <out>` and every .c file of impls/c (impls/README.md). */
#include "protocol.h"

/* Defined in cpu_parallel.c, shared_counter.c and safety_kernels.c: each workload and its C
 * models. */
extern const workload_t cpu_parallel, shared_counter, safety_kernels;

int main(int argc, char **argv) {
    /* Every workload this program implements, in the order --list shows them. */
    static const workload_t *const workloads[] = {&cpu_parallel, &shared_counter, &safety_kernels};
    return protocol_main(argc - 1, argv + 1, workloads, sizeof workloads / sizeof *workloads);
}
