/* gst-aes67: aes67metrics, a tracer that exports every AES67 stream, PTP
 * clock and loudness meter of a process to Prometheus
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:tracer-aes67metrics
 * @title: aes67metrics
 * @see_also: aes67src, aes67sink, ptpclock, sapannounce, loudnessmeter
 *
 * A GStreamer tracer that watches every aes67src, aes67sink, ptpclock,
 * sapannounce and loudnessmeter of the process it runs in and serves their
 * figures over HTTP (libmicrohttpd, read-only: GET and HEAD only):
 *
 * - `/metrics`: the Prometheus text exposition format (version 0.0.4);
 * - `/status`: the same figures as JSON, per element, with each receiver's
 *   state and the SDP it uses;
 * - `/`: a status page that refreshes every second, with no external
 *   assets.
 *
 * With `log-file` it also writes one JSON object per line for each event:
 * `stream-lost`, `stream-restored`, `sap-session`, `ptp-<event>` (a PTP
 * clock that locked, lost its grandmaster, changed grandmaster, did not
 * lock or fell back to the system clock), and every `error` and `warning`
 * an element posts. Each line has `time` (UTC, ISO 8601), `event`,
 * `element` and `pipeline`, then the message's own fields.
 *
 * Enable it with the environment:
 * |[
 * GST_TRACERS="aes67metrics(port=9467)" gst-launch-1.0 aes67src \
 *     sdp-file=studio1.sdp ! audioconvert ! loudnessmeter ! autoaudiosink
 * curl http://127.0.0.1:9467/metrics
 * ]|
 *
 * Parameters (in the parentheses, comma-separated):
 * - `address` (string, default 127.0.0.1): the IPv4 or IPv6 address to
 *   listen on (0.0.0.0 for every interface)
 * - `port` (int, default 9467): the TCP port; 0 takes a free one and
 *   prints it on stderr
 * - `log-file` (string, default none): the path of the JSON event log,
 *   appended to
 *
 * A port that is taken or an address that cannot be used gives one warning
 * line on stderr; the pipelines run on, without metrics.
 *
 * How it finds the elements: the tracer lives in its own plugin and knows
 * the elements by what they publish, not by their types. An element with a
 * `stats` property whose structure is named `aes67-stats` is a receiver,
 * one whose structure is `aes67-sink-stats` a sender (both seen when they
 * are added to a bin); the poster of a `ptp-clock-status` message is a PTP
 * clock (its `synced`, `offset-ns` and `grandmaster-id` properties are read
 * at each scrape), of `loudness` a loudness meter, of `sap-announce` an
 * announcer.
 * The sessions seen on the network are the devices of a
 * #GstDeviceMonitor on the class `Audio/Source/Network` that carry an
 * `aes67.session-id` (aes67deviceprovider's, i.e. SAP's), started when the
 * first receiver or sender is added to a bin, from the thread that added
 * it.
 *
 * A receiver of a redundant stream (SMPTE ST 2022-7: its `aes67-stats`
 * has `primary-...` and `secondary-...` fields) has, beside its series of
 * the merged stream, `aes67_receiver_packets_received_total`,
 * `_packets_lost_total`, `_packets_late_total`, `aes67_receiver_jitter_seconds`
 * and `aes67_receiver_receiving` per path, with a `path` label ("primary",
 * "secondary") and that path's `address` and `port`.
 *
 * Counters stay monotonic: when a receiver or sender restarts its
 * statistics (a restart from NULL) or an element is replaced
 * by one of the same name in a pipeline of the same name, what it had
 * counted is carried over. `packets-lost`, which RFC 3550 lowers when a
 * packet counted lost comes late, is exported as the highest value seen.
 *
 * Cost: the tracer registers no tracer hook. With any hook registered,
 * GStreamer takes a timestamp and looks hooks up at every pad push of every
 * element, which with 64 receivers cost 15 % of a core. Instead it sees
 * elements through an emission hook on GstBin's `element-added` and
 * messages through the `sync-message` signal of each pipeline's bus
 * (gst_bus_enable_sync_message_emission(), which leaves the application's
 * own sync handler alone); neither runs per buffer. A message that is not
 * ours is passed over after its type and structure name quark, with no
 * allocation and no lock. The figures are read from the elements when a
 * client asks, on the HTTP server's thread. Pipelines that are not
 * GstPipelines (a bare top-level GstBin) are not watched.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstaes67metricstracer.h"
#include "aes67-sdp.h"

#include <gst/sdp/sdp.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <microhttpd.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

GST_DEBUG_CATEGORY_STATIC (gst_aes67_metrics_debug);
#define GST_CAT_DEFAULT gst_aes67_metrics_debug

#define DEFAULT_ADDRESS "127.0.0.1"
#define DEFAULT_PORT 9467

/* ---------- metric families ---------- */

enum
{
  F_RX_RECEIVED, F_RX_LOST, F_RX_LATE, F_RX_DUPLICATE, F_RX_REORDERED,
  F_RX_MALFORMED, F_RX_FOREIGN, F_RX_CONCEALED, F_RX_RESTORED,
  F_RX_JITTER, F_RX_RECEIVING, F_RX_LINK_OFFSET,
  F_TX_SENT, F_TX_LATE, F_TX_MAX_LATENESS,
  F_PTP_LOCKED, F_PTP_OFFSET, F_PTP_GM,
  F_SAP_SESSIONS, F_SAP_ANNOUNCED,
  F_L_MOMENTARY, F_L_SHORTTERM, F_L_INTEGRATED, F_L_RANGE, F_L_TRUE_PEAK,
  F_L_SAMPLE_PEAK,
  N_FAMILIES
};

static const struct
{
  const gchar *name;
  const gchar *type;
  const gchar *help;
} families[N_FAMILIES] = {
  {"aes67_receiver_packets_received_total", "counter",
      "Valid RTP packets of the stream received"},
  {"aes67_receiver_packets_lost_total", "counter",
      "Packets lost (RFC 3550 expected minus received, highest value seen)"},
  {"aes67_receiver_packets_late_total", "counter",
      "Packets that came too late for their playout time"},
  {"aes67_receiver_packets_duplicate_total", "counter",
      "Packets whose sequence number was received twice"},
  {"aes67_receiver_packets_reordered_total", "counter",
      "Packets older than the newest one received"},
  {"aes67_receiver_packets_malformed_total", "counter",
      "Packets that are not valid RTP or hold no whole number of frames"},
  {"aes67_receiver_packets_foreign_total", "counter",
      "Packets of another payload type, source or SSRC"},
  {"aes67_receiver_samples_concealed_total", "counter",
      "Samples the receiver made up for missing audio"},
  {"aes67_receiver_restored_total", "counter",
      "Times the stream came back after a loss"},
  {"aes67_receiver_jitter_seconds", "gauge",
      "RFC 3550 interarrival jitter, seconds"},
  {"aes67_receiver_receiving", "gauge",
      "1 while the stream is received, 0 while waiting or lost"},
  {"aes67_receiver_link_offset_seconds", "gauge",
      "Link offset (playout delay) in use, seconds"},
  {"aes67_sender_packets_sent_total", "counter",
      "RTP packets handed to the kernel"},
  {"aes67_sender_packets_late_total", "counter",
      "Packets sent later than the sender's lateness threshold"},
  {"aes67_sender_max_lateness_seconds", "gauge",
      "Worst lateness of a packet, seconds"},
  {"aes67_ptp_locked", "gauge",
      "1 while the PTP clock is locked to a grandmaster"},
  {"aes67_ptp_offset_seconds", "gauge",
      "Last offset from the PTP master, seconds"},
  {"aes67_ptp_grandmaster_info", "gauge",
      "The grandmaster the PTP clock is locked to (value 1)"},
  {"aes67_sap_sessions", "gauge",
      "AES67 sessions announced with SAP seen on the network"},
  {"aes67_sap_announced", "gauge",
      "Sessions this announcer announces"},
  {"loudness_momentary_lufs", "gauge",
      "EBU R128 momentary loudness (400 ms), LUFS"},
  {"loudness_shortterm_lufs", "gauge",
      "EBU R128 short-term loudness (3 s), LUFS"},
  {"loudness_integrated_lufs", "gauge",
      "EBU R128 integrated loudness since start, LUFS"},
  {"loudness_range_lu", "gauge", "EBU Tech 3342 loudness range, LU"},
  {"loudness_true_peak_dbtp", "gauge",
      "True peak of the last interval per channel, dBTP"},
  {"loudness_sample_peak_dbfs", "gauge",
      "Sample peak of the last interval per channel, dBFS"},
};

/* Counters read from a stats structure. The first of each table tells a
 * restart: when it goes down, the statistics started again. */
typedef struct
{
  const gchar *field;
  guint family;
  const gchar *key;             /* in /status */
} CounterField;

static const CounterField rx_counters[] = {
  {"packets-received", F_RX_RECEIVED, "packets-received"},
  {"packets-lost", F_RX_LOST, "packets-lost"},
  {"packets-late", F_RX_LATE, "packets-late"},
  {"packets-duplicate", F_RX_DUPLICATE, "packets-duplicate"},
  {"packets-reordered", F_RX_REORDERED, "packets-reordered"},
  {"packets-malformed", F_RX_MALFORMED, "packets-malformed"},
  {"packets-foreign", F_RX_FOREIGN, "packets-foreign"},
  {"samples-concealed", F_RX_CONCEALED, "samples-concealed"},
  {"restored-count", F_RX_RESTORED, "restored"},
};

