/* gst-aes67: a PTP clock fed by ptp4l, GStreamer's PTP client or nothing
 * Copyright (C) 2026 the gst-aes67 authors
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Library General Public
 * License as published by the Free Software Foundation; either
 * version 2 of the License, or (at your option) any later version.
 */

/**
 * SECTION:gstaes67ptpclock
 * @title: GstAes67PtpClock
 * @see_also: #GstPtpClock, ptpclock
 *
 * A #GstClock that runs on PTP time, from one of three backends:
 *
 * - linuxptp: a ptp4l (with phc2sys where the NIC timestamps in hardware)
 *   disciplines a clock of the machine; this clock reads it, the system
 *   clock or the PTP hardware clock named by "phc-device", and asks ptp4l
 *   over its management Unix socket ("uds-path") for the port state, the
 *   grandmaster, the master offset and the time properties. Time is shown
 *   on the timescale the grandmaster puts on the wire, as GStreamer's
 *   #GstPtpClock shows it: the system clock plus currentUtcOffset when the
 *   grandmaster announces the PTP (TAI) timescale, the system clock as it is
 *   when it announces an arbitrary timescale (what a software-timestamping
 *   ptp4l grandmaster on CLOCK_REALTIME does: it sends UTC as is), and a PHC
 *   as it is. "Locked" means port state SLAVE and a Sync received within
 *   1.5 sync intervals + 300 ms (at least 500 ms): ptp4l itself keeps SLAVE
 *   for 3 announce intervals after the grandmaster has gone; or, on the
 *   grandmaster's own machine, port state MASTER with the parent and
 *   grandmaster being ptp4l's own clock.
 * - internal: GStreamer's #GstPtpClock, with the 1.22.0 defects worked
 *   around: gst_ptp_init() gets a clock identity below 2^63 (1.22.0 fails on
 *   larger ones), a missing multicast route is found before the helper is
 *   started (1.22.0's helper dies without one), gst_ptp_deinit() is never
 *   called (it corrupts the heap in 1.22.0), and a grandmaster that stops
 *   sending is noticed (the stock clock stays "synced" forever).
 * - system: CLOCK_REALTIME, no PTP.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67ptpclock.h"
#include "aes67-ptp-mgmt.h"

#include <gst/net/gstptpclock.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_ptp_clock_debug);
#define GST_CAT_DEFAULT gst_aes67_ptp_clock_debug

#define POLL_INTERVAL_US    (200 * G_TIME_SPAN_MILLISECOND)
#define REPLY_TIMEOUT_MS    150
#define MIN_SYNC_GAP_US     (500 * G_TIME_SPAN_MILLISECOND)
/* the internal backend: GstPtpClock 1.22 updates its time only when a
 * Sync meets a fresh delay measurement, measured every 1-2 s here with
 * ptp4l's default logMinDelayReqInterval 0 */
#define INTERNAL_SYNC_GAP_US (3500 * G_TIME_SPAN_MILLISECOND)

/* linux/posix-timers.h: a dynamic POSIX clock from a file descriptor */
#define FD_TO_CLOCKID(fd)   ((clockid_t) ((((unsigned int) ~(fd)) << 3) | 3))

enum
{
  PROP_0,
  PROP_BACKEND,
  PROP_DOMAIN,
  PROP_INTERFACE,
  PROP_UDS_PATH,
  PROP_PHC_DEVICE,
  PROP_BACKEND_IN_USE,
  PROP_SYNCED,
  PROP_GRANDMASTER_ID,
  PROP_PORT_STATE,
  PROP_OFFSET_NS,
  PROP_TIMESCALE_OFFSET_S,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

struct _GstAes67PtpClock
{
  GstSystemClock parent;

  /* construct-only, then read-only */
  GstAes67PtpClockSettings settings;
  GstAes67PtpBackend in_use;
  clockid_t clkid;
  gint phc_fd;
  GstClock *stock;              /* internal backend: the GstPtpClock */
  gulong stats_id;

  /* seconds added to the read clock; atomic, read by get_internal_time */
  gint timescale_offset_s;

  /* monitor thread; the thread alone uses sock, seq, sync_seen_* */
  GThread *thread;
  GMutex thread_lock;
  GCond thread_cond;
  gboolean stopping;            /* protected by thread_lock */
  gint sock;
  gchar *sock_path;
  guint16 seq;
  gint64 last_ingress;
  gint64 last_ingress_change;   /* monotonic, µs */

  /* internal backend statistics: protected by stats_lock (written on the
   * PTP thread) */
  GMutex stats_lock;
  gint64 stats_last_update;     /* monotonic, µs; 0 = never */
  gint64 stats_offset_ns;

