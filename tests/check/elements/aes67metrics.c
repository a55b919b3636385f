/* gst-aes67: the aes67metrics tracer against a real Prometheus and a real
 * browser
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This process runs the tracer (GST_TRACERS, set before gst_init) and two
 * pipelines in a test network: host 0 a ptp4l grandmaster, host 1 a sender
 * (ptpclock, audiotestsrc, loudnessmeter, aes67sink, sapannounce), host 2 a
 * receiver that finds the session by name (ptpclock, aes67src,
 * loudnessmeter). Prometheus (Debian's package, on loopback, a temporary
 * configuration with the rules of docs/monitoring/aes67-alerts.yml) scrapes
 * the tracer every second. Checked:
 * - /metrics passes `promtool check metrics` and has every family our
 *   elements measure;
 * - Prometheus computes a receive rate of 1000 packets/s (1 ms packets);
 * - every query of docs/monitoring (the alert rules without their
 *   threshold, the Grafana dashboard) returns data;
 * - the status page, loaded in headless Chromium, shows the receiver, its
 *   link offset and loudness, and the PTP clock's grandmaster;
 * - dropping every 10th packet (nftables in the receiving host) fires the
 *   AES67PacketLoss alert;
 * - dropping everything makes the stream lost, then restored; counters
 *   stay monotonic; the event log has one JSON object per line for each;
 * - a port that is taken gives one warning and the pipeline runs on.
 *
 * libcheck must not fork (CK_FORK=no in the test table): the tracer's
 * HTTP thread lives in this process.
 *
 * Needs root, namespaces, nft, ptp4l, prometheus, promtool and chromium;
 * exits 77 (skip) saying which is missing otherwise.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "aes67-testnet.h"
#include "aes67-ptp4l.h"

#define GROUP "239.69.83.1"
#define RTP_PORT 5004
#define SESSION "metrics-test"
/* room for a loaded machine: a late packet is concealed silence, which
 * the loudness checks below would see */
#define LINK_OFFSET_MS 20
/* audiotestsrc's 440 Hz sine at volume 0.1 on both channels: -20 dBFS,
 * K-weighted -20.7 LUFS (measured with ffmpeg's ebur128 too) */
#define EXPECTED_LUFS -20.7

static Aes67TestNet *net;
static gchar *tmpdir;
/* what the end-to-end test runs; stopped in teardown (a failed check
 * leaves the test function without its own cleanup) */
static GstElement *tx, *rx;
static GPid gm, s1, s2;
static Aes67Ptp4lNudger *nudger;
static guint metrics_port;
static gchar *log_path;

/* ---------- small helpers ---------- */

static guint
free_port (void)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *sa = g_inet_socket_address_new (lo, 0), *bound;
  guint port;

  if (!g_socket_bind (s, sa, FALSE, NULL))
    g_error ("cannot bind a loopback socket");
  bound = g_socket_get_local_address (s, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_object_unref (bound);
  g_object_unref (sa);
  g_object_unref (lo);
  g_object_unref (s);
  return port;
}

/* HTTP/1.0 request to 127.0.0.1:@port; the body, or NULL when nothing
 * answers. @status gets the status code. */
static gchar *
http (guint port, const gchar * method, const gchar * path, guint * status)
{
  GSocketClient *c = g_socket_client_new ();
  GSocketConnection *conn;
  GOutputStream *out;
  GInputStream *in;
  GString *resp = g_string_new (NULL);
  gchar *req, buf[8192], *body = NULL, *sep;
  gssize n;

  g_socket_client_set_timeout (c, 30);
  conn = g_socket_client_connect_to_host (c, "127.0.0.1", port, NULL, NULL);
  g_object_unref (c);
  if (!conn) {
    g_string_free (resp, TRUE);
    return NULL;
  }
  req = g_strdup_printf ("%s %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", method,
      path);
  out = g_io_stream_get_output_stream (G_IO_STREAM (conn));
  in = g_io_stream_get_input_stream (G_IO_STREAM (conn));
  g_output_stream_write_all (out, req, strlen (req), NULL, NULL, NULL);
  g_free (req);
  while ((n = g_input_stream_read (in, buf, sizeof (buf), NULL, NULL)) > 0)
    g_string_append_len (resp, buf, n);
  g_object_unref (conn);
  if (status)
    *status = 0;
  if (g_str_has_prefix (resp->str, "HTTP/1.") && resp->len > 12 && status)
    *status = atoi (resp->str + 9);
  sep = strstr (resp->str, "\r\n\r\n");
  if (sep)
    body = g_strdup (sep + 4);
  g_string_free (resp, TRUE);
  return body;
}

static JsonNode *
parse_json (const gchar * text)
{
  JsonParser *p = json_parser_new ();
  JsonNode *n = NULL;

  if (text && json_parser_load_from_data (p, text, -1, NULL))
    n = json_node_copy (json_parser_get_root (p));
  g_object_unref (p);
  return n;
}

static JsonNode *
status_json (void)
{
  gchar *body = http (metrics_port, "GET", "/status", NULL);
  JsonNode *n = parse_json (body);

  g_free (body);
  return n;
}

/* The object for element @name in /status array @kind, or NULL (a new ref
 * on @root's object, freed with json_object_unref) */