#define N_RX G_N_ELEMENTS (rx_counters)

static const CounterField tx_counters[] = {
  {"packets-sent", F_TX_SENT, "packets-sent"},
  {"packets-late", F_TX_LATE, "packets-late"},
};

#define N_TX G_N_ELEMENTS (tx_counters)
#define N_MAX_COUNTERS N_RX

typedef struct
{
  guint64 base;                 /* counted before the last restart */
  guint64 seen;                 /* highest value since */
  gboolean present;
} Counter;

/* the per-path counters of a redundant receiver: "<path>-<field>" */
static const CounterField path_counters[] = {
  {"packets-received", F_RX_RECEIVED, "packets-received"},
  {"packets-lost", F_RX_LOST, "packets-lost"},
  {"packets-late", F_RX_LATE, "packets-late"},
};

#define N_PATH_COUNTERS G_N_ELEMENTS (path_counters)

static const gchar *const path_names[2] = { "primary", "secondary" };

typedef enum
{
  KIND_RECEIVER,
  KIND_SENDER,
  KIND_PTP,
  KIND_LOUDNESS,
  KIND_ANNOUNCER,
} Kind;

/* What one scrape read from an element, outside the tracer's lock */
typedef struct
{
  GstElement *el;               /* a ref */
  gchar *name, *pipeline;
  GstStructure *stats;          /* receiver, sender */
  gchar *session, *address, *sdp;
  gint port;
  gpointer meter;               /* loudnessmeter next to it, identity only */
  /* PTP */
  gboolean have_ptp, synced;
  gint64 offset_ns;
  gchar *gm, *port_state, *backend;
  guint domain;
} Snap;

/* One watched element. Protected by the tracer's lock. */
typedef struct
{
  Kind kind;
  gpointer obj;                 /* identity only; may be stale */
  GWeakRef ref;
  gchar *name, *pipeline;       /* as last seen */
  gboolean carried;             /* carry looked up */
  Counter c[N_MAX_COUNTERS];
  /* receiver: from sap-session */
  gchar *followed_sdp;
  /* receiver, sender: as last scraped */
  gchar *session, *address, *sdp, *state, *playout;
  gint port;
  gdouble jitter_s, link_offset_s, max_lateness_s;
  gboolean have_jitter, have_offset, have_lateness;
  gpointer meter;
  /* receiver of a redundant stream (SMPTE ST 2022-7): per path, from the
   * <path>- fields of aes67-stats */
  gboolean have_paths;
  Counter pc[2][N_PATH_COUNTERS];
  gdouble path_jitter_s[2];
  gboolean path_have_jitter[2];
  gchar *path_state[2], *path_address[2];
  gint path_port[2];
  /* PTP */
  gboolean have_ptp, synced;
  gint64 offset_ns;
  gchar *gm, *port_state, *backend;
  guint domain;
  /* loudness, from the last message; NAN: not measured */
  gdouble lufs[4];
  GArray *true_peak, *sample_peak;      /* gdouble per channel, or NULL */
  /* announcer: source -> session name */
  GHashTable *announced;
} Record;

struct _GstAes67MetricsTracer
{
  GstTracer parent;

  gchar *address;
  guint port;
  gchar *log_path;

  struct MHD_Daemon *daemon;
  GMutex scrape_lock;           /* one scrape at a time */

  GMutex lock;                  /* guards what follows */
  GPtrArray *records;           /* Record */
  GHashTable *carry;            /* "kind/pipeline/element" -> Counter[] */
  gboolean monitor_asked;
  GstDeviceMonitor *monitor;

  GMutex log_lock;
  FILE *log;
};

#define gst_aes67_metrics_tracer_parent_class parent_class
G_DEFINE_TYPE (GstAes67MetricsTracer, gst_aes67_metrics_tracer,
    GST_TYPE_TRACER);

static GQuark q_watched, q_aes67_stats, q_stream_lost, q_stream_restored,
    q_sap_session, q_ptp_status, q_loudness, q_sap_announce;

/* ---------- records ---------- */

static Record *
record_new (Kind kind, gpointer obj)
{
  Record *r = g_new0 (Record, 1);
  guint i;

  r->kind = kind;
  r->obj = obj;
  g_weak_ref_init (&r->ref, obj);
  r->port = -1;
  for (i = 0; i < 4; i++)
    r->lufs[i] = NAN;
  if (kind == KIND_ANNOUNCER)
    r->announced = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
        g_free);
  return r;
}

static void
record_free (Record * r)
{
  g_weak_ref_clear (&r->ref);
  g_free (r->name);
  g_free (r->pipeline);
  g_free (r->followed_sdp);
  g_free (r->session);
  g_free (r->address);
  g_free (r->sdp);
  g_free (r->state);
  g_free (r->playout);
  g_free (r->path_state[0]);
  g_free (r->path_state[1]);
  g_free (r->path_address[0]);
  g_free (r->path_address[1]);
  g_free (r->gm);
  g_free (r->port_state);
  g_free (r->backend);
  if (r->true_peak)
    g_array_unref (r->true_peak);
  if (r->sample_peak)
    g_array_unref (r->sample_peak);
  if (r->announced)
    g_hash_table_unref (r->announced);
  g_free (r);
}

/* with the lock */
static Record *
find_record (GstAes67MetricsTracer * self, gpointer obj, Kind kind)
{
  guint i;

  for (i = 0; i < self->records->len; i++) {
    Record *r = g_ptr_array_index (self->records, i);
    if (r->obj == obj && r->kind == kind)
      return r;
  }
  return NULL;
}

/* with the lock */
static Record *
get_record (GstAes67MetricsTracer * self, gpointer obj, Kind kind)
{
  Record *r = find_record (self, obj, kind);

  if (!r) {
    r = record_new (kind, obj);
    g_ptr_array_add (self->records, r);
  }
  return r;
}

static gchar *
carry_key (Record * r)
{
  return g_strdup_printf ("%d/%s/%s", r->kind, r->pipeline ? r->pipeline : "",
      r->name ? r->name : "");
}

static guint
n_counters (Kind kind)
{
  return kind == KIND_RECEIVER ? N_RX : kind == KIND_SENDER ? N_TX : 0;
}

static const CounterField *
counter_table (Kind kind)
{
  return kind == KIND_RECEIVER ? rx_counters : tx_counters;
}

/* Reads counter @f of @s as a non-negative integer. */
static gboolean
read_counter (const GstStructure * s, const gchar * f, guint64 * v)
{
  const GValue *val = gst_structure_get_value (s, f);

  if (!val)
    return FALSE;
  if (G_VALUE_HOLDS_UINT64 (val))
    *v = g_value_get_uint64 (val);
  else if (G_VALUE_HOLDS_INT64 (val))
    *v = MAX (g_value_get_int64 (val), 0);
  else if (G_VALUE_HOLDS_UINT (val))
    *v = g_value_get_uint (val);
  else if (G_VALUE_HOLDS_INT (val))
    *v = MAX (g_value_get_int (val), 0);
  else
    return FALSE;
  return TRUE;
}

/* with the lock: takes the counters of a stats structure into @r */
static void
observe_counters (Record * r, const GstStructure * s)
{
  const CounterField *t = counter_table (r->kind);
  guint n = n_counters (r->kind), i;
  guint64 raw[N_MAX_COUNTERS];
  gboolean have[N_MAX_COUNTERS];

  for (i = 0; i < n; i++)
    have[i] = read_counter (s, t[i].field, &raw[i]);
  if (have[0] && raw[0] < r->c[0].seen) {
    /* the statistics started again: keep what was counted */
    for (i = 0; i < n; i++) {
      r->c[i].base += r->c[i].seen;
      r->c[i].seen = 0;
    }
  }
  for (i = 0; i < n; i++) {
    if (!have[i])
      continue;
    r->c[i].present = TRUE;
    if (raw[i] > r->c[i].seen)
      r->c[i].seen = raw[i];
  }
}

/* with the lock: the per-path figures of a redundant receiver's stats
 * (ST 2022-7: "primary-..." and "secondary-..." fields), if it has them */
static void
observe_paths (Record * r, const GstStructure * s)
{
  guint p, i;

  r->have_paths = gst_structure_has_field (s, "primary-state");
  if (!r->have_paths)
    return;
  for (p = 0; p < 2; p++) {
    guint64 raw[N_PATH_COUNTERS];
    gboolean have[N_PATH_COUNTERS];
    gchar *f;
    gint port;

    for (i = 0; i < N_PATH_COUNTERS; i++) {
      f = g_strdup_printf ("%s-%s", path_names[p], path_counters[i].field);
      have[i] = read_counter (s, f, &raw[i]);
      g_free (f);
    }
    if (have[0] && raw[0] < r->pc[p][0].seen) {
      for (i = 0; i < N_PATH_COUNTERS; i++) {
        r->pc[p][i].base += r->pc[p][i].seen;
        r->pc[p][i].seen = 0;
      }
    }
    for (i = 0; i < N_PATH_COUNTERS; i++) {
      if (!have[i])
        continue;
      r->pc[p][i].present = TRUE;
      if (raw[i] > r->pc[p][i].seen)
        r->pc[p][i].seen = raw[i];
    }
    f = g_strdup_printf ("%s-jitter-us", path_names[p]);
    r->path_have_jitter[p] = gst_structure_get_double (s, f,
        &r->path_jitter_s[p]);
    r->path_jitter_s[p] /= 1e6;
    g_free (f);
    f = g_strdup_printf ("%s-state", path_names[p]);
    g_free (r->path_state[p]);
    r->path_state[p] = g_strdup (gst_structure_get_string (s, f));
    g_free (f);
    f = g_strdup_printf ("%s-address", path_names[p]);
    g_free (r->path_address[p]);
    r->path_address[p] = g_strdup (gst_structure_get_string (s, f));
    g_free (f);
    f = g_strdup_printf ("%s-port", path_names[p]);
    r->path_port[p] = gst_structure_get_int (s, f, &port) ? port : -1;
    g_free (f);
  }
}