  /* state: protected by the object lock */
  gboolean synced;
  gboolean have_gm;
  guint8 gm[8];
  guint port_state;
  gint64 offset_ns;
  gboolean answering;
};

#define gst_aes67_ptp_clock_parent_class parent_class
G_DEFINE_TYPE (GstAes67PtpClock, gst_aes67_ptp_clock, GST_TYPE_SYSTEM_CLOCK);

GType
gst_aes67_ptp_backend_get_type (void)
{
  static gsize id = 0;
  static const GEnumValue values[] = {
    {GST_AES67_PTP_BACKEND_AUTO, "linuxptp if ptp4l answers, else internal, "
          "else system", "auto"},
    {GST_AES67_PTP_BACKEND_LINUXPTP, "A running ptp4l (and phc2sys)",
        "linuxptp"},
    {GST_AES67_PTP_BACKEND_INTERNAL, "GStreamer's own PTP client",
        "internal"},
    {GST_AES67_PTP_BACKEND_SYSTEM, "The system clock, no PTP", "system"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&id)) {
    GType t = g_enum_register_static ("GstAes67PtpBackend", values);
    g_once_init_leave (&id, t);
  }
  return (GType) id;
}

static const gchar *
backend_nick (GstAes67PtpBackend b)
{
  GEnumValue *v = g_enum_get_value (g_type_class_peek
      (GST_TYPE_AES67_PTP_BACKEND), b);
  return v ? v->value_nick : "unknown";
}

/* ------------------------------------------------------------------ */
/* linuxptp: the management client */

static gint
uds_open (gchar ** path_out)
{
  static gint counter = 0;
  struct sockaddr_un sa;
  const gchar *dir;
  gchar *path;
  gint fd;

  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -errno;
  dir = (geteuid () == 0) ? "/var/run" : g_get_user_runtime_dir ();
  path = g_strdup_printf ("%s/gst-aes67-ptp.%d.%d", dir, (gint) getpid (),
      g_atomic_int_add (&counter, 1));
  memset (&sa, 0, sizeof (sa));
  sa.sun_family = AF_UNIX;
  if (strlen (path) >= sizeof (sa.sun_path)) {
    g_free (path);
    close (fd);
    return -ENAMETOOLONG;
  }
  strcpy (sa.sun_path, path);
  unlink (path);
  if (bind (fd, (struct sockaddr *) &sa, sizeof (sa)) < 0) {
    gint e = errno;
    g_free (path);
    close (fd);
    return -e;
  }
  *path_out = path;
  return fd;
}

/* Sends a GET of @mid to ptp4l at @uds_path and waits up to @timeout_ms for
 * the reply. Copies the data set (at most @data_len bytes) into @data and
 * returns its length; with @best_port_state, keeps reading replies that
 * arrive within 20 ms more (one per port) and returns the data set of the
 * port with the highest state (SLAVE highest). Negative errno on failure:
 * -ETIMEDOUT when nothing answered. */
static gint
uds_get (gint fd, const gchar * uds_path, guint8 domain, guint16 seq,
    guint16 mid, guint timeout_ms, gboolean best_port_state, guint8 * data,
    gsize data_len)
{
  struct sockaddr_un sa;
  guint8 req[64], rep[AES67_PTP_MGMT_MAX_LEN];
  gint n, ret = -ETIMEDOUT;
  gint64 deadline;
  gint best_state = -1;

  n = aes67_ptp_mgmt_write_get (domain, seq, NULL, mid, req, sizeof (req));
  if (n < 0)
    return n;
  memset (&sa, 0, sizeof (sa));
  sa.sun_family = AF_UNIX;
  if (strlen (uds_path) >= sizeof (sa.sun_path))
    return -ENAMETOOLONG;
  strcpy (sa.sun_path, uds_path);

  /* drop stale replies from an earlier poll */
  while (recv (fd, rep, sizeof (rep), 0) > 0);

  if (sendto (fd, req, n, 0, (struct sockaddr *) &sa, sizeof (sa)) < 0)
    return -errno;

  deadline = g_get_monotonic_time () + timeout_ms * G_TIME_SPAN_MILLISECOND;
  for (;;) {
    struct pollfd pfd = { fd, POLLIN, 0 };
    gint64 now = g_get_monotonic_time ();
    Aes67PtpMgmtMsg msg;
    gssize r;
    gint err;

    if (now >= deadline)
      break;
    if (poll (&pfd, 1, (gint) ((deadline - now + 999) / 1000)) <= 0)
      continue;
    r = recv (fd, rep, sizeof (rep), 0);
    if (r <= 0)
      continue;
    err = aes67_ptp_mgmt_parse (rep, r, &msg);
    if (err < 0) {
      GST_DEBUG ("malformed management reply (%d bytes): %s", (gint) r,
          g_strerror (-err));
      continue;
    }
    err = aes67_ptp_mgmt_check_reply (&msg, domain, seq, mid);
    if (err == -ENOMSG) {
      GST_DEBUG ("foreign reply: domain %u seq %u id 0x%04x", msg.domain,
          msg.sequence_id, msg.management_id);
      continue;
    }
    if (err == -EREMOTEIO) {
      GST_DEBUG ("ptp4l answered 0x%04x with error 0x%04x", mid, msg.error_id);
      return -EREMOTEIO;
    }
    if (!best_port_state) {
      n = MIN (msg.data_len, data_len);
      memcpy (data, msg.data, n);
      return n;
    }
    /* PORT_DATA_SET: one reply per port */
    if (msg.data_len >= AES67_PTP_PORT_DS_LEN && msg.data[10] > best_state) {
      best_state = msg.data[10];
      n = MIN (msg.data_len, data_len);
      memcpy (data, msg.data, n);
      ret = n;
    }
    deadline = MIN (deadline, now + 20 * G_TIME_SPAN_MILLISECOND);
  }
  return ret;
}

gboolean
gst_aes67_ptp_linuxptp_probe (const gchar * uds_path, guint domain,
    guint timeout_ms)
{
  guint8 data[64];
  gchar *path = NULL;
  gint fd, n;

  fd = uds_open (&path);
  if (fd < 0)
    return FALSE;
  n = uds_get (fd, uds_path, domain, 1, AES67_PTP_MID_PORT_DATA_SET,
      timeout_ms, TRUE, data, sizeof (data));
  close (fd);
  unlink (path);
  g_free (path);
  return n >= AES67_PTP_PORT_DS_LEN;
}

typedef struct
{
  gboolean answering;
  gboolean synced;
  gboolean have_gm;
  guint8 gm[8];
  guint port_state;
  gint64 offset_ns;
  gint timescale_offset_s;
} PollResult;

static void
poll_linuxptp (GstAes67PtpClock * self, PollResult * res)
{
  guint8 d[AES67_PTP_MGMT_MAX_LEN];
  Aes67PtpPortDS port;
  Aes67PtpTimeStatusNP ts;
  Aes67PtpParentDS parent;
  Aes67PtpTimePropertiesDS tp;
  gint n;
  gint64 now = g_get_monotonic_time (), gap;
  gboolean fresh, is_gm = FALSE, locked;

  memset (res, 0, sizeof (*res));
  res->timescale_offset_s = g_atomic_int_get (&self->timescale_offset_s);

  n = uds_get (self->sock, self->settings.uds_path, self->settings.domain,
      ++self->seq, AES67_PTP_MID_PORT_DATA_SET, REPLY_TIMEOUT_MS, TRUE, d,
      sizeof (d));
  if (n < 0 || aes67_ptp_port_ds_parse (d, n, &port) < 0)
    return;
  res->answering = TRUE;
  res->port_state = port.port_state;

  n = uds_get (self->sock, self->settings.uds_path, self->settings.domain,
      ++self->seq, AES67_PTP_MID_TIME_STATUS_NP, REPLY_TIMEOUT_MS, FALSE, d,
      sizeof (d));
  if (n < 0 || aes67_ptp_time_status_np_parse (d, n, &ts) < 0)
    return;
  res->offset_ns = ts.master_offset;
  GST_LOG_OBJECT (self, "port %s, master offset %" G_GINT64_FORMAT " ns, "
      "ingress %" G_GINT64_FORMAT, aes67_ptp_port_state_name (port.port_state),
      ts.master_offset, ts.ingress_time);
  if (ts.ingress_time != self->last_ingress) {
    self->last_ingress = ts.ingress_time;
    self->last_ingress_change = now;
  }
  gap = (gint64) (1.5 * ldexp (G_USEC_PER_SEC, port.log_sync_interval))
      + 300 * G_TIME_SPAN_MILLISECOND;
  gap = MAX (gap, MIN_SYNC_GAP_US);
  fresh = ts.ingress_time != 0 && now - self->last_ingress_change <= gap;

  n = uds_get (self->sock, self->settings.uds_path, self->settings.domain,
      ++self->seq, AES67_PTP_MID_PARENT_DATA_SET, REPLY_TIMEOUT_MS, FALSE, d,
      sizeof (d));
  if (n >= 0 && aes67_ptp_parent_ds_parse (d, n, &parent) == 0) {
    memcpy (res->gm, parent.gm_identity, 8);
    /* this ptp4l is the grandmaster (a studio's own, on this machine): a
     * master port whose parent and grandmaster are its own clock; the
     * clock ptp4l runs on is then the PTP time itself */
    is_gm = port.port_state == AES67_PTP_PORT_STATE_MASTER
        && memcmp (parent.parent_port_identity, parent.gm_identity, 8) == 0;
    /* a port that is not a slave has itself as "grandmaster"; one that has
     * lost its master still names the old one: name it only while locked */
    res->have_gm = (port.port_state == AES67_PTP_PORT_STATE_SLAVE && fresh)
        || is_gm;
  }
  locked = (port.port_state == AES67_PTP_PORT_STATE_SLAVE && fresh) || is_gm;

  n = uds_get (self->sock, self->settings.uds_path, self->settings.domain,
      ++self->seq, AES67_PTP_MID_TIME_PROPERTIES_DATA_SET, REPLY_TIMEOUT_MS,
      FALSE, d, sizeof (d));
  if (n >= 0 && aes67_ptp_time_properties_ds_parse (d, n, &tp) == 0 && locked) {
    /* the PHC holds the wire timescale itself; the system clock is kept on
     * UTC by ptp4l/phc2sys when the grandmaster sends TAI */
    if (self->phc_fd < 0 && (tp.flags & AES67_PTP_FLAG_PTP_TIMESCALE))
      res->timescale_offset_s = tp.current_utc_offset;
    else
      res->timescale_offset_s = 0;
  }

  res->synced = locked && res->have_gm;
}

/* ------------------------------------------------------------------ */
/* internal: GStreamer's GstPtpClock */

static gboolean
stats_cb (guint8 domain, const GstStructure * s, gpointer user_data)
{
  GstAes67PtpClock *self = user_data;
  guint64 est = GST_CLOCK_TIME_NONE, ptp = GST_CLOCK_TIME_NONE;

  /* runs on GStreamer's PTP thread under its global lock: touch only our
   * own fields */
  if (domain != self->settings.domain
      || !gst_structure_has_name (s, GST_PTP_STATISTICS_TIME_UPDATED))
    return TRUE;
  gst_structure_get_uint64 (s, "estimated-ptp-time", &est);
  gst_structure_get_uint64 (s, "ptp-time", &ptp);
  g_mutex_lock (&self->stats_lock);
  self->stats_last_update = g_get_monotonic_time ();
  if (GST_CLOCK_TIME_IS_VALID (est) && GST_CLOCK_TIME_IS_VALID (ptp))
    self->stats_offset_ns = (gint64) est - (gint64) ptp;
  g_mutex_unlock (&self->stats_lock);
  return TRUE;
}

static void
poll_internal (GstAes67PtpClock * self, PollResult * res)
{
  guint64 gm = 0;
  gint64 last, now = g_get_monotonic_time ();
  gint i;

  memset (res, 0, sizeof (*res));
  g_object_get (self->stock, "grandmaster-clock-id", &gm, NULL);
  g_mutex_lock (&self->stats_lock);
  last = self->stats_last_update;
  res->offset_ns = self->stats_offset_ns;
  g_mutex_unlock (&self->stats_lock);

  res->answering = TRUE;
  res->synced = gst_clock_is_synced (self->stock) && last != 0
      && now - last <= INTERNAL_SYNC_GAP_US;
  res->port_state = res->synced ? AES67_PTP_PORT_STATE_SLAVE :
      AES67_PTP_PORT_STATE_LISTENING;
  if (gm != 0 && res->synced) {
    res->have_gm = TRUE;
    for (i = 0; i < 8; i++)
      res->gm[i] = (guint8) (gm >> (56 - 8 * i));
  }
}

/* 1.22.0's gst_ptp_init() fails on clock identities >= 2^63 (fixed in
 * 1.22.4): build the EUI-64 from the interface's MAC ourselves and clear the
 * top bit. */
static guint64
make_clock_id (const gchar * iface)
{
  guint64 id = 0;
  guint mac[6];
  gchar *path, *contents = NULL;
  GDir *dir = NULL;
  const gchar *name = iface;
  gboolean ok = FALSE;

  if (!iface)
    dir = g_dir_open ("/sys/class/net", 0, NULL);
  do {
    if (!iface) {
      name = dir ? g_dir_read_name (dir) : NULL;
      if (!name)
        break;
      if (strcmp (name, "lo") == 0)
        continue;
    }
    path = g_strdup_printf ("/sys/class/net/%s/address", name);
    if (g_file_get_contents (path, &contents, NULL, NULL)
        && sscanf (contents, "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2],
            &mac[3], &mac[4], &mac[5]) == 6
        && (mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]) != 0)
      ok = TRUE;
    g_free (contents);
    contents = NULL;
    g_free (path);
  } while (!ok && !iface);
  if (dir)
    g_dir_close (dir);

