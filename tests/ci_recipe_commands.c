/*
 * ci_recipe_commands.c — the shell lines of a CI recipe (docs/ci/), read
 * with libyaml, for tests/ci_recipes.sh to run (test docs_ci_recipes).
 *
 * usage: ci_recipe_commands github|gitlab FILE
 *
 * Prints one record a line, in the order a pipeline runs them (jobs in the
 * file's order, each instance of a matrix or `parallel:` job in turn):
 *
 *   JOB <TAB> K <TAB> N <TAB> TEXT
 *
 * K of N is the instance (1 of 1 without a matrix). TEXT is a logical
 * shell line of a step's `run:` (GitHub) or of `before_script:`, `script:`
 * and `after_script:` (GitLab), its backslash continuations joined and
 * GitHub's `${{ matrix.KEY }}`, `${{ strategy.job-total }}` and
 * `${{ strategy.job-index }}` replaced; or "export NAME='VALUE'" for the
 * workflow's and the job's `env:` / `variables:` (JOB "-" for the file's
 * own, before any job); or "@artifact PATH" for a file the job keeps
 * (upload-artifact's `path:`, GitLab's `artifacts:paths`); or "@junit
 * PATH" for the JUnit file it publishes (GitLab's
 * `artifacts:reports:junit`, the `report_paths` of a GitHub action whose
 * name says junit). Any other `${{ ... }}` in a line is refused:
 * the test could not run what it stands for. Exit 1 with FILE:LINE: reason
 * for anything this reader does not understand, so that a recipe cannot
 * silently drop out of the test.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

static const char *file;
static yaml_document_t doc;

static void die(const yaml_node_t *n, const char *what)
{
    fprintf(stderr, "%s:%lu: %s\n", file, n ? (unsigned long)n->start_mark.line + 1 : 0UL, what);
    exit(1);
}

static yaml_node_t *node(int id) { return yaml_document_get_node(&doc, id); }

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* m[key], NULL when m is not a mapping or has no such key */
static yaml_node_t *get(const yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = scalar(node(p->key));
        if (k && !strcmp(k, key))
            return node(p->value);
    }
    return NULL;
}

typedef struct instance {
    const char *job;
    size_t k, n;
    const char *matrix_key, *matrix_value; /* GitHub: the matrix's one key and this instance's value */
} instance;

static void record(const instance *in, const char *text)
{
    printf("%s\t%zu\t%zu\t%s\n", in->job, in->k, in->n, text);
}

/* out (of *cap bytes, *len used) with n bytes of s added */
static char *append(const yaml_node_t *at, char *out, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        *cap = (*len + n + 1) * 2;
        if (!(out = realloc(out, *cap)))
            die(at, "out of memory");
    }
    memcpy(out + *len, s, n);
    *len += n;
    out[*len] = 0;
    return out;
}

/* text with GitHub's expressions replaced; refused when one is not known */
static char *expand(const yaml_node_t *at, const instance *in, const char *text)
{
    size_t cap = 0, len = 0;
    char *out = append(at, NULL, &len, &cap, "", 0);
    for (const char *p = text;;) {
        const char *open = strstr(p, "${{");
        if (!open)
            return append(at, out, &len, &cap, p, strlen(p));
        out = append(at, out, &len, &cap, p, (size_t)(open - p));
        const char *close = strstr(open, "}}");
        if (!close)
            die(at, "an unclosed ${{ expression");
        char expr[128], value[256];
        snprintf(expr, sizeof expr, "%.*s", (int)(close - open - 3), open + 3);
        char *e = expr + strspn(expr, " ");
        for (char *end = e + strlen(e); end > e && end[-1] == ' ';)
            *--end = 0;
        if (in->matrix_key && !strncmp(e, "matrix.", 7) && !strcmp(e + 7, in->matrix_key))
            snprintf(value, sizeof value, "%s", in->matrix_value);
        else if (!strcmp(e, "strategy.job-total"))
            snprintf(value, sizeof value, "%zu", in->n);
        else if (!strcmp(e, "strategy.job-index"))
            snprintf(value, sizeof value, "%zu", in->k - 1);
        else {
            fprintf(stderr, "%s:%lu: ${{ %s }}: an expression the test cannot stand in for\n", file,
                    (unsigned long)at->start_mark.line + 1, e);
            exit(1);
        }
        out = append(at, out, &len, &cap, value, strlen(value));
        p = close + 2;
    }
}

