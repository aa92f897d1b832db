/* The protocol of impls/README.md: parsing with the same rules and error lines as the Go,
 * Python and Rust programs, the --list line, and the result line. */
#define _POSIX_C_SOURCE 200809L
#include "protocol.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

/* The compiler that built this program and its version, for --list's "runtime". */
#if defined(__clang__)
#define RUNTIME \
    "clang " STRINGIFY(__clang_major__) "." STRINGIFY(__clang_minor__) "." STRINGIFY(__clang_patchlevel__)
#elif defined(__GNUC__)
#define RUNTIME "gcc " STRINGIFY(__GNUC__) "." STRINGIFY(__GNUC_MINOR__) "." STRINGIFY(__GNUC_PATCHLEVEL__)
#else
#define RUNTIME "cc (unknown compiler)"
#endif

uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Ends the program with an internal error: one line on stderr, exit 1. */
static void internal_error(const char *what) {
    fprintf(stderr, "%s: internal error: %s\n", PROGRAM, what);
    exit(1);
}

uint64_t args_get(const args_t *args, const char *name) {
    for (size_t i = 0; i < args->workload->n_params; i++) {
        if (strcmp(args->workload->params[i].name, name) == 0) {
            return args->values[i];
        }
    }
    fprintf(stderr, "%s: internal error: the workload has no parameter --%s\n", PROGRAM, name);
    exit(1);
}

/* A growable string for the one error line. */
typedef struct {
    char *text;
    size_t len, cap;
} line_t;

static void line_append(line_t *line, const char *bytes, size_t n) {
    if (line->len + n + 1 > line->cap) {
        size_t cap = line->cap ? line->cap : 256;
        while (line->len + n + 1 > cap) {
            cap *= 2;
        }
        char *text = realloc(line->text, cap);
        if (text == NULL) {
            internal_error("out of memory");
        }
        line->text = text;
        line->cap = cap;
    }
    memcpy(line->text + line->len, bytes, n);
    line->len += n;
    line->text[line->len] = '\0';
}

static void line_printf(line_t *line, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(NULL, 0, format, ap);
    va_end(ap);
    if (n < 0) {
        internal_error("cannot format an error line");
    }
    char *buf = malloc((size_t)n + 1);
    if (buf == NULL) {
        internal_error("out of memory");
    }
    va_start(ap, format);
    vsnprintf(buf, (size_t)n + 1, format, ap);
    va_end(ap);
    line_append(line, buf, (size_t)n);
    free(buf);
}

/* Appends text in double quotes, escaped so that the error stays on one line: `"` and
 * `\` get a backslash, control bytes an escape (\n, \t, \r, or \xHH as Go's %q writes
 * them); other bytes, UTF-8 included, are copied. For printable ASCII this is exactly
 * what Go's %q, Rust's {:?} and Python's json.dumps write. */
static void line_quoted(line_t *line, const char *text) {
    line_append(line, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        switch (*p) {
        case '"':
            line_append(line, "\\\"", 2);
            break;
        case '\\':
            line_append(line, "\\\\", 2);
            break;
        case '\n':
            line_append(line, "\\n", 2);
            break;
        case '\t':
            line_append(line, "\\t", 2);
            break;
        case '\r':
            line_append(line, "\\r", 2);
            break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                line_printf(line, "\\x%02x", *p);
            } else {
                line_append(line, (const char *)p, 1);
            }
        }
    }
    line_append(line, "\"", 1);
}

/* Prints the one error line of bad input, "concbench-c: <line>", and returns status 2. */
static int refuse(line_t *line) {
    fprintf(stderr, "%s: %s\n", PROGRAM, line->text);
    free(line->text);
    return 2;
}

/* The start of an error line about workload w: "<workload>: ". */
static line_t about(const workload_t *w) {
    line_t line = {0};
    line_printf(&line, "%s: ", w->name);
    return line;
}

/* Appends "--a, --b": the parameters of a workload. */
static void line_params(line_t *line, const workload_t *w) {
    for (size_t i = 0; i < w->n_params; i++) {
        line_printf(line, "%s--%s", i ? ", " : "", w->params[i].name);
    }
}

/* Appends "a, b": the model ids of a workload. */
static void line_models(line_t *line, const workload_t *w) {
    for (size_t i = 0; i < w->n_models; i++) {
        line_printf(line, "%s%s", i ? ", " : "", w->models[i].id);
    }
}

/* Whether text is one or more ASCII decimal digits. */
static int is_decimal(const char *text) {
    if (*text == '\0') {
        return 0;
    }
    for (; *text; text++) {
        if (*text < '0' || *text > '9') {
            return 0;
        }
    }
    return 1;
}

/* The u64 that decimal digits spell; 0 when they overflow u64 (then *value is untouched). */
static int parse_u64(const char *digits, uint64_t *value) {
    uint64_t v = 0;
    for (; *digits; digits++) {
        uint64_t d = (uint64_t)(*digits - '0');
        if (v > (UINT64_MAX - d) / 10) {
            return 0;
        }
        v = v * 10 + d;
    }
    *value = v;
    return 1;
}

