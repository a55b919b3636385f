/* gst-aes67: aes67src with two legs on loopback: a secondary leg that
 * carries another stream is reported (a warning naming it, its counter)
 * and ignored, and, as it never brings the stream, posts path-lost.
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/check/gstcheck.h>
#include <gio/gio.h>
#include <string.h>

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

static GstMessage *
wait_msg (GstBus * bus, GstMessageType type, const gchar * name)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end) {
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND, type);

    if (!m)
      continue;
    if (!name || gst_structure_has_name (gst_message_get_structure (m), name))
      return m;
    gst_message_unref (m);
  }
  return NULL;
}

GST_START_TEST (test_foreign_secondary)
{
  guint pa = free_port (G_SOCKET_TYPE_DATAGRAM), pb, i, port;
  GstElement *pipe, *src;
  GstBus *bus;
  GSocket *sock;
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *to[2];
  gchar *desc, *dbg = NULL;
  GstMessage *m;
  GError *err = NULL;
  GstStructure *st = NULL;
  const GstStructure *s;
  guint64 foreign = 0, recv = 0;

  do
    pb = free_port (G_SOCKET_TYPE_DATAGRAM);
  while (pb == pa);
  desc = g_strdup_printf ("aes67src name=rx address=127.0.0.1 port=%u "
      "secondary-address=127.0.0.1 secondary-port=%u latency=20 timeout=200 "
      "stats-interval=0 ! fakesink sync=false", pa, pb);
  pipe = gst_parse_launch (desc, &err);
  fail_unless (pipe != NULL && err == NULL, "%s", err ? err->message : "");
  src = gst_bin_get_by_name (GST_BIN (pipe), "rx");
  bus = gst_element_get_bus (pipe);
  fail_unless (gst_element_set_state (pipe, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (pipe, NULL, NULL, 10 * GST_SECOND) !=
      GST_STATE_CHANGE_FAILURE);

  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, NULL);
  to[0] = g_inet_socket_address_new (lo, pa);
  to[1] = g_inet_socket_address_new (lo, pb);
  /* the primary first, so that its SSRC is the stream's */
  for (i = 0; i < 400; i++) {
    guint8 p[12 + 48 * 6] = { 0x80, 96, };

    GST_WRITE_UINT16_BE (p + 2, i);
    GST_WRITE_UINT32_BE (p + 4, 4800 + i * 48);
    GST_WRITE_UINT32_BE (p + 8, 0xaaaa);
    g_socket_send_to (sock, to[0], (const gchar *) p, sizeof (p), NULL, NULL);
    while (i == 0 && recv == 0) {
      /* the stream locked to the primary's SSRC before anything else */
      g_object_get (src, "stats", &st, NULL);
      gst_structure_get_uint64 (st, "packets-received", &recv);
      gst_structure_free (st);
      g_usleep (1000);
    }
    GST_WRITE_UINT32_BE (p + 8, 0xbbbb);
    if (i > 0)
      g_socket_send_to (sock, to[1], (const gchar *) p, sizeof (p), NULL, NULL);
    g_usleep (1000);
  }

  m = wait_msg (bus, GST_MESSAGE_WARNING, NULL);
  fail_unless (m != NULL, "no warning");
  gst_message_parse_warning (m, &err, &dbg);
  fail_unless (strstr (err->message, "secondary leg") &&
      strstr (err->message, "0x0000bbbb") &&
      strstr (err->message, "0x0000aaaa"), "%s", err->message);
  g_clear_error (&err);
  g_free (dbg);
  gst_message_unref (m);

  /* it never brought the stream: lost once the primary ran 200 ms */
  m = wait_msg (bus, GST_MESSAGE_ELEMENT, "path-lost");
  fail_unless (m != NULL, "no path-lost");
  s = gst_message_get_structure (m);
  fail_unless_equals_string (gst_structure_get_string (s, "path"), "secondary");
  fail_unless_equals_string (gst_structure_get_string (s, "address"),
      "127.0.0.1");
  fail_unless (gst_structure_get_int (s, "port", (gint *) & port));
  fail_unless_equals_int (port, pb);
  fail_unless_equals_string (gst_structure_get_string (s,
          "other-path-state"), "receiving");
  gst_message_unref (m);

  g_object_get (src, "stats", &st, NULL);
  fail_unless (gst_structure_get_uint64 (st, "secondary-packets-foreign-ssrc",
          &foreign));
  fail_unless (gst_structure_get_uint64 (st, "packets-received", &recv));
  fail_unless (foreign > 0, "%" GST_PTR_FORMAT, st);
  fail_unless_equals_uint64 (recv, 400);
  fail_unless_equals_string (gst_structure_get_string (st, "secondary-state"),
      "lost");
  gst_structure_free (st);

  g_free (desc);
  g_object_unref (to[0]);
  g_object_unref (to[1]);
  g_object_unref (lo);
  g_object_unref (sock);
  gst_element_set_state (pipe, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (src);
  gst_object_unref (pipe);
}

GST_END_TEST;

static Suite *
aes67srcdup_suite (void)
{
  Suite *s = suite_create ("aes67srcdup");
  TCase *tc = tcase_create ("general");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_foreign_secondary);
  return s;
}

GST_CHECK_MAIN (aes67srcdup);
