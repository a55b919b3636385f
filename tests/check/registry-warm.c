/* gst-aes67 test support: scans the plugin registry named by the
 * environment (GST_REGISTRY_1_0, GST_PLUGIN_PATH_1_0, the loading
 * whitelist) and writes it, then exits.
 * Copyright (C) 2026 the gst-aes67 authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * scripts/test.sh --asan runs it once in each check test's environment
 * (meson test --wrapper scripts/registry-warm.sh) before the tests, with
 * leak checks off. A process that scans the registry in-process (as a
 * sanitized build must: GST_REGISTRY_FORK=no) dlopens every plugin, and
 * LeakSanitizer's walk of their dynamic TLS at exit then crashes now and
 * then ("Tracer caught signal 11", a DTLS range at a bogus address): a
 * fault of the sanitizer runtime, not a leak. With the registry in place,
 * a test loads only the plugins it uses.
 */
#include <gst/gst.h>

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_print ("registry %s: %u plugins\n", g_getenv ("GST_REGISTRY_1_0"),
      g_list_length (gst_registry_get_plugin_list (gst_registry_get ())));
  return 0;
}
