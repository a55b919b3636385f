/* gst-aes67: the metrics tracer exports a redundant receiver's figures per
 * path (SMPTE ST 2022-7), with a `path` label, beside the merged ones.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This process runs the tracer (GST_TRACERS, set before gst_init) and an
 * aes67src receiving two legs on loopback (unicast, two ports); RTP
 * packets made by hand go to both, the secondary missing every fourth.
 * /metrics is read over HTTP.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gio/gio.h>
#include <stdlib.h>
#include <string.h>

static guint metrics_port;

static guint
free_port (GSocketType type)
{
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, type,
      G_SOCKET_PROTOCOL_DEFAULT, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *a = g_inet_socket_address_new (lo, 0), *b;
  guint port;

  g_assert_true (g_socket_bind (s, a, FALSE, NULL));
  b = g_socket_get_local_address (s, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (b));
  g_object_unref (b);
  g_object_unref (a);
  g_object_unref (lo);
  g_object_unref (s);
  return port;
}

/* GET @path from the tracer: the body, or NULL */
static gchar *
http_get (const gchar * path)
{
  GSocketClient *c = g_socket_client_new ();
  GSocketConnection *conn;
  GString *resp = g_string_new (NULL);
  gchar *req, buf[8192], *body = NULL, *sep;
  gssize n;

  g_socket_client_set_timeout (c, 30);
  conn = g_socket_client_connect_to_host (c, "127.0.0.1", metrics_port, NULL,
      NULL);
  g_object_unref (c);
  if (!conn) {
    g_string_free (resp, TRUE);
    return NULL;
  }
  req = g_strdup_printf ("GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", path);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM
          (conn)), req, strlen (req), NULL, NULL, NULL);
  g_free (req);
  while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM
                  (conn)), buf, sizeof (buf), NULL, NULL)) > 0)
    g_string_append_len (resp, buf, n);
  g_object_unref (conn);
  sep = strstr (resp->str, "\r\n\r\n");
  if (sep)
    body = g_strdup (sep + 4);
  g_string_free (resp, TRUE);
  return body;
}

/* the value of the one sample of @family whose labels hold all of
 * @labels (and, if @no_path, no path label); fails if there is none or
 * several */
static gdouble
metric (const gchar * text, const gchar * family, const gchar * const *labels,
    gboolean no_path)
{
  gchar **lines = g_strsplit (text, "\n", -1);
  gchar *prefix = g_strdup_printf ("%s{", family);
  guint i, k, found = 0;
  gdouble v = 0;

  for (i = 0; lines[i]; i++) {
    gboolean all = g_str_has_prefix (lines[i], prefix);

    for (k = 0; all && labels[k]; k++)
      all = strstr (lines[i], labels[k]) != NULL;
    if (all && no_path && strstr (lines[i], "path=\""))
      all = FALSE;
    if (all) {
      found++;
      v = g_ascii_strtod (strrchr (lines[i], ' ') + 1, NULL);
    }
  }
  fail_unless_equals_int (found, 1);
  g_strfreev (lines);
  g_free (prefix);
  return v;
}