  if (ok)
    id = ((guint64) mac[0] << 56) | ((guint64) mac[1] << 48) |
        ((guint64) mac[2] << 40) | (G_GUINT64_CONSTANT (0xFFFE) << 24) |
        ((guint64) mac[3] << 16) | ((guint64) mac[4] << 8) | mac[5];
  else
    id = ((guint64) g_random_int () << 32) | g_random_int ();
  return id & ~(G_GUINT64_CONSTANT (1) << 63);
}

/* 1.22.0's gst-ptp-helper dies when the PTP multicast group has no route */
static gboolean
have_multicast_route (void)
{
  struct sockaddr_in sa;
  gint fd, r;

  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  memset (&sa, 0, sizeof (sa));
  sa.sin_family = AF_INET;
  sa.sin_port = htons (319);
  sa.sin_addr.s_addr = htonl (0xE0000181);      /* 224.0.1.129 */
  r = connect (fd, (struct sockaddr *) &sa, sizeof (sa));
  close (fd);
  return r == 0;
}

static gboolean
start_internal (GstAes67PtpClock * self)
{
  if (!gst_ptp_is_supported ()) {
    GST_WARNING_OBJECT (self, "GStreamer's PTP client is not supported here");
    return FALSE;
  }
  if (!gst_ptp_is_initialized ()) {
    gchar *ifaces[2] = { self->settings.interface, NULL };

    if (!have_multicast_route ()) {
      GST_WARNING_OBJECT (self, "no route to 224.0.1.129: GStreamer's PTP "
          "helper would die; add one (ip route add 224.0.0.0/4 dev <if>)");
      return FALSE;
    }
    if (!gst_ptp_init (make_clock_id (self->settings.interface),
            self->settings.interface ? ifaces : NULL)) {
      GST_WARNING_OBJECT (self, "gst_ptp_init failed");
      return FALSE;
    }
  }
  self->stats_id = gst_ptp_statistics_callback_add (stats_cb, self, NULL);
  self->stock = gst_ptp_clock_new ("aes67-ptp-internal", self->settings.domain);
  if (!self->stock) {
    gst_ptp_statistics_callback_remove (self->stats_id);
    self->stats_id = 0;
    return FALSE;
  }
  gst_object_ref_sink (self->stock);
  return TRUE;
}