/* ---------- helpers ---------- */

/* The name of the top-level bin @el is in (its own name if it has no
 * parent). */
static gchar *
pipeline_name (GstElement * el)
{
  GstObject *o = gst_object_ref (GST_OBJECT (el)), *p;
  gchar *name;

  while ((p = gst_object_get_parent (o))) {
    gst_object_unref (o);
    o = p;
  }
  name = gst_object_get_name (o);
  gst_object_unref (o);
  return name;
}

static gboolean
has_prop (gpointer obj, const gchar * name, GType type)
{
  GParamSpec *ps = g_object_class_find_property (G_OBJECT_GET_CLASS (obj),
      name);

  return ps && (ps->flags & G_PARAM_READABLE) &&
      (type == G_TYPE_INVALID || G_PARAM_SPEC_VALUE_TYPE (ps) == type);
}

static gchar *
get_string_prop (gpointer obj, const gchar * name)
{
  gchar *v = NULL;

  if (has_prop (obj, name, G_TYPE_STRING))
    g_object_get (obj, name, &v, NULL);
  return v;
}

/* The loudness meter on the same path as @el: downstream of a receiver,
 * upstream of a sender, through elements with one pad that way. Identity
 * only (not a ref). */
static gpointer
find_meter (GstElement * el, GstPadDirection dir, GHashTable * meters)
{
  GstPad *pad = gst_element_get_static_pad (el,
      dir == GST_PAD_SRC ? "src" : "sink");
  gpointer found = NULL;
  guint hops;

  for (hops = 0; pad && hops < 16 && !found; hops++) {
    GstPad *peer = gst_pad_get_peer (pad), *next = NULL;
    GstElement *parent;

    gst_object_unref (pad);
    pad = NULL;
    if (!peer)
      break;
    while (GST_IS_GHOST_PAD (peer)) {
      GstPad *t = gst_ghost_pad_get_target (GST_GHOST_PAD (peer));
      gst_object_unref (peer);
      peer = t;
      if (!peer)
        break;
    }
    if (!peer)
      break;
    parent = gst_pad_get_parent_element (peer);
    gst_object_unref (peer);
    if (!parent)
      break;
    if (g_hash_table_contains (meters, parent))
      found = parent;
    else {
      GList *pads;
      GST_OBJECT_LOCK (parent);
      pads = dir == GST_PAD_SRC ? parent->srcpads : parent->sinkpads;
      if (pads && !pads->next)
        next = gst_object_ref (pads->data);
      GST_OBJECT_UNLOCK (parent);
    }
    gst_object_unref (parent);
    pad = next;
  }
  if (pad)
    gst_object_unref (pad);
  return found;
}

static gchar *
now_utc (void)
{
  GDateTime *t = g_date_time_new_now_utc ();
  gchar *s = g_date_time_format_iso8601 (t);

  g_date_time_unref (t);
  return s;
}

/* ---------- the event log ---------- */

static void
json_add_value (JsonBuilder * b, const GValue * v)
{
  if (G_VALUE_HOLDS_STRING (v))
    json_builder_add_string_value (b, g_value_get_string (v));
  else if (G_VALUE_HOLDS_BOOLEAN (v))
    json_builder_add_boolean_value (b, g_value_get_boolean (v));
  else if (G_VALUE_HOLDS_INT (v))
    json_builder_add_int_value (b, g_value_get_int (v));
  else if (G_VALUE_HOLDS_UINT (v))
    json_builder_add_int_value (b, g_value_get_uint (v));
  else if (G_VALUE_HOLDS_INT64 (v))
    json_builder_add_int_value (b, g_value_get_int64 (v));
  else if (G_VALUE_HOLDS_UINT64 (v))
    json_builder_add_int_value (b, (gint64) MIN (g_value_get_uint64 (v),
            G_MAXINT64));
  else if (G_VALUE_HOLDS_DOUBLE (v)) {
    gdouble d = g_value_get_double (v);
    if (isfinite (d))
      json_builder_add_double_value (b, d);
    else
      json_builder_add_null_value (b);
  } else if (GST_VALUE_HOLDS_ARRAY (v)) {
    guint i, n = gst_value_array_get_size (v);
    json_builder_begin_array (b);
    for (i = 0; i < n; i++)
      json_add_value (b, gst_value_array_get_value (v, i));
    json_builder_end_array (b);
  } else {
    gchar *s = gst_value_serialize (v);
    json_builder_add_string_value (b, s);
    g_free (s);
  }
}

static gboolean
add_field (GQuark field, const GValue * value, gpointer b)
{
  const gchar *name = g_quark_to_string (field);

  /* the line's own members come first and stay (ptp-clock-status has an
   * `event` field: it is in the line's event name) */
  if (g_str_equal (name, "time") || g_str_equal (name, "event") ||
      g_str_equal (name, "element") || g_str_equal (name, "pipeline"))
    return TRUE;
  json_builder_set_member_name (b, g_quark_to_string (field));
  json_add_value (b, value);
  return TRUE;
}

static gchar *
builder_to_string (JsonBuilder * b)
{
  JsonGenerator *g = json_generator_new ();
  JsonNode *root = json_builder_get_root (b);
  gchar *s;

  json_generator_set_root (g, root);
  s = json_generator_to_data (g, NULL);
  json_node_unref (root);
  g_object_unref (g);
  return s;
}

/* Writes one event line: time, event, element, pipeline, then @fields
 * (may be NULL) and @text / @debug for errors and warnings. */
static void
log_event (GstAes67MetricsTracer * self, const gchar * event,
    GstElement * el, const GstStructure * fields, const GError * err,
    const gchar * debug)
{
  JsonBuilder *b;
  gchar *t, *name, *pipe, *line;

  if (!self->log)
    return;
  b = json_builder_new ();
  t = now_utc ();
  name = gst_object_get_name (GST_OBJECT (el));
  pipe = pipeline_name (el);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, t);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event);
  json_builder_set_member_name (b, "element");
  json_builder_add_string_value (b, name);
  json_builder_set_member_name (b, "pipeline");
  json_builder_add_string_value (b, pipe);
  if (err) {
    json_builder_set_member_name (b, "domain");
    json_builder_add_string_value (b, g_quark_to_string (err->domain));
    json_builder_set_member_name (b, "code");
    json_builder_add_int_value (b, err->code);
    json_builder_set_member_name (b, "message");
    json_builder_add_string_value (b, err->message);
    json_builder_set_member_name (b, "debug");
    if (debug)
      json_builder_add_string_value (b, debug);
    else
      json_builder_add_null_value (b);
  }
  if (fields)
    gst_structure_foreach (fields, add_field, b);
  json_builder_end_object (b);
  line = builder_to_string (b);
  g_mutex_lock (&self->log_lock);
  fputs (line, self->log);
  fputc ('\n', self->log);
  fflush (self->log);
  g_mutex_unlock (&self->log_lock);
  g_free (line);
  g_free (t);
  g_free (name);
  g_free (pipe);
  g_object_unref (b);
}

/* ---------- the device monitor: SAP sessions seen ---------- */

static gpointer
monitor_thread (gpointer data)
{
  GstAes67MetricsTracer *self = data;
  GstDeviceMonitor *m = gst_device_monitor_new ();

  gst_device_monitor_add_filter (m, "Audio/Source/Network", NULL);
  if (!gst_device_monitor_start (m)) {
    GST_INFO_OBJECT (self, "no network audio device provider: "
        "aes67_sap_sessions is not exported");
    gst_object_unref (m);
    m = NULL;
  }
  g_mutex_lock (&self->lock);
  self->monitor = m;
  g_mutex_unlock (&self->lock);
  gst_object_unref (self);
  return NULL;
}

/* with the lock */
static void
start_monitor (GstAes67MetricsTracer * self)
{
  if (self->monitor_asked)
    return;
  self->monitor_asked = TRUE;
  /* a thread of its own, made from this one: in the network namespace the
   * application makes its streams in */
  g_thread_unref (g_thread_new ("aes67metrics-sap", monitor_thread,
          gst_object_ref (self)));
}

/* ---------- where the figures come from ---------- */

/* the one tracer of the process (a ref), and GstBin's class, kept for the
 * emission hook */
static GstAes67MetricsTracer *the_tracer;
static gpointer bin_class;

/* A receiver or sender added to a bin */
static void
element_added (GstAes67MetricsTracer * self, GstElement * element)
{
  GstStructure *s = NULL;
  Kind kind;

  if (!has_prop (element, "stats", GST_TYPE_STRUCTURE))
    return;
  g_object_get (element, "stats", &s, NULL);
  if (!s)
    return;
  if (gst_structure_has_name (s, "aes67-stats"))
    kind = KIND_RECEIVER;
  else if (gst_structure_has_name (s, "aes67-sink-stats"))
    kind = KIND_SENDER;
  else {
    gst_structure_free (s);
    return;
  }
  gst_structure_free (s);
  g_mutex_lock (&self->lock);
  get_record (self, element, kind);
  start_monitor (self);
  g_mutex_unlock (&self->lock);
}

