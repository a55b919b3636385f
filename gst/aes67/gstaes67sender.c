/* gst-aes67: the sending end inside aes67sink
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstAes67Sender is aes67sink's last child and is not registered as an
 * element of its own. It takes big-endian PCM (S16BE for L16, S24BE for
 * L24), cuts it into packets of exactly one packet time (AES67-2018 7.2;
 * a=framecount frames each), stamps each with the RTP time of its first
 * sample on the media clock (RFC 7273 a=mediaclk:direct):
 *
 *   RTP time = (clock time of capture x rate / 1e9 + offset) mod 2^32
 *
 * where clock time = running time + base time of the pipeline clock, and
 * hands the packets to the shared pacer (aes67-pacer.c), which sends each at
 * the clock time of its first sample plus the pipeline latency. Packets are
 * GstRTPBuffer headers with the audio memory appended (no copy of audio).
 *
 * GstBaseSink's own per-buffer clock wait is off (sync=false): the pacer
 * does the waiting for every stream of the process in one thread. The
 * latency query still answers as a live sink does, so the pipeline's
 * latency (and hence the send time) covers the source's latency plus the
 * processing deadline (1 ms by default).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67sender.h"
#include "aes67-sdp.h"
#include "aes67-net.h"
#include "aes67-clock-info.h"

#include <gst/rtp/gstrtpbuffer.h>
#include <gst/net/gstnet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_sender_debug);
#define GST_CAT_DEFAULT gst_aes67_sender_debug

#define DEFAULT_PROCESSING_DEADLINE (1 * GST_MSECOND)
/* IPv4 + UDP + RTP headers */
#define PACKET_OVERHEAD (20 + 8 + 12)
/* QoS messages about late packets: at most one per this, monotonic ns */
#define QOS_INTERVAL (1 * GST_SECOND)

GType
gst_aes67_encoding_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {AES67_ENCODING_AUTO, "L16 for input of 16 bits or fewer, else L24",
        "auto"},
    {AES67_ENCODING_L16, "L16: 16-bit big-endian PCM", "L16"},
    {AES67_ENCODING_L24, "L24: 24-bit big-endian PCM", "L24"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstAes67Encoding", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

/* aes67sink's defaults, the one table: its param specs and the sender's
 * _init take them from here */
const Aes67SenderSettings aes67_sender_settings_defaults = {
  .address = NULL,
  .port = 5004,
  .ptime_us = 1000,
  .payload_type = 96,
  .encoding = AES67_ENCODING_AUTO,
  .ttl = 32,
  .multicast_iface = NULL,
  .dscp = 34,                   /* AF41, AES67 media */
  .loop = TRUE,
  .mtu = 1500,
  .session_name = NULL,
  .session_id = 0,
  .channel_labels = NULL,
  .timestamp_offset = 0,
  .sdp_file = NULL,
  /* one packet time at AES67's 1 ms */
  .lateness_threshold_us = 1000,
  .secondary_address = NULL,
  .secondary_port = 0,
  .secondary_multicast_iface = NULL,
};

/* Where each of aes67sink's settings lives in Aes67SenderSettings; the
 * field's type is the param spec's value type. The properties that are
 * not settings (sdp, stats) are not here. */
static const struct
{
  Aes67SinkProp prop;
  gsize offset;
} setting_fields[] = {
  {AES67_SINK_PROP_ADDRESS, G_STRUCT_OFFSET (Aes67SenderSettings, address)},
  {AES67_SINK_PROP_PORT, G_STRUCT_OFFSET (Aes67SenderSettings, port)},
  {AES67_SINK_PROP_PTIME, G_STRUCT_OFFSET (Aes67SenderSettings, ptime_us)},
  {AES67_SINK_PROP_PAYLOAD_TYPE,
      G_STRUCT_OFFSET (Aes67SenderSettings, payload_type)},
  {AES67_SINK_PROP_ENCODING, G_STRUCT_OFFSET (Aes67SenderSettings, encoding)},
  {AES67_SINK_PROP_TTL, G_STRUCT_OFFSET (Aes67SenderSettings, ttl)},
  {AES67_SINK_PROP_MULTICAST_IFACE,
      G_STRUCT_OFFSET (Aes67SenderSettings, multicast_iface)},
  {AES67_SINK_PROP_DSCP, G_STRUCT_OFFSET (Aes67SenderSettings, dscp)},
  {AES67_SINK_PROP_LOOP, G_STRUCT_OFFSET (Aes67SenderSettings, loop)},
  {AES67_SINK_PROP_MTU, G_STRUCT_OFFSET (Aes67SenderSettings, mtu)},
  {AES67_SINK_PROP_SESSION_NAME,
      G_STRUCT_OFFSET (Aes67SenderSettings, session_name)},
  {AES67_SINK_PROP_SESSION_ID,
      G_STRUCT_OFFSET (Aes67SenderSettings, session_id)},
  {AES67_SINK_PROP_CHANNEL_LABELS,
      G_STRUCT_OFFSET (Aes67SenderSettings, channel_labels)},
  {AES67_SINK_PROP_TIMESTAMP_OFFSET,
      G_STRUCT_OFFSET (Aes67SenderSettings, timestamp_offset)},
  {AES67_SINK_PROP_SDP_FILE, G_STRUCT_OFFSET (Aes67SenderSettings, sdp_file)},
  {AES67_SINK_PROP_LATENESS_THRESHOLD,
      G_STRUCT_OFFSET (Aes67SenderSettings, lateness_threshold_us)},
  {AES67_SINK_PROP_SECONDARY_ADDRESS,
      G_STRUCT_OFFSET (Aes67SenderSettings, secondary_address)},
  {AES67_SINK_PROP_SECONDARY_PORT,
      G_STRUCT_OFFSET (Aes67SenderSettings, secondary_port)},
  {AES67_SINK_PROP_SECONDARY_MULTICAST_IFACE,
      G_STRUCT_OFFSET (Aes67SenderSettings, secondary_multicast_iface)},
};

void
aes67_sender_settings_copy (Aes67SenderSettings * dst,
    const Aes67SenderSettings * src)
{
  *dst = *src;
  dst->address = g_strdup (src->address);
  dst->multicast_iface = g_strdup (src->multicast_iface);
  dst->session_name = g_strdup (src->session_name);
  dst->channel_labels = g_strdup (src->channel_labels);
  dst->sdp_file = g_strdup (src->sdp_file);
  dst->secondary_address = g_strdup (src->secondary_address);
  dst->secondary_multicast_iface = g_strdup (src->secondary_multicast_iface);
}

void
aes67_sender_settings_clear (Aes67SenderSettings * s)
{
  g_free (s->address);
  g_free (s->multicast_iface);
  g_free (s->session_name);
  g_free (s->channel_labels);
  g_free (s->sdp_file);
  g_free (s->secondary_address);
  g_free (s->secondary_multicast_iface);
  memset (s, 0, sizeof (*s));
}

/* The field of @prop in @s, or NULL for a property that is no setting. */
static gpointer
setting_field (Aes67SenderSettings * s, guint prop)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (setting_fields); i++)
    if (setting_fields[i].prop == prop)
      return G_STRUCT_MEMBER_P (s, setting_fields[i].offset);
  return NULL;
}

enum
{
  PROP_0,
  PROP_SDP,
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format = (string) { S24BE, S16BE }, "
        "rate = (int) { 44100, 48000, 96000 }, channels = (int) [ 1, 64 ], "
        "layout = (string) interleaved"));

#define gst_aes67_sender_parent_class parent_class
G_DEFINE_TYPE (GstAes67Sender, gst_aes67_sender, GST_TYPE_BASE_SINK);

static void gst_aes67_sender_finalize (GObject * object);
static void gst_aes67_sender_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_aes67_sender_change_state (GstElement *
    element, GstStateChange transition);
static gboolean gst_aes67_sender_set_caps (GstBaseSink * sink, GstCaps * caps);
static GstFlowReturn gst_aes67_sender_render (GstBaseSink * sink,
    GstBuffer * buffer);
static gboolean gst_aes67_sender_event (GstBaseSink * sink, GstEvent * event);
static gboolean gst_aes67_sender_element_query (GstElement * element,
    GstQuery * query);
