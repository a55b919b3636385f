/* gst-aes67 tests: programs started in a test host are stopped even when
 * the test fails. A failing check test leaves its forked process with
 * _exit(), so no handler runs there: each program is started under
 * `setpriv --pdeathsig TERM`, and the kernel stops it when the test process
 * ends. The atexit() handler covers a normal exit.
 */
#ifndef __SAP_TEST_SPAWN_H__
#define __SAP_TEST_SPAWN_H__

#include <stdlib.h>
#include <unistd.h>
#include "aes67-testnet.h"

#define SAP_TEST_MAX_SPAWNED 16

static GPid sap_test_spawned[SAP_TEST_MAX_SPAWNED];
/* the process that started each: a forked test process inherits the table
 * and the atexit() handler, and must not stop its parent's programs */
static pid_t sap_test_owner[SAP_TEST_MAX_SPAWNED];

static void
sap_test_stop_all (void)
{
  guint i;

  for (i = 0; i < SAP_TEST_MAX_SPAWNED; i++) {
    if (sap_test_spawned[i] > 0 && sap_test_owner[i] == getpid ()) {
      aes67_test_net_stop (sap_test_spawned[i]);
      sap_test_spawned[i] = 0;
    }
  }
}

/* aes67_test_net_spawn(), and remembered until sap_test_stop() */
static G_GNUC_UNUSED GPid
sap_test_spawn (Aes67TestNet * net, guint host, const gchar * const *argv,
    const gchar * log, GError ** error)
{
  static gboolean registered = FALSE;
  gchar *setpriv = g_find_program_in_path ("setpriv");
  GPtrArray *args = g_ptr_array_new ();
  GPid pid;
  guint i;

  if (setpriv) {
    g_ptr_array_add (args, setpriv);
    g_ptr_array_add (args, (gpointer) "--pdeathsig");
    g_ptr_array_add (args, (gpointer) "TERM");
    g_ptr_array_add (args, (gpointer) "--");
  }
  for (i = 0; argv[i]; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);
  pid = aes67_test_net_spawn (net, host, (const gchar * const *) args->pdata,
      log, error);
  g_ptr_array_free (args, TRUE);
  g_free (setpriv);

  if (!registered) {
    atexit (sap_test_stop_all);
    registered = TRUE;
  }
  for (i = 0; pid > 0 && i < SAP_TEST_MAX_SPAWNED; i++) {
    if (sap_test_spawned[i] == 0) {
      sap_test_spawned[i] = pid;
      sap_test_owner[i] = getpid ();
      break;
    }
  }
  return pid;
}

/* Stops @pid and forgets it. */
static G_GNUC_UNUSED void
sap_test_stop (GPid pid)
{
  guint i;

  for (i = 0; i < SAP_TEST_MAX_SPAWNED; i++)
    if (sap_test_spawned[i] == pid)
      sap_test_spawned[i] = 0;
  aes67_test_net_stop (pid);
}

/* Forgets @pid, already reaped by the caller. */
static G_GNUC_UNUSED void
sap_test_forget (GPid pid)
{
  guint i;

  for (i = 0; i < SAP_TEST_MAX_SPAWNED; i++)
    if (sap_test_spawned[i] == pid)
      sap_test_spawned[i] = 0;
}

#endif /* __SAP_TEST_SPAWN_H__ */