/* ------------------------------------------------------------------ */

static void
gm_to_string (gboolean have, const guint8 gm[8], gchar out[24])
{
  if (have)
    aes67_ptp_format_clock_identity (gm, out);
  else
    out[0] = '\0';
}

static gpointer
monitor_thread (gpointer data)
{
  GstAes67PtpClock *self = data;

  g_mutex_lock (&self->thread_lock);
  while (!self->stopping) {
    PollResult r;
    gboolean ch_synced, ch_gm, ch_state, ch_offset, ch_ts, ch_answer;
    gint64 until;

    g_mutex_unlock (&self->thread_lock);
    if (self->in_use == GST_AES67_PTP_BACKEND_LINUXPTP)
      poll_linuxptp (self, &r);
    else
      poll_internal (self, &r);

    ch_ts = r.timescale_offset_s !=
        g_atomic_int_get (&self->timescale_offset_s);
    if (ch_ts) {
      GST_INFO_OBJECT (self, "timescale offset %d s", r.timescale_offset_s);
      g_atomic_int_set (&self->timescale_offset_s, r.timescale_offset_s);
    }

    GST_OBJECT_LOCK (self);
    ch_answer = r.answering != self->answering;
    ch_synced = r.synced != self->synced;
    ch_gm = r.have_gm != self->have_gm
        || (r.have_gm && memcmp (r.gm, self->gm, 8) != 0);
    ch_state = r.port_state != self->port_state;
    ch_offset = r.offset_ns != self->offset_ns;
    self->answering = r.answering;
    self->synced = r.synced;
    self->have_gm = r.have_gm;
    memcpy (self->gm, r.gm, 8);
    self->port_state = r.port_state;
    self->offset_ns = r.offset_ns;
    GST_OBJECT_UNLOCK (self);

    if (ch_answer)
      GST_INFO_OBJECT (self, "%s %s", self->in_use ==
          GST_AES67_PTP_BACKEND_LINUXPTP ? self->
          settings.uds_path : "PTP client",
          r.answering ? "answers" : "does not answer");
    /* notifications with no lock held; a handler may drop what was the
     * last reference to us but ours */
    g_object_ref (self);
    if (ch_state)
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT_STATE]);
    if (ch_offset)
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OFFSET_NS]);
    if (ch_ts)
      g_object_notify_by_pspec (G_OBJECT (self),
          properties[PROP_TIMESCALE_OFFSET_S]);
    if (ch_gm) {
      gchar s[24];
      gm_to_string (r.have_gm, r.gm, s);
      GST_INFO_OBJECT (self, "grandmaster now '%s'", s);
      g_object_notify_by_pspec (G_OBJECT (self),
          properties[PROP_GRANDMASTER_ID]);
    }
    if (ch_synced) {
      GST_INFO_OBJECT (self, "%s", r.synced ? "locked" : "lost lock");
      gst_clock_set_synced (GST_CLOCK (self), r.synced);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCED]);
    }
    if (g_atomic_int_get (&G_OBJECT (self)->ref_count) == 1) {
      /* nobody else holds the clock: dispose here (it sees that it runs on
       * this thread and does not join), then touch nothing more */
      g_object_unref (self);
      return NULL;
    }
    g_object_unref (self);

    g_mutex_lock (&self->thread_lock);
    until = g_get_monotonic_time () + POLL_INTERVAL_US;
    while (!self->stopping
        && g_cond_wait_until (&self->thread_cond, &self->thread_lock, until));
  }
  g_mutex_unlock (&self->thread_lock);
  return NULL;
}