/* a receiver or sender may start its statistics again when it is started
 * again (aes67src from NULL to READY): take them in each time it has come
 * down to READY */
static void
on_state_changed (GstAes67MetricsTracer * self, GstElement * element,
    GstMessage * msg)
{
  GstState newstate;
  GstStructure *s = NULL;
  gboolean known;

  gst_message_parse_state_changed (msg, NULL, &newstate, NULL);
  if (newstate != GST_STATE_READY)
    return;
  g_mutex_lock (&self->lock);
  known = find_record (self, element, KIND_RECEIVER) != NULL ||
      find_record (self, element, KIND_SENDER) != NULL;
  g_mutex_unlock (&self->lock);
  if (!known)
    return;
  g_object_get (element, "stats", &s, NULL);
  if (!s)
    return;
  g_mutex_lock (&self->lock);
  observe_counters (get_record (self, element,
          gst_structure_has_name (s, "aes67-stats") ? KIND_RECEIVER :
          KIND_SENDER), s);
  g_mutex_unlock (&self->lock);
  gst_structure_free (s);
}

static GArray *
double_array (const GstStructure * s, const gchar * field)
{
  const GValue *v = gst_structure_get_value (s, field);
  GArray *a;
  guint i, n;

  if (!v || !GST_VALUE_HOLDS_ARRAY (v))
    return NULL;
  n = gst_value_array_get_size (v);
  a = g_array_sized_new (FALSE, FALSE, sizeof (gdouble), n);
  for (i = 0; i < n; i++) {
    const GValue *e = gst_value_array_get_value (v, i);
    gdouble d = G_VALUE_HOLDS_DOUBLE (e) ? g_value_get_double (e) : NAN;
    g_array_append_val (a, d);
  }
  return a;
}

static void
on_loudness (GstAes67MetricsTracer * self, GstElement * el,
    const GstStructure * s)
{
  static const gchar *fields[4] = { "momentary-lufs", "short-term-lufs",
    "integrated-lufs", "loudness-range-lu"
  };
  GArray *tp = double_array (s, "true-peak-dbtp");
  GArray *sp = double_array (s, "sample-peak-dbfs");
  gdouble v[4];
  Record *r;
  guint i;

  for (i = 0; i < 4; i++)
    if (!gst_structure_get_double (s, fields[i], &v[i]))
      v[i] = NAN;
  g_mutex_lock (&self->lock);
  r = get_record (self, el, KIND_LOUDNESS);
  memcpy (r->lufs, v, sizeof (v));
  if (r->true_peak)
    g_array_unref (r->true_peak);
  if (r->sample_peak)
    g_array_unref (r->sample_peak);
  r->true_peak = tp;
  r->sample_peak = sp;
  g_mutex_unlock (&self->lock);
}

static void
on_sap_announce (GstAes67MetricsTracer * self, GstElement * el,
    const GstStructure * s)
{
  const gchar *action = gst_structure_get_string (s, "action");
  const gchar *source = gst_structure_get_string (s, "source");
  const gchar *name = gst_structure_get_string (s, "session-name");
  Record *r;

  if (!action || !source)
    return;
  g_mutex_lock (&self->lock);
  r = get_record (self, el, KIND_ANNOUNCER);
  if (g_str_equal (action, "delete"))
    g_hash_table_remove (r->announced, source);
  else
    g_hash_table_replace (r->announced, g_strdup (source),
        g_strdup (name ? name : ""));
  g_mutex_unlock (&self->lock);
}

/* Every message that reaches a pipeline's bus, on the posting thread */
static void
on_sync_message (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  GstAes67MetricsTracer *self = user_data;
  GstElement *element;
  const GstStructure *s;
  GQuark q;

  if (!GST_IS_ELEMENT (GST_MESSAGE_SRC (msg)))
    return;
  element = GST_ELEMENT_CAST (GST_MESSAGE_SRC (msg));
  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:
      break;
    case GST_MESSAGE_STATE_CHANGED:
      on_state_changed (self, element, msg);
      return;
    case GST_MESSAGE_ERROR:
    case GST_MESSAGE_WARNING:
      if (self->log) {
        GError *err = NULL;
        gchar *dbg = NULL;
        gboolean error = GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR;

        if (error)
          gst_message_parse_error (msg, &err, &dbg);
        else
          gst_message_parse_warning (msg, &err, &dbg);
        log_event (self, error ? "error" : "warning", element, NULL, err, dbg);
        g_clear_error (&err);
        g_free (dbg);
      }
      return;
    default:
      return;
  }
  s = gst_message_get_structure (msg);
  if (!s)
    return;
  q = gst_structure_get_name_id (s);
  if (q == q_aes67_stats) {
    g_mutex_lock (&self->lock);
    observe_counters (get_record (self, element, KIND_RECEIVER), s);
    g_mutex_unlock (&self->lock);
  } else if (q == q_stream_lost || q == q_stream_restored) {
    gboolean known;

    /* aes67src's own, not those of the elements inside it */
    g_mutex_lock (&self->lock);
    known = find_record (self, element, KIND_RECEIVER) != NULL;
    g_mutex_unlock (&self->lock);
    if (known)
      log_event (self, gst_structure_get_name (s), element, s, NULL, NULL);
  } else if (q == q_sap_session) {
    const gchar *sdp = gst_structure_get_string (s, "sdp");
    const gchar *action = gst_structure_get_string (s, "action");
    Record *r;

    g_mutex_lock (&self->lock);
    r = get_record (self, element, KIND_RECEIVER);
    if (sdp && g_strcmp0 (action, "removed") != 0) {
      g_free (r->followed_sdp);
      r->followed_sdp = g_strdup (sdp);
    }
    g_mutex_unlock (&self->lock);
    log_event (self, "sap-session", element, s, NULL, NULL);
  } else if (q == q_ptp_status) {
    const gchar *ev = gst_structure_get_string (s, "event");
    gchar *name = g_strconcat ("ptp-", ev ? ev : "status", NULL);
    Record *r;

    g_mutex_lock (&self->lock);
    r = get_record (self, element, KIND_PTP);
    r->have_ptp = TRUE;
    gst_structure_get_boolean (s, "synced", &r->synced);
    gst_structure_get_int64 (s, "offset-ns", &r->offset_ns);
    gst_structure_get_uint (s, "domain", &r->domain);
    g_free (r->gm);
    r->gm = g_strdup (gst_structure_get_string (s, "grandmaster-id"));
    g_free (r->port_state);
    r->port_state = g_strdup (gst_structure_get_string (s, "port-state"));
    g_free (r->backend);
    r->backend = g_strdup (gst_structure_get_string (s, "backend"));
    g_mutex_unlock (&self->lock);
    log_event (self, name, element, s, NULL, NULL);
    g_free (name);
  } else if (q == q_loudness) {
    on_loudness (self, element, s);
  } else if (q == q_sap_announce) {
    on_sap_announce (self, element, s);
  }
}

/* GstBin::element-added, for every bin: a receiver or sender is recorded;
 * a pipeline gets our sync-message handler on its bus. */
static gboolean
on_element_added (GSignalInvocationHint * hint, guint n_values,
    const GValue * values, gpointer data)
{
  GstAes67MetricsTracer *self = the_tracer;
  GstBin *bin;
  GstElement *element;

  if (n_values < 2 || !self)
    return TRUE;
  bin = g_value_get_object (&values[0]);
  element = g_value_get_object (&values[1]);
  if (GST_IS_PIPELINE (bin)) {
    GstBus *bus = NULL;

    /* once per pipeline, whichever threads add to it */
    g_mutex_lock (&self->lock);
    if (!g_object_get_qdata (G_OBJECT (bin), q_watched)) {
      g_object_set_qdata (G_OBJECT (bin), q_watched, GINT_TO_POINTER (1));
      bus = gst_element_get_bus (GST_ELEMENT (bin));
    }
    g_mutex_unlock (&self->lock);
    if (bus) {
      gst_bus_enable_sync_message_emission (bus);
      g_signal_connect (bus, "sync-message", G_CALLBACK (on_sync_message),
          self);
      gst_object_unref (bus);
    }
  }
  if (element)
    element_added (self, element);
  return TRUE;
}

/* ---------- a scrape ---------- */

static void
snap_clear (Snap * sn)
{
  if (sn->el)
    gst_object_unref (sn->el);
  g_free (sn->name);
  g_free (sn->pipeline);
  if (sn->stats)
    gst_structure_free (sn->stats);
  g_free (sn->session);
  g_free (sn->address);
  g_free (sn->sdp);
  g_free (sn->gm);
  g_free (sn->port_state);
  g_free (sn->backend);
}

