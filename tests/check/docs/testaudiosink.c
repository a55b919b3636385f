/* gst-aes67 tests: an audio sink that notes what it played
 *
 * The examples in README.md and docs/ end in autoaudiosink. The machines
 * the tests run on have no sound card, so tests/check/docs/examples.py
 * gives autoaudiosink this sink instead: it is registered with rank NONE
 * (autoaudiosink never picks it by itself, so a user's GST_PLUGIN_PATH
 * pointing at the build is not affected), and the test raises it with
 * GST_PLUGIN_FEATURE_RANK=aes67testaudiosink:MAX.
 *
 * It takes interleaved S16LE audio, plays it on the clock like any audio
 * sink (sync=true), and when it stops appends one line to the file named
 * by the environment variable AES67_TEST_AUDIO_LOG:
 *   "<element name> rate=<Hz> channels=<n> frames=<n> peak=<0..1>"
 * where peak is the largest absolute sample over 32768.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdio.h>
#include <gst/gst.h>
#include <gst/base/gstbasesink.h>
#include <gst/audio/audio.h>

#define GST_TYPE_AES67_TEST_AUDIO_SINK (gst_aes67_test_audio_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstAes67TestAudioSink, gst_aes67_test_audio_sink,
    GST, AES67_TEST_AUDIO_SINK, GstBaseSink);

struct _GstAes67TestAudioSink
{
  GstBaseSink parent;

  /* streaming thread only, read in stop() */
  gint rate, channels;
  guint64 frames;
  gint peak;
};

G_DEFINE_TYPE (GstAes67TestAudioSink, gst_aes67_test_audio_sink,
    GST_TYPE_BASE_SINK);

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("audio/x-raw, format=S16LE, layout=interleaved, "
        "rate=[1, MAX], channels=[1, 64]"));

static gboolean
test_sink_set_caps (GstBaseSink * bsink, GstCaps * caps)
{
  GstAes67TestAudioSink *self = GST_AES67_TEST_AUDIO_SINK (bsink);
  GstAudioInfo info;

  if (!gst_audio_info_from_caps (&info, caps))
    return FALSE;
  self->rate = GST_AUDIO_INFO_RATE (&info);
  self->channels = GST_AUDIO_INFO_CHANNELS (&info);
  return TRUE;
}

static GstFlowReturn
test_sink_render (GstBaseSink * bsink, GstBuffer * buf)
{
  GstAes67TestAudioSink *self = GST_AES67_TEST_AUDIO_SINK (bsink);
  GstMapInfo map;
  gsize i, n;

  if (!gst_buffer_map (buf, &map, GST_MAP_READ))
    return GST_FLOW_ERROR;
  n = map.size / 2;
  for (i = 0; i < n; i++) {
    gint v = ABS ((gint) (gint16) GST_READ_UINT16_LE (map.data + 2 * i));
    if (v > self->peak)
      self->peak = v;
  }
  if (self->channels > 0)
    self->frames += n / self->channels;
  gst_buffer_unmap (buf, &map);
  return GST_FLOW_OK;
}

static gboolean
test_sink_stop (GstBaseSink * bsink)
{
  GstAes67TestAudioSink *self = GST_AES67_TEST_AUDIO_SINK (bsink);
  const gchar *path = g_getenv ("AES67_TEST_AUDIO_LOG");
  FILE *f;

  if (path && (f = fopen (path, "a"))) {
    fprintf (f, "%s rate=%d channels=%d frames=%" G_GUINT64_FORMAT
        " peak=%.4f\n", GST_OBJECT_NAME (self), self->rate, self->channels,
        self->frames, self->peak / 32768.0);
    fclose (f);
  }
  self->frames = 0;
  self->peak = 0;
  return TRUE;
}

static void
gst_aes67_test_audio_sink_class_init (GstAes67TestAudioSinkClass * klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *bsink_class = GST_BASE_SINK_CLASS (klass);

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_set_static_metadata (element_class,
      "AES67 test audio sink", "Sink/Audio",
      "Notes what it played (tests of the documentation's examples)",
      "gst-aes67");
  bsink_class->set_caps = test_sink_set_caps;
  bsink_class->render = test_sink_render;
  bsink_class->stop = test_sink_stop;
}

static void
gst_aes67_test_audio_sink_init (GstAes67TestAudioSink * self)
{
  gst_base_sink_set_sync (GST_BASE_SINK (self), TRUE);
}

static gboolean
plugin_init (GstPlugin * plugin)
{
  return gst_element_register (plugin, "aes67testaudiosink", GST_RANK_NONE,
      GST_TYPE_AES67_TEST_AUDIO_SINK);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, aes67testaudiosink,
    "An audio sink for the tests of the documentation's examples",
    plugin_init, VERSION, "LGPL", "gst-aes67-tests",
    "https://github.com/gst-aes67/gst-aes67")