static gboolean gst_aes67_sender_unlock (GstBaseSink * sink);
static gboolean gst_aes67_sender_set_clock (GstElement * element,
    GstClock * clock);

static void
gst_aes67_sender_class_init (GstAes67SenderClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *bs_class = GST_BASE_SINK_CLASS (klass);

  GST_DEBUG_CATEGORY_INIT (gst_aes67_sender_debug, "aes67sender", 0,
      "AES67 packetizer and paced sender inside aes67sink");

  gobject_class->finalize = gst_aes67_sender_finalize;
  gobject_class->get_property = gst_aes67_sender_get_property;

  /* only so that aes67sink can follow changes with notify::sdp */
  g_object_class_install_property (gobject_class, PROP_SDP,
      g_param_spec_string ("sdp", "SDP",
          "The current session description (SDP text, CRLF line ends)",
          NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "AES67 sender (internal)", "Sink/Network",
      "Packetizes big-endian PCM into AES67 RTP packets and paces them out",
      "gst-aes67 developers");

  element_class->query = gst_aes67_sender_element_query;
  element_class->set_clock = gst_aes67_sender_set_clock;
  element_class->change_state = gst_aes67_sender_change_state;
  bs_class->set_caps = gst_aes67_sender_set_caps;
  bs_class->render = gst_aes67_sender_render;
  bs_class->event = gst_aes67_sender_event;
  bs_class->unlock = gst_aes67_sender_unlock;
}

static void
gst_aes67_sender_init (GstAes67Sender * self)
{
  aes67_sender_settings_copy (&self->settings, &aes67_sender_settings_defaults);
  self->adapter = gst_adapter_new ();
  self->ptp_domain = -1;
  g_mutex_init (&self->sdp_file_lock);
  g_cond_init (&self->sdp_file_cond);
  gst_audio_info_init (&self->info);

  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
  gst_base_sink_set_async_enabled (GST_BASE_SINK (self), TRUE);
  gst_base_sink_set_processing_deadline (GST_BASE_SINK (self),
      DEFAULT_PROCESSING_DEADLINE);
  gst_base_sink_set_qos_enabled (GST_BASE_SINK (self), FALSE);
}

static void
gst_aes67_sender_finalize (GObject * object)
{
  GstAes67Sender *self = GST_AES67_SENDER (object);

  aes67_sender_settings_clear (&self->settings);
  aes67_sender_settings_clear (&self->cfg);
  g_free (self->sdp);
  g_free (self->used_address);
  g_free (self->origin_address);
  g_free (self->used_secondary_address);
  g_free (self->secondary_origin_address);
  g_free (self->used_session_name);
  g_free (self->localmac);
  g_free (self->ptp_gmid);
  if (self->watched_clock) {
    aes67_clock_unwatch_ptp_info (self->watched_clock, self->watch_id);
    gst_object_unref (self->watched_clock);
  }
  g_object_unref (self->adapter);
  g_mutex_clear (&self->sdp_file_lock);
  g_cond_clear (&self->sdp_file_cond);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_aes67_sender_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstAes67Sender *self = GST_AES67_SENDER (object);

  switch (prop_id) {
    case PROP_SDP:
      GST_OBJECT_LOCK (self);
      g_value_set_string (value, self->sdp);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

/* A copy of the settings as they are now. Takes the object lock. */
static void
settings_snapshot (GstAes67Sender * self, Aes67SenderSettings * out)
{
  GST_OBJECT_LOCK (self);
  aes67_sender_settings_copy (out, &self->settings);
  GST_OBJECT_UNLOCK (self);
}

/* The session name for session-name @set: itself, or when unset "<host>
 * <element> <pid>" (two processes with default names must not land on
 * one address; set session-name for one that survives restarts). No lock
 * held: it asks for the parent. */
static gchar *
session_name_for (GstAes67Sender * self, const gchar * set)
{
  GstObject *parent;
  gchar *pname, *name;

  if (set && *set)
    return g_strdup (set);
  parent = gst_object_get_parent (GST_OBJECT (self));
  pname = gst_object_get_name (parent ? parent : GST_OBJECT (self));
  name = g_strdup_printf ("%s %s %d", g_get_host_name (), pname,
      (gint) getpid ());
  g_free (pname);
  if (parent)
    gst_object_unref (parent);
  return name;
}

static gpointer
read_machine_id (gpointer data)
{
  gchar *id = NULL;

  if (g_file_get_contents ("/etc/machine-id", &id, NULL, NULL))
    return g_strstrip (id);
  return g_strdup (g_get_host_name ());
}

/* /etc/machine-id (or the host name), read once per process, with no lock
 * held the first time */
static const gchar *
machine_id (void)
{
  static GOnce once = G_ONCE_INIT;

  return g_once (&once, read_machine_id, NULL);
}

/* The group in 239.69.0.0/16 (the prefix Dante's AES67 mode uses) that
 * session @name on @port gets on this machine. No lock held. */
static gchar *
derived_address (const gchar * name, guint port)
{
  gchar *key;
  guint32 h;

  key = g_strdup_printf ("%s\n%s\n%u", machine_id (), name, port);
  h = aes67_hash32 (key, 0);
  g_free (key);
  return g_strdup_printf ("239.69.%u.%u", 1 + h % 254, 1 + (h >> 8) % 254);
}

/* The destination for settings @s: address, or the one derived from the
 * session name. No lock held. */
static gchar *
address_for (GstAes67Sender * self, const Aes67SenderSettings * s)
{
  gchar *name, *a;

  if (s->address && *s->address)
    return g_strdup (s->address);
  name = session_name_for (self, s->session_name);
  a = derived_address (name, s->port);
  g_free (name);
  return a;
}

static GstStructure *
make_stats (GstAes67Sender * self)
{
  Aes67PacerStats st = { 0, };
  GstStructure *s;
  guint32 ssrc;
  guint16 seq;
  guint32 rtptime;

  GST_OBJECT_LOCK (self);
  if (self->stream)
    aes67_pacer_stream_get_stats (self->stream, &st);
  ssrc = self->ssrc;
  seq = self->seqnum;
  rtptime = self->rtptime;
  GST_OBJECT_UNLOCK (self);

  s = gst_structure_new ("aes67-sink-stats",
      "packets-sent", G_TYPE_UINT64, st.packets_sent,
      "bytes-sent", G_TYPE_UINT64, st.bytes_sent,
      "packets-late", G_TYPE_UINT64, st.packets_late,
      "max-lateness-ns", G_TYPE_INT64, st.max_late_ns,
      "max-lateness-us", G_TYPE_INT64, st.max_late_ns / 1000,
      "packets-dropped", G_TYPE_UINT64, st.packets_dropped,
      "send-errors", G_TYPE_UINT64, st.send_errors,
      "primary-packets-sent", G_TYPE_UINT64, st.path_packets_sent[0],
      "primary-send-errors", G_TYPE_UINT64, st.path_send_errors[0],
      "secondary-packets-sent", G_TYPE_UINT64, st.path_packets_sent[1],
      "secondary-send-errors", G_TYPE_UINT64, st.path_send_errors[1],
      "ssrc", G_TYPE_UINT, ssrc,
      "seqnum", G_TYPE_UINT, (guint) seq,
      "rtptime", G_TYPE_UINT, rtptime, NULL);
  return s;
}

gboolean
gst_aes67_sender_set_config (GstAes67Sender * self, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  gchar *old = NULL;
  gpointer field;

  GST_OBJECT_LOCK (self);
  field = setting_field (&self->settings, prop_id);
  if (!field) {
    GST_OBJECT_UNLOCK (self);
    return FALSE;
  }
  switch (G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec))) {
    case G_TYPE_STRING:
      old = *(gchar **) field;
      *(gchar **) field = g_value_dup_string (value);
      break;
    case G_TYPE_UINT:
      *(guint *) field = g_value_get_uint (value);
      break;
    case G_TYPE_UINT64:
      *(guint64 *) field = g_value_get_uint64 (value);
      break;
    case G_TYPE_BOOLEAN:
      *(gboolean *) field = g_value_get_boolean (value);
      break;
    case G_TYPE_ENUM:
      *(gint *) field = g_value_get_enum (value);
      break;
    default:
      g_assert_not_reached ();
  }
  GST_OBJECT_UNLOCK (self);
  g_free (old);
  return TRUE;
}

gboolean
gst_aes67_sender_get_config (GstAes67Sender * self, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  Aes67SenderSettings s;
  gpointer field;

  if (prop_id == AES67_SINK_PROP_STATS) {
    g_value_take_boxed (value, make_stats (self));
    return TRUE;
  }
  if (prop_id == AES67_SINK_PROP_SDP) {
    GST_OBJECT_LOCK (self);
    g_value_set_string (value, self->sdp);
    GST_OBJECT_UNLOCK (self);
    return TRUE;
  }
  settings_snapshot (self, &s);
  field = setting_field (&s, prop_id);
  if (!field) {
    aes67_sender_settings_clear (&s);
    return FALSE;
  }
  if (prop_id == AES67_SINK_PROP_ADDRESS) {
    g_value_take_string (value, address_for (self, &s));
  } else if (prop_id == AES67_SINK_PROP_SESSION_NAME) {
    g_value_take_string (value, session_name_for (self, s.session_name));
  } else {
    switch (G_TYPE_FUNDAMENTAL (G_PARAM_SPEC_VALUE_TYPE (pspec))) {
      case G_TYPE_STRING:
        g_value_set_string (value, *(gchar **) field);
        break;
      case G_TYPE_UINT:
        g_value_set_uint (value, *(guint *) field);
        break;
      case G_TYPE_UINT64:
        g_value_set_uint64 (value, *(guint64 *) field);
        break;
      case G_TYPE_BOOLEAN:
        g_value_set_boolean (value, *(gboolean *) field);
        break;
      case G_TYPE_ENUM:
        g_value_set_enum (value, *(gint *) field);
        break;
      default:
        g_assert_not_reached ();
    }
  }
  aes67_sender_settings_clear (&s);
  return TRUE;
}

Aes67Encoding
gst_aes67_sender_encoding_in_use (GstAes67Sender * self)
{
  return self->cfg.encoding;
}

static const gchar *
position_label (GstAudioChannelPosition p)
{
  switch (p) {
    case GST_AUDIO_CHANNEL_POSITION_MONO:
      return "Mono";
    case GST_AUDIO_CHANNEL_POSITION_FRONT_LEFT:
      return "Left";
    case GST_AUDIO_CHANNEL_POSITION_FRONT_RIGHT:
      return "Right";
    case GST_AUDIO_CHANNEL_POSITION_FRONT_CENTER:
      return "Center";
    case GST_AUDIO_CHANNEL_POSITION_LFE1:
      return "LFE";
    case GST_AUDIO_CHANNEL_POSITION_REAR_LEFT:
      return "Left Surround";
    case GST_AUDIO_CHANNEL_POSITION_REAR_RIGHT:
      return "Right Surround";
    case GST_AUDIO_CHANNEL_POSITION_SIDE_LEFT:
      return "Left Side";
    case GST_AUDIO_CHANNEL_POSITION_SIDE_RIGHT:
      return "Right Side";
    default:
      return NULL;
  }
}

/* "2 channels: Left, Right" (AES67 gear shows this; Lawo wants one).
 * with the object lock */
static gchar *
channel_info (GstAes67Sender * self)
{
  GString *s = g_string_new (NULL);
  guint ch = GST_AUDIO_INFO_CHANNELS (&self->info), i;
  gchar **labels = NULL;

  g_string_append_printf (s, "%u channel%s: ", ch, ch == 1 ? "" : "s");
  if (self->cfg.channel_labels && *self->cfg.channel_labels)
    labels = g_strsplit (self->cfg.channel_labels, ",", -1);
  for (i = 0; i < ch; i++) {
    const gchar *l = NULL;
    gchar num[16];

    if (labels && i < g_strv_length (labels))
      l = g_strstrip (labels[i]);
    if ((!l || !*l) && !GST_AUDIO_INFO_IS_UNPOSITIONED (&self->info))
      l = position_label (self->info.position[i]);
    if (!l || !*l) {
      g_snprintf (num, sizeof (num), "%u", i + 1);
      l = num;
    }
    g_string_append_printf (s, "%s%s", i ? ", " : "", l);
  }
  g_strfreev (labels);
  return g_string_free (s, FALSE);
}

/* sdp-file: written by one thread of a pool for the whole process (one
 * thread, so the writes of a file keep their order), never by the
 * streaming thread; a failed write is an element warning from there. */
typedef struct
{
  GstAes67Sender *self;
  gchar *path;
  gchar *text;
} SdpFileJob;

static void
write_sdp_file (gpointer data, gpointer user_data)
{
  SdpFileJob *job = data;
  GError *err = NULL;

  if (g_file_set_contents (job->path, job->text, -1, &err)) {
    GST_INFO_OBJECT (job->self, "wrote the session description to %s",
        job->path);
  } else {
    GST_ELEMENT_WARNING (job->self, RESOURCE, OPEN_WRITE,
        ("Could not write the session description to %s.", job->path),
        ("%s", err->message));
    g_clear_error (&err);
  }
  g_mutex_lock (&job->self->sdp_file_lock);
  job->self->sdp_file_pending--;
  g_cond_broadcast (&job->self->sdp_file_cond);
  g_mutex_unlock (&job->self->sdp_file_lock);
  gst_object_unref (job->self);
  g_free (job->path);
  g_free (job->text);
  g_free (job);
}

static gpointer
make_sdp_file_writer (gpointer data)
{
  return g_thread_pool_new (write_sdp_file, NULL, 1, FALSE, NULL);
}

/* Hands @text to the writer thread for @path. Any thread, no lock. */
static void
queue_sdp_file (GstAes67Sender * self, const gchar * path, const gchar * text)
{
  static GOnce once = G_ONCE_INIT;
  GThreadPool *pool = g_once (&once, make_sdp_file_writer, NULL);
  SdpFileJob *job = g_new0 (SdpFileJob, 1);

  job->self = gst_object_ref (self);
  job->path = g_strdup (path);
  job->text = g_strdup (text);
  g_mutex_lock (&self->sdp_file_lock);
  self->sdp_file_pending++;
  g_mutex_unlock (&self->sdp_file_lock);
  g_thread_pool_push (pool, job, NULL);
}

/* Waits until the writer thread has done every write handed to it for
 * this sender (so that a pipeline stopped right after it started still
 * leaves its SDP file). PAUSED->READY, no lock held. */
static void
wait_sdp_file (GstAes67Sender * self)
{
  g_mutex_lock (&self->sdp_file_lock);
  while (self->sdp_file_pending > 0)
    g_cond_wait (&self->sdp_file_cond, &self->sdp_file_lock);
  g_mutex_unlock (&self->sdp_file_lock);
}

/* Makes the SDP for the settings in use and the format, from what open_stream()
 * looked up: no file or system call. Returns TRUE if it differs from the
 * one before (the caller notifies, without locks); then sdp-file gets it,
 * from the writer thread. */
static gboolean
rebuild_sdp (GstAes67Sender * self)
{
  const Aes67SenderSettings *cfg = &self->cfg;
  Aes67SdpStream s;
  gchar *text = NULL, *body;
  gboolean changed;
  GError *err = NULL;

  aes67_sdp_stream_init (&s);
  GST_OBJECT_LOCK (self);
  if (!self->have_info || !self->used_address || !self->origin_address) {
    GST_OBJECT_UNLOCK (self);
    return FALSE;
  }
  s.session_name = g_strdup (self->used_session_name);
  s.info = channel_info (self);
  s.session_id = self->used_session_id;
  s.origin_address = g_strdup (self->origin_address);
  s.address = g_strdup (self->used_address);
  s.ttl = cfg->ttl;
  s.port = cfg->port;
  s.payload_type = cfg->payload_type;
  s.encoding = g_strdup (GST_AUDIO_INFO_FORMAT (&self->info) ==
      GST_AUDIO_FORMAT_S16BE ? "L16" : "L24");
  s.rate = GST_AUDIO_INFO_RATE (&self->info);
  s.channels = GST_AUDIO_INFO_CHANNELS (&self->info);
  s.ptime_us = cfg->ptime_us;
  s.framecount = self->frames_per_packet;
  s.mediaclk_offset = cfg->timestamp_offset;
  if (self->used_secondary_address) {
    /* ST 2022-7: the DUP form (RFC 7104), each leg with its own source */
    s.secondary_address = g_strdup (self->used_secondary_address);
    s.secondary_port = self->used_secondary_port;
    s.secondary_source_filter = g_strdup (self->secondary_origin_address);
  }
  if (self->ptp_domain >= 0) {
    /* a PTP pipeline clock: ts-refclk and clock-domain name it (RFC 7273,
     * AES67 annex C); "traceable" until a grandmaster is known */
    s.ptp_domain = self->ptp_domain;
    s.ptp_gmid = g_strdup (self->ptp_gmid);
  } else {
    /* no PTP: RFC 7273 localmac of the sending interface, the truth */
    s.localmac = g_strdup (self->localmac ? self->localmac :
        "00-00-00-00-00-00");
  }
  GST_OBJECT_UNLOCK (self);

  /* the version is a hash of everything else: it stays while the session
   * stays (also across restarts), and changes when the session changes */
  s.session_version = 0;
  body = aes67_sdp_build (&s, &err);
  if (body) {
    s.session_version = aes67_hash32 (body, 0x5d) | 1;
    text = aes67_sdp_build (&s, &err);
  }
  g_free (body);
  aes67_sdp_stream_clear (&s);
  if (!text) {
    GST_ERROR_OBJECT (self, "cannot build the SDP: %s", err->message);
    g_clear_error (&err);
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  changed = g_strcmp0 (text, self->sdp) != 0;
  if (changed) {
    g_free (self->sdp);
    self->sdp = g_strdup (text);
  }
  GST_OBJECT_UNLOCK (self);

  if (changed && cfg->sdp_file && *cfg->sdp_file)
    queue_sdp_file (self, cfg->sdp_file, text);
  g_free (text);
  return changed;
}

/* Reads what the pipeline clock says of PTP into ptp_domain / ptp_gmid.
 * A clock that lost its grandmaster keeps the last one (the stream goes on
 * on the free-running clock and the SDP stays). No lock held. */
static void
refresh_ptp_info (GstAes67Sender * self)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));
  gchar *gm = NULL;
  guint domain = 0;
  gboolean ptp;

  ptp = clock && aes67_clock_get_ptp_info (clock, &gm, &domain, NULL);
  GST_OBJECT_LOCK (self);
  if (!ptp) {
    self->ptp_domain = -1;
    g_clear_pointer (&self->ptp_gmid, g_free);
  } else {
    if (self->ptp_domain != (gint) domain)
      g_clear_pointer (&self->ptp_gmid, g_free);
    self->ptp_domain = (gint) domain;
    if (gm) {
      g_free (self->ptp_gmid);
      self->ptp_gmid = gm;
      gm = NULL;
    }
  }
  GST_OBJECT_UNLOCK (self);
  g_free (gm);
  if (clock)
    gst_object_unref (clock);
}