static void
read_ptp (Snap * sn)
{
  GstElement *el = sn->el;

  if (!has_prop (el, "synced", G_TYPE_BOOLEAN) ||
      !has_prop (el, "offset-ns", G_TYPE_INT64) ||
      !has_prop (el, "grandmaster-id", G_TYPE_STRING))
    return;
  sn->have_ptp = TRUE;
  g_object_get (el, "synced", &sn->synced, "offset-ns", &sn->offset_ns,
      "grandmaster-id", &sn->gm, NULL);
  if (has_prop (el, "domain", G_TYPE_UINT))
    g_object_get (el, "domain", &sn->domain, NULL);
  sn->port_state = get_string_prop (el, "port-state");
  if (has_prop (el, "backend-in-use", G_TYPE_INVALID)) {
    GValue v = G_VALUE_INIT, sv = G_VALUE_INIT;
    g_value_init (&v, G_PARAM_SPEC_VALUE_TYPE (g_object_class_find_property
            (G_OBJECT_GET_CLASS (el), "backend-in-use")));
    g_object_get_property (G_OBJECT (el), "backend-in-use", &v);
    if (G_VALUE_HOLDS_ENUM (&v)) {
      GEnumValue *ev = g_enum_get_value (g_type_class_peek (G_VALUE_TYPE (&v)),
          g_value_get_enum (&v));
      sn->backend = g_strdup (ev ? ev->value_nick : NULL);
    } else if (g_value_type_transformable (G_VALUE_TYPE (&v), G_TYPE_STRING)) {
      g_value_init (&sv, G_TYPE_STRING);
      g_value_transform (&v, &sv);
      sn->backend = g_value_dup_string (&sv);
      g_value_unset (&sv);
    }
    g_value_unset (&v);
  }
}

/* Reads every watched element into @snaps (records in @recs, same index);
 * drops the records of elements that are gone, carrying their counters. */
static void
collect (GstAes67MetricsTracer * self, GPtrArray ** recs_out,
    GArray ** snaps_out)
{
  GPtrArray *recs = g_ptr_array_new ();
  GArray *snaps = g_array_new (FALSE, TRUE, sizeof (Snap));
  GHashTable *meters = g_hash_table_new (NULL, NULL);
  guint i;

  g_mutex_lock (&self->lock);
  for (i = 0; i < self->records->len;) {
    Record *r = g_ptr_array_index (self->records, i);
    GstElement *el = g_weak_ref_get (&r->ref);
    Snap sn = { 0, };

    if (!el) {
      guint n = n_counters (r->kind), k;
      if (n > 0 && r->name) {
        Counter *c = g_new0 (Counter, N_MAX_COUNTERS);
        for (k = 0; k < n; k++) {
          c[k].base = r->c[k].base + r->c[k].seen;
          c[k].present = r->c[k].present;
        }
        g_hash_table_replace (self->carry, carry_key (r), c);
      }
      g_ptr_array_remove_index (self->records, i);
      record_free (r);
      continue;
    }
    if (r->kind == KIND_LOUDNESS)
      g_hash_table_add (meters, el);
    sn.el = el;
    g_array_append_val (snaps, sn);
    g_ptr_array_add (recs, r);
    i++;
  }
  g_mutex_unlock (&self->lock);

  /* read the elements without the lock: their getters take their own */
  for (i = 0; i < snaps->len; i++) {
    Snap *sn = &g_array_index (snaps, Snap, i);
    Record *r = g_ptr_array_index (recs, i);
    GstElement *el = sn->el;

    sn->name = gst_object_get_name (GST_OBJECT (el));
    sn->pipeline = pipeline_name (el);
    sn->port = -1;
    switch (r->kind) {
      case KIND_RECEIVER:
      case KIND_SENDER:
        g_object_get (el, "stats", &sn->stats, NULL);
        sn->session = get_string_prop (el, "session-name");
        if (r->kind == KIND_RECEIVER) {
          sn->sdp = get_string_prop (el, "sdp");
          if (!sn->sdp) {
            gchar *file = get_string_prop (el, "sdp-file");
            /* the reader aes67src uses: a regular file only (never
             * blocks on a FIFO), of SDP's size */
            if (file && !aes67_sdp_read_file (file, &sn->sdp, NULL))
              sn->sdp = NULL;
            g_free (file);
          }
          if (sn->stats) {
            gint port;
            sn->address =
                g_strdup (gst_structure_get_string (sn->stats, "address"));
            if (gst_structure_get_int (sn->stats, "port", &port))
              sn->port = port;
          }
          sn->meter = find_meter (el, GST_PAD_SRC, meters);
        } else {
          guint port = 0;
          sn->sdp = get_string_prop (el, "sdp");
          sn->address = get_string_prop (el, "address");
          if (has_prop (el, "port", G_TYPE_UINT)) {
            g_object_get (el, "port", &port, NULL);
            sn->port = port;
          }
          sn->meter = find_meter (el, GST_PAD_SINK, meters);
        }
        break;
      case KIND_PTP:
        read_ptp (sn);
        break;
      default:
        break;
    }
  }
  g_hash_table_unref (meters);

  /* take what was read in */
  g_mutex_lock (&self->lock);
  for (i = 0; i < snaps->len; i++) {
    Snap *sn = &g_array_index (snaps, Snap, i);
    Record *r = g_ptr_array_index (recs, i);
    const GstStructure *st = sn->stats;

    g_free (r->name);
    r->name = g_strdup (sn->name);
    g_free (r->pipeline);
    r->pipeline = g_strdup (sn->pipeline);
    if (!r->carried && n_counters (r->kind) > 0) {
      gchar *key = carry_key (r);
      Counter *c = g_hash_table_lookup (self->carry, key);
      guint k;
      if (c) {
        for (k = 0; k < n_counters (r->kind); k++)
          r->c[k].base += c[k].base;
        g_hash_table_remove (self->carry, key);
      }
      g_free (key);
      r->carried = TRUE;
    }
    if (r->kind == KIND_RECEIVER || r->kind == KIND_SENDER) {
      gchar *sdp = r->followed_sdp ? g_strdup (r->followed_sdp) :
          g_strdup (sn->sdp);
      if (st)
        observe_counters (r, st);
      g_free (r->session);
      r->session = (sn->session && *sn->session) ? g_strdup (sn->session) :
          aes67_sdp_session_name (sdp);
      g_free (r->sdp);
      r->sdp = sdp;
      g_free (r->address);
      r->address = g_strdup (sn->address);
      r->port = sn->port;
      r->meter = sn->meter;
    }
    if (r->kind == KIND_RECEIVER && st) {
      guint lat;
      observe_paths (r, st);
      g_free (r->state);
      r->state = g_strdup (gst_structure_get_string (st, "stream-state"));
      g_free (r->playout);
      r->playout = g_strdup (gst_structure_get_string (st, "playout"));
      r->have_jitter = gst_structure_get_double (st, "jitter-us", &r->jitter_s);
      r->jitter_s /= 1e6;
      r->have_offset = gst_structure_get_uint (st, "latency-ms", &lat);
      r->link_offset_s = lat / 1e3;
    }
    if (r->kind == KIND_SENDER && st) {
      gint64 l;
      r->have_lateness = TRUE;
      if (gst_structure_get_int64 (st, "max-lateness-ns", &l))
        r->max_lateness_s = l / 1e9;
      else if (gst_structure_get_int64 (st, "max-lateness-us", &l))
        r->max_lateness_s = l / 1e6;
      else
        r->have_lateness = FALSE;
    }
    if (r->kind == KIND_PTP && sn->have_ptp) {
      r->have_ptp = TRUE;
      r->synced = sn->synced;
      r->offset_ns = sn->offset_ns;
      r->domain = sn->domain;
      g_free (r->gm);
      r->gm = g_strdup (sn->gm);
      if (sn->port_state) {
        g_free (r->port_state);
        r->port_state = g_strdup (sn->port_state);
      }
      if (sn->backend) {
        g_free (r->backend);
        r->backend = g_strdup (sn->backend);
      }
    }
  }
  g_mutex_unlock (&self->lock);
  *recs_out = recs;
  *snaps_out = snaps;
}

static void
release (GPtrArray * recs, GArray * snaps)
{
  guint i;

  for (i = 0; i < snaps->len; i++)
    snap_clear (&g_array_index (snaps, Snap, i));
  g_array_unref (snaps);
  g_ptr_array_unref (recs);
}

/* Sessions seen on the network, or -1 when unknown */
static gint
sap_sessions (GstAes67MetricsTracer * self)
{
  GstDeviceMonitor *m;
  GList *devs, *l;
  gint n = 0;

  g_mutex_lock (&self->lock);
  m = self->monitor ? gst_object_ref (self->monitor) : NULL;
  g_mutex_unlock (&self->lock);
  if (!m)
    return -1;
  devs = gst_device_monitor_get_devices (m);
  for (l = devs; l; l = l->next) {
    GstStructure *p = gst_device_get_properties (l->data);
    if (p && gst_structure_has_field (p, "aes67.session-id"))
      n++;
    if (p)
      gst_structure_free (p);
  }
  g_list_free_full (devs, gst_object_unref);
  gst_object_unref (m);
  return n;
}

/* with the lock */
static Record *
meter_record (GstAes67MetricsTracer * self, gpointer meter)
{
  return meter ? find_record (self, meter, KIND_LOUDNESS) : NULL;
}

/* ---------- /metrics ---------- */

static void
append_escaped (GString * s, const gchar * v)
{
  for (; v && *v; v++) {
    if (*v == '\\')
      g_string_append (s, "\\\\");
    else if (*v == '"')
      g_string_append (s, "\\\"");
    else if (*v == '\n')
      g_string_append (s, "\\n");
    else
      g_string_append_c (s, *v);
  }
}

static void
append_double (GString * s, gdouble d)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (d))
    g_string_append (s, "NaN");
  else if (isinf (d))
    g_string_append (s, d > 0 ? "+Inf" : "-Inf");
  else
    g_string_append (s, g_ascii_dtostr (buf, sizeof (buf), d));
}

/* Starts a sample line of family @f: its name and label set, from @ap:
 * pairs of label name, value, NULL-terminated. Returns the family's text. */
