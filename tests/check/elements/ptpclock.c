/* gst-aes67: ptpclock against real ptp4l in network namespaces
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 *
 * The network: host 0 runs a ptp4l grandmaster (software timestamps, on
 * CLOCK_REALTIME); host 1 a ptp4l slave (free_running: it must not steer the
 * shared system clock) and a pipeline with ptpclock backend=linuxptp; host 2
 * a pipeline with ptpclock backend=internal (GStreamer's PTP client). All
 * namespaces share CLOCK_REALTIME and the grandmaster puts CLOCK_REALTIME on
 * the wire as it is (measured: PTP_TIMESCALE 0, currentUtcOffset 37), so the
 * true PTP time is CLOCK_REALTIME and the true offset is 0.
 *
 * The slave ptp4l is free running, so its servo never locks by itself:
 * as FIELD-NOTES says, `pmc SET SYNCHRONIZATION_UNCERTAIN_NP 0` once it is
 * UNCALIBRATED takes it to SLAVE; a nudger thread does that.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <gst/check/gstcheck.h>
#include <gst/net/gstptpclock.h>

#include "aes67-testnet.h"
#include "aes67-ptp4l.h"

static const gchar *const slave_socks[] = { "slave.sock", NULL };

/* Deadlines, not speed figures (those are in tests/benchmarks/ptp-bench.c
 * and docs/benchmarks.md): the lock comes from the PTP message intervals
 * (~5 s here), the loss after 0.8 s (linuxptp) or 3.5 s (internal) without
 * an update, polled every 200 ms; a loaded machine adds seconds. */
#define LOCK_LIMIT_S        20  /* lock within 20 s of start */
#define LOSS_LIMIT_S        8   /* loss reported within 8 s */
#define RELOCK_LIMIT_S      20
/* linuxptp backend reads CLOCK_REALTIME: only read jitter separates it from
 * the truth (ptp-bench: mean 4-5 ns, worst 20 ns). GStreamer's client, which
 * the internal backend wraps, was measured -40 to -330 µs off, and in one
 * ptp-bench run -690 µs mean, 1.7 ms worst in the 12 s after its lock on
 * an idle machine; it timestamps in user space, so load adds to that. The
 * bound tells the PTP time from another clock (the system clock's UTC
 * against PTP's 37 s, or a free-running estimate) without measuring the
 * client's accuracy, which is a benchmark figure. */
#define LINUXPTP_TOL_NS     (50 * GST_USECOND)
#define INTERNAL_TOL_NS     (20 * GST_MSECOND)

static Aes67TestNet *net;
static gchar *tmpdir;
static GPid gm_pid, slave_pid, gm2_pid;

/* Network and leftovers are handled in the parent (unchecked fixtures, one
 * test per TCase): libcheck ends a failed test's child with _exit(), which
 * runs neither checked teardowns nor atexit handlers; aes67-ptp4l.c notes
 * every ptp4l started and stopped, and the parent kills what is left. */
static void
stop_proc (GPid * pid)
{
  aes67_ptp4l_stop (tmpdir, pid);
}

static void
stop_all (void)
{
  stop_proc (&gm_pid);
  stop_proc (&gm2_pid);
  stop_proc (&slave_pid);
}

