/* dt2smmu: command line. See docs/dt2smmu.md.
 *
 *   dt2smmu [-a ASSIGNMENT] [-c CONFIG] [-r REPORT] [-j JSON] INPUT.dtb|INPUT.dts
 *
 * A .dts (or .dtsi) input is compiled by dtc first ($DTC, default "dtc"). Outputs are
 * written only when the input and the assignment are free of errors; errors go to stderr,
 * one line each, naming the node and the property. Exit status: 0 fine, 1 bad device
 * tree or assignment, 2 usage or I/O. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dt2smmu.h"

#define MAX_INPUT (64u << 20)

static void usage(FILE *out)
{
    fputs("usage: dt2smmu [-a ASSIGNMENT] [-c CONFIG] [-r REPORT] [-j JSON] INPUT.dtb|INPUT.dts\n"
          "  -a, --assign FILE  which masters get pre-generated SID/CB caps (docs/dt2smmu.md)\n"
          "  -c, --config FILE  the configuration (smmus = [...], smmu_sids = [...]) for gen_smmu_config.py\n"
          "  -r, --report FILE  the report for people (default: stdout when no output is named)\n"
          "  -j, --json FILE    the same as JSON\n"
          "  FILE '-' is standard output. A .dts/.dtsi input goes through dtc ($DTC).\n",
          out);
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool read_stream(FILE *f, char **out, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return false;
    for (;;) {
        if (n == cap) {
            if (cap >= MAX_INPUT) {
                free(buf);
                errno = EFBIG;
                return false;
            }
            cap *= 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return false;
            }
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return false;
    }
    *out = buf;
    *len = n;
    return true;
}

static bool read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    bool ok = read_stream(f, out, len);
    int e = errno;
    fclose(f);
    errno = e;
    return ok;
}

/* Compile a DTS with dtc, without a shell: dtc -q -I dts -O dtb -o - PATH. */
static bool compile_dts(const char *path, char **out, size_t *len)
{
    const char *dtc = getenv("DTC");
    if (!dtc || !*dtc)
        dtc = "dtc";
    int fd[2];
    if (pipe(fd) != 0)
        return false;
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        dup2(fd[1], STDOUT_FILENO);
        close(fd[0]);
        close(fd[1]);
        execlp(dtc, dtc, "-q", "-I", "dts", "-O", "dtb", "-o", "-", path, (char *)NULL);
        fprintf(stderr, "dt2smmu: cannot run %s: %s\n", dtc, strerror(errno));
        _exit(127);
    }
    close(fd[1]);
    FILE *f = fdopen(fd[0], "rb");
    bool ok = f && read_stream(f, out, len);
    if (f)
        fclose(f);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        if (ok)
            free(*out);
        fprintf(stderr, "dt2smmu: error: %s: dtc could not compile it (see above)\n", path);
        return false;
    }
    return ok;
}

typedef void (*emit_fn)(const struct dt2smmu *, const struct dt_assignment *, FILE *);

static bool write_output(const char *path, emit_fn fn, const struct dt2smmu *r, const struct dt_assignment *a)
{
    if (!path)
        return true;
    if (strcmp(path, "-") == 0) {
        fn(r, a, stdout);
        return fflush(stdout) == 0;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "dt2smmu: %s: %s\n", path, strerror(errno));
        return false;
    }
    fn(r, a, f);
    if (fclose(f) != 0) {
        fprintf(stderr, "dt2smmu: %s: %s\n", path, strerror(errno));
        return false;
    }
    return true;
}

int main(int argc, char **argv)
{
    const char *assign_path = NULL, *config_path = NULL, *report_path = NULL, *json_path = NULL, *input = NULL;
    for (int i = 1; i < argc; i++) {
        const char *o = argv[i];
        const char **slot = NULL;
        if (!strcmp(o, "-a") || !strcmp(o, "--assign"))
            slot = &assign_path;
        else if (!strcmp(o, "-c") || !strcmp(o, "--config"))
            slot = &config_path;
        else if (!strcmp(o, "-r") || !strcmp(o, "--report"))
            slot = &report_path;
        else if (!strcmp(o, "-j") || !strcmp(o, "--json"))
            slot = &json_path;
        else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            usage(stdout);
            return 0;
        } else if (o[0] == '-' && o[1] != '\0') {
            fprintf(stderr, "dt2smmu: unknown option %s\n", o);
            usage(stderr);
            return 2;
        } else if (input) {
            fprintf(stderr, "dt2smmu: one input only (%s, %s)\n", input, o);
            return 2;
        } else {
            input = o;
        }
        if (slot) {
            if (++i >= argc) {
                fprintf(stderr, "dt2smmu: %s needs a file\n", o);
                return 2;
            }
            *slot = argv[i];
        }
    }
    if (!input) {
        usage(stderr);
        return 2;
    }
    if (!config_path && !report_path && !json_path)
        report_path = "-";

    char *blob = NULL;
    size_t blob_len = 0;
    if (has_suffix(input, ".dts") || has_suffix(input, ".dtsi")) {
        if (!compile_dts(input, &blob, &blob_len))
            return 1;
    } else if (!read_file(input, &blob, &blob_len)) {
        fprintf(stderr, "dt2smmu: %s: %s\n", input, strerror(errno));
        return 2;
    }

    struct dt2smmu r;
    memset(&r, 0, sizeof(r));
    struct dt_assignment a;
    memset(&a, 0, sizeof(a));
    bool have_assign = false;
    if (assign_path) {
        char *text = NULL;
        size_t len = 0;
        if (!read_file(assign_path, &text, &len)) {
            fprintf(stderr, "dt2smmu: %s: %s\n", assign_path, strerror(errno));
            free(blob);
            return 2;
        }
        dt2smmu_assignment_parse(&r, assign_path, text, len, &a);
        have_assign = true;
        free(text);
    }
    bool ok = r.nerrors == 0;
    ok = dt2smmu_analyse(&r, blob, blob_len, input, have_assign ? &a : NULL) && ok;
    int status = 0;
    if (!ok) {
        dt2smmu_print_errors(&r, stderr);
        status = 1;
    } else if (!write_output(config_path, dt2smmu_emit_config, &r, have_assign ? &a : NULL) ||
               !write_output(report_path, dt2smmu_emit_report, &r, have_assign ? &a : NULL) ||
               !write_output(json_path, dt2smmu_emit_json, &r, have_assign ? &a : NULL)) {
        status = 2;
    }
    dt2smmu_free(&r);
    dt2smmu_assignment_free(&a);
    free(blob);
    return status;
}