static JsonObject *
status_find (JsonNode * root, const gchar * kind, const gchar * name)
{
  JsonArray *a;
  guint i;

  if (!root || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  a = json_object_get_array_member (json_node_get_object (root), kind);
  for (i = 0; a && i < json_array_get_length (a); i++) {
    JsonObject *o = json_array_get_object_element (a, i);
    if (g_strcmp0 (json_object_get_string_member (o, "element"), name) == 0)
      return json_object_ref (o);
  }
  return NULL;
}

static gchar *
rx_string (const gchar * member)
{
  JsonNode *root = status_json ();
  JsonObject *o = status_find (root, "receivers", "rx");
  gchar *v = NULL;

  if (o && json_object_has_member (o, member) &&
      !json_object_get_null_member (o, member))
    v = g_strdup (json_object_get_string_member (o, member));
  if (o)
    json_object_unref (o);
  if (root)
    json_node_unref (root);
  return v;
}

static gint64
rx_int (const gchar * member)
{
  JsonNode *root = status_json ();
  JsonObject *o = status_find (root, "receivers", "rx");
  gint64 v = -1;

  if (o && json_object_has_member (o, member))
    v = json_object_get_int_member (o, member);
  if (o)
    json_object_unref (o);
  if (root)
    json_node_unref (root);
  return v;
}

static gboolean
wait_rx_state (const gchar * state, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end) {
    gchar *s = rx_string ("state");
    gboolean ok = g_strcmp0 (s, state) == 0;
    g_free (s);
    if (ok)
      return TRUE;
    g_usleep (100000);
  }
  return FALSE;
}

static void
kill_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* Runs @argv with @input on stdin; its exit status, stdout in @out */
static gint
run (const gchar * const *argv, const gchar * input, gchar ** out,
    gchar ** err_out)
{
  GSubprocessLauncher *l =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  GSubprocess *p;
  GError *err = NULL;
  gchar *o = NULL, *e = NULL;
  gint st;

  g_subprocess_launcher_set_child_setup (l, kill_with_parent, NULL, NULL);
  p = g_subprocess_launcher_spawnv (l, argv, &err);
  g_object_unref (l);
  fail_unless (p != NULL, "cannot run %s: %s", argv[0],
      err ? err->message : "?");
  fail_unless (g_subprocess_communicate_utf8 (p, input, NULL, &o, &e, &err),
      "%s: %s", argv[0], err ? err->message : "?");
  st = g_subprocess_get_exit_status (p);
  g_object_unref (p);
  if (out)
    *out = o;
  else
    g_free (o);
  if (err_out)
    *err_out = e;
  else
    g_free (e);
  return st;
}

/* ---------- Prometheus ---------- */

typedef struct
{
  GSubprocess *proc;
  guint port;
  gchar *dir;
} Prom;

static Prom *running_prom;

static void
prom_start (Prom * p)
{
  GSubprocessLauncher *l;
  gchar *conf, *conf_path, *rules, *addr, *cfg_arg, *db_arg, *log;
  const gchar *argv[6];
  GError *err = NULL;
  gint64 end;
  gboolean ready = FALSE;

  p->dir = g_build_filename (tmpdir, "prometheus", NULL);
  g_mkdir_with_parents (p->dir, 0700);
  p->port = free_port ();
  rules = g_build_filename (TESTS_SRC_DIR, "..", "..", "docs", "monitoring",
      "aes67-alerts.yml", NULL);
  conf = g_strdup_printf ("global:\n  scrape_interval: 1s\n"
      "  evaluation_interval: 1s\nrule_files:\n  - %s\nscrape_configs:\n"
      "  - job_name: aes67\n    static_configs:\n"
      "      - targets: ['127.0.0.1:%u']\n", rules, metrics_port);
  conf_path = g_build_filename (p->dir, "prometheus.yml", NULL);
  fail_unless (g_file_set_contents (conf_path, conf, -1, NULL));
  cfg_arg = g_strdup_printf ("--config.file=%s", conf_path);
  db_arg = g_strdup_printf ("--storage.tsdb.path=%s/data", p->dir);
  addr = g_strdup_printf ("--web.listen-address=127.0.0.1:%u", p->port);
  log = g_build_filename (p->dir, "prometheus.log", NULL);
  argv[0] = "prometheus";
  argv[1] = cfg_arg;
  argv[2] = db_arg;
  argv[3] = addr;
  argv[4] = "--log.level=warn";
  argv[5] = NULL;
  {
    const gchar *av[7] = { argv[0], argv[1], argv[2], argv[3], argv[4], NULL };
    l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
    g_subprocess_launcher_set_stdout_file_path (l, log);
    g_subprocess_launcher_set_stderr_file_path (l, log);
    g_subprocess_launcher_set_child_setup (l, kill_with_parent, NULL, NULL);
    p->proc = g_subprocess_launcher_spawnv (l, av, &err);
    g_object_unref (l);
  }
  fail_unless (p->proc != NULL, "cannot start prometheus: %s",
      err ? err->message : "?");
  running_prom = p;
  end = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (!ready && g_get_monotonic_time () < end) {
    guint st = 0;
    gchar *b = http (p->port, "GET", "/-/ready", &st);
    ready = st == 200;
    g_free (b);
    if (!ready)
      g_usleep (200000);
  }
  fail_unless (ready, "prometheus did not get ready in 60 s (log: %s)", log);
  g_free (conf);
  g_free (conf_path);
  g_free (rules);
  g_free (addr);
  g_free (cfg_arg);
  g_free (db_arg);
  g_free (log);
}

