/* gst-aes67 example: a relay node
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Receives one AES67 stream (by its SDP file or its session name) and sends
 * it again, unchanged, on another multicast group, announced with SAP; its
 * statistics go to stdout as JSON lines, one per `aes67-stats` message of
 * the receiver (with the sender's statistics beside them) and one per
 * `stream-lost`, `stream-restored` and `sap-session` message:
 *
 *   aes67src (sdp-file= | session-name=) ! aes67sink address=<group>
 *   sapannounce (announces the aes67sink's SDP)
 *
 * L16 stays L16 and L24 stays L24: aes67src outputs the stream's own sample
 * format (S16BE / S24BE) and aes67sink sends that unchanged, so the relay
 * is bit-exact; it adds the receiver's link offset (--latency) and the
 * sender's packet time to the path.
 *
 * Run:
 *   aes67-relay --sdp-file=studio1.sdp --address=239.69.2.10 \
 *       --session-name-out="Studio 1 (relay)"
 *   aes67-relay --session-name="Studio 1" --address=239.69.2.10
 *
 * For Prometheus, run it with the aes67metrics tracer (docs/monitoring.md):
 *   GST_TRACERS="aes67metrics(port=9467)" aes67-relay ...
 *
 * Exit status: 0 when stopped (SIGINT, SIGTERM, or the end of the stream),
 * 1 on a pipeline error, 2 on bad options.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline, *src, *sink;
  gint status;
} Relay;

/* ---------- JSON lines ---------- */

static void
json_string (GString * out, const gchar * s)
{
  const guchar *p;

  g_string_append_c (out, '"');
  for (p = (const guchar *) s; *p; p++) {
    switch (*p) {
      case '"':
        g_string_append (out, "\\\"");
        break;
      case '\\':
        g_string_append (out, "\\\\");
        break;
      case '\n':
        g_string_append (out, "\\n");
        break;
      case '\r':
        g_string_append (out, "\\r");
        break;
      case '\t':
        g_string_append (out, "\\t");
        break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, *p);
    }
  }
  g_string_append_c (out, '"');
}

static void json_value (GString * out, const GValue * v);

static gboolean
json_field (GQuark field, const GValue * v, gpointer user_data)
{
  GString *out = user_data;

  if (out->str[out->len - 1] != '{')
    g_string_append (out, ", ");
  json_string (out, g_quark_to_string (field));
  g_string_append (out, ": ");
  json_value (out, v);
  return TRUE;
}

/* A structure as a JSON object: numbers, booleans and strings as such,
 * arrays (per-channel values) as arrays, anything else as its GStreamer
 * serialisation in a string. */
static void
json_structure (GString * out, const GstStructure * s)
{
  g_string_append_c (out, '{');
  gst_structure_foreach (s, json_field, out);
  g_string_append_c (out, '}');
}

static void
json_value (GString * out, const GValue * v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];
  GType t = G_VALUE_TYPE (v);

  if (t == G_TYPE_STRING) {
    json_string (out, g_value_get_string (v) ? g_value_get_string (v) : "");
  } else if (t == G_TYPE_BOOLEAN) {
    g_string_append (out, g_value_get_boolean (v) ? "true" : "false");
  } else if (t == G_TYPE_INT) {
    g_string_append_printf (out, "%d", g_value_get_int (v));
  } else if (t == G_TYPE_UINT) {
    g_string_append_printf (out, "%u", g_value_get_uint (v));
  } else if (t == G_TYPE_INT64) {
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_value_get_int64 (v));
  } else if (t == G_TYPE_UINT64) {
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_value_get_uint64 (v));
  } else if (t == G_TYPE_DOUBLE || t == G_TYPE_FLOAT) {
    gdouble d = t == G_TYPE_DOUBLE ? g_value_get_double (v) :
        g_value_get_float (v);

    if (isfinite (d))
      g_string_append (out, g_ascii_dtostr (buf, sizeof buf, d));
    else
      g_string_append (out, "null");
  } else if (t == GST_TYPE_ARRAY || t == GST_TYPE_LIST) {
    guint i, n = gst_value_array_get_size (v);

    if (t == GST_TYPE_LIST)
      n = gst_value_list_get_size (v);
    g_string_append_c (out, '[');
    for (i = 0; i < n; i++) {
      if (i)
        g_string_append (out, ", ");
      json_value (out, t == GST_TYPE_ARRAY ? gst_value_array_get_value (v, i)
          : gst_value_list_get_value (v, i));
    }
    g_string_append_c (out, ']');
  } else if (t == GST_TYPE_STRUCTURE) {
    json_structure (out, gst_value_get_structure (v));
  } else {
    gchar *s = gst_value_serialize (v);

    json_string (out, s ? s : "");
    g_free (s);
  }
}

/* One line: {"event": NAME, "time": ISO 8601 UTC, "input": {message
 * fields}, "output": {aes67sink stats}} (output only for aes67-stats) */