static void
on_ptp_changed (GstClock * clock, gpointer user_data)
{
  GstAes67Sender *self = user_data;

  /* from the clock's thread: the streaming thread rebuilds the SDP */
  g_atomic_int_set (&self->sdp_dirty, 1);
}

/* The pipeline hands out its clock: follow its grandmaster. Only marks the
 * SDP stale (a notify from within set_clock would take the pipeline's lock
 * again through deep-notify). */
static gboolean
gst_aes67_sender_set_clock (GstElement * element, GstClock * clock)
{
  GstAes67Sender *self = GST_AES67_SENDER (element);
  GstClock *old;
  gulong old_id;

  GST_OBJECT_LOCK (self);
  old = self->watched_clock;
  old_id = self->watch_id;
  self->watched_clock = NULL;
  self->watch_id = 0;
  GST_OBJECT_UNLOCK (self);
  if (old) {
    aes67_clock_unwatch_ptp_info (old, old_id);
    gst_object_unref (old);
  }
  if (clock) {
    gulong id = aes67_clock_watch_ptp_info (clock, on_ptp_changed, self);
    if (id) {
      GST_OBJECT_LOCK (self);
      self->watched_clock = gst_object_ref (clock);
      self->watch_id = id;
      GST_OBJECT_UNLOCK (self);
    }
  }
  g_atomic_int_set (&self->sdp_dirty, 1);
  return GST_ELEMENT_CLASS (parent_class)->set_clock (element, clock);
}

