/*
 * pcap.c — `--pcap DIR`: the captures of a simulated world as files that
 * Wireshark and tshark open: DIR/<scenario>/<capture point>.pcap, written
 * while the run goes, and DIR/<scenario>/keylog.txt after it
 * (`tshark -o wg.keylog_file:keylog.txt` decrypts the tunnel traffic).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "reports/reports.h"

/* mkdir -p */
static bool make_dirs(const char *path, char *err, size_t errlen)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || !*p) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
                snprintf(err, errlen, "%s: %s", buf, strerror(errno));
                return false;
            }
            *p = c;
            if (!c)
                break;
        }
    }
    return true;
}

/* Names become file names: keep [A-Za-z0-9._-], replace the rest. */
static void safe_name(char *out, size_t len, const char *in)
{
    size_t k = 0;
    for (; *in && k + 1 < len; in++) {
        char c = *in;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
                  c == '_';
        out[k++] = ok ? c : '-';
    }
    out[k] = 0;
    if (!k || !strcmp(out, ".") || !strcmp(out, ".."))
        snprintf(out, len, "scenario");
}

void rp_capture_dir_name(char *out, size_t len, const char *scenario_name) { safe_name(out, len, scenario_name); }

/* DIR/NAME/<capture>.pcap, or DIR/NAME/keylog.txt for c NULL. */
static void file_path(char *out, size_t len, const char *dir, const char *scenario_name, const sim_capture *c)
{
    char name[128], cn[128];
    safe_name(name, sizeof name, scenario_name);
    if (!c) {
        snprintf(out, len, "%s/%s/keylog.txt", dir, name);
        return;
    }
    safe_name(cn, sizeof cn, sim_capture_name(c));
    snprintf(out, len, "%s/%s/%s.pcap", dir, name, cn);
}

bool rp_open_captures(const char *dir, const char *scenario_name, sim_world *w, char *err, size_t errlen)
{
    char name[128], sub[4096], path[4400];
    safe_name(name, sizeof name, scenario_name);
    snprintf(sub, sizeof sub, "%s/%s", dir, name);
    bool ok = make_dirs(sub, err, errlen);
    /* every capture is opened, even after a failure: one that cannot be
     * opened keeps nothing, rather than the whole run in memory */
    for (size_t i = 0; i < sim_world_capture_count(w); i++) {
        sim_capture *c = sim_world_capture_at(w, i);
        file_path(path, sizeof path, dir, scenario_name, c);
        if (!sim_capture_open(c, path) && ok) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            ok = false;
        }
    }
    /* the key log grows with every handshake: written as it goes too */
    file_path(path, sizeof path, dir, scenario_name, NULL);
    if (!sim_keylog_open(w, path) && ok) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        ok = false;
    }
    return ok;
}

bool rp_close_captures(const char *dir, const char *scenario_name, sim_world *w, char *err, size_t errlen)
{
    char path[4400];
    bool ok = true;
    for (size_t i = 0; i < sim_world_capture_count(w); i++) {
        sim_capture *c = sim_world_capture_at(w, i);
        if (!sim_capture_close(c) && ok) {
            file_path(path, sizeof path, dir, scenario_name, c);
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            ok = false;
        }
    }
    if (!sim_keylog_close(w) && ok) {
        file_path(path, sizeof path, dir, scenario_name, NULL);
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        ok = false;
    }
    return ok;
}