static GString *
begin_sample (GString ** fam, guint f, va_list ap)
{
  GString *s;
  const gchar *k;
  gboolean first = TRUE;

  if (!fam[f])
    fam[f] = g_string_new (NULL);
  s = fam[f];
  g_string_append (s, families[f].name);
  while ((k = va_arg (ap, const gchar *)))
  {
    const gchar *v = va_arg (ap, const gchar *);
    g_string_append (s, first ? "{" : ",");
    first = FALSE;
    g_string_append_printf (s, "%s=\"", k);
    append_escaped (s, v ? v : "");
    g_string_append_c (s, '"');
  }
  if (!first)
    g_string_append_c (s, '}');
  g_string_append_c (s, ' ');
  return s;
}

/* A sample of a gauge (or any float value); labels as begin_sample() */
static void
sample (GString ** fam, guint f, gdouble value, ...)
{
  GString *s;
  va_list ap;

  va_start (ap, value);
  s = begin_sample (fam, f, ap);
  va_end (ap);
  append_double (s, value);
  g_string_append_c (s, '\n');
}

/* A sample of a counter, exact as an integer; labels as begin_sample() */
static void
counter_sample (GString ** fam, guint f, guint64 v, ...)
{
  GString *s;
  va_list ap;

  va_start (ap, v);
  s = begin_sample (fam, f, ap);
  va_end (ap);
  g_string_append_printf (s, "%" G_GUINT64_FORMAT "\n", v);
}

#define STREAM_LABELS(r, port) "element", (r)->name, "pipeline", \
    (r)->pipeline, "session", (r)->session, "address", (r)->address, \
    "port", (port)

static void
loudness_samples (GString ** fam, Record * r)
{
  static const guint fs[4] = { F_L_MOMENTARY, F_L_SHORTTERM, F_L_INTEGRATED,
    F_L_RANGE
  };
  guint i, ch;

  for (i = 0; i < 4; i++)
    if (!isnan (r->lufs[i]))
      sample (fam, fs[i], r->lufs[i], "element", r->name, "pipeline",
          r->pipeline, NULL);
  for (i = 0; i < 2; i++) {
    GArray *a = i == 0 ? r->true_peak : r->sample_peak;
    for (ch = 0; a && ch < a->len; ch++) {
      gchar c[16];
      g_snprintf (c, sizeof (c), "%u", ch);
      sample (fam, i == 0 ? F_L_TRUE_PEAK : F_L_SAMPLE_PEAK,
          g_array_index (a, gdouble, ch), "element", r->name, "pipeline",
          r->pipeline, "channel", c, NULL);
    }
  }
}

/* ST 2022-7: the receiver families per path of a redundant stream, with
 * a `path` label ("primary", "secondary") and the leg's address and port */
static void
path_samples (GString ** fam, Record * r)
{
  guint p, k;

  for (p = 0; p < 2; p++) {
    gchar port[16] = "";
    const gchar *addr = r->path_address[p] ? r->path_address[p] : "";

    if (r->path_port[p] >= 0)
      g_snprintf (port, sizeof (port), "%d", r->path_port[p]);
    for (k = 0; k < N_PATH_COUNTERS; k++)
      if (r->pc[p][k].present)
        counter_sample (fam, path_counters[k].family,
            r->pc[p][k].base + r->pc[p][k].seen, "element", r->name,
            "pipeline", r->pipeline, "session", r->session, "address", addr,
            "port", port, "path", path_names[p], NULL);
    if (r->path_have_jitter[p])
      sample (fam, F_RX_JITTER, r->path_jitter_s[p], "element", r->name,
          "pipeline", r->pipeline, "session", r->session, "address", addr,
          "port", port, "path", path_names[p], NULL);
    if (r->path_state[p])
      sample (fam, F_RX_RECEIVING, g_str_equal (r->path_state[p],
              "receiving"), "element", r->name, "pipeline", r->pipeline,
          "session", r->session, "address", addr, "port", port, "path",
          path_names[p], NULL);
  }
}

static gchar *
render_metrics (GstAes67MetricsTracer * self, gsize * len)
{
  GString *fam[N_FAMILIES] = { NULL, };
  GString *out = g_string_new (NULL);
  GPtrArray *recs;
  GArray *snaps;
  gint sessions;
  guint i, k;

  collect (self, &recs, &snaps);
  sessions = sap_sessions (self);
  g_mutex_lock (&self->lock);
  for (i = 0; i < recs->len; i++) {
    Record *r = g_ptr_array_index (recs, i);
    gchar port[16] = "";

    if (!r->name)
      continue;
    if (r->port >= 0)
      g_snprintf (port, sizeof (port), "%d", r->port);
    switch (r->kind) {
      case KIND_RECEIVER:
        for (k = 0; k < N_RX; k++)
          if (r->c[k].present)
            counter_sample (fam, rx_counters[k].family,
                r->c[k].base + r->c[k].seen, STREAM_LABELS (r, port), NULL);
        if (r->have_jitter)
          sample (fam, F_RX_JITTER, r->jitter_s, STREAM_LABELS (r, port), NULL);
        if (r->state)
          sample (fam, F_RX_RECEIVING, g_str_equal (r->state, "receiving"),
              STREAM_LABELS (r, port), NULL);
        if (r->have_offset)
          sample (fam, F_RX_LINK_OFFSET, r->link_offset_s,
              STREAM_LABELS (r, port), NULL);
        if (r->have_paths)
          path_samples (fam, r);
        break;
      case KIND_SENDER:
        for (k = 0; k < N_TX; k++)
          if (r->c[k].present)
            counter_sample (fam, tx_counters[k].family,
                r->c[k].base + r->c[k].seen, STREAM_LABELS (r, port), NULL);
        if (r->have_lateness)
          sample (fam, F_TX_MAX_LATENESS, r->max_lateness_s,
              STREAM_LABELS (r, port), NULL);
        break;
      case KIND_PTP:{
        gchar dom[16];
        if (!r->have_ptp)
          break;
        g_snprintf (dom, sizeof (dom), "%u", r->domain);
        sample (fam, F_PTP_LOCKED, r->synced, "element", r->name, "pipeline",
            r->pipeline, "domain", dom, NULL);
        sample (fam, F_PTP_OFFSET, r->offset_ns / 1e9, "element", r->name,
            "pipeline", r->pipeline, "domain", dom, NULL);
        if (r->synced && r->gm && *r->gm)
          sample (fam, F_PTP_GM, 1, "element", r->name, "pipeline",
              r->pipeline, "grandmaster", r->gm, "domain", dom, NULL);
        break;
      }
      case KIND_LOUDNESS:
        loudness_samples (fam, r);
        break;
      case KIND_ANNOUNCER:
        sample (fam, F_SAP_ANNOUNCED, g_hash_table_size (r->announced),
            "element", r->name, "pipeline", r->pipeline, NULL);
        break;
    }
  }
  g_mutex_unlock (&self->lock);
  if (sessions >= 0)
    sample (fam, F_SAP_SESSIONS, sessions, NULL);
  release (recs, snaps);

  for (i = 0; i < N_FAMILIES; i++) {
    if (!fam[i])
      continue;
    g_string_append_printf (out, "# HELP %s %s\n# TYPE %s %s\n",
        families[i].name, families[i].help, families[i].name, families[i].type);
    g_string_append_len (out, fam[i]->str, fam[i]->len);
    g_string_free (fam[i], TRUE);
  }
  *len = out->len;
  return g_string_free (out, FALSE);
}

/* ---------- /status ---------- */