static void
print_event (Relay * r, const GstStructure * s)
{
  GString *out = g_string_new ("{\"event\": ");
  GDateTime *now = g_date_time_new_now_utc ();
  gchar *iso = g_date_time_format_iso8601 (now);

  json_string (out, gst_structure_get_name (s));
  g_string_append (out, ", \"time\": ");
  json_string (out, iso);
  g_string_append (out, ", \"input\": ");
  json_structure (out, s);
  if (gst_structure_has_name (s, "aes67-stats")) {
    GstStructure *tx = NULL;

    g_object_get (r->sink, "stats", &tx, NULL);
    if (tx) {
      g_string_append (out, ", \"output\": ");
      json_structure (out, tx);
      gst_structure_free (tx);
    }
  }
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
  fflush (stdout);
  g_string_free (out, TRUE);
  g_free (iso);
  g_date_time_unref (now);
}

/* ---------- the pipeline ---------- */

static gboolean
on_bus (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  Relay *r = user_data;
  GError *err = NULL;
  gchar *dbg = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);

      if (s && GST_MESSAGE_SRC (msg) == GST_OBJECT (r->src) &&
          (gst_structure_has_name (s, "aes67-stats") ||
              gst_structure_has_name (s, "stream-lost") ||
              gst_structure_has_name (s, "stream-restored") ||
              gst_structure_has_name (s, "sap-session")))
        print_event (r, s);
      break;
    }
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &err, &dbg);
      g_printerr ("aes67-relay: warning from %s: %s\n",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
      break;
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &dbg);
      g_printerr ("aes67-relay: error from %s: %s\n%s\n",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message,
          dbg ? dbg : "");
      r->status = 1;
      g_main_loop_quit (r->loop);
      break;
    case GST_MESSAGE_EOS:
      g_printerr ("aes67-relay: end of stream\n");
      g_main_loop_quit (r->loop);
      break;
    default:
      break;
  }
  g_clear_error (&err);
  g_free (dbg);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_signal (gpointer user_data)
{
  Relay *r = user_data;

  g_printerr ("aes67-relay: stopping\n");
  g_main_loop_quit (r->loop);
  return G_SOURCE_CONTINUE;
}

static GstElement *
make (const gchar * factory, const gchar * name)
{
  GstElement *e = gst_element_factory_make (factory, name);

  if (!e)
    g_printerr ("aes67-relay: the %s element is missing: install gst-aes67 "
        "or set GST_PLUGIN_PATH to its build\n", factory);
  return e;
}

