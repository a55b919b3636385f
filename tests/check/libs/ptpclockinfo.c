/* gst-aes67: aes67_clock_get_ptp_info() on real clocks
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * The API aes67sink and aes67src use to learn the grandmaster and domain of
 * the pipeline clock. Checked against a real ptp4l grandmaster on domain 3
 * (host 0), read through a free-running ptp4l slave (host 1) by a
 * GstAes67PtpClock, and by a stock GstPtpClock (host 2); the expected
 * grandmaster identity comes from pmc on the grandmaster. This program
 * links libgstaes67core-1.0, as the aes67 plugin does, and loads that plugin
 * too: one copy of the clock's type in the process.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gst/check/gstcheck.h>
#include <gst/net/net.h>

#include "aes67-testnet.h"
#include "aes67-ptp4l.h"
#include "aes67-clock-info.h"
#include "gstaes67ptpclock.h"

#define DOMAIN 3

static Aes67TestNet *net;
static gchar *tmpdir;
static GPid gm_pid, slave_pid;

/* Network and leftovers are handled in the parent (unchecked fixtures, one
 * test per TCase): libcheck ends a failed test's child with _exit(), which
 * runs neither checked teardowns nor atexit handlers. The child notes every
 * ptp4l it starts ("+pid") and stops ("-pid") in tmpdir/pids; the parent
 * kills what is left, after checking it is still a ptp4l. */
static void
stop_proc (GPid * pid)
{
  aes67_ptp4l_stop (tmpdir, pid);
}

static void
setup (void)
{
  GError *err = NULL;

  tmpdir = aes67_ptp4l_dir_new ("pci");
  fail_unless (tmpdir != NULL);
  net = aes67_test_net_new ("pci", 3, &err);
  if (!net)
    fail ("cannot make the test network: %s", err->message);
}

/* parent: after it, whatever happened in the child */
static void
teardown (void)
{
  aes67_ptp4l_dir_free (tmpdir);
  tmpdir = NULL;
  aes67_test_net_free (net);
  net = NULL;
}

static GPid
start_ptp4l (guint host, const gchar * name, const gchar * extra)
{
  return aes67_ptp4l_start (net, tmpdir, host, name, DOMAIN, extra);
}

static gchar *
grandmaster_eui64 (void)
{
  return aes67_ptp4l_clock_eui64 (tmpdir, "gm.sock", DOMAIN);
}

static const gchar *const slave_socks[] = { "slave.sock", NULL };

static void
on_changed (GstClock * clock, gpointer user_data)
{
  g_atomic_int_inc ((gint *) user_data);
}

GST_START_TEST (test_not_ptp)
{
  GstClock *sys = gst_system_clock_obtain ();
  GstClock *ours;
  gchar *gm = (gchar *) "x";
  guint domain = 99;
  gboolean synced = TRUE;

  fail_if (aes67_clock_get_ptp_info (sys, &gm, &domain, &synced));
  fail_unless (gm == NULL);
  fail_unless_equals_int (domain, 0);
  fail_if (synced);
  fail_if (aes67_clock_get_ptp_info (NULL, NULL, NULL, NULL));
  fail_unless_equals_int (aes67_clock_watch_ptp_info (sys, on_changed,
          &domain), 0);
  gst_object_unref (sys);

  /* our clock on the system backend claims no PTP */
  ours = gst_aes67_ptp_clock_new ("sys", GST_AES67_PTP_BACKEND_SYSTEM, 5,
      NULL, NULL, NULL);
  gm = (gchar *) "x";
  fail_if (aes67_clock_get_ptp_info (ours, &gm, &domain, &synced));
  fail_unless (gm == NULL);
  gst_object_unref (ours);
}

GST_END_TEST;

/* The ptpclock element's clock (from the plugin, loaded into this process)
 * is of the very type this program links: the library holds it once. With
 * the clock's sources compiled into the test as well as into the plugin,
 * loading the plugin registered GstAes67PtpClock a second time. */
GST_START_TEST (test_one_type_with_plugin)
{
  GstElement *el = gst_element_factory_make ("ptpclock", NULL);
  GstClock *clock = NULL;
  guint domain = 99;

  fail_unless (el != NULL, "the aes67 plugin's ptpclock cannot be made");
  gst_util_set_object_arg (G_OBJECT (el), "backend", "system");
  fail_unless_equals_int (gst_element_set_state (el, GST_STATE_READY),
      GST_STATE_CHANGE_SUCCESS);
  g_object_get (el, "clock", &clock, NULL);
  fail_unless (clock != NULL);
  fail_unless (GST_IS_AES67_PTP_CLOCK (clock), "the clock is a %s",
      G_OBJECT_TYPE_NAME (clock));
  fail_unless (g_type_from_name ("GstAes67PtpClock") ==
      GST_TYPE_AES67_PTP_CLOCK);
  /* the library's clock-info API reads the plugin's clock */
  fail_if (aes67_clock_get_ptp_info (clock, NULL, &domain, NULL));
  fail_unless_equals_int (domain, 0);
  gst_object_unref (clock);
  gst_element_set_state (el, GST_STATE_NULL);
  gst_object_unref (el);
}

GST_END_TEST;