GST_START_TEST (test_paths_exported)
{
  guint pa = free_port (G_SOCKET_TYPE_DATAGRAM), pb, i;
  GstElement *pipe, *src;
  GSocket *sock;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *to[2];
  gchar *desc, *text, *pal, *pbl;
  GstStructure *st = NULL;
  gint64 end;
  guint64 ra = 0, rb = 0;
  const gchar *prim[3], *sec[3], *merged[2];

  do
    pb = free_port (G_SOCKET_TYPE_DATAGRAM);
  while (pb == pa);
  desc = g_strdup_printf ("aes67src name=rx address=127.0.0.1 port=%u "
      "secondary-address=127.0.0.1 secondary-port=%u latency=20 "
      "! fakesink sync=false", pa, pb);
  pipe = gst_parse_launch (desc, NULL);
  fail_unless (pipe != NULL);
  src = gst_bin_get_by_name (GST_BIN (pipe), "rx");
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (pipe, NULL, NULL, 10 * GST_SECOND) !=
      GST_STATE_CHANGE_FAILURE);

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  to[0] = g_inet_socket_address_new (lo, pa);
  to[1] = g_inet_socket_address_new (lo, pb);
  for (i = 0; i < 100; i++) {
    guint8 p[12 + 48 * 6] = { 0x80, 96, };

    GST_WRITE_UINT16_BE (p + 2, i);
    GST_WRITE_UINT32_BE (p + 4, 4800 + i * 48);
    GST_WRITE_UINT32_BE (p + 8, 0x2022);
    g_socket_send_to (sock, to[0], (const gchar *) p, sizeof (p), NULL, NULL);
    if (i % 4 != 1)
      g_socket_send_to (sock, to[1], (const gchar *) p, sizeof (p), NULL, NULL);
    g_usleep (1000);
  }
  end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < end) {
    if (st)
      gst_structure_free (st);
    g_object_get (src, "stats", &st, NULL);
    gst_structure_get_uint64 (st, "primary-packets-received", &ra);
    gst_structure_get_uint64 (st, "secondary-packets-received", &rb);
    if (ra == 100 && rb == 75)
      break;
    g_usleep (10000);
  }
  fail_unless (ra == 100 && rb == 75, "%" GST_PTR_FORMAT, st);
  gst_structure_free (st);

  text = http_get ("/metrics");
  fail_unless (text != NULL);
  pal = g_strdup_printf ("port=\"%u\"", pa);
  pbl = g_strdup_printf ("port=\"%u\"", pb);
  prim[0] = "element=\"rx\"";
  prim[1] = "path=\"primary\"";
  prim[2] = NULL;
  sec[0] = "element=\"rx\"";
  sec[1] = "path=\"secondary\"";
  sec[2] = NULL;
  merged[0] = "element=\"rx\"";
  merged[1] = NULL;
  fail_unless_equals_float (metric (text,
          "aes67_receiver_packets_received_total", merged, TRUE), 100);
  fail_unless_equals_float (metric (text,
          "aes67_receiver_packets_lost_total", merged, TRUE), 0);
  fail_unless_equals_float (metric (text,
          "aes67_receiver_packets_received_total", prim, FALSE), 100);
  fail_unless_equals_float (metric (text,
          "aes67_receiver_packets_received_total", sec, FALSE), 75);
  fail_unless_equals_float (metric (text,
          "aes67_receiver_packets_lost_total", prim, FALSE), 0);
  fail_unless_equals_float (metric (text,
          "aes67_receiver_packets_lost_total", sec, FALSE), 25);
  fail_unless_equals_float (metric (text, "aes67_receiver_receiving", sec,
          FALSE), 1);
  fail_unless (strstr (text, pal) && strstr (text, pbl), "%s", text);
  metric (text, "aes67_receiver_jitter_seconds", sec, FALSE);
  metric (text, "aes67_receiver_packets_late_total", prim, FALSE);

  g_free (text);
  g_free (pal);
  g_free (pbl);
  g_free (desc);
  g_object_unref (to[0]);
  g_object_unref (to[1]);
  g_object_unref (lo);
  g_object_unref (sock);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (pipe);
}

GST_END_TEST;

static Suite *
aes67metricsdup_suite (void)
{
  Suite *s = suite_create ("aes67metricsdup");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_paths_exported);
  return s;
}

int
main (int argc, char **argv)
{
  gchar *tracers;

  /* the tracer is made at gst_init: its port first */
  metrics_port = free_port (G_SOCKET_TYPE_STREAM);
  tracers = g_strdup_printf ("aes67metrics(port=%u)", metrics_port);
  g_setenv ("GST_TRACERS", tracers, TRUE);
  g_free (tracers);
  gst_check_init (&argc, &argv);
  return gst_check_run_suite (aes67metricsdup_suite (), "aes67metricsdup",
      __FILE__);
}
