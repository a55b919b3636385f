/* gst-aes67 example: list the AES67 sessions on the network, play one
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The device provider of gst-aes67 (aes67deviceprovider, and
 * ravennadeviceprovider with avahi) lists the sessions announced on the
 * network (SAP, mDNS) as GstDevices of class Audio/Source/Network. This
 * program watches them with a GstDeviceMonitor, as an application that
 * offers network sessions like sound cards would:
 *
 *   aes67-monitor-play --list
 *       prints every session seen within --timeout seconds (SAP has no
 *       query: a session shows up at its next announcement, every 5 s from
 *       sapannounce, PipeWire and ffmpeg)
 *   aes67-monitor-play "Studio 1"
 *       waits up to --timeout seconds for the session named "Studio 1" and
 *       plays it: gst_device_create_element() ! audioconvert ! autoaudiosink
 *   aes67-monitor-play --sink="wavenc ! filesink location=s1.wav" \
 *       --duration=10 "Studio 1"
 *       the same into another sink (a gst-launch-1.0 description), for 10 s
 *
 * The monitor keeps running while the session plays: the element made from
 * the device finds the session in the process's SAP browser at once, and
 * follows it when it changes (stream-lost and stream-restored are printed).
 *
 * Exit status: 0 (played until stopped, --duration or the end of the
 * stream; --list: at least one session seen), 1 (an error: a session
 * aes67src cannot play, a pipeline error), 2 (bad options), 3 (no such
 * session within --timeout; --list: none at all).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>
#include <glib-unix.h>
#include <string.h>

typedef struct
{
  GMainLoop *loop;
  GstDeviceMonitor *monitor;
  GHashTable *seen;             /* session name -> TRUE, for messages */
  const gchar *name;            /* the session to play, or NULL (list) */
  const gchar *sink_desc;
  guint duration_s;
  GstElement *pipeline;
  guint timeout_id, duration_id;
  gboolean eos_sent;
  gint status;
} App;

static gboolean
is_session (GstDevice * d)
{
  GstStructure *p = gst_device_get_properties (d);
  gboolean ours = p && g_strcmp0 (gst_structure_get_string (p,
          "device.api"), "aes67") == 0;

  if (p)
    gst_structure_free (p);
  return ours;
}

/* one line per session: name, format, address, announcer */
static void
print_session (GstDevice * d)
{
  GstStructure *p = gst_device_get_properties (d);
  gchar *name = gst_device_get_display_name (d);
  gboolean playable = FALSE;
  guint port = 0, rate = 0, channels = 0;
  const gchar *origin = gst_structure_get_string (p, "aes67.origin");

  gst_structure_get_boolean (p, "aes67.playable", &playable);
  if (playable) {
    gst_structure_get_uint (p, "aes67.port", &port);
    gst_structure_get_uint (p, "aes67.rate", &rate);
    gst_structure_get_uint (p, "aes67.channels", &channels);
    g_print ("session \"%s\": %s, %u Hz, %u ch, %s:%u, announced by %s\n",
        name, gst_structure_get_string (p, "aes67.encoding"), rate, channels,
        gst_structure_get_string (p, "aes67.address"), port,
        origin && *origin ? origin : "(unknown)");
  } else {
    g_print ("session \"%s\": not playable (%s), announced by %s\n", name,
        gst_structure_get_string (p, "aes67.reason"),
        origin && *origin ? origin : "(unknown)");
  }
  g_free (name);
  gst_structure_free (p);
}

static gboolean
on_pipeline_bus (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  App *app = user_data;
  GError *err = NULL;
  gchar *dbg = NULL;

  switch (GST_MESSAGE_TYPE (msg)) {
    case GST_MESSAGE_ERROR:
      gst_message_parse_error (msg, &err, &dbg);
      g_printerr ("aes67-monitor-play: error from %s: %s\n",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
      app->status = 1;
      g_main_loop_quit (app->loop);
      break;
    case GST_MESSAGE_WARNING:
      gst_message_parse_warning (msg, &err, &dbg);
      g_printerr ("aes67-monitor-play: warning from %s: %s\n",
          GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)), err->message);
      break;
    case GST_MESSAGE_EOS:
      g_printerr ("aes67-monitor-play: end of stream\n");
      g_main_loop_quit (app->loop);
      break;
    case GST_MESSAGE_ELEMENT:{
      const GstStructure *s = gst_message_get_structure (msg);

      if (s && (gst_structure_has_name (s, "stream-lost") ||
              gst_structure_has_name (s, "stream-restored"))) {
        gchar *t = gst_structure_to_string (s);

        g_printerr ("aes67-monitor-play: %s\n", t);
        g_free (t);
      }
      break;
    }
    default:
      break;
  }
  g_clear_error (&err);
  g_free (dbg);
  return G_SOURCE_CONTINUE;
}

/* EOS through the pipeline, so that a file sink (wavenc) completes its
 * file; the loop ends at the EOS message */