static void
member_str (JsonBuilder * b, const gchar * k, const gchar * v)
{
  json_builder_set_member_name (b, k);
  if (v)
    json_builder_add_string_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
member_double (JsonBuilder * b, const gchar * k, gdouble v)
{
  json_builder_set_member_name (b, k);
  if (isfinite (v))
    json_builder_add_double_value (b, v);
  else
    json_builder_add_null_value (b);
}

static void
member_int (JsonBuilder * b, const gchar * k, gint64 v)
{
  json_builder_set_member_name (b, k);
  json_builder_add_int_value (b, v);
}

static void
loudness_json (JsonBuilder * b, Record * r)
{
  static const gchar *keys[4] = { "momentary-lufs", "short-term-lufs",
    "integrated-lufs", "loudness-range-lu"
  };
  guint i, ch;

  json_builder_begin_object (b);
  member_str (b, "element", r->name);
  member_str (b, "pipeline", r->pipeline);
  for (i = 0; i < 4; i++)
    member_double (b, keys[i], r->lufs[i]);
  for (i = 0; i < 2; i++) {
    GArray *a = i == 0 ? r->true_peak : r->sample_peak;
    json_builder_set_member_name (b, i == 0 ? "true-peak-dbtp" :
        "sample-peak-dbfs");
    json_builder_begin_array (b);
    for (ch = 0; a && ch < a->len; ch++) {
      gdouble d = g_array_index (a, gdouble, ch);
      if (isfinite (d))
        json_builder_add_double_value (b, d);
      else
        json_builder_add_null_value (b);
    }
    json_builder_end_array (b);
  }
  json_builder_end_object (b);
}

static void
stream_json (GstAes67MetricsTracer * self, JsonBuilder * b, Record * r)
{
  const CounterField *t = counter_table (r->kind);
  Record *m;
  guint k;

  json_builder_begin_object (b);
  member_str (b, "element", r->name);
  member_str (b, "pipeline", r->pipeline);
  member_str (b, "session", r->session);
  member_str (b, "address", r->address);
  json_builder_set_member_name (b, "port");
  if (r->port >= 0)
    json_builder_add_int_value (b, r->port);
  else
    json_builder_add_null_value (b);
  if (r->kind == KIND_RECEIVER) {
    member_str (b, "state", r->state);
    member_str (b, "playout", r->playout);
  }
  for (k = 0; k < n_counters (r->kind); k++)
    if (r->c[k].present)
      member_int (b, t[k].key, r->c[k].base + r->c[k].seen);
  if (r->kind == KIND_RECEIVER) {
    if (r->have_jitter)
      member_double (b, "jitter-seconds", r->jitter_s);
    if (r->have_offset)
      member_double (b, "link-offset-seconds", r->link_offset_s);
  } else if (r->have_lateness)
    member_double (b, "max-lateness-seconds", r->max_lateness_s);
  member_str (b, "sdp", r->sdp);
  json_builder_set_member_name (b, "loudness");
  m = meter_record (self, r->meter);
  if (m && m->name)
    loudness_json (b, m);
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static gchar *
render_status (GstAes67MetricsTracer * self, gsize * len)
{
  static const Kind order[] = { KIND_RECEIVER, KIND_SENDER, KIND_PTP,
    KIND_LOUDNESS
  };
  static const gchar *names[] = { "receivers", "senders", "ptp", "loudness" };
  JsonBuilder *b = json_builder_new ();
  GPtrArray *recs;
  GArray *snaps;
  gchar *t = now_utc (), *out;
  gint sessions;
  guint i, o;

  collect (self, &recs, &snaps);
  sessions = sap_sessions (self);
  json_builder_begin_object (b);
  member_str (b, "time", t);
  g_mutex_lock (&self->lock);
  for (o = 0; o < G_N_ELEMENTS (order); o++) {
    json_builder_set_member_name (b, names[o]);
    json_builder_begin_array (b);
    for (i = 0; i < recs->len; i++) {
      Record *r = g_ptr_array_index (recs, i);
      if (r->kind != order[o] || !r->name)
        continue;
      if (r->kind == KIND_RECEIVER || r->kind == KIND_SENDER)
        stream_json (self, b, r);
      else if (r->kind == KIND_LOUDNESS)
        loudness_json (b, r);
      else if (r->have_ptp) {
        json_builder_begin_object (b);
        member_str (b, "element", r->name);
        member_str (b, "pipeline", r->pipeline);
        json_builder_set_member_name (b, "locked");
        json_builder_add_boolean_value (b, r->synced);
        member_double (b, "offset-seconds", r->offset_ns / 1e9);
        member_str (b, "grandmaster", r->gm);
        member_int (b, "domain", r->domain);
        member_str (b, "port-state", r->port_state);
        member_str (b, "backend", r->backend);
        json_builder_end_object (b);
      }
    }
    json_builder_end_array (b);
  }
  json_builder_set_member_name (b, "sap");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "sessions");
  if (sessions >= 0)
    json_builder_add_int_value (b, sessions);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "announcers");
  json_builder_begin_array (b);
  for (i = 0; i < recs->len; i++) {
    Record *r = g_ptr_array_index (recs, i);
    GHashTableIter it;
    gpointer k, v;
    if (r->kind != KIND_ANNOUNCER || !r->name)
      continue;
    json_builder_begin_object (b);
    member_str (b, "element", r->name);
    member_str (b, "pipeline", r->pipeline);
    member_int (b, "announced", g_hash_table_size (r->announced));
    json_builder_set_member_name (b, "sessions");
    json_builder_begin_array (b);
    g_hash_table_iter_init (&it, r->announced);
    while (g_hash_table_iter_next (&it, &k, &v))
      json_builder_add_string_value (b, v);
    json_builder_end_array (b);
    json_builder_end_object (b);
  }
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_mutex_unlock (&self->lock);
  json_builder_end_object (b);
  release (recs, snaps);
  out = builder_to_string (b);
  g_object_unref (b);
  g_free (t);
  *len = strlen (out);
  return out;
}

/* ---------- the page ---------- */

static const gchar page[] =
    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>AES67 status</title>\n<style>\n"
    "body{font:14px sans-serif;margin:1em;background:#fafafa;color:#222}\n"
    "table{border-collapse:collapse;margin-bottom:1.5em}\n"
    "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}\n"
    "th{background:#eee}\n.bad{background:#f8d0d0}.ok{background:#d8f0d8}\n"
    ".meter{width:160px;height:12px;background:#ddd;display:inline-block;"
    "vertical-align:middle}\n.bar{height:12px;background:#4a4}\n"
    "</style></head><body>\n<h1>AES67 status</h1>\n"
    "<p>Updated <span id=\"time\">never</span> "
    "(<a href=\"/metrics\">metrics</a>, <a href=\"/status\">JSON</a>)</p>\n"
    "<h2>Streams</h2>\n<table id=\"streams\"><thead><tr><th>direction</th>"
    "<th>element</th><th>pipeline</th><th>session</th><th>address</th>"
    "<th>state</th><th>packets</th><th>lost</th><th>late</th>"
    "<th>jitter (ms)</th><th>link offset (ms)</th><th>loudness (LUFS, M)"
    "</th></tr></thead><tbody></tbody></table>\n"
    "<h2>PTP clocks</h2>\n<table id=\"ptp\"><thead><tr><th>element</th>"
    "<th>pipeline</th><th>state</th><th>grandmaster</th><th>domain</th>"
    "<th>offset (µs)</th><th>port state</th><th>backend</th></tr></thead>"
    "<tbody></tbody></table>\n"
    "<p>SAP sessions seen: <span id=\"sap\">?</span></p>\n"
    "<script>\n"
    "function esc(s){return String(s==null?'':s).replace(/[&<>\"]/g,"
    "function(c){return{'&':'&amp;','<':'&lt;','>':'&gt;','\"':'&quot;'}[c];});}\n"
    "function num(v,scale,digits){return v==null?'':(v*scale).toFixed(digits);}\n"
    "function meter(l){if(!l)return '';var m=l['momentary-lufs'];"
    "var w=m==null?0:Math.max(0,Math.min(100,(m+60)/60*100));"
    "return '<span class=\"meter\"><div class=\"bar\" style=\"width:'+w.toFixed(1)"
    "+'%\"></div></span> <span class=\"lufs\">'+(m==null?'-inf':m.toFixed(1))"
    "+'</span>';}\n"
    "function row(dir,s){var st=dir=='send'?'sending':s.state;"
    "var cls=(st=='receiving'||st=='sending')?'ok':'bad';"
    "return '<tr class=\"stream\" data-direction=\"'+dir+'\" data-element=\"'"
    "+esc(s.element)+'\" data-pipeline=\"'+esc(s.pipeline)+'\">'"
    "+'<td>'+dir+'</td><td>'+esc(s.element)+'</td><td>'+esc(s.pipeline)+'</td>'"
    "+'<td class=\"session\">'+esc(s.session)+'</td><td>'+esc(s.address)"
    "+(s.port!=null?':'+s.port:'')+'</td>'"
    "+'<td class=\"state '+cls+'\">'+esc(st)+'</td>'"
    "+'<td class=\"packets\">'+(dir=='send'?s['packets-sent']:s['packets-received'])+'</td>'"
    "+'<td class=\"loss\">'+(s['packets-lost']==null?'':s['packets-lost'])+'</td>'"
    "+'<td class=\"late\">'+(s['packets-late']==null?'':s['packets-late'])+'</td>'"
    "+'<td class=\"jitter\">'+num(s['jitter-seconds'],1e3,3)+'</td>'"
    "+'<td class=\"offset\">'+num(s['link-offset-seconds'],1e3,1)+'</td>'"
    "+'<td class=\"loudness\">'+meter(s.loudness)+'</td></tr>';}\n"
    "function update(){fetch('/status',{cache:'no-store'}).then(function(r)"
    "{return r.json();}).then(function(d){var h='';"
    "d.receivers.forEach(function(s){h+=row('receive',s);});"
    "d.senders.forEach(function(s){h+=row('send',s);});"
    "document.querySelector('#streams tbody').innerHTML=h;h='';"
    "d.ptp.forEach(function(p){h+='<tr class=\"ptp\" data-element=\"'"
    "+esc(p.element)+'\"><td>'+esc(p.element)+'</td><td>'+esc(p.pipeline)"
    "+'</td><td class=\"locked '+(p.locked?'ok':'bad')+'\">'"
    "+(p.locked?'locked':'unlocked')+'</td><td class=\"grandmaster\">'"
    "+esc(p.grandmaster)+'</td><td class=\"domain\">'+p.domain+'</td>'"
    "+'<td class=\"offset\">'+num(p['offset-seconds'],1e6,1)+'</td><td>'"
    "+esc(p['port-state'])+'</td><td>'+esc(p.backend)+'</td></tr>';});"
    "document.querySelector('#ptp tbody').innerHTML=h;"
    "document.getElementById('sap').textContent="
    "d.sap.sessions==null?'?':d.sap.sessions;"
    "document.getElementById('time').textContent=d.time;})"
    ".catch(function(e){document.getElementById('time').textContent="
    "'error: '+e;});}\nupdate();setInterval(update,1000);\n"
    "</script></body></html>\n";

/* ---------- the server ---------- */