/* A script: its logical lines (a trailing backslash joins the next; blank
 * lines and comments left out), each expanded and printed. */
static void lines(const instance *in, const yaml_node_t *n)
{
    const char *s = scalar(n);
    if (!s)
        die(n, "a script that is not text");
    char *joined = malloc(strlen(s) + 1);
    if (!joined)
        die(n, "out of memory");
    size_t len = 0;
    for (const char *p = s;; p++) {
        if (*p == '\\' && p[1] == '\n') {
            p++;
            continue;
        }
        if (*p && *p != '\n') {
            joined[len++] = *p;
            continue;
        }
        joined[len] = 0;
        const char *t = joined + strspn(joined, " \t");
        if (*t && *t != '#') {
            char *x = expand(n, in, t);
            record(in, x);
            free(x);
        }
        len = 0;
        if (!*p)
            break;
    }
    free(joined);
}

/* env: / variables: as exports, the value single-quoted for the shell */
static void exports(const instance *in, const yaml_node_t *m)
{
    if (!m)
        return;
    if (m->type != YAML_MAPPING_NODE)
        die(m, "env or variables that are not a mapping");
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        const char *k = scalar(node(p->key)), *v = scalar(node(p->value));
        if (!k || !v)
            die(node(p->value), "a variable that is not text");
        printf("%s\t%zu\t%zu\texport %s='", in->job, in->k, in->n, k);
        for (const char *c = v; *c; c++)
            fputs(*c == '\'' ? "'\\''" : (char[2]){*c, 0}, stdout);
        puts("'");
    }
}

/* upload-artifact's path, a JUnit action's report_paths: one per line;
 * tag "@artifact" or "@junit" */
static void artifacts_text(const instance *in, const yaml_node_t *n, const char *tag)
{
    const char *s = scalar(n);
    if (!s)
        die(n, "an artifact path that is not text");
    char *x = expand(n, in, s);
    for (char *line = strtok(x, "\n"); line; line = strtok(NULL, "\n")) {
        line += strspn(line, " ");
        if (*line)
            printf("%s\t%zu\t%zu\t%s %s\n", in->job, in->k, in->n, tag, line);
    }
    free(x);
}

static void github_job(const char *name, const yaml_node_t *job)
{
    const yaml_node_t *matrix = get(get(job, "strategy"), "matrix");
    instance in = {.job = name, .k = 1, .n = 1};
    const yaml_node_t *values = NULL;
    if (matrix) {
        if (matrix->type != YAML_MAPPING_NODE || matrix->data.mapping.pairs.top - matrix->data.mapping.pairs.start != 1)
            die(matrix, "a matrix of other than one key");
        in.matrix_key = scalar(node(matrix->data.mapping.pairs.start->key));
        values = node(matrix->data.mapping.pairs.start->value);
        if (!values || values->type != YAML_SEQUENCE_NODE)
            die(values, "a matrix key without a list of values");
        in.n = (size_t)(values->data.sequence.items.top - values->data.sequence.items.start);
    }
    const yaml_node_t *steps = get(job, "steps");
    if (!steps || steps->type != YAML_SEQUENCE_NODE)
        die(job, "a job without steps");
    for (in.k = 1; in.k <= in.n; in.k++) {
        if (values)
            in.matrix_value = scalar(node(values->data.sequence.items.start[in.k - 1]));
        exports(&in, get(job, "env"));
        for (yaml_node_item_t *i = steps->data.sequence.items.start; i < steps->data.sequence.items.top; i++) {
            const yaml_node_t *step = node(*i);
            const char *uses = scalar(get(step, "uses"));
            if (get(step, "run"))
                lines(&in, get(step, "run"));
            else if (uses && !strncmp(uses, "actions/upload-artifact@", 24))
                artifacts_text(&in, get(get(step, "with"), "path"), "@artifact");
            else if (uses && strstr(uses, "junit"))
                artifacts_text(&in, get(get(step, "with"), "report_paths"), "@junit");
        }
    }
}