static void
stop_playing (App * app)
{
  if (app->pipeline && !app->eos_sent) {
    app->eos_sent = TRUE;
    gst_element_send_event (app->pipeline, gst_event_new_eos ());
  } else {
    g_main_loop_quit (app->loop);
  }
}

static gboolean
on_duration (gpointer user_data)
{
  App *app = user_data;

  app->duration_id = 0;
  stop_playing (app);
  return G_SOURCE_REMOVE;
}

static void
play (App * app, GstDevice * d)
{
  GstStructure *p = gst_device_get_properties (d);
  gboolean playable = FALSE;
  GstElement *src, *conv, *sink;
  GError *err = NULL;
  GstBus *bus;

  gst_structure_get_boolean (p, "aes67.playable", &playable);
  if (!playable) {
    g_printerr ("aes67-monitor-play: session \"%s\" found, but aes67src "
        "cannot play it: %s\n", app->name,
        gst_structure_get_string (p, "aes67.reason"));
    gst_structure_free (p);
    app->status = 1;
    g_main_loop_quit (app->loop);
    return;
  }
  gst_structure_free (p);

  src = gst_device_create_element (d, "src");
  conv = gst_element_factory_make ("audioconvert", NULL);
  if (app->sink_desc)
    sink = gst_parse_bin_from_description (app->sink_desc, TRUE, &err);
  else
    sink = gst_element_factory_make ("autoaudiosink", NULL);
  if (!src || !conv || !sink) {
    g_printerr ("aes67-monitor-play: cannot make %s\n", !src ? "aes67src" :
        !conv ? "audioconvert" : err ? err->message : "autoaudiosink");
    g_clear_error (&err);
    gst_clear_object (&src);
    gst_clear_object (&conv);
    gst_clear_object (&sink);
    app->status = 1;
    g_main_loop_quit (app->loop);
    return;
  }
  app->pipeline = gst_pipeline_new ("play");
  gst_bin_add_many (GST_BIN (app->pipeline), src, conv, sink, NULL);
  if (!gst_element_link_many (src, conv, sink, NULL)) {
    g_printerr ("aes67-monitor-play: cannot link the session to the sink\n");
    app->status = 1;
    g_main_loop_quit (app->loop);
    return;
  }
  bus = gst_element_get_bus (app->pipeline);
  gst_bus_add_watch (bus, on_pipeline_bus, app);
  if (gst_element_set_state (app->pipeline, GST_STATE_PLAYING) ==
      GST_STATE_CHANGE_FAILURE) {
    /* the error message on the bus says why */
    GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

    if (m) {
      on_pipeline_bus (bus, m, app);
      gst_message_unref (m);
    } else {
      g_printerr ("aes67-monitor-play: the pipeline did not start\n");
    }
    gst_object_unref (bus);
    app->status = 1;
    g_main_loop_quit (app->loop);
    return;
  }
  gst_object_unref (bus);
  g_printerr ("aes67-monitor-play: playing session \"%s\"\n", app->name);
  if (app->duration_s)
    app->duration_id = g_timeout_add_seconds (app->duration_s, on_duration,
        app);
}

static void
on_device (App * app, GstDevice * d)
{
  gchar *name;

  if (!is_session (d))
    return;
  name = gst_device_get_display_name (d);
  if (!app->name) {
    if (!g_hash_table_contains (app->seen, name))
      print_session (d);
  } else if (!app->pipeline && strcmp (name, app->name) == 0) {
    if (app->timeout_id) {
      g_source_remove (app->timeout_id);
      app->timeout_id = 0;
    }
    play (app, d);
  }
  g_hash_table_add (app->seen, name);
}

static gboolean
on_monitor_bus (GstBus * bus, GstMessage * msg, gpointer user_data)
{
  App *app = user_data;
  GstDevice *d = NULL;

  if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_DEVICE_ADDED) {
    gst_message_parse_device_added (msg, &d);
    on_device (app, d);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_DEVICE_CHANGED) {
    gst_message_parse_device_changed (msg, &d, NULL);
    on_device (app, d);
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_DEVICE_REMOVED) {
    gst_message_parse_device_removed (msg, &d);
    if (app->name && app->pipeline && is_session (d)) {
      gchar *name = gst_device_get_display_name (d);

      if (strcmp (name, app->name) == 0)
        g_printerr ("aes67-monitor-play: session \"%s\" left the network\n",
            name);
      g_free (name);
    }
  }
  gst_clear_object (&d);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  App *app = user_data;
  guint n = g_hash_table_size (app->seen);

  app->timeout_id = 0;
  if (!app->name) {
    if (n == 0)
      g_printerr ("aes67-monitor-play: no AES67 session seen\n");
    app->status = n ? 0 : 3;
  } else {
    GString *names = g_string_new (NULL);
    GHashTableIter it;
    gpointer k;

    g_hash_table_iter_init (&it, app->seen);
    while (g_hash_table_iter_next (&it, &k, NULL))
      g_string_append_printf (names, "%s\"%s\"", names->len ? ", " : "",
          (gchar *) k);
    g_printerr ("aes67-monitor-play: no session named \"%s\" seen; "
        "sessions seen: %s\n", app->name, n ? names->str : "none");
    g_string_free (names, TRUE);
    app->status = 3;
  }
  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