/* Senders whose sockets would be alike (source address, TTL, DSCP,
 * interface, loopback) share one: the pacer then hands all their packets
 * due at one instant to the kernel in one system call. */
typedef struct
{
  GSocket *socket;
  guint refs;
} SharedSocket;

static GMutex shared_sockets_lock;
static GHashTable *shared_sockets;      /* key -> SharedSocket */

/* A UDP socket set up to send the stream (aes67_net_send_socket). NULL
 * with @error set. Posts nothing: shared_socket_get calls it under
 * shared_sockets_lock. */
static GSocket *
make_socket (GstAes67Sender * self, const gchar * origin, guint ttl,
    guint dscp, const gchar * iface, gboolean loop, gboolean mc,
    GError ** error)
{
  GError *dscp_err = NULL;
  GSocket *sock = aes67_net_send_socket (origin, ttl, dscp, iface, loop, mc,
      &dscp_err, error);

  if (dscp_err) {
    GST_WARNING_OBJECT (self, "could not set DSCP %u: %s", dscp,
        dscp_err->message);
    g_error_free (dscp_err);
  }
  return sock;
}

/* The socket for @key, made on first use; NULL after posting an element
 * error (outside shared_sockets_lock) saying why. */
static GSocket *
shared_socket_get (GstAes67Sender * self, const gchar * key,
    const gchar * origin, guint ttl, guint dscp, const gchar * iface,
    gboolean loop, gboolean mc)
{
  SharedSocket *ss;
  GSocket *sock = NULL;
  GError *err = NULL;

  g_mutex_lock (&shared_sockets_lock);
  if (!shared_sockets)
    shared_sockets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        g_free);
  ss = g_hash_table_lookup (shared_sockets, key);
  if (!ss) {
    sock = make_socket (self, origin, ttl, dscp, iface, loop, mc, &err);
    if (sock) {
      ss = g_new0 (SharedSocket, 1);
      ss->socket = sock;
      g_hash_table_insert (shared_sockets, g_strdup (key), ss);
    }
  }
  if (ss) {
    ss->refs++;
    sock = g_object_ref (ss->socket);
  }
  g_mutex_unlock (&shared_sockets_lock);
  if (err) {
    if (g_error_matches (err, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", err->message),
          (NULL));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("%s", err->message),
          (NULL));
    g_error_free (err);
  }
  return sock;
}

static void
shared_socket_release (const gchar * key)
{
  SharedSocket *ss;

  g_mutex_lock (&shared_sockets_lock);
  ss = shared_sockets ? g_hash_table_lookup (shared_sockets, key) : NULL;
  if (ss && --ss->refs == 0) {
    g_object_unref (ss->socket);
    g_hash_table_remove (shared_sockets, key);
  }
  g_mutex_unlock (&shared_sockets_lock);
}

/* Sets the stream up from a copy of the settings: READY -> PAUSED, before
 * the pads are active (GstBaseSink's start would be NULL -> READY, and a
 * setting changed in READY would wait for the next NULL). */
