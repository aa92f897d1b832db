/* The command-line protocol every concbench implementation speaks (see
 * impls/README.md): `concbench-c <workload> <model> --<param>=<value> ...` runs one
 * measurement and prints one JSON line; `concbench-c --list` says what is implemented.
 * Bad input of any kind exits 2 with one line on stderr and nothing on stdout. */
#ifndef CONCBENCH_PROTOCOL_H
#define CONCBENCH_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

/* The name that starts every error line. */
#define PROGRAM "concbench-c"

/* The most parameters a workload has. */
#define MAX_PARAMS 8

/* One integer parameter of a workload and the range every implementation enforces (the
 * min/max of suite/workloads/<workload>.toml). */
typedef struct {
    const char *name; /* as given on the command line, without the leading "--" */
    uint64_t min, max;
} param_t;

struct workload;

/* The validated parameter values of one run, each within its range. */
typedef struct {
    const struct workload *workload;
    uint64_t values[MAX_PARAMS]; /* in the order of workload->params */
} args_t;

/* What one run measured: the last stdout line of the protocol. */
typedef struct {
    uint64_t checksum;   /* the workload's checksum (docs/DESIGN.md, "Workloads") */
    uint64_t elapsed_ns; /* from just before the first thread is created to the answer */
    uint64_t ops;        /* units of the workload's work done */
} outcome_t;

/* Runs a model with validated arguments. Returns NULL when *out holds the outcome, or the
 * reason of an internal failure (exit 1), never bad input. */
typedef const char *(*run_fn)(const args_t *args, outcome_t *out);

/* One concurrency model of a workload. */
typedef struct {
    const char *id; /* the model id of the suite's catalogue, e.g. "c-threads" */
    run_fn run;
} model_t;

/* A workload of the suite: its parameters and the C models that implement it. */
typedef struct workload {
    const char *name; /* e.g. "cpu-parallel" */
    const param_t *params;
    size_t n_params;
    const model_t *models; /* in the order --list shows them */
    size_t n_models;
} workload_t;

/* The value of parameter name; a name the workload lacks is a programming error, which
 * ends the program with an internal error (exit 1). */
uint64_t args_get(const args_t *args, const char *name);

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* The whole program, given its arguments without the program name: parse, run, print.
 * Returns the exit status: 0 done, 1 internal failure, 2 bad input. */
int protocol_main(int argc, char **argv, const workload_t *const *workloads, size_t n_workloads);

#endif