/* GitLab: a script key, a list of lines or one text */
static void gitlab_script(const instance *in, const yaml_node_t *n)
{
    if (!n)
        return;
    if (n->type == YAML_SCALAR_NODE) {
        lines(in, n);
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        die(n, "a script that is not a list");
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
        lines(in, node(*i));
}

static void gitlab_paths(const instance *in, const yaml_node_t *n, const char *tag)
{
    if (!n)
        return;
    if (n->type == YAML_SCALAR_NODE) {
        artifacts_text(in, n, tag);
        return;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        die(n, "artifact paths that are not a list");
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++)
        artifacts_text(in, node(*i), tag);
}

static void gitlab_job(const char *name, const yaml_node_t *job)
{
    instance in = {.job = name, .k = 1, .n = 1};
    const yaml_node_t *par = get(job, "parallel");
    if (par) {
        const char *v = scalar(par);
        char *end;
        long n = v ? strtol(v, &end, 10) : 0;
        if (!v || *end || n < 1)
            die(par, "parallel: other than a number of jobs (parallel:matrix is not read)");
        in.n = (size_t)n;
    }
    const yaml_node_t *art = get(job, "artifacts");
    for (in.k = 1; in.k <= in.n; in.k++) {
        exports(&in, get(job, "variables"));
        gitlab_script(&in, get(job, "before_script"));
        gitlab_script(&in, get(job, "script"));
        gitlab_script(&in, get(job, "after_script"));
        gitlab_paths(&in, get(art, "paths"), "@artifact");
        gitlab_paths(&in, get(get(art, "reports"), "junit"), "@junit");
    }
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "github") && strcmp(argv[1], "gitlab"))) {
        fprintf(stderr, "usage: ci_recipe_commands github|gitlab FILE\n");
        return 2;
    }
    file = argv[2];
    FILE *f = fopen(file, "rb");
    if (!f) {
        perror(file);
        return 1;
    }
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        fprintf(stderr, "%s:%lu:%lu: not YAML: %s\n", file, (unsigned long)parser.problem_mark.line + 1,
                (unsigned long)parser.problem_mark.column + 1, parser.problem ? parser.problem : "?");
        return 1;
    }
    yaml_parser_delete(&parser);
    fclose(f);
    const yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE)
        die(root, "not a mapping at the top");
    bool github = !strcmp(argv[1], "github");
    instance top = {.job = "-", .k = 1, .n = 1};
    exports(&top, get(root, github ? "env" : "variables"));
    const yaml_node_t *jobs = github ? get(root, "jobs") : root;
    if (!jobs || jobs->type != YAML_MAPPING_NODE)
        die(root, "no jobs");
    size_t n_jobs = 0;
    for (yaml_node_pair_t *p = jobs->data.mapping.pairs.start; p < jobs->data.mapping.pairs.top; p++) {
        const char *name = scalar(node(p->key));
        const yaml_node_t *job = node(p->value);
        if (!name)
            die(job, "a job name that is not text");
        if (github) {
            github_job(name, job);
        } else {
            /* GitLab's keywords and hidden keys are not jobs; a job has a script */
            if (name[0] == '.' || !get(job, "script"))
                continue;
            gitlab_job(name, job);
        }
        n_jobs++;
    }
    if (!n_jobs)
        die(jobs, "no jobs");
    yaml_document_delete(&doc);
    return 0;
}