static GstClockTime
gst_aes67_ptp_clock_get_internal_time (GstClock * clock)
{
  GstAes67PtpClock *self = GST_AES67_PTP_CLOCK (clock);
  struct timespec ts;
  gint64 t;

  if (self->in_use == GST_AES67_PTP_BACKEND_INTERNAL)
    return gst_clock_get_time (self->stock);
  if (clock_gettime (self->clkid, &ts) < 0)
    return GST_CLOCK_TIME_NONE;
  t = (gint64) ts.tv_sec * GST_SECOND + ts.tv_nsec;
  t += (gint64) g_atomic_int_get (&self->timescale_offset_s) * GST_SECOND;
  return (GstClockTime) MAX (t, 0);
}

static void
gst_aes67_ptp_clock_constructed (GObject * object)
{
  GstAes67PtpClock *self = GST_AES67_PTP_CLOCK (object);
  GstAes67PtpBackend b = self->settings.backend;

  G_OBJECT_CLASS (parent_class)->constructed (object);

  if (b == GST_AES67_PTP_BACKEND_AUTO) {
    if (gst_aes67_ptp_linuxptp_probe (self->settings.uds_path,
            self->settings.domain, 300))
      b = GST_AES67_PTP_BACKEND_LINUXPTP;
    else
      b = GST_AES67_PTP_BACKEND_INTERNAL;
    GST_INFO_OBJECT (self, "auto: trying %s", backend_nick (b));
  }

  if (b == GST_AES67_PTP_BACKEND_LINUXPTP) {
    gint fd;

    self->clkid = CLOCK_REALTIME;
    if (self->settings.phc_device) {
      self->phc_fd = open (self->settings.phc_device, O_RDONLY | O_CLOEXEC);
      if (self->phc_fd < 0)
        GST_WARNING_OBJECT (self, "cannot open %s: %s; reading the system "
            "clock", self->settings.phc_device, g_strerror (errno));
      else
        self->clkid = FD_TO_CLOCKID (self->phc_fd);
    }
    fd = uds_open (&self->sock_path);
    if (fd < 0) {
      GST_WARNING_OBJECT (self, "cannot bind a management socket: %s",
          g_strerror (-fd));
      b = GST_AES67_PTP_BACKEND_SYSTEM;
    } else {
      self->sock = fd;
    }
  } else if (b == GST_AES67_PTP_BACKEND_INTERNAL) {
    if (!start_internal (self))
      b = (self->settings.backend == GST_AES67_PTP_BACKEND_AUTO) ?
          GST_AES67_PTP_BACKEND_SYSTEM : GST_AES67_PTP_BACKEND_INTERNAL;
  }
  if (b == GST_AES67_PTP_BACKEND_INTERNAL && !self->stock) {
    /* asked for internal and it cannot start: a clock that never locks and
     * runs on the system clock; the element reports it */
    self->clkid = CLOCK_REALTIME;
  }
  if (b == GST_AES67_PTP_BACKEND_SYSTEM)
    self->clkid = CLOCK_REALTIME;
  self->in_use = b;

  if (b == GST_AES67_PTP_BACKEND_LINUXPTP
      || (b == GST_AES67_PTP_BACKEND_INTERNAL && self->stock)) {
    GST_OBJECT_FLAG_SET (self, GST_CLOCK_FLAG_NEEDS_STARTUP_SYNC);
    self->thread = g_thread_new ("aes67-ptp-clock", monitor_thread, self);
  } else if (b == GST_AES67_PTP_BACKEND_INTERNAL) {
    GST_OBJECT_FLAG_SET (self, GST_CLOCK_FLAG_NEEDS_STARTUP_SYNC);
  }
  GST_INFO_OBJECT (self, "backend %s, domain %u", backend_nick (b),
      self->settings.domain);
}

