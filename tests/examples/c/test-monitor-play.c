/* gst-aes67: runs the example aes67-monitor-play between two namespaces
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Host 0 (this process) sends a stream, announced with SAP every second;
 * the example, started in host 1, lists it, plays it into a WAV file, and
 * says so when asked for a session nobody announces.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <string.h>
#include <glib/gstdio.h>
#include <gst/check/gstcheck.h>

#include "aes67-testnet.h"
#include "../example-test.h"

#define SESSION "Studio X"

static Aes67TestNet *net;
static GstElement *sender;
static gchar *tmpdir;

/* the session, announced every second, in host 0, for each test (a
 * pipeline must not outlive its test: gst-check waits for every task
 * after each) */
static void
sender_start (void)
{
  GError *err = NULL;

  sender = gst_parse_launch ("audiotestsrc is-live=true wave=sine volume=0.8 "
      "! audio/x-raw,rate=48000,channels=2 ! aes67sink address=239.69.7.1 "
      "encoding=L24 multicast-iface=eth0 session-name=\"" SESSION "\" "
      "sapannounce interval=1 multicast-iface=eth0", &err);
  g_assert_no_error (err);
  fail_unless (aes67_test_net_enter (net, 0));
  fail_unless (gst_element_set_state (sender, GST_STATE_PLAYING) !=
      GST_STATE_CHANGE_FAILURE);
  fail_unless (aes67_test_net_leave ());
}

static void
sender_stop (void)
{
  gst_element_set_state (sender, GST_STATE_NULL);
  gst_clear_object (&sender);
}

/* runs the example in host 1 with @args, while host 0 sends; returns its exit status and its
 * output (stdout and stderr) in @out */
static gint
run_example (const gchar * const *args, guint limit_s, gchar ** out)
{
  GPtrArray *argv = g_ptr_array_new ();
  gchar *log = g_build_filename (tmpdir, "example.log", NULL);
  GError *err = NULL;
  GPid pid;
  gint code;
  gboolean exited;

  g_unlink (log);
  sender_start ();
  g_ptr_array_add (argv, (gpointer) AES67_MONITOR_PLAY);
  for (; *args; args++)
    g_ptr_array_add (argv, (gpointer) * args);
  g_ptr_array_add (argv, NULL);
  pid = aes67_test_net_spawn (net, 1, (const gchar * const *) argv->pdata,
      log, &err);
  fail_unless (pid > 0, "cannot start %s: %s", AES67_MONITOR_PLAY,
      err ? err->message : "?");
  exited = example_wait (pid, limit_s, &code);
  sender_stop ();
  *out = example_read_log (log);
  fail_unless (exited, "aes67-monitor-play still running after %u s:\n%s",
      limit_s, *out);
  g_print ("--- aes67-monitor-play exited %d:\n%s", code, *out);
  g_ptr_array_free (argv, TRUE);
  g_free (log);
  return code;
}

GST_START_TEST (test_list)
{
  const gchar *args[] = { "--list", "--timeout", "4", NULL };
  gchar *out, *want;
  gint code = run_example (args, 60, &out);

  fail_unless_equals_int (code, 0);
  want = g_strdup_printf ("session \"" SESSION "\": L24, 48000 Hz, 2 ch, "
      "239.69.7.1:5004, announced by %s\n", net->hosts[0].addr);
  fail_unless (strstr (out, want) != NULL, "no line '%s' in:\n%s", want, out);
  g_free (want);
  g_free (out);
}

GST_END_TEST;

/* RIFF WAVE: the format and the data chunk, with the sizes checked */
static void
read_wav (const gchar * path, guint * channels, guint * rate, guint * bits,
    const guint8 ** data, gsize * size, gchar ** contents)
{
  gsize len, pos = 12;
  guint8 *d;

  fail_unless (g_file_get_contents (path, contents, &len, NULL),
      "%s was not written", path);
  d = (guint8 *) * contents;
  fail_unless (len > 44 && memcmp (d, "RIFF", 4) == 0 &&
      memcmp (d + 8, "WAVE", 4) == 0, "%s is not a WAV file", path);
  fail_unless_equals_int (GST_READ_UINT32_LE (d + 4), len - 8);
  *data = NULL;
  *channels = 0;
  while (pos + 8 <= len) {
    guint32 csize = GST_READ_UINT32_LE (d + pos + 4);

    if (memcmp (d + pos, "fmt ", 4) == 0 && pos + 24 <= len) {
      *channels = GST_READ_UINT16_LE (d + pos + 10);
      *rate = GST_READ_UINT32_LE (d + pos + 12);
      *bits = GST_READ_UINT16_LE (d + pos + 22);
    } else if (memcmp (d + pos, "data", 4) == 0) {
      *data = d + pos + 8;
      *size = csize;
      fail_unless (pos + 8 + csize == len, "data chunk of %u bytes, %"
          G_GSIZE_FORMAT " follow", csize, len - pos - 8);
      break;
    }
    pos += 8 + csize + (csize & 1);
  }
  fail_unless (*channels && *data, "%s has no fmt or data chunk", path);
}