static gboolean
open_stream (GstAes67Sender * self)
{
  Aes67SenderSettings cfg;
  Aes67PacerStream *stream;
  GError *err = NULL;
  gchar *address, *iface, *origin = NULL, *name, *mac_iface, *mac, *key;
  gchar *address2, *iface2, *origin2 = NULL;
  GInetAddress *inet = NULL, *inet2 = NULL;
  guint port, port2, ttl, dscp, ptime;
  guint64 session_id;
  gboolean loop, mc, mc2 = FALSE;

  /* the settings for this run, copied under the lock; the look-ups below
   * (addresses, interfaces, the MAC, the machine id) run without it */
  settings_snapshot (self, &cfg);
  name = session_name_for (self, cfg.session_name);
  address = address_for (self, &cfg);
  iface = g_strdup (cfg.multicast_iface);
  address2 = cfg.secondary_address && *cfg.secondary_address ?
      g_strdup (cfg.secondary_address) : NULL;
  iface2 = g_strdup (cfg.secondary_multicast_iface);
  port2 = cfg.secondary_port ? cfg.secondary_port : cfg.port;
  port = cfg.port;
  ttl = cfg.ttl;
  dscp = cfg.dscp;
  loop = cfg.loop;
  ptime = cfg.ptime_us;

  if (ptime != 125 && ptime != 250 && ptime != 333 && ptime != 1000
      && ptime != 4000) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("ptime %u µs is not an AES67 packet time: use 125, 250, 333, 1000 "
            "or 4000.", ptime), (NULL));
    goto fail;
  }
  inet = g_inet_address_new_from_string (address);
  if (!inet || g_inet_address_get_family (inet) != G_SOCKET_FAMILY_IPV4) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("\"%s\" is not an IPv4 address: set address to a multicast group "
            "such as 239.69.1.10 or to a receiver's unicast address.",
            address), (NULL));
    goto fail;
  }
  mc = g_inet_address_get_is_multicast (inet);

  origin = aes67_net_source_address (address, mc ? iface : NULL, &err);
  if (!origin) {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
        ("Cannot send to %s: %s.", address, err->message), (NULL));
    goto fail;
  }

  /* SMPTE ST 2022-7: a second path, configured as the first (TTL, DSCP,
   * loopback), from its own interface */
  if (address2) {
    inet2 = g_inet_address_new_from_string (address2);
    if (!inet2 || g_inet_address_get_family (inet2) != G_SOCKET_FAMILY_IPV4) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("secondary-address \"%s\" is not an IPv4 address: set it to the "
              "multicast group (or unicast receiver) of the second network, "
              "or unset it for one path.", address2), (NULL));
      goto fail;
    }
    mc2 = g_inet_address_get_is_multicast (inet2);
    origin2 = aes67_net_source_address (address2, mc2 ? iface2 : NULL, &err);
    if (!origin2) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE,
          ("Cannot send to the secondary address %s: %s.", address2,
              err->message), (NULL));
      goto fail;
    }
    if (g_inet_address_equal (inet, inet2) && port == port2
        && !g_strcmp0 (origin, origin2)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("The secondary path goes to %s:%u from %s, as the primary: "
              "receivers could not tell the two apart. Set another "
              "secondary-address or secondary-port, or a "
              "secondary-multicast-iface on the second network.", address2,
              port2, origin2), (NULL));
      goto fail;
    }
  }

  self->socket_key = g_strdup_printf ("%s|%u|%u|%s|%d|%d", origin, ttl, dscp,
      mc && iface ? iface : "", loop, mc);
  self->socket = shared_socket_get (self, self->socket_key, origin, ttl, dscp,
      mc ? iface : NULL, loop, mc);
  if (!self->socket) {
    g_clear_pointer (&self->socket_key, g_free);
    goto fail;
  }
  self->dest = g_inet_socket_address_new (inet, port);
  if (address2) {
    self->socket2_key = g_strdup_printf ("%s|%u|%u|%s|%d|%d", origin2, ttl,
        dscp, mc2 && iface2 ? iface2 : "", loop, mc2);
    self->socket2 = shared_socket_get (self, self->socket2_key, origin2, ttl,
        dscp, mc2 ? iface2 : NULL, loop, mc2);
    if (!self->socket2) {
      g_clear_pointer (&self->socket2_key, g_free);
      g_clear_object (&self->dest);
      g_clear_object (&self->socket);
      shared_socket_release (self->socket_key);
      g_clear_pointer (&self->socket_key, g_free);
      goto fail;
    }
    self->dest2 = g_inet_socket_address_new (inet2, port2);
  }
  stream = aes67_pacer_stream_new_redundant (self->socket, self->dest,
      self->socket2, self->dest2);
  self->pacer_threshold_us = cfg.lateness_threshold_us;
  aes67_pacer_stream_set_late_threshold (stream,
      (gint64) self->pacer_threshold_us * GST_USECOND);
  GST_OBJECT_LOCK (self);
  self->stream = stream;
  GST_OBJECT_UNLOCK (self);
  self->qos_at = 0;

  /* what the SDP says of us: the o= session id, and (without PTP) the MAC
   * of the interface we send from */
  session_id = cfg.session_id;
  if (!session_id) {
    key = g_strdup_printf ("%s\n%s", machine_id (), name);
    session_id = aes67_hash32 (key, 0x67);
    g_free (key);
  }
  mac_iface = cfg.multicast_iface && *cfg.multicast_iface ?
      g_strdup (cfg.multicast_iface) : aes67_net_iface_of_address (origin);
  mac = aes67_net_iface_mac (mac_iface);
  g_free (mac_iface);

  GST_OBJECT_LOCK (self);
  aes67_sender_settings_clear (&self->cfg);
  self->cfg = cfg;
  memset (&cfg, 0, sizeof (cfg));
  g_free (self->used_session_name);
  self->used_session_name = name;
  name = NULL;
  self->used_session_id = session_id;
  g_free (self->localmac);
  self->localmac = mac;
  g_free (self->used_address);
  self->used_address = g_strdup (address);
  g_free (self->origin_address);
  self->origin_address = origin;
  origin = NULL;
  g_free (self->used_secondary_address);
  self->used_secondary_address = g_strdup (address2);
  self->used_secondary_port = port2;
  g_free (self->secondary_origin_address);
  self->secondary_origin_address = origin2;
  origin2 = NULL;
  self->ssrc = g_random_int ();
  self->seqnum = (guint16) g_random_int_range (0, 65536);
  GST_OBJECT_UNLOCK (self);
  self->resync = TRUE;
  self->warned_errors = 0;
  self->warned_at = 0;
  self->warned_errors2 = 0;
  self->warned_at2 = 0;

  GST_INFO_OBJECT (self, "sending to %s:%u from %s (ttl %u, dscp %u)",
      address, port, self->origin_address, ttl, dscp);
  if (address2)
    GST_INFO_OBJECT (self, "and on the secondary path to %s:%u from %s",
        address2, port2, self->secondary_origin_address);
  g_object_unref (inet);
  g_clear_object (&inet2);
  g_free (address);
  g_free (iface);
  g_free (address2);
  g_free (iface2);
  return TRUE;

fail:
  aes67_sender_settings_clear (&cfg);
  g_free (name);
  g_clear_error (&err);
  g_clear_object (&inet);
  g_clear_object (&inet2);
  g_free (origin);
  g_free (origin2);
  g_free (address);
  g_free (iface);
  g_free (address2);
  g_free (iface2);
  return FALSE;
}

/* PAUSED -> READY, after the streaming thread stopped; also when READY ->
 * PAUSED failed after open_stream. */
static void
close_stream (GstAes67Sender * self)
{
  Aes67PacerStream *stream;

  /* stats reads the stream under the object lock */
  GST_OBJECT_LOCK (self);
  stream = self->stream;
  self->stream = NULL;
  GST_OBJECT_UNLOCK (self);
  aes67_pacer_stream_free (stream);
  g_clear_object (&self->dest);
  g_clear_object (&self->socket);
  if (self->socket_key) {
    shared_socket_release (self->socket_key);
    g_clear_pointer (&self->socket_key, g_free);
  }
  g_clear_object (&self->dest2);
  g_clear_object (&self->socket2);
  if (self->socket2_key) {
    shared_socket_release (self->socket2_key);
    g_clear_pointer (&self->socket2_key, g_free);
  }
  gst_adapter_clear (self->adapter);
  GST_OBJECT_LOCK (self);
  self->have_info = FALSE;
  GST_OBJECT_UNLOCK (self);
  wait_sdp_file (self);
}