static void
gst_aes67_ptp_clock_dispose (GObject * object)
{
  GstAes67PtpClock *self = GST_AES67_PTP_CLOCK (object);

  if (self->thread) {
    g_mutex_lock (&self->thread_lock);
    self->stopping = TRUE;
    g_cond_signal (&self->thread_cond);
    g_mutex_unlock (&self->thread_lock);
    /* the last reference can go from a handler running on that thread */
    if (self->thread == g_thread_self ())
      g_thread_unref (self->thread);
    else
      g_thread_join (self->thread);
    self->thread = NULL;
  }
  if (self->stats_id) {
    gst_ptp_statistics_callback_remove (self->stats_id);
    self->stats_id = 0;
  }
  /* never gst_ptp_deinit(): it corrupts the heap in 1.22.0 */
  gst_clear_object (&self->stock);
  G_OBJECT_CLASS (parent_class)->dispose (object);
}

static void
gst_aes67_ptp_clock_finalize (GObject * object)
{
  GstAes67PtpClock *self = GST_AES67_PTP_CLOCK (object);

  if (self->sock >= 0)
    close (self->sock);
  if (self->sock_path)
    unlink (self->sock_path);
  if (self->phc_fd >= 0)
    close (self->phc_fd);
  g_free (self->sock_path);
  gst_aes67_ptp_clock_settings_clear (&self->settings);
  g_mutex_clear (&self->thread_lock);
  g_cond_clear (&self->thread_cond);
  g_mutex_clear (&self->stats_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

void
gst_aes67_ptp_clock_settings_init (GstAes67PtpClockSettings * s)
{
  s->backend = GST_AES67_PTP_CLOCK_DEFAULT_BACKEND;
  s->domain = GST_AES67_PTP_CLOCK_DEFAULT_DOMAIN;
  s->interface = g_strdup (GST_AES67_PTP_CLOCK_DEFAULT_INTERFACE);
  s->uds_path = g_strdup (GST_AES67_PTP_CLOCK_DEFAULT_UDS_PATH);
  s->phc_device = g_strdup (GST_AES67_PTP_CLOCK_DEFAULT_PHC_DEVICE);
}

void
gst_aes67_ptp_clock_settings_clear (GstAes67PtpClockSettings * s)
{
  g_free (s->interface);
  g_free (s->uds_path);
  g_free (s->phc_device);
  memset (s, 0, sizeof (*s));
}

/* the string setting named @name in @s, or NULL */
static gchar **
settings_string (const GstAes67PtpClockSettings * s, const gchar * name)
{
  GstAes67PtpClockSettings *w = (GstAes67PtpClockSettings *) s;

  if (!strcmp (name, "interface"))
    return &w->interface;
  if (!strcmp (name, "uds-path"))
    return &w->uds_path;
  if (!strcmp (name, "phc-device"))
    return &w->phc_device;
  return NULL;
}

GParamSpec *
gst_aes67_ptp_clock_param_spec (const gchar * name, GParamFlags write_flags)
{
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
      write_flags, ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  if (!strcmp (name, "backend"))
    return g_param_spec_enum ("backend", "Backend",
        "Where PTP time comes from: auto, linuxptp, internal or system",
        GST_TYPE_AES67_PTP_BACKEND, GST_AES67_PTP_CLOCK_DEFAULT_BACKEND, rw);
  if (!strcmp (name, "domain"))
    return g_param_spec_uint ("domain", "Domain",
        "PTP domain number (0-127)", 0, 127,
        GST_AES67_PTP_CLOCK_DEFAULT_DOMAIN, rw);
  if (!strcmp (name, "interface"))
    return g_param_spec_string ("interface", "Interface",
        "Network interface GStreamer's PTP client (internal backend) "
        "listens on; NULL: all", GST_AES67_PTP_CLOCK_DEFAULT_INTERFACE, rw);
  if (!strcmp (name, "uds-path"))
    return g_param_spec_string ("uds-path", "UDS path",
        "ptp4l's management Unix socket (its uds_address), linuxptp "
        "backend", GST_AES67_PTP_CLOCK_DEFAULT_UDS_PATH, rw);
  if (!strcmp (name, "phc-device"))
    return g_param_spec_string ("phc-device", "PHC device",
        "PTP hardware clock to read time from (e.g. /dev/ptp0), linuxptp "
        "backend; NULL: the system clock phc2sys or ptp4l disciplines",
        GST_AES67_PTP_CLOCK_DEFAULT_PHC_DEVICE, rw);
  if (!strcmp (name, "backend-in-use"))
    return g_param_spec_enum ("backend-in-use", "Backend in use",
        "The backend the clock runs on (after auto's choice)",
        GST_TYPE_AES67_PTP_BACKEND, GST_AES67_PTP_BACKEND_SYSTEM, ro);
  if (!strcmp (name, "synced"))
    return g_param_spec_boolean ("synced", "Synced",
        "Locked to a PTP grandmaster now", FALSE, ro);
  if (!strcmp (name, "grandmaster-id"))
    return g_param_spec_string ("grandmaster-id", "Grandmaster ID",
        "Clock identity of the grandmaster locked to, as EUI-64 "
        "(00-1D-C1-FF-FE-50-36-33); NULL when not locked", NULL, ro);
  if (!strcmp (name, "port-state"))
    return g_param_spec_string ("port-state", "Port state",
        "PTP port state (SLAVE, LISTENING, ...; NONE without PTP)", "NONE", ro);
  if (!strcmp (name, "offset-ns"))
    return g_param_spec_int64 ("offset-ns", "Offset",
        "Last measured offset from the master, in ns", G_MININT64,
        G_MAXINT64, 0, ro);
  return NULL;
}

gboolean
gst_aes67_ptp_clock_settings_set (GstAes67PtpClockSettings * s,
    GParamSpec * pspec, const GValue * value)
{
  gchar **str;

  if (!strcmp (pspec->name, "backend")) {
    s->backend = g_value_get_enum (value);
  } else if (!strcmp (pspec->name, "domain")) {
    s->domain = g_value_get_uint (value);
  } else if ((str = settings_string (s, pspec->name))) {
    g_free (*str);
    *str = g_value_dup_string (value);
    if (!*str && str == &s->uds_path)
      *str = g_strdup (GST_AES67_PTP_CLOCK_DEFAULT_UDS_PATH);
  } else {
    return FALSE;
  }
  return TRUE;
}

gboolean
gst_aes67_ptp_clock_settings_get (const GstAes67PtpClockSettings * s,
    GParamSpec * pspec, GValue * value)
{
  gchar **str;

  if (!strcmp (pspec->name, "backend"))
    g_value_set_enum (value, s->backend);
  else if (!strcmp (pspec->name, "domain"))
    g_value_set_uint (value, s->domain);
  else if ((str = settings_string (s, pspec->name)))
    g_value_set_string (value, *str);
  else
    return FALSE;
  return TRUE;
}

static void
gst_aes67_ptp_clock_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstAes67PtpClock *self = GST_AES67_PTP_CLOCK (object);

  /* construct-only: no lock */
  if (!gst_aes67_ptp_clock_settings_set (&self->settings, pspec, value))
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
}

static void
gst_aes67_ptp_clock_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstAes67PtpClock *self = GST_AES67_PTP_CLOCK (object);

  if (gst_aes67_ptp_clock_settings_get (&self->settings, pspec, value))
    return;
  switch (prop_id) {
    case PROP_BACKEND_IN_USE:
      g_value_set_enum (value, self->in_use);
      break;
    case PROP_SYNCED:
      GST_OBJECT_LOCK (self);
      g_value_set_boolean (value, self->synced);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_GRANDMASTER_ID:
      g_value_take_string (value, gst_aes67_ptp_clock_dup_grandmaster_id
          (self));
      break;
    case PROP_PORT_STATE:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->in_use == GST_AES67_PTP_BACKEND_SYSTEM
          ? "NONE" : aes67_ptp_port_state_name (self->port_state));
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_OFFSET_NS:
      GST_OBJECT_LOCK (self);
      g_value_set_int64 (value, self->offset_ns);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_TIMESCALE_OFFSET_S:
      g_value_set_int (value, g_atomic_int_get (&self->timescale_offset_s));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_aes67_ptp_clock_class_init (GstAes67PtpClockClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstClockClass *clock_class = GST_CLOCK_CLASS (klass);

  gobject_class->constructed = gst_aes67_ptp_clock_constructed;
  gobject_class->dispose = gst_aes67_ptp_clock_dispose;
  gobject_class->finalize = gst_aes67_ptp_clock_finalize;
  gobject_class->set_property = gst_aes67_ptp_clock_set_property;
  gobject_class->get_property = gst_aes67_ptp_clock_get_property;
  clock_class->get_internal_time = gst_aes67_ptp_clock_get_internal_time;

  properties[PROP_BACKEND] = gst_aes67_ptp_clock_param_spec ("backend",
      G_PARAM_CONSTRUCT_ONLY);
  properties[PROP_DOMAIN] = gst_aes67_ptp_clock_param_spec ("domain",
      G_PARAM_CONSTRUCT_ONLY);
  properties[PROP_INTERFACE] = gst_aes67_ptp_clock_param_spec ("interface",
      G_PARAM_CONSTRUCT_ONLY);
  properties[PROP_UDS_PATH] = gst_aes67_ptp_clock_param_spec ("uds-path",
      G_PARAM_CONSTRUCT_ONLY);
  properties[PROP_PHC_DEVICE] = gst_aes67_ptp_clock_param_spec ("phc-device",
      G_PARAM_CONSTRUCT_ONLY);
  properties[PROP_BACKEND_IN_USE] =
      gst_aes67_ptp_clock_param_spec ("backend-in-use", 0);
  properties[PROP_SYNCED] = gst_aes67_ptp_clock_param_spec ("synced", 0);
  properties[PROP_GRANDMASTER_ID] =
      gst_aes67_ptp_clock_param_spec ("grandmaster-id", 0);
  properties[PROP_PORT_STATE] = gst_aes67_ptp_clock_param_spec ("port-state",
      0);
  properties[PROP_OFFSET_NS] = gst_aes67_ptp_clock_param_spec ("offset-ns", 0);
  properties[PROP_TIMESCALE_OFFSET_S] =
      g_param_spec_int ("timescale-offset-s", "Timescale offset",
      "Seconds added to the system clock to show the "
      "grandmaster's timescale (currentUtcOffset when it sends TAI, else 0)",
      G_MININT, G_MAXINT, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (gobject_class, N_PROPS, properties);

  GST_DEBUG_CATEGORY_INIT (gst_aes67_ptp_clock_debug, "aes67ptpclock", 0,
      "AES67 PTP clock");
}

static void
gst_aes67_ptp_clock_init (GstAes67PtpClock * self)
{
  gst_aes67_ptp_clock_settings_init (&self->settings);
  self->in_use = GST_AES67_PTP_BACKEND_SYSTEM;
  self->clkid = CLOCK_REALTIME;
  self->phc_fd = -1;
  self->sock = -1;
  self->port_state = AES67_PTP_PORT_STATE_NONE;
  g_mutex_init (&self->thread_lock);
  g_cond_init (&self->thread_cond);
  g_mutex_init (&self->stats_lock);
}

GstClock *
gst_aes67_ptp_clock_new (const gchar * name, GstAes67PtpBackend backend,
    guint domain, const gchar * interface, const gchar * uds_path,
    const gchar * phc_device)
{
  GstClock *clock;

  g_return_val_if_fail (domain <= 127, NULL);
  clock = g_object_new (GST_TYPE_AES67_PTP_CLOCK, "name", name,
      "backend", backend, "domain", domain, "interface", interface,
      "uds-path", uds_path ? uds_path : GST_AES67_PTP_CLOCK_DEFAULT_UDS_PATH,
      "phc-device", phc_device, NULL);
  gst_object_ref_sink (clock);
  return clock;
}

GstAes67PtpBackend
gst_aes67_ptp_clock_get_backend_in_use (GstAes67PtpClock * clock)
{
  g_return_val_if_fail (GST_IS_AES67_PTP_CLOCK (clock),
      GST_AES67_PTP_BACKEND_SYSTEM);
  return clock->in_use;
}

gboolean
gst_aes67_ptp_clock_is_locked (GstAes67PtpClock * clock)
{
  gboolean ret;

  g_return_val_if_fail (GST_IS_AES67_PTP_CLOCK (clock), FALSE);
  GST_OBJECT_LOCK (clock);
  ret = clock->synced;
  GST_OBJECT_UNLOCK (clock);
  return ret;
}

gchar *
gst_aes67_ptp_clock_dup_grandmaster_id (GstAes67PtpClock * clock)
{
  gchar s[24];
  gboolean have;

  g_return_val_if_fail (GST_IS_AES67_PTP_CLOCK (clock), NULL);
  GST_OBJECT_LOCK (clock);
  have = clock->have_gm;
  gm_to_string (have, clock->gm, s);
  GST_OBJECT_UNLOCK (clock);
  return have ? g_strdup (s) : NULL;
}

guint
gst_aes67_ptp_clock_get_domain (GstAes67PtpClock * clock)
{
  g_return_val_if_fail (GST_IS_AES67_PTP_CLOCK (clock), 0);
  return clock->settings.domain;
}