static void
prom_stop (Prom * p)
{
  running_prom = NULL;
  if (p->proc) {
    g_subprocess_send_signal (p->proc, SIGTERM);
    g_subprocess_wait (p->proc, NULL, NULL);
    g_object_unref (p->proc);
    p->proc = NULL;
  }
  g_free (p->dir);
  p->dir = NULL;
}

/* The result vector of an instant query (a new ref) */
static JsonArray *
prom_query (Prom * p, const gchar * q)
{
  gchar *esc = g_uri_escape_string (q, NULL, FALSE);
  gchar *path = g_strdup_printf ("/api/v1/query?query=%s", esc);
  gchar *body = http (p->port, "GET", path, NULL);
  JsonNode *root = parse_json (body);
  JsonArray *res = NULL;

  if (root && JSON_NODE_HOLDS_OBJECT (root)) {
    JsonObject *o = json_node_get_object (root);
    if (g_strcmp0 (json_object_get_string_member (o, "status"), "success")
        == 0)
      res = json_array_ref (json_object_get_array_member
          (json_object_get_object_member (o, "data"), "result"));
    else
      GST_WARNING ("query %s: %s", q, body);
  }
  if (root)
    json_node_unref (root);
  g_free (body);
  g_free (path);
  g_free (esc);
  return res;
}

/* The value of the first sample of @q, NAN if none */
static gdouble
prom_value (Prom * p, const gchar * q)
{
  JsonArray *a = prom_query (p, q);
  gdouble v = NAN;

  if (a && json_array_get_length (a) > 0) {
    JsonArray *val = json_object_get_array_member
        (json_array_get_object_element (a, 0), "value");
    v = g_ascii_strtod (json_array_get_string_element (val, 1), NULL);
  }
  if (a)
    json_array_unref (a);
  return v;
}

static gboolean
alert_firing (Prom * p, const gchar * name, const gchar * element)
{
  gchar *body = http (p->port, "GET", "/api/v1/alerts", NULL);
  JsonNode *root = parse_json (body);
  gboolean firing = FALSE;
  JsonArray *a;
  guint i;

  g_free (body);
  if (!root)
    return FALSE;
  a = json_object_get_array_member (json_object_get_object_member
      (json_node_get_object (root), "data"), "alerts");
  for (i = 0; a && i < json_array_get_length (a); i++) {
    JsonObject *al = json_array_get_object_element (a, i);
    JsonObject *labels = json_object_get_object_member (al, "labels");
    if (g_strcmp0 (json_object_get_string_member (labels, "alertname"),
            name) == 0 && g_strcmp0 (json_object_get_string_member (labels,
                "element"), element) == 0
        && g_strcmp0 (json_object_get_string_member (al, "state"),
            "firing") == 0)
      firing = TRUE;
  }
  json_node_unref (root);
  return firing;
}

/* ---------- the queries of docs/monitoring ---------- */