static GstStateChangeReturn
gst_aes67_sender_change_state (GstElement * element, GstStateChange transition)
{
  GstAes67Sender *self = GST_AES67_SENDER (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !open_stream (self))
    return GST_STATE_CHANGE_FAILURE;
  ret = GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
  if ((transition == GST_STATE_CHANGE_READY_TO_PAUSED
          && ret == GST_STATE_CHANGE_FAILURE)
      || transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    close_stream (self);
  return ret;
}

static gboolean
gst_aes67_sender_set_caps (GstBaseSink * sink, GstCaps * caps)
{
  GstAes67Sender *self = GST_AES67_SENDER (sink);
  GstAudioInfo info;
  guint frames, bytes, mtu, ptime;

  if (!gst_audio_info_from_caps (&info, caps)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("Unusable audio format."),
        ("caps %" GST_PTR_FORMAT, caps));
    return FALSE;
  }
  mtu = self->cfg.mtu;
  ptime = self->cfg.ptime_us;
  frames = aes67_ptime_to_frames (ptime, GST_AUDIO_INFO_RATE (&info));
  bytes = frames * GST_AUDIO_INFO_BPF (&info);
  if (frames == 0 || bytes + PACKET_OVERHEAD > mtu) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("The stream does not fit the MTU: a packet of %u µs at %u Hz holds "
            "%u frames x %u channels x %u bytes = %u bytes of audio, plus "
            "%u bytes of IPv4, UDP and RTP headers = %u bytes, over the MTU "
            "of %u bytes. Use a shorter ptime or fewer channels.",
            ptime, GST_AUDIO_INFO_RATE (&info), frames,
            GST_AUDIO_INFO_CHANNELS (&info), GST_AUDIO_INFO_WIDTH (&info) / 8,
            bytes, PACKET_OVERHEAD, bytes + PACKET_OVERHEAD, mtu), (NULL));
    return FALSE;
  }

  GST_OBJECT_LOCK (self);
  if (self->have_info && gst_audio_info_is_equal (&info, &self->info)
      && self->frames_per_packet == frames) {
    /* the same caps again (sticky events re-sent): the stream goes on */
    GST_OBJECT_UNLOCK (self);
    return TRUE;
  }
  self->info = info;
  self->have_info = TRUE;
  self->frames_per_packet = frames;
  self->packet_bytes = bytes;
  GST_OBJECT_UNLOCK (self);
  gst_adapter_clear (self->adapter);
  self->resync = TRUE;

  GST_INFO_OBJECT (self, "%s, %u Hz, %u channels: %u frames (%u bytes) per "
      "packet", gst_audio_format_to_string (GST_AUDIO_INFO_FORMAT (&info)),
      GST_AUDIO_INFO_RATE (&info), GST_AUDIO_INFO_CHANNELS (&info), frames,
      bytes);

  refresh_ptp_info (self);
  if (rebuild_sdp (self))
    g_object_notify (G_OBJECT (self), "sdp");
  return TRUE;
}

/* Monotonic ns minus pipeline clock ns, for mapping send times, in
 * @off. FALSE (and 0) without a clock: packets then go at once. */
static gboolean
clock_to_monotonic_offset (GstAes67Sender * self, gint64 * off)
{
  GstClock *clock = gst_element_get_clock (GST_ELEMENT (self));

  gint64 spread = G_MAXINT64;
  guint i;

  *off = 0;
  if (!clock)
    return FALSE;
  /* the pipeline clock read between two monotonic reads, the tightest of
   * a few tries kept: a preemption between two plain reads (a loaded
   * machine) moved every packet of the buffer early by its length */
  for (i = 0; i < 4 && spread > 20 * GST_USECOND; i++) {
    gint64 t0 = aes67_pacer_now ();
    gint64 c = (gint64) gst_clock_get_time (clock);
    gint64 t1 = aes67_pacer_now ();

    if (t1 - t0 < spread) {
      spread = t1 - t0;
      *off = t0 + spread / 2 - c;
    }
  }
  gst_object_unref (clock);
  return TRUE;
}

/* Cuts whole packets off the adapter and queues them. */
static void
packetize (GstAes67Sender * self, GstClockTime base_time, GstClockTime latency,
    gint64 mono_off, gboolean have_clock)
{
  guint rate = GST_AUDIO_INFO_RATE (&self->info);
  guint frames = self->frames_per_packet;
  guint8 pt;
  guint32 ssrc;

  pt = self->cfg.payload_type;
  GST_OBJECT_LOCK (self);
  ssrc = self->ssrc;
  GST_OBJECT_UNLOCK (self);

  while (gst_adapter_available (self->adapter) >= self->packet_bytes) {
    GstBuffer *payload, *packet;
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    gint64 rt, due;
    guint16 seq;
    guint32 ts;

    rt = self->timeline_rt + (gint64) gst_util_uint64_scale_int
        (self->timeline_frames, GST_SECOND, rate);
    payload = gst_adapter_take_buffer_fast (self->adapter, self->packet_bytes);
    packet = gst_rtp_buffer_new_allocate (0, 0, 0);

    GST_OBJECT_LOCK (self);
    seq = self->seqnum++;
    ts = self->rtptime;
    self->rtptime += frames;
    GST_OBJECT_UNLOCK (self);

    gst_rtp_buffer_map (packet, GST_MAP_WRITE, &rtp);
    gst_rtp_buffer_set_payload_type (&rtp, pt);
    gst_rtp_buffer_set_seq (&rtp, seq);
    gst_rtp_buffer_set_timestamp (&rtp, ts);
    gst_rtp_buffer_set_ssrc (&rtp, ssrc);
    gst_rtp_buffer_set_marker (&rtp, self->marker);
    gst_rtp_buffer_unmap (&rtp);
    self->marker = FALSE;
    packet = gst_buffer_append (packet, payload);
    /* for the pacer's lateness reports (QoS): running time, duration */
    GST_BUFFER_PTS (packet) = rt >= 0 ? (GstClockTime) rt : GST_CLOCK_TIME_NONE;
    GST_BUFFER_DURATION (packet) = gst_util_uint64_scale_int (frames,
        GST_SECOND, rate);

    if (have_clock)
      due = (gint64) base_time + rt + (gint64) latency + mono_off;
    else
      due = aes67_pacer_now ();
    aes67_pacer_stream_push (self->stream, packet, due);
    self->timeline_frames += frames;
  }
}

/* Starts a new timeline on the media clock at running time @rt (may be
 * before 0): the first packet starts at a clock time that is a whole
 * number of packet times, with the frames before @rt filled with
 * silence. Streams of one packet time then fall due together and share the
 * pacer's wake-ups. With @keep, the audio in the adapter is the timeline's
 * first (it starts at @rt); else the adapter is emptied. Streaming thread. */
static void
timeline_start (GstAes67Sender * self, gint64 rt, GstClockTime base_time,
    gboolean keep)
{
  guint rate = GST_AUDIO_INFO_RATE (&self->info);
  guint bpf = GST_AUDIO_INFO_BPF (&self->info);
  GstBuffer *pending = NULL;
  guint64 clock_frames;
  guint32 offset;
  guint lead;
  gsize avail = gst_adapter_available (self->adapter);

  if (keep && avail > 0)
    pending = gst_adapter_take_buffer (self->adapter, avail);
  gst_adapter_clear (self->adapter);
  clock_frames = gst_util_uint64_scale ((guint64) MAX (0,
          rt + (gint64) base_time), rate, GST_SECOND);
  lead = (guint) (clock_frames % self->frames_per_packet);
  if (lead > 0) {
    GstBuffer *pad = gst_buffer_new_allocate (NULL, (gsize) lead * bpf, NULL);
    gst_buffer_memset (pad, 0, 0, (gsize) lead * bpf);
    gst_adapter_push (self->adapter, pad);
  }
  if (pending)
    gst_adapter_push (self->adapter, pending);
  /* running time of the first (silent) frame: may be before 0 */
  self->timeline_rt = (gint64) gst_util_uint64_scale (clock_frames - lead,
      GST_SECOND, rate) - (gint64) base_time;
  self->timeline_frames = 0;
  self->timeline_base = base_time;
  offset = self->cfg.timestamp_offset;
  GST_OBJECT_LOCK (self);
  /* RTP time of the capture clock time: the AES67 media clock */
  self->rtptime = (guint32) (clock_frames - lead + offset);
  GST_OBJECT_UNLOCK (self);
  self->marker = TRUE;
  self->resync = FALSE;
}

/* What a packet's send time adds to the clock time of its first sample:
 * the pipeline latency and a positive ts-offset. */
static GstClockTime
send_latency (GstAes67Sender * self)
{
  GstBaseSink *sink = GST_BASE_SINK (self);

  return gst_base_sink_get_latency (sink) +
      (GstClockTime) MAX (0, gst_base_sink_get_ts_offset (sink));
}