GST_START_TEST (test_ptp_clocks)
{
  gchar *uds = g_strdup_printf ("%s/slave.sock", tmpdir), *want, *gm = NULL;
  GstClock *ours, *stock;
  guint domain = 0;
  gboolean synced = FALSE;
  gint changes = 0;
  gulong watch;
  Aes67Ptp4lNudger *nt;
  gchar *ifaces[] = { (gchar *) "eth0", NULL };

  gm_pid = start_ptp4l (0, "gm", "priority1 1\n");
  slave_pid = start_ptp4l (1, "slave", "slaveOnly 1\nfree_running 1\n");
  nt = aes67_ptp4l_nudger_start (tmpdir, slave_socks, DOMAIN);

  ours = gst_aes67_ptp_clock_new ("ours", GST_AES67_PTP_BACKEND_LINUXPTP,
      DOMAIN, NULL, uds, NULL);
  watch = aes67_clock_watch_ptp_info (ours, on_changed, &changes);
  fail_unless (watch != 0);
  /* not locked yet: PTP, domain known, no grandmaster */
  fail_unless (aes67_clock_get_ptp_info (ours, &gm, &domain, &synced));
  fail_unless_equals_int (domain, DOMAIN);
  fail_if (synced);
  fail_unless (gm == NULL);

  /* GStreamer's client runs in host 2 */
  fail_unless (aes67_test_net_enter (net, 2));
  fail_unless (gst_ptp_init (0x0002c2fffe000001ULL, ifaces));
  stock = gst_ptp_clock_new ("stock", DOMAIN);
  aes67_test_net_leave ();

  fail_unless (gst_clock_wait_for_sync (ours, 20 * GST_SECOND));
  fail_unless (gst_clock_wait_for_sync (stock, 20 * GST_SECOND));
  want = grandmaster_eui64 ();
  fail_unless (want != NULL);

  fail_unless (aes67_clock_get_ptp_info (ours, &gm, &domain, &synced));
  fail_unless_equals_string (gm, want);
  fail_unless_equals_int (domain, DOMAIN);
  fail_unless (synced);
  g_free (gm);
  /* the lock was notified (synced and grandmaster-id); the notification
   * may come a moment after the clock is synced */
  {
    gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (g_atomic_int_get (&changes) < 2 && g_get_monotonic_time () < end)
      g_usleep (10000);
  }
  fail_unless (g_atomic_int_get (&changes) >= 2, "%d changes notified",
      g_atomic_int_get (&changes));

  domain = 0;
  synced = FALSE;
  fail_unless (aes67_clock_get_ptp_info (stock, &gm, &domain, &synced));
  fail_unless_equals_string (gm, want);
  fail_unless_equals_int (domain, DOMAIN);
  fail_unless (synced);
  g_free (gm);

  /* the linuxptp clock shows the timescale GStreamer's client shows (here
   * the grandmaster's UTC as is, not UTC + 37 s): they agree within the
   * stock client's error (measured up to 1.7 ms on an idle machine,
   * docs/benchmarks.md; it timestamps in user space, so load adds to it):
   * 50 ms, far from the 37 s a wrong timescale makes */
  {
    gint64 best = G_MAXINT64, diff = 0;
    gint i;

    for (i = 0; i < 20; i++) {
      gint64 a = (gint64) gst_clock_get_time (stock);
      gint64 t = (gint64) gst_clock_get_time (ours);
      gint64 b = (gint64) gst_clock_get_time (stock);
      if (b - a < best) {
        best = b - a;
        diff = t - (a + b) / 2;
      }
    }
    g_print ("linuxptp clock - GstPtpClock = %" G_GINT64_FORMAT " ns\n", diff);
    fail_unless (ABS (diff) < 50 * GST_MSECOND, "%" G_GINT64_FORMAT " ns",
        diff);
  }

  /* grandmaster gone: a change, then no grandmaster, not synced */
  changes = 0;
  stop_proc (&gm_pid);
  {
    gint i;
    for (i = 0; i < 200 && g_atomic_int_get (&changes) == 0; i++)
      g_usleep (100000);
  }
  fail_unless (g_atomic_int_get (&changes) > 0, "no change within 20 s");
  fail_unless (aes67_clock_get_ptp_info (ours, &gm, &domain, &synced));
  fail_if (synced);
  fail_unless (gm == NULL, "still names grandmaster %s", gm);
  fail_unless_equals_int (domain, DOMAIN);

  aes67_clock_unwatch_ptp_info (ours, watch);
  aes67_ptp4l_nudger_stop (nt);
  gst_object_unref (ours);
  gst_object_unref (stock);
  g_free (want);
  g_free (uds);
  stop_proc (&slave_pid);
}

GST_END_TEST;

static Suite *
ptpclockinfo_suite (void)
{
  Suite *s = suite_create ("ptpclockinfo");
  TCase *tc = tcase_create ("general");
  TCase *tcn = tcase_create ("ptp4l");

  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_not_ptp);
  tcase_add_test (tc, test_one_type_with_plugin);
  suite_add_tcase (s, tcn);
  tcase_add_unchecked_fixture (tcn, setup, teardown);
  tcase_set_timeout (tcn, 60);
  tcase_add_test (tcn, test_ptp_clocks);
  return s;
}

int
main (int argc, char **argv)
{
  gchar *reason = NULL;
  gchar *ptp4l = g_find_program_in_path ("ptp4l");
  gchar *setpriv = g_find_program_in_path ("setpriv");

  if (!aes67_test_net_check (&reason)) {
    g_print ("SKIP: %s\n", reason);
    return 77;
  }
  if (!ptp4l || !setpriv) {
    g_print ("SKIP: ptp4l (linuxptp) or setpriv (util-linux) missing\n");
    return 77;
  }
  g_free (ptp4l);
  g_free (setpriv);
  gst_check_init (&argc, &argv);
  return gst_check_run_suite (ptpclockinfo_suite (), "ptpclockinfo", __FILE__);
}