/* parent: before each network test */
static void
setup (void)
{
  GError *err = NULL;

  tmpdir = aes67_ptp4l_dir_new ("ptp");
  fail_unless (tmpdir != NULL);
  net = aes67_test_net_new ("ptp", 3, &err);
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

static gchar *
path_in_tmp (const gchar * name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static GPid
start_ptp4l (guint host, const gchar * name, guint domain, const gchar * extra)
{
  return aes67_ptp4l_start (net, tmpdir, host, name, domain, extra);
}

static GPid
start_grandmaster (void)
{
  return start_ptp4l (0, "gm", 0, "priority1 1\n");
}

static GPid
start_slave (guint domain)
{
  return start_ptp4l (1, "slave", domain, "slaveOnly 1\nfree_running 1\n");
}

static gchar *
pmc (const gchar * sock_name, const gchar * cmd)
{
  return aes67_ptp4l_pmc (tmpdir, sock_name, 0, cmd);
}

/* the grandmaster's clockIdentity, written as SDP writes it */
static gchar *
grandmaster_eui64 (const gchar * sock)
{
  return aes67_ptp4l_clock_eui64 (tmpdir, sock, 0);
}

static gint64
realtime_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (gint64) ts.tv_sec * GST_SECOND + ts.tv_nsec;
}

/* clock minus CLOCK_REALTIME, read between two realtime reads; the smallest
 * read window of 20 tries */
static gint64
clock_error_ns (GstClock * clock)
{
  gint64 best_win = G_MAXINT64, err = 0;
  gint i;

  for (i = 0; i < 20; i++) {
    gint64 a = realtime_ns ();
    gint64 t = (gint64) gst_clock_get_time (clock);
    gint64 b = realtime_ns ();
    if (b - a < best_win) {
      best_win = b - a;
      err = t - (a + b) / 2;
    }
  }
  return err;
}

typedef struct
{
  GstElement *pipeline;
  GstElement *ptp;
  GstBus *bus;
  gint buffers;
} Pipe;

static void
on_handoff (GstElement * sink, GstBuffer * buf, GstPad * pad, gpointer data)
{
  Pipe *p = data;
  g_atomic_int_inc (&p->buffers);
}

static Pipe *
pipe_new (const gchar * ptp_props)
{
  Pipe *p = g_new0 (Pipe, 1);
  GError *err = NULL;
  gchar *desc = g_strdup_printf ("ptpclock name=ptp %s "
      "audiotestsrc is-live=true samplesperbuffer=480 ! "
      "fakesink name=sink sync=true signal-handoffs=true", ptp_props);
  GstElement *sink;

  p->pipeline = gst_parse_launch (desc, &err);
  if (!p->pipeline || err)
    fail ("cannot make pipeline: %s", err ? err->message : "?");
  g_free (desc);
  p->ptp = gst_bin_get_by_name (GST_BIN (p->pipeline), "ptp");
  sink = gst_bin_get_by_name (GST_BIN (p->pipeline), "sink");
  g_signal_connect (sink, "handoff", G_CALLBACK (on_handoff), p);
  gst_object_unref (sink);
  p->bus = gst_element_get_bus (p->pipeline);
  return p;
}

static void
pipe_free (Pipe * p)
{
  gst_element_set_state (p->pipeline, GST_STATE_NULL);
  gst_object_unref (p->ptp);
  gst_object_unref (p->bus);
  gst_object_unref (p->pipeline);
  g_free (p);
}

/* waits for a ptp-clock-status with @event (or any when NULL); returns it
 * (the message's structure, copied) or NULL; fails on an ERROR message */
static GstStructure *
wait_status (Pipe * p, const gchar * event, gdouble timeout_s,
    gboolean * saw_warning)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);

  for (;;) {
    gint64 now = g_get_monotonic_time ();
    GstMessage *m;

    if (now >= end)
      return NULL;
    m = gst_bus_timed_pop_filtered (p->bus, (end - now) * GST_USECOND,
        GST_MESSAGE_ELEMENT | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING);
    if (!m)
      return NULL;
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *e = NULL;
      gst_message_parse_error (m, &e, NULL);
      fail ("error from the pipeline: %s", e->message);
    }
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_WARNING) {
      GError *e = NULL;
      gst_message_parse_warning (m, &e, NULL);
      GST_INFO ("warning: %s", e->message);
      if (saw_warning)
        *saw_warning = TRUE;
      g_error_free (e);
    } else {
      const GstStructure *s = gst_message_get_structure (m);
      if (s && gst_structure_has_name (s, "ptp-clock-status")) {
        const gchar *ev = gst_structure_get_string (s, "event");
        GST_INFO ("status %" GST_PTR_FORMAT, s);
        if (!event || g_strcmp0 (ev, event) == 0) {
          GstStructure *ret = gst_structure_copy (s);
          gst_message_unref (m);
          return ret;
        }
      }
    }
    gst_message_unref (m);
  }
}

typedef struct
{
  GstElement *pipeline;
  GstStateChangeReturn ret;
} StateJob;

static gpointer
set_playing (gpointer data)
{
  StateJob *j = data;
  j->ret = gst_element_set_state (j->pipeline, GST_STATE_PLAYING);
  return NULL;
}

/* fails if a ptp-clock-status @event is pending on the bus (a lock that
 * flapped while it should have held) */