/* Packetizes what the adapter holds; with @pad, fills the last partial
 * packet up with silence first (the end of the stream), so that every
 * packet holds framecount frames. Streaming thread. */
static void
packetize_now (GstAes67Sender * self, gboolean pad)
{
  gint64 mono_off;
  gboolean have_clock = clock_to_monotonic_offset (self, &mono_off);
  gsize avail = gst_adapter_available (self->adapter);

  if (pad && avail % self->packet_bytes != 0) {
    guint missing = self->packet_bytes - avail % self->packet_bytes;
    GstBuffer *silence = gst_buffer_new_allocate (NULL, missing, NULL);

    gst_buffer_memset (silence, 0, 0, missing);
    gst_adapter_push (self->adapter, silence);
  }
  packetize (self, gst_element_get_base_time (GST_ELEMENT (self)),
      send_latency (self), mono_off, have_clock);
}

/* The pacer's wait was cut short by unlock (PLAYING -> PAUSED, a flush or
 * a stop), and the pacer holds what has not left yet. Takes those packets
 * back and puts their audio in front of the adapter, stepping the
 * timeline and the sequence numbers back with it, so that the stream can
 * go on from there later without a gap in the audio or the sequence.
 * Streaming thread. */
static void
rewind_unsent (GstAes67Sender * self)
{
  GQueue q = G_QUEUE_INIT;
  GstBuffer *rest = NULL, *packet;
  gsize avail;
  guint n;

  n = aes67_pacer_stream_take_queued (self->stream, &q);
  if (n == 0)
    return;
  avail = gst_adapter_available (self->adapter);
  if (avail > 0)
    rest = gst_adapter_take_buffer (self->adapter, avail);
  while ((packet = g_queue_pop_head (&q))) {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;

    if (gst_rtp_buffer_map (packet, GST_MAP_READ, &rtp)) {
      gst_adapter_push (self->adapter,
          gst_rtp_buffer_get_payload_buffer (&rtp));
      gst_rtp_buffer_unmap (&rtp);
    }
    gst_buffer_unref (packet);
  }
  if (rest)
    gst_adapter_push (self->adapter, rest);
  self->timeline_frames -= (guint64) n *self->frames_per_packet;
  GST_OBJECT_LOCK (self);
  self->seqnum -= n;
  self->rtptime -= n * self->frames_per_packet;
  GST_OBJECT_UNLOCK (self);
  GST_DEBUG_OBJECT (self, "took back %u unsent packets", n);
}

/* After a pause (unlock held the stream in the pacer): takes back what
 * has not left and starts a new timeline for it, and for what the adapter
 * still holds, at its own running time on the current base time; then lets
 * the pacer go on. With @drain (EOS), the last packet is filled up. Nothing
 * if the stream is not held. Streaming thread, PLAYING. */
static void
resume_held (GstAes67Sender * self, gboolean drain)
{
  gint64 resume_rt;

  if (!aes67_pacer_stream_is_held (self->stream))
    return;
  rewind_unsent (self);
  if (gst_adapter_available (self->adapter) > 0 && !self->resync) {
    resume_rt = self->timeline_rt + (gint64) gst_util_uint64_scale_int
        (self->timeline_frames, GST_SECOND, GST_AUDIO_INFO_RATE (&self->info));
    timeline_start (self, resume_rt,
        gst_element_get_base_time (GST_ELEMENT (self)), TRUE);
    GST_INFO_OBJECT (self, "resuming at running time %" GST_STIME_FORMAT,
        GST_STIME_ARGS (resume_rt));
    packetize_now (self, drain);
  }
  aes67_pacer_stream_set_held (self->stream, FALSE);
}

/* Posts a QoS message on aes67sink about the packets that left later than
 * lateness-threshold since the last one; at most one per QOS_INTERVAL
 * unless @now_anyway. No lock held. */
static void
post_lateness (GstAes67Sender * self, gboolean now_anyway)
{
  GstBaseSink *sink = GST_BASE_SINK (self);
  Aes67PacerLate late;
  Aes67PacerStats st;
  GstObject *src;
  GstMessage *msg;
  GstClockTime ts = GST_CLOCK_TIME_NONE, stream_time = GST_CLOCK_TIME_NONE;
  gint64 now = aes67_pacer_now ();

  if (!now_anyway && self->qos_at != 0 && now - self->qos_at < QOS_INTERVAL)
    return;
  if (!aes67_pacer_stream_take_late (self->stream, &late))
    return;
  aes67_pacer_stream_get_stats (self->stream, &st);
  self->qos_at = now;

  if (GST_CLOCK_TIME_IS_VALID (late.worst_pts)
      && sink->segment.format == GST_FORMAT_TIME) {
    ts = gst_segment_position_from_running_time (&sink->segment,
        GST_FORMAT_TIME, late.worst_pts);
    if (GST_CLOCK_TIME_IS_VALID (ts))
      stream_time = gst_segment_to_stream_time (&sink->segment,
          GST_FORMAT_TIME, ts);
  }
  GST_INFO_OBJECT (self, "%" G_GUINT64_FORMAT " packets late since the last "
      "report, the worst by %" G_GINT64_FORMAT " µs", late.packets,
      late.worst_ns / 1000);

  /* the message comes from aes67sink, the element the user made */
  src = gst_object_get_parent (GST_OBJECT (self));
  if (!src)
    src = gst_object_ref (GST_OBJECT (self));
  msg = gst_message_new_qos (src, TRUE, late.worst_pts, stream_time, ts,
      late.worst_duration);
  gst_message_set_qos_values (msg, late.worst_ns, 1.0, 1000000);
  gst_message_set_qos_stats (msg, GST_FORMAT_BUFFERS,
      st.packets_sent - MIN (st.packets_sent, st.packets_late),
      st.packets_late);
  gst_element_post_message (GST_ELEMENT (src), msg);
  gst_object_unref (src);
}

/* Waits until the pacer has room (or, with @drain, until it is empty).
 * When unlock cuts the wait short, takes the unsent packets back, waits in
 * preroll, and on PLAYING sends them again on the new base time: a stream
 * fed faster than real time (a file) always sits in this wait, and goes on
 * after a pause where it stopped. Returns FLUSHING on a flush or a stop.
 * Streaming thread, with the preroll lock (render, serialized events). */
static GstFlowReturn
wait_pacer (GstAes67Sender * self, gboolean drain)
{
  GstBaseSink *sink = GST_BASE_SINK (self);

  for (;;) {
    GstFlowReturn ret;
    gboolean ok;

    if (drain)
      ok = aes67_pacer_stream_drain (self->stream);
    else
      /* flow control: keep at most latency + 200 ms queued (headroom for a
       * source that is not live and hiccups, e.g. at a file boundary) */
      ok = aes67_pacer_stream_wait_space (self->stream,
          (gint64) send_latency (self) + 200 * GST_MSECOND);
    if (ok)
      return GST_FLOW_OK;

    /* not yet sent: keep it with the audio (the pacer would send it on
     * the old base time) */
    rewind_unsent (self);
    ret = gst_base_sink_wait_preroll (sink);
    if (ret != GST_FLOW_OK)
      return ret;
    /* PLAYING again, on a new base time */
    resume_held (self, drain);
  }
}