/* Every `expr:` of the rules file, with its final comparison taken off */
static GPtrArray *
rule_queries (void)
{
  gchar *path = g_build_filename (TESTS_SRC_DIR, "..", "..", "docs",
      "monitoring", "aes67-alerts.yml", NULL);
  gchar *text = NULL, **lines;
  GPtrArray *qs = g_ptr_array_new_with_free_func (g_free);
  GRegex *cmp = g_regex_new ("\\s*(==|!=|>=|<=|>|<)\\s*-?[0-9.]+\\s*$", 0, 0,
      NULL);
  guint i;

  fail_unless (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (i = 0; lines[i]; i++) {
    gchar *l = g_strstrip (g_strdup (lines[i])), *expr = NULL, *q;
    if (g_str_has_prefix (l, "expr:")) {
      const gchar *v = l + 5;
      while (*v == ' ')
        v++;
      if (g_str_has_prefix (v, ">")) {
        /* a folded block: the lines indented deeper than `expr:` */
        gsize indent = strspn (lines[i], " ");
        GString *e = g_string_new (NULL);
        while (lines[i + 1] && strspn (lines[i + 1], " ") > indent &&
            lines[i + 1][strspn (lines[i + 1], " ")] != '\0') {
          gchar *t = g_strstrip (g_strdup (lines[++i]));
          if (e->len)
            g_string_append_c (e, ' ');
          g_string_append (e, t);
          g_free (t);
        }
        expr = g_string_free (e, FALSE);
      } else
        expr = g_strdup (v);
      q = g_regex_replace (cmp, expr, -1, 0, "", 0, NULL);
      fail_if (g_strcmp0 (q, expr) == 0, "rule without a threshold: %s", expr);
      g_ptr_array_add (qs, q);
      g_free (expr);
    }
    g_free (l);
  }
  fail_unless (qs->len == 8, "%u rules", qs->len);
  g_strfreev (lines);
  g_free (text);
  g_free (path);
  g_regex_unref (cmp);
  return qs;
}

static void
dashboard_queries (GPtrArray * qs)
{
  gchar *path = g_build_filename (TESTS_SRC_DIR, "..", "..", "docs",
      "monitoring", "grafana-dashboard.json", NULL);
  gchar *text = NULL;
  JsonNode *root;
  JsonArray *panels;
  guint i, j, before = qs->len;

  fail_unless (g_file_get_contents (path, &text, NULL, NULL));
  root = parse_json (text);
  fail_unless (root != NULL, "%s is not JSON", path);
  panels = json_object_get_array_member (json_node_get_object (root), "panels");
  for (i = 0; i < json_array_get_length (panels); i++) {
    JsonArray *t = json_object_get_array_member
        (json_array_get_object_element (panels, i), "targets");
    for (j = 0; t && j < json_array_get_length (t); j++)
      g_ptr_array_add (qs, g_strdup (json_object_get_string_member
              (json_array_get_object_element (t, j), "expr")));
  }
  fail_unless (qs->len - before >= 20, "only %u dashboard queries",
      qs->len - before);
  json_node_unref (root);
  g_free (text);
  g_free (path);
}

/* ---------- the pipelines ---------- */

static GstElement *
start_pipeline (guint host, const gchar * name, const gchar * desc)
{
  GError *err = NULL;
  GstElement *p;

  /* made inside the host: the tracer starts its SAP device monitor from
   * the thread that adds the first AES67 element to a bin */
  fail_unless (aes67_test_net_enter (net, host));
  p = gst_parse_launch (desc, &err);
  fail_unless (p != NULL, "%s: %s", desc, err ? err->message : "?");
  g_object_set (p, "name", name, NULL);
  gst_element_set_state (p, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  return p;
}

static gboolean
has_line (const gchar * text, const gchar * event, const gchar * element,
    const gchar * pipeline)
{
  gchar **lines = g_strsplit (text, "\n", -1);
  gboolean found = FALSE;
  guint i;

  for (i = 0; lines[i] && !found; i++) {
    JsonNode *n;
    JsonObject *o;
    if (!*lines[i])
      continue;
    n = parse_json (lines[i]);
    fail_unless (n && JSON_NODE_HOLDS_OBJECT (n), "not a JSON object: %s",
        lines[i]);
    o = json_node_get_object (n);
    /* every line: a UTC time, the element, the pipeline */
    fail_unless (g_str_has_suffix (json_object_get_string_member (o,
                "time"), "Z"), "%s", lines[i]);
    fail_unless (json_object_has_member (o, "element"), "%s", lines[i]);
    fail_unless (json_object_has_member (o, "pipeline"), "%s", lines[i]);
    if (g_strcmp0 (json_object_get_string_member (o, "event"), event) == 0
        && g_strcmp0 (json_object_get_string_member (o, "element"),
            element) == 0
        && g_strcmp0 (json_object_get_string_member (o, "pipeline"),
            pipeline) == 0)
      found = TRUE;
    json_node_unref (n);
  }
  g_strfreev (lines);
  return found;
}

static gchar *
regex_capture (const gchar * text, const gchar * pattern)
{
  GRegex *re = g_regex_new (pattern, G_REGEX_DOTALL | G_REGEX_UNGREEDY, 0,
      NULL);
  GMatchInfo *mi = NULL;
  gchar *v = NULL;

  fail_unless (re != NULL);
  if (g_regex_match (re, text, 0, &mi))
    v = g_match_info_fetch (mi, 1);
  g_match_info_free (mi);
  g_regex_unref (re);
  return v;
}

/* stops what the end-to-end test started (also after a failed check) */
static void
stop_all (void)
{
  if (running_prom)
    prom_stop (running_prom);
  if (rx) {
    gst_element_set_state (rx, GST_STATE_NULL);
    gst_object_unref (rx);
    rx = NULL;
  }
  if (tx) {
    gst_element_set_state (tx, GST_STATE_NULL);
    gst_object_unref (tx);
    tx = NULL;
  }
  if (nudger)
    aes67_ptp4l_nudger_stop (nudger);
  nudger = NULL;
  aes67_ptp4l_stop (tmpdir, &s2);
  aes67_ptp4l_stop (tmpdir, &s1);
  aes67_ptp4l_stop (tmpdir, &gm);
}

GST_START_TEST (test_prometheus_end_to_end)
{
  static const gchar *const slaves[] = { "s1.sock", "s2.sock", NULL };
  static Prom prom = { 0, };
  static const gchar *families[] = {
    "aes67_receiver_packets_received_total",
    "aes67_receiver_packets_lost_total", "aes67_receiver_packets_late_total",
    "aes67_receiver_packets_duplicate_total",
    "aes67_receiver_packets_reordered_total",
    "aes67_receiver_packets_malformed_total",
    "aes67_receiver_packets_foreign_total", "aes67_receiver_restored_total",
    "aes67_receiver_samples_concealed_total",
    "aes67_receiver_jitter_seconds", "aes67_receiver_receiving",
    "aes67_receiver_link_offset_seconds", "aes67_sender_packets_sent_total",
    "aes67_sender_packets_late_total", "aes67_sender_max_lateness_seconds",
    "aes67_ptp_locked", "aes67_ptp_offset_seconds",
    "aes67_ptp_grandmaster_info", "aes67_sap_sessions", "aes67_sap_announced",
    "loudness_momentary_lufs", "loudness_shortterm_lufs",
    "loudness_integrated_lufs", "loudness_range_lu",
    "loudness_true_peak_dbtp", "loudness_sample_peak_dbfs",
  };
  gchar *desc, *gm_id, *metrics, *out = NULL, *err_out = NULL, *needle;
  const gchar *check_argv[] = { "promtool", "check", "metrics", NULL };
  GPtrArray *qs;
  gdouble rate;
  gint64 end, received_before, received_after;
  guint i, st;
  gboolean ok;

  /* PTP: a grandmaster in host 0, slaves in the sending and the receiving
   * host */
  gm = aes67_ptp4l_start (net, tmpdir, 0, "gm", 0, "priority1 1\n");
  s1 = aes67_ptp4l_start (net, tmpdir, 1, "s1", 0,
      "slaveOnly 1\nfree_running 1\n");
  s2 = aes67_ptp4l_start (net, tmpdir, 2, "s2", 0,
      "slaveOnly 1\nfree_running 1\n");
  nudger = aes67_ptp4l_nudger_start (tmpdir, slaves, 0);
  gm_id = aes67_ptp4l_clock_eui64 (tmpdir, "gm.sock", 0);
  fail_unless (gm_id != NULL);

  desc = g_strdup_printf ("ptpclock name=rxclock backend=linuxptp "
      "uds-path=%s/s2.sock domain=0 sync-timeout=30 "
      "aes67src name=rx session-name=" SESSION " multicast-iface=eth0 "
      "discovery-timeout=30000 latency=%u ! audioconvert ! "
      "loudnessmeter name=rxmeter interval=200000000 ! fakesink sync=true",
      tmpdir, LINK_OFFSET_MS);
  /* the receiver first: it waits for the announcement in its own thread
   * of the state change */
  fail_unless (aes67_test_net_enter (net, 2));
  rx = gst_parse_launch (desc, NULL);
  fail_unless (rx != NULL);
  g_object_set (rx, "name", "rxpipe", NULL);
  fail_unless (aes67_test_net_leave ());
  g_free (desc);

  desc = g_strdup_printf ("ptpclock name=txclock backend=linuxptp "
      "uds-path=%s/s1.sock domain=0 sync-timeout=30 "
      "audiotestsrc is-live=true volume=0.1 ! "
      "audio/x-raw,rate=48000,channels=2 ! loudnessmeter name=txmeter "
      "interval=200000000 ! aes67sink name=tx address=" GROUP " port=%u "
      "multicast-iface=eth0 session-name=" SESSION " sapannounce name=sap "
      "interval=1 multicast-iface=eth0", tmpdir, RTP_PORT);
  tx = start_pipeline (1, "txpipe", desc);
  g_free (desc);
  fail_if (gst_element_get_state (tx, NULL, NULL, 60 * GST_SECOND) ==
      GST_STATE_CHANGE_FAILURE, "the sender did not start");

  fail_unless (aes67_test_net_enter (net, 2));
  gst_element_set_state (rx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  fail_if (gst_element_get_state (rx, NULL, NULL, 60 * GST_SECOND) ==
      GST_STATE_CHANGE_FAILURE, "the receiver did not start");
  fail_unless (wait_rx_state ("receiving", 30), "the receiver does not "
      "receive");

  /* 1. /metrics: promtool's lint, every family measured, read-only */
  g_print
      ("aes67metrics: 1. /metrics: promtool's lint, every family measured, read-only\n");
  end = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  do {
    metrics = http (metrics_port, "GET", "/metrics", &st);
    fail_unless (metrics != NULL && st == 200);
    ok = TRUE;
    for (i = 0; i < G_N_ELEMENTS (families); i++) {
      needle = g_strdup_printf ("\n%s{", families[i]);
      if (!strstr (metrics, needle) && !(g_str_equal (families[i],
                  "aes67_sap_sessions") && strstr (metrics,
                  "\naes67_sap_sessions ")))
        ok = FALSE;
      g_free (needle);
    }
    if (!ok && g_get_monotonic_time () < end) {
      g_free (metrics);
      g_usleep (250000);
      continue;
    }
    break;
  } while (TRUE);
  for (i = 0; i < G_N_ELEMENTS (families); i++)
    fail_unless (strstr (metrics, families[i]) != NULL, "no %s in:\n%s",
        families[i], metrics);
  fail_unless (strstr (metrics, "aes67_receiver_receiving{element=\"rx\","
          "pipeline=\"rxpipe\",session=\"" SESSION "\",address=\"" GROUP
          "\",port=\"5004\"} 1\n") != NULL, "%s", metrics);
  fail_unless (strstr (metrics, "aes67_receiver_link_offset_seconds{element="
          "\"rx\",pipeline=\"rxpipe\",session=\"" SESSION "\",address=\""
          GROUP "\",port=\"5004\"} 0.02\n") != NULL, "%s", metrics);
  needle = g_strdup_printf ("aes67_ptp_grandmaster_info{element=\"rxclock\","
      "pipeline=\"rxpipe\",grandmaster=\"%s\",domain=\"0\"} 1\n", gm_id);
  fail_unless (strstr (metrics, needle) != NULL, "%s", metrics);
  g_free (needle);
  fail_unless (strstr (metrics, "aes67_sap_announced{element=\"sap\","
          "pipeline=\"txpipe\"} 1\n") != NULL, "%s", metrics);
  st = run (check_argv, metrics, &out, &err_out);
  fail_unless (st == 0, "promtool check metrics: %s%s\n%s", out, err_out,
      metrics);
  g_free (out);
  g_free (err_out);
  g_free (metrics);
  {
    /* the sender's worst lateness, in ns from its stats: between what the
     * stats said before and after a scrape */
    GstElement *sink = gst_bin_get_by_name (GST_BIN (tx), "tx");
    GstStructure *a = NULL, *b = NULL;
    gint64 ns_a = -1, ns_b = -1;
    gchar *m, *v;
    gdouble scraped;

    g_object_get (sink, "stats", &a, NULL);
    m = http (metrics_port, "GET", "/metrics", NULL);
    g_object_get (sink, "stats", &b, NULL);
    fail_unless (gst_structure_get_int64 (a, "max-lateness-ns", &ns_a));
    fail_unless (gst_structure_get_int64 (b, "max-lateness-ns", &ns_b));
    v = regex_capture (m, "\naes67_sender_max_lateness_seconds\\{element="
        "\"tx\",[^}]*\\} ([^\n]*)\n");
    fail_unless (v != NULL, "%s", m);
    scraped = g_ascii_strtod (v, NULL);
    fail_unless (scraped >= ns_a / 1e9 && scraped <= ns_b / 1e9,
        "scraped %s s, stats %" G_GINT64_FORMAT " then %" G_GINT64_FORMAT
        " ns", v, ns_a, ns_b);
    g_free (v);
    g_free (m);
    gst_structure_free (a);
    gst_structure_free (b);
    gst_object_unref (sink);
  }
  g_free (http (metrics_port, "POST", "/metrics", &st));
  fail_unless_equals_int (st, 405);

  /* 2. Prometheus: a receive rate of 1000 packets/s */
  g_print ("aes67metrics: 2. Prometheus: a receive rate of 1000 packets/s\n");
  prom_start (&prom);
  end = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end &&
      !(prom_value (&prom, "count_over_time(aes67_receiver_packets_received_"
              "total{element=\"rx\"}[15s])") >= 12))
    g_usleep (500000);
  rate = prom_value (&prom, "rate(aes67_receiver_packets_received_total"
      "{element=\"rx\",pipeline=\"rxpipe\"}[10s])");
  GST_INFO ("receive rate %.1f packets/s", rate);
  fail_unless (rate > 900 && rate < 1100, "receive rate %f packets/s, "
      "expected 1000 (1 ms packets)", rate);
  rate = prom_value (&prom, "rate(aes67_sender_packets_sent_total"
      "{element=\"tx\",pipeline=\"txpipe\"}[10s])");
  fail_unless (rate > 900 && rate < 1100, "send rate %f packets/s", rate);

  /* 3. every query of the rules and the dashboard has data */
  g_print
      ("aes67metrics: 3. every query of the rules and the dashboard has data\n");
  qs = rule_queries ();
  dashboard_queries (qs);
  for (i = 0; i < qs->len; i++) {
    const gchar *q = g_ptr_array_index (qs, i);
    JsonArray *a;
    a = prom_query (&prom, q);
    fail_unless (a != NULL, "query failed: %s", q);
    fail_unless (json_array_get_length (a) > 0, "no data for: %s", q);
    json_array_unref (a);
  }
  g_ptr_array_unref (qs);

  /* 4. the status page in a real browser */
  g_print ("aes67metrics: 4. the status page in a real browser\n");
  {
    gchar *profile = g_build_filename (tmpdir, "chromium", NULL);
    gchar *udd = g_strdup_printf ("--user-data-dir=%s", profile);
    gchar *url = g_strdup_printf ("http://127.0.0.1:%u/", metrics_port);
    const gchar *argv[] = { "chromium", "--headless", "--no-sandbox",
      "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update",
      "--disable-sync", udd, "--virtual-time-budget=3000", "--dump-dom", url,
      NULL
    };
    gchar *dom = NULL, *row, *v;
    gdouble lufs;

    g_mkdir_with_parents (profile, 0700);
    st = run (argv, NULL, &dom, &err_out);
    fail_unless (st == 0, "chromium: %s", err_out);
    g_free (err_out);
    row = regex_capture (dom, "(<tr class=\"stream\" data-direction=\"receive\""
        " data-element=\"rx\" data-pipeline=\"rxpipe\">.*</tr>)");
    fail_unless (row != NULL, "no receiver row in the page:\n%s", dom);
    v = regex_capture (row, "<td class=\"state ok\">([^<]*)</td>");
    fail_unless_equals_string (v, "receiving");
    g_free (v);
    v = regex_capture (row, "<td class=\"session\">([^<]*)</td>");
    fail_unless_equals_string (v, SESSION);
    g_free (v);
    v = regex_capture (row, "<td class=\"offset\">([^<]*)</td>");
    fail_unless_equals_string (v, "20.0");
    g_free (v);
    v = regex_capture (row, "<span class=\"lufs\">([^<]*)</span>");
    fail_unless (v != NULL, "no loudness in %s", row);
    lufs = g_ascii_strtod (v, NULL);
    fail_unless (fabs (lufs - EXPECTED_LUFS) <= 0.5, "page shows %s LUFS", v);
    g_free (v);
    g_free (row);
    row = regex_capture (dom, "(<tr class=\"ptp\" data-element=\"rxclock\">"
        ".*</tr>)");
    fail_unless (row != NULL, "no PTP row in the page:\n%s", dom);
    v = regex_capture (row, "<td class=\"grandmaster\">([^<]*)</td>");
    fail_unless_equals_string (v, gm_id);
    g_free (v);
    fail_unless (strstr (row, "<td class=\"locked ok\">locked</td>") != NULL,
        "%s", row);
    g_free (row);
    row = regex_capture (dom, "(<tr class=\"stream\" data-direction="
        "\"send\" data-element=\"tx\")");
    fail_unless (row != NULL, "no sender row");
    g_free (row);
    g_free (dom);
    g_free (url);
    g_free (udd);
    g_free (profile);
  }

  /* 5. every 10th packet dropped: the loss alert fires */
  g_print
      ("aes67metrics: 5. every 10th packet dropped: the loss alert fires\n");
  fail_unless (aes67_test_net_drop (net, 2, RTP_PORT, 10));
  end = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end &&
      !alert_firing (&prom, "AES67PacketLoss", "rx"))
    g_usleep (500000);
  fail_unless (alert_firing (&prom, "AES67PacketLoss", "rx"),
      "AES67PacketLoss did not fire with 10 %% loss");
  fail_unless (rx_int ("packets-lost") > 0);
  fail_unless (aes67_test_net_drop (net, 2, RTP_PORT, 0));

  /* 6. everything dropped: lost, then restored; counters go on */
  g_print
      ("aes67metrics: 6. everything dropped: lost, then restored; counters go on\n");
  received_before = rx_int ("packets-received");
  fail_unless (aes67_test_net_drop (net, 2, RTP_PORT, 1));
  fail_unless (wait_rx_state ("lost", 30), "the stream was not lost");
  fail_unless (aes67_test_net_drop (net, 2, RTP_PORT, 0));
  fail_unless (wait_rx_state ("receiving", 30), "the stream did not return");
  received_after = rx_int ("packets-received");
  fail_unless (received_after >= received_before, "%" G_GINT64_FORMAT
      " then %" G_GINT64_FORMAT, received_before, received_after);
  fail_unless (rx_int ("restored") >= 1);
  /* a restart from NULL starts aes67src's statistics again (they go on
   * across READY); the exported counter goes on from where it was */
  fail_unless (aes67_test_net_enter (net, 2));
  gst_element_set_state (rx, GST_STATE_NULL);
  fail_unless (gst_element_get_state (rx, NULL, NULL, 30 * GST_SECOND) ==
      GST_STATE_CHANGE_SUCCESS);
  fail_unless (aes67_test_net_leave ());
  received_before = rx_int ("packets-received");
  fail_unless (received_before > 0);
  fail_unless (aes67_test_net_enter (net, 2));
  gst_element_set_state (rx, GST_STATE_PLAYING);
  fail_unless (aes67_test_net_leave ());
  fail_if (gst_element_get_state (rx, NULL, NULL, 60 * GST_SECOND) ==
      GST_STATE_CHANGE_FAILURE);
  fail_unless (wait_rx_state ("receiving", 30), "no stream after restart");
  {
    GstElement *src = gst_bin_get_by_name (GST_BIN (rx), "rx");
    GstStructure *raw = NULL;
    guint64 raw_received = 0;

    /* wait until the element's own count is well under the exported one:
     * proof that it started again and the tracer carried the old count */
    end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    do {
      g_usleep (500000);
      g_object_get (src, "stats", &raw, NULL);
      gst_structure_get_uint64 (raw, "packets-received", &raw_received);
      gst_structure_free (raw);
      received_after = rx_int ("packets-received");
      /* (-1: the receiver not in /status at that moment, e.g. before the
       * tracer's first look at the restarted element: look again) */
    } while ((raw_received < 500 || received_after < 0)
        && g_get_monotonic_time () < end);
    gst_object_unref (src);
    fail_unless (raw_received >= 500 && (gint64) raw_received <
        received_before, "aes67src counts %" G_GUINT64_FORMAT " after the "
        "restart, %" G_GINT64_FORMAT " before", raw_received, received_before);
    fail_unless (received_after >= received_before + (gint64) raw_received,
        "exported %" G_GINT64_FORMAT " after the restart, %" G_GINT64_FORMAT
        " before, the element counts %" G_GUINT64_FORMAT " since",
        received_after, received_before, raw_received);
  }

  /* 7. the event log */
  g_print ("aes67metrics: 7. the event log\n");
  {
    /* a warning, as an element posts it: through the bus like any other */
    GstElement *meter = gst_bin_get_by_name (GST_BIN (tx), "txmeter");
    GError *w = g_error_new_literal (GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "metrics test warning");

    gst_element_post_message (meter, gst_message_new_warning (GST_OBJECT
            (meter), w, "from the test"));
    g_error_free (w);
    gst_object_unref (meter);
  }
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  do {
    gchar *text = NULL;
    fail_unless (g_file_get_contents (log_path, &text, NULL, NULL));
    ok = has_line (text, "stream-lost", "rx", "rxpipe") &&
        has_line (text, "stream-restored", "rx", "rxpipe") &&
        has_line (text, "sap-session", "rx", "rxpipe") &&
        has_line (text, "ptp-locked", "rxclock", "rxpipe") &&
        has_line (text, "ptp-locked", "txclock", "txpipe") &&
        has_line (text, "warning", "txmeter", "txpipe") &&
        strstr (text, "\"message\":\"metrics test warning\"") != NULL;
    if (!ok && g_get_monotonic_time () >= end)
      fail ("missing events in the log:\n%s", text);
    g_free (text);
    if (!ok)
      g_usleep (200000);
  } while (!ok);

  g_free (gm_id);
  /* (GStreamer's check ends a passed test by waiting for every task) */
  stop_all ();
}

GST_END_TEST;

/* A port that is taken: one warning, and the pipeline runs to its end */
GST_START_TEST (test_port_taken)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *sa = g_inet_socket_address_new (lo, 0), *bound;
  guint port, n = 0;
  gchar *tracers, *out = NULL, *err = NULL, *p, *expect;
  /* this program again (instrumented like the plugins under ASan), which
   * runs a short pipeline with the tracer */
  gchar *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  const gchar *argv[] = { "env", NULL, self_exe, "--port-child", NULL };
  gint st;

  fail_unless (g_socket_bind (s, sa, FALSE, NULL));
  fail_unless (g_socket_listen (s, NULL));
  bound = g_socket_get_local_address (s, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  tracers = g_strdup_printf ("GST_TRACERS=aes67metrics(port=%u)", port);
  argv[1] = tracers;
  st = run (argv, NULL, &out, &err);
  fail_unless_equals_int (st, 0);
  expect = g_strdup_printf ("aes67metrics: WARNING: cannot serve metrics on "
      "127.0.0.1 port %u: Address already in use", port);
  for (p = err; (p = strstr (p, "aes67metrics: WARNING")); p++)
    n++;
  fail_unless (strstr (err, expect) != NULL, "stderr: %s", err);
  fail_unless_equals_int (n, 1);
  g_free (out);
  g_free (err);
  g_free (expect);

  /* an address that is not one */
  g_free (tracers);
  tracers = g_strdup ("GST_TRACERS=aes67metrics(address=studio,port=0)");
  argv[1] = tracers;
  st = run (argv, NULL, &out, &err);
  fail_unless_equals_int (st, 0);
  fail_unless (strstr (err, "'studio' is not an IP address") != NULL,
      "stderr: %s", err);
  g_free (out);
  g_free (err);
  g_free (tracers);
  g_free (self_exe);
  g_object_unref (bound);
  g_object_unref (sa);
  g_object_unref (lo);
  g_object_unref (s);
}

GST_END_TEST;

static void
setup (void)
{
  GError *err = NULL;

  net = aes67_test_net_new ("metrics", 3, &err);
  if (!net)
    fail ("cannot make the test network: %s", err->message);
}

static void
teardown (void)
{
  stop_all ();
  aes67_test_net_free (net);
  net = NULL;
}

static Suite *
aes67metrics_suite (void)
{
  Suite *s = suite_create ("aes67metrics");
  TCase *tc = tcase_create ("prometheus");
  TCase *tc2 = tcase_create ("port");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 400);
  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_add_test (tc, test_prometheus_end_to_end);
  suite_add_tcase (s, tc2);
  tcase_add_test (tc2, test_port_taken);
  return s;
}