static void
expect_no_status (Pipe * p, const gchar * event)
{
  GstMessage *m;

  while ((m = gst_bus_pop_filtered (p->bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (m);
    if (s && gst_structure_has_name (s, "ptp-clock-status")
        && g_strcmp0 (gst_structure_get_string (s, "event"), event) == 0)
      fail ("unexpected ptp-clock-status %s", event);
    gst_message_unref (m);
  }
}

static void
check_running (Pipe * p, const gchar * when)
{
  gint before = g_atomic_int_get (&p->buffers);
  gint64 end = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  GstState st;

  /* 480 samples at 44.1 kHz: ~92 buffers a second; 30 more buffers, with
   * room for a loaded machine */
  while (g_atomic_int_get (&p->buffers) - before < 30
      && g_get_monotonic_time () < end)
    g_usleep (20000);
  if (g_atomic_int_get (&p->buffers) - before < 30)
    fail ("%s: only %d buffers in 5 s", when,
        g_atomic_int_get (&p->buffers) - before);
  gst_element_get_state (p->pipeline, &st, NULL, 0);
  fail_unless_equals_int (st, GST_STATE_PLAYING);
}

/* Waits until the element's offset-ns property has changed @n times (the
 * poll thread, which would post a "lost", read @n fresh measurements):
 * the positive event that a window of held lock has been watched. */
static gint
cmp_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
wait_offset_updates (Pipe * p, const gchar * who, guint n, gdouble timeout_s,
    gint64 * median)
{
  gint64 end = g_get_monotonic_time () + (gint64) (timeout_s * G_USEC_PER_SEC);
  gint64 last, now;
  GArray *seen = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint changes = 0;

  g_object_get (p->ptp, "offset-ns", &last, NULL);
  while (changes < n && g_get_monotonic_time () < end) {
    g_usleep (20000);
    g_object_get (p->ptp, "offset-ns", &now, NULL);
    if (now != last) {
      gint64 a = ABS (now);

      g_array_append_val (seen, a);
      changes++;
    }
    last = now;
  }
  fail_unless (changes >= n, "offset-ns changed %u times in %.0f s, not %u",
      changes, timeout_s, n);
  g_array_sort (seen, cmp_i64);
  g_print ("%s: |offset-ns| over %u fresh values: %" G_GINT64_FORMAT
      " / %" G_GINT64_FORMAT " / %" G_GINT64_FORMAT " ns (min / median / "
      "max)\n", who, seen->len, g_array_index (seen, gint64, 0),
      g_array_index (seen, gint64, seen->len / 2),
      g_array_index (seen, gint64, seen->len - 1));
  if (median)
    *median = g_array_index (seen, gint64, seen->len / 2);
  g_array_free (seen, TRUE);
}

GST_START_TEST (test_linuxptp_lock_loss_relock)
{
  gchar *uds = path_in_tmp ("slave.sock"), *props, *gm_id;
  gint64 t_start, t_lock;
  GstStructure *s;
  StateJob job;
  GThread *st;
  Aes67Ptp4lNudger *nt;
  GstClock *clock, *pclock;
  gint64 offset, err_ns;
  gboolean warned = FALSE;
  gint backend = -1;

  t_start = g_get_monotonic_time ();
  gm_pid = start_grandmaster ();
  slave_pid = start_slave (0);
  nt = aes67_ptp4l_nudger_start (tmpdir, slave_socks, 0);

  props = g_strdup_printf ("backend=linuxptp uds-path=%s sync-timeout=%d",
      uds, LOCK_LIMIT_S + 5);
  fail_unless (aes67_test_net_enter (net, 1));
  {
    Pipe *p = pipe_new (props);

    fail_unless_equals_int (gst_element_set_state (p->pipeline,
            GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
    aes67_test_net_leave ();
    job.pipeline = p->pipeline;
    st = g_thread_new ("state", set_playing, &job);

    s = wait_status (p, "locked", LOCK_LIMIT_S + 5, NULL);
    t_lock = g_get_monotonic_time ();
    fail_unless (s != NULL, "no lock within %d s", LOCK_LIMIT_S + 5);
    g_print ("linuxptp: locked %.2f s after ptp4l start\n",
        (t_lock - t_start) / 1e6);
    g_thread_join (st);
    fail_unless (job.ret != GST_STATE_CHANGE_FAILURE);

    /* the status against independent sources: pmc on the grandmaster */
    gm_id = grandmaster_eui64 ("gm.sock");
    fail_unless (gm_id != NULL, "pmc cannot read the grandmaster's id");
    fail_unless_equals_string (gst_structure_get_string (s, "backend"),
        "linuxptp");
    fail_unless_equals_string (gst_structure_get_string (s, "grandmaster-id"),
        gm_id);
    fail_unless_equals_string (gst_structure_get_string (s, "port-state"),
        "SLAVE");
    {
      guint domain = 99;
      gboolean synced = FALSE;
      fail_unless (gst_structure_get_uint (s, "domain", &domain));
      fail_unless_equals_int (domain, 0);
      fail_unless (gst_structure_get_boolean (s, "synced", &synced));
      fail_unless (synced);
      fail_unless (gst_structure_get_int64 (s, "offset-ns", &offset));
    }
    /* ptp4l's own measurement of a true offset of 0 (FIELD-NOTES: 2-7 µs
     * rms over veth, software timestamps): within 250 µs */
    g_print ("linuxptp: ptp4l master offset %" G_GINT64_FORMAT " ns\n", offset);
    fail_unless (ABS (offset) < 250000, "offset %" G_GINT64_FORMAT, offset);
    gst_structure_free (s);

    /* the pipeline runs on our clock, and it reads the true time */
    g_object_get (p->ptp, "clock", &clock, "backend-in-use", &backend, NULL);
    fail_unless_equals_int (backend, 1);        /* linuxptp */
    pclock = gst_pipeline_get_clock (GST_PIPELINE (p->pipeline));
    fail_unless (pclock == clock);
    gst_object_unref (pclock);
    err_ns = clock_error_ns (clock);
    g_print ("linuxptp: clock - true time = %" G_GINT64_FORMAT " ns\n", err_ns);
    fail_unless (ABS (err_ns) <= LINUXPTP_TOL_NS);
    check_running (p, "locked");

    /* hold the lock for 3 s more, then stop the grandmaster: loss within
     * 5 s, pipeline keeps running */
    g_usleep (3 * G_USEC_PER_SEC);
    /* ... watched by the element: ten fresh offsets (its poll is 200 ms,
     * ptp4l's sync 125 ms) */
    /* the offset as the element reports it once ptp4l has measured for a
     * while (a free-running ptp4l reports 0 for ~1.5 s after SLAVE): the
     * median of ten fresh values, as one value of a busy moment can be
     * far out (one run: 316 µs after 3.5 s of lock) */
    wait_offset_updates (p, "linuxptp", 10, 20, &offset);
    fail_unless (offset < 250000, "median |offset-ns| %" G_GINT64_FORMAT,
        offset);
    expect_no_status (p, "lost");
    stop_proc (&gm_pid);
    t_start = g_get_monotonic_time ();
    s = wait_status (p, "lost", LOSS_LIMIT_S, &warned);
    fail_unless (s != NULL, "loss not reported within %d s", LOSS_LIMIT_S);
    g_print ("linuxptp: loss reported %.2f s after the grandmaster stopped\n",
        (g_get_monotonic_time () - t_start) / 1e6);
    {
      gboolean synced = TRUE;
      fail_unless (gst_structure_get_boolean (s, "synced", &synced));
      fail_unless (!synced);
      fail_unless_equals_string (gst_structure_get_string (s,
              "grandmaster-id"), "");
    }
    gst_structure_free (s);
    if (!warned) {
      /* the warning comes just before the status */
      fail_unless (wait_status (p, "never", 0.5, &warned) == NULL);
    }
    fail_unless (warned, "no warning message on loss");
    check_running (p, "after loss");
    err_ns = clock_error_ns (clock);
    fail_unless (ABS (err_ns) <= LINUXPTP_TOL_NS);

    /* restarted: relock, same grandmaster */
    t_start = g_get_monotonic_time ();
    gm_pid = start_grandmaster ();
    s = wait_status (p, "locked", RELOCK_LIMIT_S, NULL);
    fail_unless (s != NULL, "no relock within %d s", RELOCK_LIMIT_S);
    g_print ("linuxptp: relocked %.2f s after the grandmaster restarted\n",
        (g_get_monotonic_time () - t_start) / 1e6);
    fail_unless_equals_string (gst_structure_get_string (s, "grandmaster-id"),
        gm_id);
    gst_structure_free (s);
    check_running (p, "relocked");
    expect_no_status (p, "lost");

    /* a better grandmaster (priority1 0) appears in host 2: ptp4l switches,
     * ptpclock reports the new one */
    t_start = g_get_monotonic_time ();
    gm2_pid = start_ptp4l (2, "gm2", 0, "priority1 0\n");
    s = wait_status (p, "grandmaster-changed", RELOCK_LIMIT_S, NULL);
    fail_unless (s != NULL, "no grandmaster change within %d s",
        RELOCK_LIMIT_S);
    g_print ("linuxptp: grandmaster change reported %.2f s after the better "
        "grandmaster started\n", (g_get_monotonic_time () - t_start) / 1e6);
    {
      gchar *gm2_id = grandmaster_eui64 ("gm2.sock");
      gboolean synced = FALSE;

      fail_unless (gm2_id != NULL);
      fail_unless (g_strcmp0 (gm2_id, gm_id) != 0);
      fail_unless_equals_string (gst_structure_get_string (s,
              "grandmaster-id"), gm2_id);
      fail_unless (gst_structure_get_boolean (s, "synced", &synced));
      fail_unless (synced);
      g_free (gm2_id);
    }
    gst_structure_free (s);
    check_running (p, "after the grandmaster change");

    gst_object_unref (clock);
    pipe_free (p);
  }
  aes67_ptp4l_nudger_stop (nt);
  g_free (gm_id);
  g_free (props);
  g_free (uds);
  stop_all ();
}

GST_END_TEST;

/* The times (monotonic, µs) at which GStreamer's PTP client, which the
 * internal backend wraps and which runs in this process, updated its
 * time: the independent record against which a loss is judged. */
static GMutex updates_lock;
static GArray *updates;

static gboolean
on_ptp_statistics (guint8 domain, const GstStructure * stats, gpointer data)
{
  if (gst_structure_has_name (stats, GST_PTP_STATISTICS_TIME_UPDATED)) {
    gint64 now = g_get_monotonic_time ();

    g_mutex_lock (&updates_lock);
    if (updates)
      g_array_append_val (updates, now);
    g_mutex_unlock (&updates_lock);
  }
  return TRUE;
}

/* the longest time, in µs, the client went without an update from
 * @since until now */
static gint64
longest_update_gap (gint64 since)
{
  gint64 prev = since, gap = 0;
  guint i;

  g_mutex_lock (&updates_lock);
  for (i = 0; i < updates->len; i++) {
    gint64 t = g_array_index (updates, gint64, i);
    if (t < since)
      continue;
    gap = MAX (gap, t - prev);
    prev = t;
  }
  g_mutex_unlock (&updates_lock);
  return MAX (gap, g_get_monotonic_time () - prev);
}

/* While the grandmaster runs, the internal backend may report a loss only
 * when the client really went 3.5 s without an update (which happens on a
 * heavily loaded machine: the client drops Syncs whose delay looks off).
 * Such a loss must be followed by a relock. @since: start of the window. */
static void
expect_no_unexplained_loss (Pipe * p, gint64 since)
{
  GstMessage *m;

  while ((m = gst_bus_pop_filtered (p->bus, GST_MESSAGE_ELEMENT))) {
    const GstStructure *s = gst_message_get_structure (m);

    if (s && gst_structure_has_name (s, "ptp-clock-status")
        && g_strcmp0 (gst_structure_get_string (s, "event"), "lost") == 0) {
      /* the element polls every 200 ms: 3.5 s less a poll */
      gint64 gap = longest_update_gap (since);
      GstStructure *again;

      fail_unless (gap >= 3300 * G_TIME_SPAN_MILLISECOND, "lost while "
          "GstPtpClock updated at least every %.2f s", gap / 1e6);
      g_print ("internal: lost while the grandmaster ran: the client went "
          "%.2f s without an update; waiting for the relock\n", gap / 1e6);
      again = wait_status (p, "locked", RELOCK_LIMIT_S, NULL);
      fail_unless (again != NULL, "no relock after a loss of updates");
      gst_structure_free (again);
    }
    gst_message_unref (m);
  }
}

GST_START_TEST (test_internal_lock_loss)
{
  gint64 t_start, t_lock, err_ns;
  GstStructure *s;
  StateJob job;
  GThread *st;
  GstClock *clock;
  gchar *gm_id;
  gint backend = -1;
  Pipe *p;
  gulong stats_cb;

  updates = g_array_new (FALSE, FALSE, sizeof (gint64));
  stats_cb = gst_ptp_statistics_callback_add (on_ptp_statistics, NULL, NULL);
  t_start = g_get_monotonic_time ();
  gm_pid = start_grandmaster ();

  /* GStreamer's PTP helper starts in the namespace of the thread that
   * starts the clock (NULL->READY) */
  fail_unless (aes67_test_net_enter (net, 2));
  p = pipe_new ("backend=internal interface=eth0 sync-timeout=20");
  fail_unless_equals_int (gst_element_set_state (p->pipeline,
          GST_STATE_READY), GST_STATE_CHANGE_SUCCESS);
  aes67_test_net_leave ();
  job.pipeline = p->pipeline;
  st = g_thread_new ("state", set_playing, &job);

  s = wait_status (p, "locked", LOCK_LIMIT_S + 5, NULL);
  t_lock = g_get_monotonic_time ();
  fail_unless (s != NULL, "no lock within %d s", LOCK_LIMIT_S + 5);
  g_print ("internal: locked %.2f s after ptp4l start\n",
      (t_lock - t_start) / 1e6);
  g_thread_join (st);
  fail_unless (job.ret != GST_STATE_CHANGE_FAILURE);

  gm_id = grandmaster_eui64 ("gm.sock");
  fail_unless (gm_id != NULL);
  fail_unless_equals_string (gst_structure_get_string (s, "backend"),
      "internal");
  fail_unless_equals_string (gst_structure_get_string (s, "grandmaster-id"),
      gm_id);
  gst_structure_free (s);

  g_object_get (p->ptp, "clock", &clock, "backend-in-use", &backend, NULL);
  fail_unless_equals_int (backend, 2);  /* internal */
  /* give the client's filter a few more syncs: two more updates */
  {
    gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    guint n0, n;

    g_mutex_lock (&updates_lock);
    n0 = n = updates->len;
    g_mutex_unlock (&updates_lock);
    while (n < n0 + 2 && g_get_monotonic_time () < end) {
      g_usleep (20000);
      g_mutex_lock (&updates_lock);
      n = updates->len;
      g_mutex_unlock (&updates_lock);
    }
    fail_unless (n >= n0 + 2, "GstPtpClock updated %u times in 20 s", n - n0);
  }
  err_ns = clock_error_ns (clock);
  g_print ("internal: clock - true time = %" G_GINT64_FORMAT " ns\n", err_ns);
  fail_unless (ABS (err_ns) <= INTERNAL_TOL_NS);
  check_running (p, "locked");
  /* the lock holds: 3 s, and the client's estimate updated twice (every
   * 1-2 s) in that time as the element saw it */
  g_usleep (3 * G_USEC_PER_SEC);
  wait_offset_updates (p, "internal", 2, 20, NULL);
  expect_no_unexplained_loss (p, t_lock);

  stop_proc (&gm_pid);
  t_start = g_get_monotonic_time ();
  s = wait_status (p, "lost", LOSS_LIMIT_S, NULL);
  fail_unless (s != NULL, "loss not reported within %d s", LOSS_LIMIT_S);
  g_print ("internal: loss reported %.2f s after the grandmaster stopped\n",
      (g_get_monotonic_time () - t_start) / 1e6);
  gst_structure_free (s);
  check_running (p, "after loss");

  t_start = g_get_monotonic_time ();
  gm_pid = start_grandmaster ();
  s = wait_status (p, "locked", RELOCK_LIMIT_S, NULL);
  fail_unless (s != NULL, "no relock within %d s", RELOCK_LIMIT_S);
  g_print ("internal: relocked %.2f s after the grandmaster restarted\n",
      (g_get_monotonic_time () - t_start) / 1e6);
  fail_unless_equals_string (gst_structure_get_string (s, "grandmaster-id"),
      gm_id);
  gst_structure_free (s);
  check_running (p, "relocked");
  expect_no_unexplained_loss (p, g_get_monotonic_time () - G_USEC_PER_SEC);

  gst_object_unref (clock);
  pipe_free (p);
  g_free (gm_id);
  gst_ptp_statistics_callback_remove (stats_cb);
  g_mutex_lock (&updates_lock);
  g_clear_pointer (&updates, g_array_unref);
  g_mutex_unlock (&updates_lock);
  stop_all ();
}

GST_END_TEST;

/* no grandmaster, no ptp4l: auto falls back to the system clock after
 * sync-timeout, says so, and the pipeline plays on CLOCK_REALTIME */
GST_START_TEST (test_auto_fallback_system)
{
  gchar *props = g_strdup_printf ("backend=auto uds-path=%s/none.sock "
      "sync-timeout=2", tmpdir);
  gint64 t0, waited, err_ns;
  GstStructure *s;
  GstClock *clock, *pclock;
  gint backend = -1;
  gboolean warned = FALSE, synced = TRUE;
  Pipe *p;

  fail_unless (aes67_test_net_enter (net, 1));
  p = pipe_new (props);
  t0 = g_get_monotonic_time ();
  fail_unless (gst_element_set_state (p->pipeline, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  waited = g_get_monotonic_time () - t0;
  aes67_test_net_leave ();
  /* waited sync-timeout (2 s), not the default 15 s (probe < 0.3 s,
   * starting GStreamer's PTP client; room for a loaded machine) */
  g_print ("auto: fell back after %.2f s\n", waited / 1e6);
  fail_unless (waited >= 2 * G_USEC_PER_SEC
      && waited < 8 * G_USEC_PER_SEC, "waited %.2f s", waited / 1e6);

  s = wait_status (p, "system", 10, &warned);
  fail_unless (s != NULL);
  fail_unless (warned);
  fail_unless_equals_string (gst_structure_get_string (s, "backend"), "system");
  fail_unless_equals_string (gst_structure_get_string (s, "grandmaster-id"),
      "");
  fail_unless (gst_structure_get_boolean (s, "synced", &synced));
  fail_unless (!synced);
  gst_structure_free (s);

  g_object_get (p->ptp, "clock", &clock, "backend-in-use", &backend, NULL);
  fail_unless_equals_int (backend, 3);  /* system */
  pclock = gst_pipeline_get_clock (GST_PIPELINE (p->pipeline));
  fail_unless (pclock == clock);
  gst_object_unref (pclock);
  err_ns = clock_error_ns (clock);
  fail_unless (ABS (err_ns) <= LINUXPTP_TOL_NS);
  check_running (p, "on the system clock");
  gst_object_unref (clock);
  pipe_free (p);
  g_free (props);
}

GST_END_TEST;

/* ptp4l on domain 0, ptpclock on domain 1: ptp4l drops management
 * messages of another domain; ptpclock warns and never claims a lock */
GST_START_TEST (test_linuxptp_wrong_domain)
{
  gchar *props = g_strdup_printf ("backend=linuxptp uds-path=%s/slave.sock "
      "domain=1 sync-timeout=1", tmpdir);
  gchar *out = NULL;
  GstStructure *s;
  gboolean warned = FALSE, synced = TRUE;
  guint domain = 0;
  gint i;
  Pipe *p;

  slave_pid = start_slave (0);
  /* wait until ptp4l answers on domain 0 (so silence on 1 is its choice) */
  for (i = 0; i < 100; i++) {
    out = pmc ("slave.sock", "GET PORT_DATA_SET");
    if (out && strstr (out, "portState"))
      break;
    g_clear_pointer (&out, g_free);
    g_usleep (100000);
  }
  fail_unless (out != NULL, "ptp4l does not answer pmc");
  g_free (out);

  p = pipe_new (props);
  fail_unless (gst_element_set_state (p->pipeline, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  s = wait_status (p, "no-lock", 10, &warned);
  fail_unless (s != NULL);
  fail_unless (warned);
  fail_unless (gst_structure_get_uint (s, "domain", &domain));
  fail_unless_equals_int (domain, 1);
  fail_unless (gst_structure_get_boolean (s, "synced", &synced));
  fail_unless (!synced);
  gst_structure_free (s);
  check_running (p, "unlocked");
  pipe_free (p);
  g_free (props);
  stop_all ();
}

GST_END_TEST;

/* an element that provides a clock of its own, as audio sinks do */
typedef struct
{
  GstElement parent;
  GstClock *clock;
} TestClockProvider;
typedef struct
{
  GstElementClass parent_class;
} TestClockProviderClass;

static GType test_clock_provider_get_type (void);
G_DEFINE_TYPE (TestClockProvider, test_clock_provider, GST_TYPE_ELEMENT);

static GstClock *
test_clock_provider_provide_clock (GstElement * e)
{
  return gst_object_ref (((TestClockProvider *) e)->clock);
}

static void
test_clock_provider_finalize (GObject * o)
{
  gst_object_unref (((TestClockProvider *) o)->clock);
  G_OBJECT_CLASS (test_clock_provider_parent_class)->finalize (o);
}

static void
test_clock_provider_class_init (TestClockProviderClass * klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_clock_provider_finalize;
  GST_ELEMENT_CLASS (klass)->provide_clock = test_clock_provider_provide_clock;
  gst_element_class_set_static_metadata (GST_ELEMENT_CLASS (klass),
      "clock provider", "Test", "provides a clock", "tests");
}

static void
test_clock_provider_init (TestClockProvider * self)
{
  self->clock = g_object_new (GST_TYPE_SYSTEM_CLOCK, "name",
      "provider-clock", NULL);
  gst_object_ref_sink (self->clock);
  GST_OBJECT_FLAG_SET (self, GST_ELEMENT_FLAG_PROVIDE_CLOCK);
}

static GstClock *
pipeline_clock_of (const gchar * desc)
{
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &err);
  GstClock *c;

  if (!pipeline || err)
    fail ("cannot make pipeline: %s", err ? err->message : "?");
  fail_unless (gst_element_set_state (pipeline, GST_STATE_PLAYING)
      != GST_STATE_CHANGE_FAILURE);
  fail_unless (gst_element_get_state (pipeline, NULL, NULL, 5 * GST_SECOND)
      == GST_STATE_CHANGE_SUCCESS);
  c = gst_pipeline_get_clock (GST_PIPELINE (pipeline));
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
  return c;
}

/* ptpclock's clock wins over a sink's clock, wherever it stands */
GST_START_TEST (test_wins_over_sink_clock)
{
  static const gchar *descs[] = {
    "ptpclock backend=system audiotestsrc is-live=true ! fakesink sync=true "
        "testclockprovider",
    "testclockprovider audiotestsrc is-live=true ! fakesink sync=true "
        "ptpclock backend=system",
  };
  GstClock *c;
  guint i;

  fail_unless (gst_element_register (NULL, "testclockprovider",
          GST_RANK_NONE, test_clock_provider_get_type ()));
  /* control: without ptpclock the provider's clock is chosen */
  c = pipeline_clock_of ("testclockprovider audiotestsrc is-live=true ! "
      "fakesink sync=true");
  fail_unless_equals_string (GST_OBJECT_NAME (c), "provider-clock");
  gst_object_unref (c);

  for (i = 0; i < G_N_ELEMENTS (descs); i++) {
    c = pipeline_clock_of (descs[i]);
    fail_unless (g_str_has_suffix (G_OBJECT_TYPE_NAME (c),
            "GstAes67PtpClock"), "pipeline %u chose %s", i,
        GST_OBJECT_NAME (c));
    gst_object_unref (c);
  }
}

GST_END_TEST;

/* an instance made without a name is named after the element, as
 * GStreamer's own elements are: ptpclock0, ptpclock1...; a given name is
 * kept */
GST_START_TEST (test_default_name)
{
  GstElement *a = gst_element_factory_make ("ptpclock", NULL);
  GstElement *b = gst_element_factory_make ("ptpclock", NULL);
  GstElement *c = gst_element_factory_make ("ptpclock", "clk");
  GstElement *p;
  GError *err = NULL;
  gchar *name;
  guint na, nb;

  fail_unless (a && b && c);
  fail_unless (sscanf (GST_OBJECT_NAME (a), "ptpclock%u", &na) == 1,
      "default name %s", GST_OBJECT_NAME (a));
  fail_unless (sscanf (GST_OBJECT_NAME (b), "ptpclock%u", &nb) == 1,
      "default name %s", GST_OBJECT_NAME (b));
  fail_unless (nb > na);
  fail_unless_equals_string (GST_OBJECT_NAME (c), "clk");
  g_object_get (c, "name", &name, NULL);
  fail_unless_equals_string (name, "clk");
  g_free (name);
  gst_object_unref (a);
  gst_object_unref (b);
  gst_object_unref (c);

  /* as in a launch line: the first ptpclock of a fresh process is
   * ptpclock0 unless others were made before (here: three) */
  p = gst_parse_launch ("ptpclock backend=system", &err);
  fail_unless (p != NULL, "%s", err ? err->message : "?");
  fail_unless (g_str_has_prefix (GST_OBJECT_NAME (p), "ptpclock"),
      "%s", GST_OBJECT_NAME (p));
  gst_object_unref (p);
}

GST_END_TEST;

/* one TCase per network test: the parent makes and removes the network
 * around each */
#define ADD_NET_TEST(suite, name, func) G_STMT_START {  \
    TCase *tc_ = tcase_create (name);                   \
    suite_add_tcase (suite, tc_);                       \
    tcase_add_unchecked_fixture (tc_, setup, teardown); \
    tcase_set_timeout (tc_, 90);                        \
    tcase_add_test (tc_, func);                         \
  } G_STMT_END

static Suite *
ptpclock_suite (void)
{
  Suite *s = suite_create ("ptpclock");
  TCase *tc_local = tcase_create ("local");

  suite_add_tcase (s, tc_local);
  tcase_add_test (tc_local, test_wins_over_sink_clock);
  tcase_add_test (tc_local, test_default_name);
  ADD_NET_TEST (s, "linuxptp", test_linuxptp_lock_loss_relock);
  ADD_NET_TEST (s, "internal", test_internal_lock_loss);
  ADD_NET_TEST (s, "fallback", test_auto_fallback_system);
  ADD_NET_TEST (s, "domain", test_linuxptp_wrong_domain);
  return s;
}

int
main (int argc, char **argv)
{
  gchar *reason = NULL;
  gchar *ptp4l = g_find_program_in_path ("ptp4l");
  gchar *pmc_path = g_find_program_in_path ("pmc");
  gchar *setpriv = g_find_program_in_path ("setpriv");
  Suite *s;

  if (!aes67_test_net_check (&reason)) {
    g_print ("SKIP: %s\n", reason);
    return 77;
  }
  if (!ptp4l || !pmc_path || !setpriv) {
    g_print ("SKIP: ptp4l, pmc (linuxptp) or setpriv (util-linux) missing\n");
    return 77;
  }
  g_free (ptp4l);
  g_free (pmc_path);
  g_free (setpriv);
  gst_check_init (&argc, &argv);
  s = ptpclock_suite ();
  return gst_check_run_suite (s, "ptpclock", __FILE__);
}
