/* gst-aes67: ptpclock benchmark against a real ptp4l grandmaster
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * One run, three namespaces on one bridge: host 0 a ptp4l grandmaster
 * (software timestamps, CLOCK_REALTIME); host 1 a free-running ptp4l slave
 * read by ptpclock backend=linuxptp; host 2 ptpclock backend=internal and,
 * beside it, a stock GstPtpClock. The namespaces share CLOCK_REALTIME, which
 * the grandmaster puts on the wire as it is, so CLOCK_REALTIME is the true
 * PTP time. Prints time to lock, clock error against the truth (over
 * --seconds, one sample every 50 ms) and the cost of one gst_clock_get_time.
 *
 *   GST_PLUGIN_PATH_1_0=build build/tests/benchmarks/ptp-bench [seconds]
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gst/gst.h>
#include <gst/net/net.h>

#include "aes67-testnet.h"

static Aes67TestNet *net;
static gchar *tmpdir;
static GPid gm_pid, slave_pid;
static volatile gint stop_nudge;
static gint64 t_start, t_slave;

static gint64
realtime_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * GST_SECOND + ts.tv_nsec;
}

static GPid
start_ptp4l (guint host, const gchar * name, const gchar * extra)
{
  gchar *cfg = g_strdup_printf ("%s/%s.cfg", tmpdir, name);
  gchar *log = g_strdup_printf ("%s/%s.log", tmpdir, name);
  gchar *text = g_strdup_printf ("[global]\nlogSyncInterval -3\n"
      "logAnnounceInterval 0\nannounceReceiptTimeout 3\n"
      "uds_address %s/%s.sock\n%s", tmpdir, name, extra);
  const gchar *argv[] = { "setpriv", "--pdeathsig", "KILL", "ptp4l", "-S",
    "-m", "-i", "eth0", "-f", cfg, NULL
  };
  GPid pid;

  g_file_set_contents (cfg, text, -1, NULL);
  pid = aes67_test_net_spawn (net, host, argv, log, NULL);
  g_free (cfg);
  g_free (log);
  g_free (text);
  return pid;
}

static gchar *
pmc (const gchar * cmd)
{
  static gint n;
  gchar *line = g_strdup_printf ("pmc -u -b 0 -s %s/slave.sock -i "
      "%s/pmc%d.sock '%s'", tmpdir, tmpdir, g_atomic_int_add (&n, 1), cmd);
  gchar *out = NULL;

  if (!g_spawn_command_line_sync (line, &out, NULL, NULL, NULL))
    out = NULL;
  g_free (line);
  return out;
}

static gpointer
nudger (gpointer data)
{
  while (!g_atomic_int_get (&stop_nudge)) {
    gchar *out = pmc ("GET PORT_DATA_SET");
    if (out && strstr (out, "UNCALIBRATED")) {
      g_free (out);
      out = pmc ("SET SYNCHRONIZATION_UNCERTAIN_NP 0");
    } else if (out && strstr (out, "SLAVE") && !t_slave) {
      t_slave = g_get_monotonic_time ();
    }
    g_free (out);
    g_usleep (100000);
  }
  return NULL;
}

typedef struct
{
  const gchar *name;
  GstClock *clock;
  gint64 t_lock;
  gdouble mean, sd, max_abs;
  gdouble read_ns;
  gint n;
  gdouble sum, sum2;
} Subject;

static void
sample (Subject * s)
{
  gint64 best = G_MAXINT64, err = 0;
  gint i;

  for (i = 0; i < 5; i++) {
    gint64 a = realtime_ns ();
    gint64 t = (gint64) gst_clock_get_time (s->clock);
    gint64 b = realtime_ns ();
    if (b - a < best) {
      best = b - a;
      err = t - (a + b) / 2;
    }
  }
  s->n++;
  s->sum += err;
  s->sum2 += (gdouble) err *err;
  s->max_abs = MAX (s->max_abs, fabs ((gdouble) err));
}

static void
read_cost (Subject * s)
{
  const gint N = 200000;
  gint64 a = g_get_monotonic_time ();
  volatile GstClockTime t = 0;
  gint i;

  for (i = 0; i < N; i++)
    t += gst_clock_get_time (s->clock);
  s->read_ns = (g_get_monotonic_time () - a) * 1000.0 / N;
  (void) t;
}

int
main (int argc, char **argv)
{
  gint seconds = argc > 1 ? atoi (argv[1]) : 10;
  GstElement *el_lin, *el_int;
  Subject subj[3] = { {"linuxptp backend"}, {"internal backend"},
  {"stock GstPtpClock"}
  };
  gchar *reason = NULL, *props;
  GThread *nt;
  gint i, k;
  gboolean all;

  gst_init (&argc, &argv);
  if (!aes67_test_net_check (&reason)) {
    g_printerr ("cannot run: %s\n", reason);
    return 77;
  }
  tmpdir = g_dir_make_tmp ("ptp-bench-XXXXXX", NULL);
  net = aes67_test_net_new ("pbench", 3, NULL);
  if (!net)
    return 1;

  t_start = g_get_monotonic_time ();
  gm_pid = start_ptp4l (0, "gm", "priority1 1\n");
  slave_pid = start_ptp4l (1, "slave", "slaveOnly 1\nfree_running 1\n");
  nt = g_thread_new ("nudger", nudger, NULL);

  el_lin = gst_element_factory_make ("ptpclock", NULL);
  el_int = gst_element_factory_make ("ptpclock", NULL);
  if (!el_lin || !el_int) {
    g_printerr ("ptpclock not found: set GST_PLUGIN_PATH_1_0\n");
    return 1;
  }
  props = g_strdup_printf ("%s/slave.sock", tmpdir);
  g_object_set (el_lin, "backend", 1, "uds-path", props, NULL);
  g_object_set (el_int, "backend", 2, "interface", "eth0", NULL);
  gst_element_set_state (el_lin, GST_STATE_READY);
  aes67_test_net_enter (net, 2);
  gst_element_set_state (el_int, GST_STATE_READY);
  aes67_test_net_leave ();
  g_object_get (el_lin, "clock", &subj[0].clock, NULL);
  g_object_get (el_int, "clock", &subj[1].clock, NULL);
  /* gst_ptp_init() ran in host 2 (the internal backend): the stock clock
   * shares that PTP client */
  subj[2].clock = gst_ptp_clock_new ("stock", 0);

  /* time to lock */
  for (k = 0; k < 600; k++) {
    gboolean s0, s1;
    g_object_get (el_lin, "synced", &s0, NULL);
    g_object_get (el_int, "synced", &s1, NULL);
    if (s0 && !subj[0].t_lock)
      subj[0].t_lock = g_get_monotonic_time ();
    if (s1 && !subj[1].t_lock)
      subj[1].t_lock = g_get_monotonic_time ();
    if (gst_clock_is_synced (subj[2].clock) && !subj[2].t_lock)
      subj[2].t_lock = g_get_monotonic_time ();
    all = subj[0].t_lock && subj[1].t_lock && subj[2].t_lock;
    if (all)
      break;
    g_usleep (50000);
  }
  /* settle, then sample the error */
  g_usleep (2 * G_USEC_PER_SEC);
  for (k = 0; k < seconds * 20; k++) {
    for (i = 0; i < 3; i++)
      if (subj[i].t_lock)
        sample (&subj[i]);
    g_usleep (50000);
  }
  for (i = 0; i < 3; i++)
    read_cost (&subj[i]);

  g_print ("ptp-bench: ptp4l 3.1.1 grandmaster and slave, software "
      "timestamps, veth, logSyncInterval -3, %d s of samples\n", seconds);
  if (t_slave)
    g_print ("ptp4l slave reached SLAVE %.2f s after start\n",
        (t_slave - t_start) / 1e6);
  g_print ("%-20s %10s %10s %12s %12s %12s %10s\n", "clock", "lock s",
      "after SLAVE", "mean err ns", "sd ns", "max |err| ns", "read ns");
  for (i = 0; i < 3; i++) {
    Subject *s = &subj[i];
    if (s->n) {
      s->mean = s->sum / s->n;
      s->sd = sqrt (MAX (0, s->sum2 / s->n - s->mean * s->mean));
    }
    g_print ("%-20s %10.2f %10.2f %12.0f %12.0f %12.0f %10.1f\n", s->name,
        s->t_lock ? (s->t_lock - t_start) / 1e6 : -1.0,
        (i == 0 && s->t_lock && t_slave) ? (s->t_lock - t_slave) / 1e6 : NAN,
        s->mean, s->sd, s->max_abs, s->read_ns);
  }
  g_print ("ratios: internal/stock |mean err| %.2f, read cost %.2f; "
      "linuxptp/stock |mean err| %.3f, read cost %.2f\n",
      fabs (subj[1].mean) / MAX (1, fabs (subj[2].mean)),
      subj[1].read_ns / subj[2].read_ns,
      fabs (subj[0].mean) / MAX (1, fabs (subj[2].mean)),
      subj[0].read_ns / subj[2].read_ns);

  g_atomic_int_set (&stop_nudge, 1);
  g_thread_join (nt);
  gst_element_set_state (el_lin, GST_STATE_NULL);
  gst_element_set_state (el_int, GST_STATE_NULL);
  gst_object_unref (el_lin);
  gst_object_unref (el_int);
  for (i = 0; i < 3; i++)
    gst_object_unref (subj[i].clock);
  aes67_test_net_stop (gm_pid);
  aes67_test_net_stop (slave_pid);
  aes67_test_net_free (net);
  {
    gchar *cmd = g_strdup_printf ("rm -rf %s", tmpdir);
    if (system (cmd) != 0)
      g_printerr ("could not remove %s\n", tmpdir);
    g_free (cmd);
  }
  g_free (props);
  return 0;
}