int
main (int argc, char **argv)
{
  gchar *sdp_file = NULL, *session_name = NULL, *in_iface = NULL;
  gchar *address = NULL, *out_iface = NULL, *out_name = NULL, *sdp_out = NULL;
  gint discovery_timeout = 15000, latency = 4, port = 5004, ptime = 1000;
  gint stats_interval = 1000, sap_interval = 5, ttl = 32;
  gboolean no_sap = FALSE;
  GOptionEntry entries[] = {
    {"sdp-file", 0, 0, G_OPTION_ARG_FILENAME, &sdp_file,
        "Input: the SDP file of the stream to receive", "FILE"},
    {"session-name", 0, 0, G_OPTION_ARG_STRING, &session_name,
        "Input: the name of a session announced with SAP or mDNS", "NAME"},
    {"discovery-timeout", 0, 0, G_OPTION_ARG_INT, &discovery_timeout,
        "Input: how long to wait for the session's announcement, ms "
          "(default 15000)", "MS"},
    {"latency", 0, 0, G_OPTION_ARG_INT, &latency,
        "Input: link offset of the receiver, ms (default 4)", "MS"},
    {"in-iface", 0, 0, G_OPTION_ARG_STRING, &in_iface,
        "Input: network interface to receive (and discover) on", "IFACE"},
    {"address", 0, 0, G_OPTION_ARG_STRING, &address,
        "Output: multicast group (or unicast address) to send to "
          "(required)", "ADDRESS"},
    {"port", 0, 0, G_OPTION_ARG_INT, &port,
        "Output: UDP port (default 5004)", "PORT"},
    {"out-iface", 0, 0, G_OPTION_ARG_STRING, &out_iface,
        "Output: network interface to send and announce on", "IFACE"},
    {"ptime", 0, 0, G_OPTION_ARG_INT, &ptime,
        "Output: packet time, µs (default 1000)", "US"},
    {"ttl", 0, 0, G_OPTION_ARG_INT, &ttl,
        "Output: IP time to live, hops (default 32)", "HOPS"},
    {"session-name-out", 0, 0, G_OPTION_ARG_STRING, &out_name,
        "Output: session name (default: \"<input> (relay)\")", "NAME"},
    {"sdp-out", 0, 0, G_OPTION_ARG_FILENAME, &sdp_out,
        "Output: write the output's SDP to this file", "FILE"},
    {"no-sap", 0, 0, G_OPTION_ARG_NONE, &no_sap,
        "Output: do not announce the output with SAP", NULL},
    {"sap-interval", 0, 0, G_OPTION_ARG_INT, &sap_interval,
        "Output: SAP announcement interval, s (default 5)", "S"},
    {"stats-interval", 0, 0, G_OPTION_ARG_INT, &stats_interval,
        "Statistics: one JSON line every this many ms (default 1000)", "MS"},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  Relay r = { 0 };
  GstElement *sap = NULL;
  GstBus *bus;
  guint sigint, sigterm;

  ctx = g_option_context_new ("- relay one AES67 stream to another group");
  g_option_context_set_summary (ctx,
      "Receives one AES67 stream and sends it, bit-exact, on another "
      "multicast group, announced with SAP. Statistics: JSON lines on "
      "stdout (aes67-stats, stream-lost, stream-restored, sap-session).");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("aes67-relay: %s\n", err->message);
    g_error_free (err);
    r.status = 2;
  } else if ((sdp_file == NULL) == (session_name == NULL) || address == NULL) {
    g_printerr ("aes67-relay: give --address and one of --sdp-file and "
        "--session-name (see --help)\n");
    r.status = 2;
  }
  g_option_context_free (ctx);
  if (r.status)
    goto out;
  if (!out_name)
    out_name = g_strdup_printf ("%s (relay)",
        session_name ? session_name : sdp_file);

  r.pipeline = gst_pipeline_new ("relay");
  r.src = make ("aes67src", "in");
  r.sink = make ("aes67sink", "out");
  if (!no_sap)
    sap = make ("sapannounce", "sap");
  if (!r.src || !r.sink || (!no_sap && !sap)) {
    r.status = 1;
    goto out;
  }

  if (sdp_file)
    g_object_set (r.src, "sdp-file", sdp_file, NULL);
  else
    g_object_set (r.src, "session-name", session_name,
        "discovery-timeout", (guint) discovery_timeout, NULL);
  g_object_set (r.src, "latency", (guint) latency,
      "stats-interval", (guint) stats_interval, NULL);
  if (in_iface)
    g_object_set (r.src, "multicast-iface", in_iface, NULL);
  g_object_set (r.sink, "address", address, "port", (guint) port,
      "ptime", (guint) ptime, "ttl", (guint) ttl, "session-name", out_name,
      NULL);
  if (out_iface)
    g_object_set (r.sink, "multicast-iface", out_iface, NULL);
  if (sdp_out)
    g_object_set (r.sink, "sdp-file", sdp_out, NULL);
  gst_bin_add_many (GST_BIN (r.pipeline), r.src, r.sink, NULL);
  if (sap) {
    g_object_set (sap, "interval", (guint) sap_interval, NULL);
    if (out_iface)
      g_object_set (sap, "multicast-iface", out_iface, NULL);
    gst_bin_add (GST_BIN (r.pipeline), sap);
  }
  if (!gst_element_link (r.src, r.sink)) {
    g_printerr ("aes67-relay: cannot link aes67src to aes67sink\n");
    r.status = 1;
    goto out;
  }

  r.loop = g_main_loop_new (NULL, FALSE);
  bus = gst_element_get_bus (r.pipeline);
  gst_bus_add_watch (bus, on_bus, &r);
  sigint = g_unix_signal_add (SIGINT, on_signal, &r);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &r);

  if (gst_element_set_state (r.pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    /* the reason is an error message on the bus: print it */
    GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (m) {
      on_bus (bus, m, &r);
      gst_message_unref (m);
    } else {
      g_printerr ("aes67-relay: the pipeline did not start\n");
    }
    r.status = 1;
  } else {
    g_printerr ("aes67-relay: relaying %s to %s:%d as \"%s\"\n",
        sdp_file ? sdp_file : session_name, address, port, out_name);
    g_main_loop_run (r.loop);
  }

  /* to NULL: sapannounce sends the SAP deletion of the output */
  gst_element_set_state (r.pipeline, GST_STATE_NULL);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  g_main_loop_unref (r.loop);

out:
  /* elements not added to the pipeline yet are floating */
  if (r.src && !GST_OBJECT_PARENT (r.src))
    gst_object_unref (gst_object_ref_sink (r.src));
  if (r.sink && !GST_OBJECT_PARENT (r.sink))
    gst_object_unref (gst_object_ref_sink (r.sink));
  if (sap && !GST_OBJECT_PARENT (sap))
    gst_object_unref (gst_object_ref_sink (sap));
  gst_clear_object (&r.pipeline);
  g_free (sdp_file);
  g_free (session_name);
  g_free (in_iface);
  g_free (address);
  g_free (out_iface);
  g_free (out_name);
  g_free (sdp_out);
  return r.status;
}