/* The --list line: {"lang": "c", "runtime": "gcc 12.2.0", "models": {..}}. */
static void print_list(const workload_t *const *workloads, size_t n_workloads) {
    printf("{\"lang\": \"c\", \"runtime\": \"%s\", \"models\": {", RUNTIME);
    for (size_t i = 0; i < n_workloads; i++) {
        printf("%s\"%s\": [", i ? ", " : "", workloads[i]->name);
        for (size_t j = 0; j < workloads[i]->n_models; j++) {
            printf("%s\"%s\"", j ? ", " : "", workloads[i]->models[j].id);
        }
        printf("]");
    }
    printf("}}\n");
}

int protocol_main(int argc, char **argv, const workload_t *const *workloads, size_t n_workloads) {
    line_t line = {0};
    if (argc == 0) {
        line_printf(&line, "usage: %s <workload> <model> --<param>=<value> ... | %s --list", PROGRAM,
                    PROGRAM);
        return refuse(&line);
    }
    if (strcmp(argv[0], "--list") == 0) {
        if (argc > 1) {
            line_printf(&line, "--list takes no arguments, got ");
            line_quoted(&line, argv[1]);
            return refuse(&line);
        }
        print_list(workloads, n_workloads);
        if (fflush(stdout) != 0) {
            fprintf(stderr, "%s: cannot write the list\n", PROGRAM);
            return 1;
        }
        return 0;
    }

    const workload_t *w = NULL;
    for (size_t i = 0; i < n_workloads; i++) {
        if (strcmp(workloads[i]->name, argv[0]) == 0) {
            w = workloads[i];
        }
    }
    if (w == NULL) {
        line_printf(&line, "unknown workload ");
        line_quoted(&line, argv[0]);
        line_printf(&line, " (known: ");
        for (size_t i = 0; i < n_workloads; i++) {
            line_printf(&line, "%s%s", i ? ", " : "", workloads[i]->name);
        }
        line_printf(&line, ")");
        return refuse(&line);
    }

    if (argc < 2) {
        line = about(w);
        line_printf(&line, "missing the model (one of: ");
        line_models(&line, w);
        line_printf(&line, ")");
        return refuse(&line);
    }
    const model_t *model = NULL;
    for (size_t i = 0; i < w->n_models; i++) {
        if (strcmp(w->models[i].id, argv[1]) == 0) {
            model = &w->models[i];
        }
    }
    if (model == NULL) {
        line = about(w);
        line_printf(&line, "unknown model ");
        line_quoted(&line, argv[1]);
        line_printf(&line, " (c models: ");
        line_models(&line, w);
        line_printf(&line, ")");
        return refuse(&line);
    }

    args_t args = {.workload = w};
    int seen[MAX_PARAMS] = {0};
    for (int a = 2; a < argc; a++) {
        const char *arg = argv[a];
        const char *equals = strncmp(arg, "--", 2) == 0 ? strchr(arg + 2, '=') : NULL;
        if (equals == NULL) {
            line = about(w);
            line_printf(&line, "unexpected argument ");
            line_quoted(&line, arg);
            line_printf(&line, " (parameters are --name=value)");
            return refuse(&line);
        }
        const char *name = arg + 2, *text = equals + 1;
        int name_len = (int)(equals - name);
        size_t index = w->n_params;
        for (size_t i = 0; i < w->n_params; i++) {
            if (strlen(w->params[i].name) == (size_t)name_len &&
                strncmp(w->params[i].name, name, (size_t)name_len) == 0) {
                index = i;
            }
        }
        if (index == w->n_params) {
            line = about(w);
            line_printf(&line, "unknown parameter --%.*s (expected ", name_len, name);
            line_params(&line, w);
            line_printf(&line, ")");
            return refuse(&line);
        }
        const param_t *p = &w->params[index];
        if (seen[index]) {
            line = about(w);
            line_printf(&line, "--%s is given more than once", p->name);
            return refuse(&line);
        }
        if (!is_decimal(text)) {
            line = about(w);
            line_printf(&line, "--%s=%s is not a non-negative integer", p->name, text);
            return refuse(&line);
        }
        /* Digits that overflow u64 are above every maximum, so they are out of range too. */
        uint64_t value;
        if (!parse_u64(text, &value) || value < p->min || value > p->max) {
            line = about(w);
            line_printf(&line, "--%s=%s is out of range (%llu..=%llu)", p->name, text,
                        (unsigned long long)p->min, (unsigned long long)p->max);
            return refuse(&line);
        }
        seen[index] = 1;
        args.values[index] = value;
    }
    int missing = 0;
    for (size_t i = 0; i < w->n_params; i++) {
        if (!seen[i]) {
            if (!missing) {
                line = about(w);
                line_printf(&line, "missing ");
            }
            line_printf(&line, "%s--%s", missing ? ", " : "", w->params[i].name);
            missing = 1;
        }
    }
    if (missing) {
        return refuse(&line);
    }

    outcome_t out = {0};
    const char *failure = model->run(&args, &out);
    if (failure != NULL) {
        internal_error(failure);
    }
    printf("{\"checksum\": \"%llu\", \"elapsed_ns\": %llu, \"ops\": %llu, \"metrics\": {}}\n",
           (unsigned long long)out.checksum, (unsigned long long)out.elapsed_ns,
           (unsigned long long)out.ops);
    if (fflush(stdout) != 0) {
        fprintf(stderr, "%s: cannot write the result\n", PROGRAM);
        return 1;
    }
    return 0;
}