/* in the loop: the sessions this process's browser knows already */
static gboolean
on_start (gpointer user_data)
{
  App *app = user_data;
  GList *devs, *l;

  devs = gst_device_monitor_get_devices (app->monitor);
  for (l = devs; l; l = l->next)
    on_device (app, l->data);
  g_list_free_full (devs, gst_object_unref);
  return G_SOURCE_REMOVE;
}

static gboolean
on_signal (gpointer user_data)
{
  App *app = user_data;

  stop_playing (app);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  gboolean list = FALSE;
  gint timeout_s = 10, duration_s = 0;
  gchar *sink_desc = NULL;
  gchar **rest = NULL;
  GOptionEntry entries[] = {
    {"list", 'l', 0, G_OPTION_ARG_NONE, &list,
        "List the sessions seen within --timeout and exit", NULL},
    {"timeout", 't', 0, G_OPTION_ARG_INT, &timeout_s,
        "How long to wait for sessions, s (default 10: SAP announces "
          "every 5 s)", "S"},
    {"sink", 's', 0, G_OPTION_ARG_STRING, &sink_desc,
        "Play into this sink instead of autoaudiosink (a gst-launch-1.0 "
          "description, e.g. \"wavenc ! filesink location=out.wav\")", "DESC"},
    {"duration", 'd', 0, G_OPTION_ARG_INT, &duration_s,
        "Stop after playing this many seconds (default: until Ctrl-C)", "S"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL,
        "SESSION-NAME"},
    {NULL}
  };
  GOptionContext *ctx;
  GError *err = NULL;
  App app = { 0 };
  GstBus *bus;
  guint sigint, sigterm;

  ctx = g_option_context_new ("[SESSION-NAME] - list AES67 sessions, play "
      "one");
  g_option_context_set_summary (ctx,
      "Lists the AES67 sessions announced on the network (SAP, mDNS) with a "
      "GstDeviceMonitor, or plays the one named.");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    g_printerr ("aes67-monitor-play: %s\n", err->message);
    g_error_free (err);
    app.status = 2;
  } else if (list == (rest != NULL && rest[0] != NULL) || (rest && rest[0] &&
          rest[1]) || timeout_s <= 0 || duration_s < 0) {
    g_printerr ("aes67-monitor-play: give --list or one session name, and a "
        "positive --timeout (see --help)\n");
    app.status = 2;
  }
  g_option_context_free (ctx);
  if (app.status) {
    g_strfreev (rest);
    g_free (sink_desc);
    return app.status;
  }

  app.loop = g_main_loop_new (NULL, FALSE);
  app.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  app.name = rest ? rest[0] : NULL;
  app.sink_desc = sink_desc;
  app.duration_s = duration_s;
  app.monitor = gst_device_monitor_new ();
  /* network sources only: sound cards are not sessions */
  gst_device_monitor_add_filter (app.monitor, "Audio/Source/Network", NULL);
  bus = gst_device_monitor_get_bus (app.monitor);
  gst_bus_add_watch (bus, on_monitor_bus, &app);
  if (!gst_device_monitor_start (app.monitor)) {
    g_printerr ("aes67-monitor-play: cannot start the device monitor (is "
        "gst-aes67 installed, or GST_PLUGIN_PATH set to its build?)\n");
    app.status = 1;
  } else {
    app.timeout_id = g_timeout_add_seconds (timeout_s, on_timeout, &app);
    g_idle_add (on_start, &app);
  }
  sigint = g_unix_signal_add (SIGINT, on_signal, &app);
  sigterm = g_unix_signal_add (SIGTERM, on_signal, &app);
  if (app.status == 0)
    g_main_loop_run (app.loop);

  if (app.pipeline) {
    GstBus *pbus = gst_element_get_bus (app.pipeline);

    gst_element_set_state (app.pipeline, GST_STATE_NULL);
    gst_bus_remove_watch (pbus);
    gst_object_unref (pbus);
    gst_object_unref (app.pipeline);
  }
  if (app.timeout_id)
    g_source_remove (app.timeout_id);
  if (app.duration_id)
    g_source_remove (app.duration_id);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  gst_device_monitor_stop (app.monitor);
  gst_bus_remove_watch (bus);
  gst_object_unref (bus);
  gst_object_unref (app.monitor);
  g_hash_table_destroy (app.seen);
  g_main_loop_unref (app.loop);
  g_strfreev (rest);
  g_free (sink_desc);
  return app.status;
}
