/* gst-aes67: helpers for the tests that run the example programs
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __AES67_EXAMPLE_TEST_H__
#define __AES67_EXAMPLE_TEST_H__

#include <glib.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>

/* Waits up to @timeout_s for child @pid (started with
 * aes67_test_net_spawn) to exit and reaps it. Returns TRUE and its exit
 * status in @code (128 + signal number if a signal ended it); FALSE if it
 * is still running then (it is killed and reaped). */
static inline gboolean
example_wait (GPid pid, guint timeout_s, gint * code)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  gint status;

  for (;;) {
    pid_t r = waitpid (pid, &status, WNOHANG);

    if (r == pid) {
      *code = WIFEXITED (status) ? WEXITSTATUS (status) :
          128 + WTERMSIG (status);
      return TRUE;
    }
    if (r < 0 || g_get_monotonic_time () > end)
      break;
    g_usleep (20000);
  }
  kill (-pid, SIGKILL);
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  *code = -1;
  return FALSE;
}

/* The contents of @path ("" if it cannot be read); g_free() it. */
static inline gchar *
example_read_log (const gchar * path)
{
  gchar *s = NULL;

  if (!g_file_get_contents (path, &s, NULL, NULL))
    s = g_strdup ("");
  return s;
}

#endif /* __AES67_EXAMPLE_TEST_H__ */