/* plays the session into a WAV file for 3 s: the file holds stereo
 * 48 kHz audio, not silence (audiotestsrc's sine, peak 0.8) */
GST_START_TEST (test_play_into_sink)
{
  gchar *wav = g_build_filename (tmpdir, "out.wav", NULL);
  gchar *sink = g_strdup_printf ("wavenc ! filesink location=%s", wav);
  const gchar *args[] = { "--sink", sink, "--duration", "3", "--timeout",
    "15", SESSION, NULL
  };
  gchar *out, *contents;
  const guint8 *data;
  gsize size, i, frames;
  guint channels = 0, rate = 0, bits = 0, bytes;
  gdouble peak = 0;
  gint code = run_example (args, 90, &out);

  fail_unless_equals_int (code, 0);
  fail_unless (strstr (out, "playing session \"" SESSION "\"") != NULL);
  read_wav (wav, &channels, &rate, &bits, &data, &size, &contents);
  fail_unless_equals_int (channels, 2);
  fail_unless_equals_int (rate, 48000);
  fail_unless (bits == 16 || bits == 24 || bits == 32, "%u bits", bits);
  bytes = bits / 8;
  frames = size / (channels * bytes);
  /* 3 s were asked; playing starts with the pipeline, the stream's
   * first packet follows a little later */
  fail_unless (frames >= 48000 * 2 && frames <= 48000 * 4,
      "%" G_GSIZE_FORMAT " frames", frames);
  for (i = 0; i + bytes <= size; i += bytes) {
    gint32 v = bytes == 2 ? (gint16) GST_READ_UINT16_LE (data + i) :
        bytes == 3 ? ((gint32) (GST_READ_UINT24_LE (data + i) << 8)) >> 8 :
        (gint32) GST_READ_UINT32_LE (data + i);
    gdouble a = ABS ((gdouble) v) / (gdouble) (1u << (bits - 1));

    peak = MAX (peak, a);
  }
  fail_unless (peak > 0.7 && peak <= 0.81, "peak %.3f, the sine's is 0.8",
      peak);
  g_free (contents);
  g_free (out);
  g_free (sink);
  g_free (wav);
}

GST_END_TEST;

GST_START_TEST (test_not_found)
{
  const gchar *args[] = { "--timeout", "4", "No Such Session", NULL };
  gchar *out;
  gint code = run_example (args, 60, &out);

  fail_unless_equals_int (code, 3);
  fail_unless (strstr (out, "no session named \"No Such Session\" seen; "
          "sessions seen: ") != NULL, "%s", out);
  g_free (out);
}

GST_END_TEST;

GST_START_TEST (test_usage)
{
  const gchar *none[] = { NULL };
  const gchar *both[] = { "--list", SESSION, NULL };
  gchar *out;

  fail_unless_equals_int (run_example (none, 30, &out), 2);
  fail_unless (strstr (out, "give --list or one session name") != NULL);
  g_free (out);
  fail_unless_equals_int (run_example (both, 30, &out), 2);
  g_free (out);
}

GST_END_TEST;

static Suite *
monitor_play_suite (void)
{
  Suite *s = suite_create ("aes67-monitor-play");
  TCase *tc = tcase_create ("example");

  suite_add_tcase (s, tc);
  tcase_set_timeout (tc, 150);
  tcase_add_test (tc, test_list);
  tcase_add_test (tc, test_play_into_sink);
  tcase_add_test (tc, test_not_found);
  tcase_add_test (tc, test_usage);
  return s;
}

int
main (int argc, char **argv)
{
  int ret;
  GError *err = NULL;

  gst_check_init (&argc, &argv);
  net = aes67_test_net_new_or_skip ("mp", 2,
      "the aes67-monitor-play example between network namespaces");
  /* no forking: the sender runs in this process for every test */
  g_setenv ("CK_FORK", "no", TRUE);
  tmpdir = g_dir_make_tmp ("aes67-monitor-play-XXXXXX", &err);
  g_assert_no_error (err);

  ret = gst_check_run_suite (monitor_play_suite (), "aes67-monitor-play",
      __FILE__);

  aes67_test_net_free (net);
  {
    gchar *cmd = g_strdup_printf ("rm -rf %s", tmpdir);

    g_spawn_command_line_sync (cmd, NULL, NULL, NULL, NULL);
    g_free (cmd);
  }
  g_free (tmpdir);
  return ret;
}