static GstFlowReturn
gst_aes67_sender_render (GstBaseSink * sink, GstBuffer * buffer)
{
  GstAes67Sender *self = GST_AES67_SENDER (sink);
  GstClockTime base_time, latency, rt = GST_CLOCK_TIME_NONE;
  gint64 expect;
  guint rate = GST_AUDIO_INFO_RATE (&self->info);
  guint bpf = GST_AUDIO_INFO_BPF (&self->info);
  gboolean have_clock;
  gint64 mono_off;
  Aes67PacerStats st;
  guint threshold;

  if (G_UNLIKELY (!self->have_info || !self->stream))
    return GST_FLOW_NOT_NEGOTIATED;

  /* a pause came while no buffer was here: what it held goes on first */
  resume_held (self, FALSE);

  /* the clock or its grandmaster changed: a new SDP (and version) */
  if (g_atomic_int_compare_and_exchange (&self->sdp_dirty, 1, 0)) {
    refresh_ptp_info (self);
    if (rebuild_sdp (self))
      g_object_notify (G_OBJECT (self), "sdp");
  }
  /* lateness-threshold: the one setting that applies while playing */
  GST_OBJECT_LOCK (self);
  threshold = self->settings.lateness_threshold_us;
  GST_OBJECT_UNLOCK (self);
  if (threshold != self->pacer_threshold_us) {
    aes67_pacer_stream_set_late_threshold (self->stream,
        (gint64) threshold * GST_USECOND);
    self->pacer_threshold_us = threshold;
  }
  have_clock = clock_to_monotonic_offset (self, &mono_off);
  base_time = gst_element_get_base_time (GST_ELEMENT (self));
  latency = send_latency (self);

  if (GST_BUFFER_PTS_IS_VALID (buffer))
    rt = gst_segment_to_running_time (&sink->segment, GST_FORMAT_TIME,
        GST_BUFFER_PTS (buffer));

  /* does this buffer continue the timeline (within half a packet)? */
  if (!self->resync && GST_CLOCK_TIME_IS_VALID (rt)) {
    expect = self->timeline_rt + (gint64) gst_util_uint64_scale_int
        (self->timeline_frames + gst_adapter_available (self->adapter) / bpf,
        GST_SECOND, rate);
    if (ABS ((gint64) rt - expect) >
        (gint64) (self->cfg.ptime_us * GST_USECOND / 2)) {
      GST_INFO_OBJECT (self, "timestamp gap: expected %" GST_STIME_FORMAT
          ", got %" GST_TIME_FORMAT ": new timeline", GST_STIME_ARGS (expect),
          GST_TIME_ARGS (rt));
      self->resync = TRUE;
    }
  }
  if (self->resync || base_time != self->timeline_base) {
    gint64 start;

    if (GST_CLOCK_TIME_IS_VALID (rt))
      start = (gint64) rt;
    else if (self->resync)
      start = 0;
    else
      start = MAX (0, self->timeline_rt + (gint64) gst_util_uint64_scale_int
          (self->timeline_frames, GST_SECOND, rate));
    timeline_start (self, start, base_time, FALSE);
  }

  GST_LOG_OBJECT (self, "buffer rt %" GST_TIME_FORMAT " latency %"
      GST_TIME_FORMAT " arrives %" G_GINT64_FORMAT " ns after its capture",
      GST_TIME_ARGS (rt), GST_TIME_ARGS (latency), GST_CLOCK_TIME_IS_VALID (rt)
      ? aes67_pacer_now () - mono_off - (gint64) (base_time + rt) : 0);
  /* packets that left late before this buffer: a QoS message, every
   * QOS_INTERVAL at most */
  post_lateness (self, FALSE);

  gst_adapter_push (self->adapter, gst_buffer_ref (buffer));
  packetize (self, base_time, latency, mono_off, have_clock);

  /* a send error (network gone) is worth a warning, every 5 s at most
   * (per path, with a secondary path) */
  aes67_pacer_stream_get_stats (self->stream, &st);
  if (st.path_send_errors[0] > self->warned_errors) {
    gint64 now = aes67_pacer_now ();
    if (self->warned_at == 0 || now - (gint64) self->warned_at >
        5 * (gint64) GST_SECOND) {
      gchar *addr;

      GST_OBJECT_LOCK (self);
      addr = g_strdup (self->used_address);
      GST_OBJECT_UNLOCK (self);
      GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
          ("Could not send to %s:%u%s (%" G_GUINT64_FORMAT " send errors so "
              "far); the stream continues when the network returns.", addr,
              self->cfg.port, self->socket2 ? " on the primary path" : "",
              st.path_send_errors[0]), (NULL));
      g_free (addr);
      self->warned_at = now;
    }
    self->warned_errors = st.path_send_errors[0];
  }
  if (st.path_send_errors[1] > self->warned_errors2) {
    gint64 now = aes67_pacer_now ();
    if (self->warned_at2 == 0 || now - (gint64) self->warned_at2 >
        5 * (gint64) GST_SECOND) {
      gchar *addr2;
      guint port2;

      GST_OBJECT_LOCK (self);
      addr2 = g_strdup (self->used_secondary_address);
      port2 = self->used_secondary_port;
      GST_OBJECT_UNLOCK (self);
      GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
          ("Could not send to %s:%u on the secondary path (%" G_GUINT64_FORMAT
              " send errors so far); it continues when its network returns.",
              addr2, port2, st.path_send_errors[1]), (NULL));
      g_free (addr2);
      self->warned_at2 = now;
    }
    self->warned_errors2 = st.path_send_errors[1];
  }
  return wait_pacer (self, FALSE);
}

static gboolean
gst_aes67_sender_event (GstBaseSink * sink, GstEvent * event)
{
  GstAes67Sender *self = GST_AES67_SENDER (sink);

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
      /* the last partial packet goes out padded with silence, so that every
       * packet holds framecount frames; then wait until all have left (a
       * pause meanwhile holds them, as in render) */
      if (self->stream && self->have_info) {
        resume_held (self, FALSE);
        if (gst_adapter_available (self->adapter) > 0)
          packetize_now (self, TRUE);
        wait_pacer (self, TRUE);
        post_lateness (self, TRUE);
      }
      break;
    case GST_EVENT_FLUSH_START:
      /* what is queued goes: a seek starts elsewhere */
      if (self->stream)
        aes67_pacer_stream_set_flushing (self->stream, TRUE);
      break;
    case GST_EVENT_FLUSH_STOP:
      if (self->stream) {
        aes67_pacer_stream_set_flushing (self->stream, FALSE);
        aes67_pacer_stream_set_held (self->stream, FALSE);
      }
      gst_adapter_clear (self->adapter);
      self->resync = TRUE;
      break;
    case GST_EVENT_SEGMENT:
      /* no resync here: a repeated segment (sticky events re-sent when a
       * pad is relinked) changes nothing, and a real jump in running time
       * is caught by the timeline check in render */
      break;
    default:
      break;
  }
  return GST_BASE_SINK_CLASS (parent_class)->event (sink, event);
}

/* The bin asks its sinks for the latency with an element query, which
 * GstBaseSink answers from its own sync logic (not live, with sync off).
 * Answer as a live, syncing sink: upstream's latency plus our processing
 * deadline, the margin the pacer needs to queue a buffer's first packet
 * before it is due; and no maximum, as the pacer's queue holds any
 * latency. */
static gboolean
gst_aes67_sender_element_query (GstElement * element, GstQuery * query)
{
  GstBaseSink *sink = GST_BASE_SINK (element);

  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max;

    if (!gst_pad_peer_query (GST_BASE_SINK_PAD (sink), query))
      return FALSE;
    gst_query_parse_latency (query, &live, &min, &max);
    if (live) {
      /* render takes each buffer at once and queues its packets to the
       * pacer, which holds whatever the pipeline's latency is (plus 200
       * ms): upstream never has to keep audio for us, so there is no
       * upper bound. Passing upstream's max on (an appsrc's or a capture
       * source's small buffer) made min > max ("impossible latency") as
       * soon as another chain of the pipeline, e.g. an aes67src with a
       * longer link offset, raised the pipeline's latency. */
      min += gst_base_sink_get_processing_deadline (sink);
      max = GST_CLOCK_TIME_NONE;
    }
    GST_DEBUG_OBJECT (sink, "latency: live %d, min %" GST_TIME_FORMAT
        ", max %" GST_TIME_FORMAT, live, GST_TIME_ARGS (min),
        GST_TIME_ARGS (max));
    gst_query_set_latency (query, live, min, max);
    return TRUE;
  }
  return GST_ELEMENT_CLASS (parent_class)->query (element, query);
}

/* PLAYING -> PAUSED, a flush or a stop: the pacer stops sending this
 * stream, and render's wait returns (see wait_pacer). The stream stays
 * held until the streaming thread has taken back what had not left and
 * sends it again on the new base time (resume_held, in PLAYING), until
 * FLUSH_STOP (a seek), or until stop. Whether render was running or not
 * when the pause came, nothing leaves while paused. */
static gboolean
gst_aes67_sender_unlock (GstBaseSink * sink)
{
  GstAes67Sender *self = GST_AES67_SENDER (sink);

  if (self->stream)
    aes67_pacer_stream_set_held (self->stream, TRUE);
  return TRUE;
}