static enum MHD_Result
reply (struct MHD_Connection *c, guint status, const gchar * type,
    gchar * body, gsize len)
{
  struct MHD_Response *resp =
      MHD_create_response_from_buffer_with_free_callback (len, body, g_free);
  enum MHD_Result ret;

  MHD_add_response_header (resp, "Content-Type", type);
  MHD_add_response_header (resp, "Cache-Control", "no-store");
  if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
    MHD_add_response_header (resp, "Allow", "GET, HEAD");
  ret = MHD_queue_response (c, status, resp);
  MHD_destroy_response (resp);
  return ret;
}

static enum MHD_Result
handle_request (void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
  GstAes67MetricsTracer *self = cls;
  gchar *body;
  gsize len;
  enum MHD_Result ret;

  if (strcmp (method, "GET") != 0 && strcmp (method, "HEAD") != 0) {
    body = g_strdup ("read-only: GET and HEAD only\n");
    return reply (c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", body,
        strlen (body));
  }
  if (g_str_equal (url, "/metrics")) {
    g_mutex_lock (&self->scrape_lock);
    body = render_metrics (self, &len);
    g_mutex_unlock (&self->scrape_lock);
    ret = reply (c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8",
        body, len);
  } else if (g_str_equal (url, "/status")) {
    g_mutex_lock (&self->scrape_lock);
    body = render_status (self, &len);
    g_mutex_unlock (&self->scrape_lock);
    ret = reply (c, MHD_HTTP_OK, "application/json", body, len);
  } else if (g_str_equal (url, "/") || g_str_equal (url, "/index.html")) {
    body = g_strdup (page);
    ret = reply (c, MHD_HTTP_OK, "text/html; charset=utf-8", body,
        sizeof (page) - 1);
  } else {
    body = g_strdup ("not found: try /metrics, /status or /\n");
    ret = reply (c, MHD_HTTP_NOT_FOUND, "text/plain", body, strlen (body));
  }
  return ret;
}

/* Opens the listening socket; -1 with a reason on failure */
static int
listen_on (const gchar * address, guint port, gboolean * v6, gchar ** why)
{
  GInetAddress *ia = g_inet_address_new_from_string (address);
  GSocketAddress *sa;
  struct sockaddr_storage ss;
  int fd, one = 1;

  if (!ia) {
    *why = g_strdup_printf ("'%s' is not an IP address", address);
    return -1;
  }
  sa = g_inet_socket_address_new (ia, port);
  *v6 = g_inet_address_get_family (ia) == G_SOCKET_FAMILY_IPV6;
  g_object_unref (ia);
  if (!g_socket_address_to_native (sa, &ss, sizeof (ss), NULL)) {
    g_object_unref (sa);
    *why = g_strdup ("cannot use that address");
    return -1;
  }
  fd = socket (*v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0
      || setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof (one)) < 0
      || bind (fd, (struct sockaddr *) &ss,
          g_socket_address_get_native_size (sa)) < 0 || listen (fd, 16) < 0) {
    *why = g_strdup (g_strerror (errno));
    if (fd >= 0)
      close (fd);
    fd = -1;
  }
  g_object_unref (sa);
  return fd;
}

static void
start_server (GstAes67MetricsTracer * self)
{
  gchar *why = NULL;
  gboolean v6 = FALSE;
  int fd = listen_on (self->address, self->port, &v6, &why);
  const union MHD_DaemonInfo *info;

  if (fd < 0) {
    g_printerr ("aes67metrics: WARNING: cannot serve metrics on %s port %u: "
        "%s. No metrics from this process; the pipelines run on.\n",
        self->address, self->port, why);
    g_free (why);
    return;
  }
  self->daemon = MHD_start_daemon (MHD_USE_INTERNAL_POLLING_THREAD |
      MHD_USE_POLL | (v6 ? MHD_USE_IPv6 : 0), 0, NULL, NULL,
      handle_request, self, MHD_OPTION_LISTEN_SOCKET, fd,
      MHD_OPTION_CONNECTION_LIMIT, 32, MHD_OPTION_CONNECTION_TIMEOUT, 10,
      MHD_OPTION_END);
  if (!self->daemon) {
    close (fd);
    g_printerr ("aes67metrics: WARNING: cannot start the HTTP server on %s "
        "port %u. No metrics from this process; the pipelines run on.\n",
        self->address, self->port);
    return;
  }
  info = MHD_get_daemon_info (self->daemon, MHD_DAEMON_INFO_BIND_PORT);
  if (info && self->port == 0) {
    self->port = info->port;
    g_printerr ("aes67metrics: serving http://%s:%u/\n", self->address,
        self->port);
  }
  GST_INFO_OBJECT (self, "serving http://%s:%u/", self->address, self->port);
}

/* ---------- the object ---------- */

static void
parse_params (GstAes67MetricsTracer * self)
{
  gchar *params = NULL, *text;
  GstStructure *s;
  gint port;
  const gchar *str;

  g_object_get (self, "params", &params, NULL);
  if (!params || !*params) {
    g_free (params);
    return;
  }
  text = g_strdup_printf ("aes67metrics,%s", params);
  s = gst_structure_from_string (text, NULL);
  g_free (text);
  if (!s) {
    g_printerr ("aes67metrics: WARNING: cannot read the parameters '%s' "
        "(expected e.g. port=9467,address=127.0.0.1,log-file=/path)\n", params);
    g_free (params);
    return;
  }
  g_free (params);
  if ((str = gst_structure_get_string (s, "address"))) {
    g_free (self->address);
    self->address = g_strdup (str);
  }
  if (gst_structure_get_int (s, "port", &port)) {
    if (port < 0 || port > 65535)
      g_printerr ("aes67metrics: WARNING: port %d is not a TCP port; using "
          "%u\n", port, self->port);
    else
      self->port = port;
  } else if (gst_structure_has_field (s, "port"))
    g_printerr ("aes67metrics: WARNING: port must be a number; using %u\n",
        self->port);
  if ((str = gst_structure_get_string (s, "log-file")))
    self->log_path = g_strdup (str);
  gst_structure_free (s);
}

static void
gst_aes67_metrics_tracer_constructed (GObject * object)
{
  GstAes67MetricsTracer *self = GST_AES67_METRICS_TRACER (object);

  G_OBJECT_CLASS (parent_class)->constructed (object);
  if (the_tracer) {
    g_printerr ("aes67metrics: WARNING: one aes67metrics tracer per "
        "process; this one is ignored\n");
    return;
  }
  parse_params (self);
  if (self->log_path) {
    self->log = fopen (self->log_path, "ae");
    if (!self->log)
      g_printerr ("aes67metrics: WARNING: cannot open the log file %s: %s. "
          "No event log; the pipelines run on.\n", self->log_path,
          g_strerror (errno));
  }
  start_server (self);
  if (self->port == 0 || self->daemon)
    GST_INFO_OBJECT (self, "aes67metrics on %s:%u", self->address, self->port);
  /* No tracer hooks: with any hook registered, GStreamer takes a timestamp
   * and looks hooks up at every pad push of every element (measured: +15 %
   * of a core with 64 receivers). Elements are seen when they are added to
   * a bin, messages on each pipeline's bus. The tracer lives as long as
   * the process (GStreamer drops a tracer that registers no hook). */
  the_tracer = gst_object_ref (self);
  bin_class = g_type_class_ref (GST_TYPE_BIN);
  g_signal_add_emission_hook (g_signal_lookup ("element-added", GST_TYPE_BIN),
      0, on_element_added, NULL, NULL);
}

static void
gst_aes67_metrics_tracer_init (GstAes67MetricsTracer * self)
{
  self->address = g_strdup (DEFAULT_ADDRESS);
  self->port = DEFAULT_PORT;
  g_mutex_init (&self->lock);
  g_mutex_init (&self->scrape_lock);
  g_mutex_init (&self->log_lock);
  self->records = g_ptr_array_new_with_free_func ((GDestroyNotify)
      record_free);
  self->carry = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
gst_aes67_metrics_tracer_finalize (GObject * object)
{
  GstAes67MetricsTracer *self = GST_AES67_METRICS_TRACER (object);

  if (self->daemon)
    MHD_stop_daemon (self->daemon);
  if (self->monitor) {
    gst_device_monitor_stop (self->monitor);
    gst_object_unref (self->monitor);
  }
  if (self->log)
    fclose (self->log);
  g_ptr_array_unref (self->records);
  g_hash_table_unref (self->carry);
  g_free (self->address);
  g_free (self->log_path);
  g_mutex_clear (&self->lock);
  g_mutex_clear (&self->scrape_lock);
  g_mutex_clear (&self->log_lock);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_aes67_metrics_tracer_class_init (GstAes67MetricsTracerClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);

  gobject_class->constructed = gst_aes67_metrics_tracer_constructed;
  gobject_class->finalize = gst_aes67_metrics_tracer_finalize;
  q_watched = g_quark_from_static_string ("aes67metrics-watched");
  q_aes67_stats = g_quark_from_static_string ("aes67-stats");
  q_stream_lost = g_quark_from_static_string ("stream-lost");
  q_stream_restored = g_quark_from_static_string ("stream-restored");
  q_sap_session = g_quark_from_static_string ("sap-session");
  q_ptp_status = g_quark_from_static_string ("ptp-clock-status");
  q_loudness = g_quark_from_static_string ("loudness");
  q_sap_announce = g_quark_from_static_string ("sap-announce");
  GST_DEBUG_CATEGORY_INIT (gst_aes67_metrics_debug, "aes67metrics", 0,
      "aes67metrics tracer");
}