/* --port-child: a short pipeline, GST_TRACERS from the environment */
static int
port_child (int argc, char **argv)
{
  GstElement *p;
  GstMessage *m;
  GstBus *bus;
  gboolean ok;

  gst_init (&argc, &argv);
  p = gst_parse_launch ("audiotestsrc num-buffers=20 ! fakesink", NULL);
  if (!p)
    return 2;
  gst_element_set_state (p, GST_STATE_PLAYING);
  bus = gst_element_get_bus (p);
  m = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS;
  if (m)
    gst_message_unref (m);
  gst_object_unref (bus);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  return ok ? 0 : 1;
}

int
main (int argc, char **argv)
{
  static const gchar *tools[] = { "prometheus", "promtool", "chromium",
    "nft"
  };
  gchar *why = NULL, *tracers;
  guint i;
  gint ret;

  if (argc > 1 && g_str_equal (argv[1], "--port-child"))
    return port_child (argc, argv);

  for (i = 0; i < G_N_ELEMENTS (tools); i++) {
    gchar *p = g_find_program_in_path (tools[i]);
    if (!p) {
      g_print ("SKIP: the monitoring test needs %s (Debian package %s)\n",
          tools[i], g_str_equal (tools[i], "promtool") ? "prometheus" :
          g_str_equal (tools[i], "nft") ? "nftables" : tools[i]);
      return 77;
    }
    g_free (p);
  }
  if (!aes67_test_net_check (&why) || !aes67_ptp4l_check (&why)) {
    g_print ("SKIP: the monitoring test needs namespaces and ptp4l: %s\n", why);
    g_free (why);
    return 77;
  }
  tmpdir = aes67_ptp4l_dir_new ("metrics");
  if (!tmpdir) {
    g_print ("cannot make a temporary directory\n");
    return 1;
  }
  /* the tracer, before gst_init */
  log_path = g_build_filename (tmpdir, "events.log", NULL);
  metrics_port = free_port ();
  tracers = g_strdup_printf ("aes67metrics(port=%u,log-file=%s)",
      metrics_port, log_path);
  g_setenv ("GST_TRACERS", tracers, TRUE);
  g_free (tracers);
  gst_check_init (&argc, &argv);
  g_unsetenv ("GST_TRACERS");
  ret = gst_check_run_suite (aes67metrics_suite (), "aes67metrics", __FILE__);
  aes67_ptp4l_dir_free (tmpdir);
  g_free (log_path);
  return ret;
}
