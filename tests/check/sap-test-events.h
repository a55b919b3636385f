/* gst-aes67 tests: a GstAes67SapBrowser's signals as a queue of events
 * ("added", "changed", "removed", with the session, the removal reason and
 * the monotonic time), and its statistics one field at a time. Shared by
 * the SAP, sapannounce and PipeWire tests.
 */
#ifndef __SAP_TEST_EVENTS_H__
#define __SAP_TEST_EVENTS_H__

#include <gst/check/gstcheck.h>
#include "aes67-sap-browser.h"

typedef struct
{
  gchar *what;                  /* "added", "changed", "removed" */
  GstAes67SapSession *session;
  guint reason;                 /* "removed": GstAes67SapRemoveReason */
  gint64 when;                  /* monotonic, µs */
} Ev;

static inline void
ev_free (Ev * ev)
{
  g_free (ev->what);
  gst_aes67_sap_session_unref (ev->session);
  g_free (ev);
}

static inline void
ev_push (GAsyncQueue * q, const gchar * what, GstAes67SapSession * s,
    guint reason)
{
  Ev *ev = g_new0 (Ev, 1);

  ev->what = g_strdup (what);
  ev->session = gst_aes67_sap_session_ref (s);
  ev->reason = reason;
  ev->when = g_get_monotonic_time ();
  g_async_queue_push (q, ev);
}

static inline void
ev_on_added (GstAes67SapBrowser * b, GstAes67SapSession * s, GAsyncQueue * q)
{
  ev_push (q, "added", s, 0);
}

static inline void
ev_on_changed (GstAes67SapBrowser * b, GstAes67SapSession * s,
    GAsyncQueue * q)
{
  ev_push (q, "changed", s, 0);
}

static inline void
ev_on_removed (GstAes67SapBrowser * b, GstAes67SapSession * s, guint reason,
    GAsyncQueue * q)
{
  ev_push (q, "removed", s, reason);
}

/* Queues @b's session-added, -changed and -removed on @q (of Ev, freed
 * with ev_free) */
static inline void
ev_connect (GstAes67SapBrowser * b, GAsyncQueue * q)
{
  g_signal_connect (b, "session-added", G_CALLBACK (ev_on_added), q);
  g_signal_connect (b, "session-changed", G_CALLBACK (ev_on_changed), q);
  g_signal_connect (b, "session-removed", G_CALLBACK (ev_on_removed), q);
}

/* The next event, which must be @what, within 3 s */
static inline Ev *
ev_wait (GAsyncQueue * q, const gchar * what)
{
  Ev *ev = g_async_queue_timeout_pop (q, 10 * G_TIME_SPAN_SECOND);

  fail_unless (ev != NULL, "no '%s' event within 10 s", what);
  fail_unless_equals_string (ev->what, what);
  return ev;
}

/* One counter of gst_aes67_sap_browser_get_stats() (guint64 or guint) */
static inline guint64
browser_stat (GstAes67SapBrowser * b, const gchar * field)
{
  GstStructure *st = gst_aes67_sap_browser_get_stats (b);
  guint64 v = 0;
  guint u = 0;

  if (!gst_structure_get_uint64 (st, field, &v)) {
    fail_unless (gst_structure_get_uint (st, field, &u), "no stat %s", field);
    v = u;
  }
  gst_structure_free (st);
  return v;
}

#endif /* __SAP_TEST_EVENTS_H__ */
