/* gst-aes67 test helpers: real ptp4l (linuxptp) processes in test hosts
 * See aes67-ptp4l.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-ptp4l.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

/* ptp4l's configuration: the AES67 media profile's sync rate, announces
 * every second so a grandmaster is elected in ~4 s */
#define PTP4L_COMMON                            \
  "[global]\n"                                  \
  "domainNumber %u\n"                           \
  "logSyncInterval -3\n"                        \
  "logAnnounceInterval 0\n"                     \
  "announceReceiptTimeout 3\n"                  \
  "uds_address %s\n"

gchar *
aes67_ptp4l_dir_new (const gchar * tag)
{
  gchar *tmpl = g_strdup_printf ("aes67-%s-XXXXXX", tag);
  gchar *dir = g_dir_make_tmp (tmpl, NULL);

  g_free (tmpl);
  return dir;
}

void
aes67_ptp4l_dir_free (gchar * dir)
{
  gchar *cmd;

  if (!dir)
    return;
  aes67_ptp4l_kill_leftovers (dir);
  cmd = g_strdup_printf ("rm -rf %s", dir);
  if (system (cmd) != 0)
    g_printerr ("could not remove %s\n", dir);
  g_free (cmd);
  g_free (dir);
}

gboolean
aes67_ptp4l_check (gchar ** reason)
{
  static const gchar *tools[] = { "ptp4l", "pmc", "setpriv" };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (tools); i++) {
    gchar *p = g_find_program_in_path (tools[i]);
    if (!p) {
      *reason = g_strdup_printf ("%s is not installed (linuxptp, util-linux)",
          tools[i]);
      return FALSE;
    }
    g_free (p);
  }
  return TRUE;
}

static void
note_pid (const gchar * dir, gchar sign, GPid pid)
{
  gchar *path = g_build_filename (dir, "pids", NULL);
  FILE *f = fopen (path, "a");

  if (f) {
    fprintf (f, "%c%d\n", sign, (gint) pid);
    fclose (f);
  }
  g_free (path);
}

GPid
aes67_ptp4l_start (Aes67TestNet * net, const gchar * dir, guint host,
    const gchar * name, guint domain, const gchar * extra)
{
  gchar *cfg_path, *sock, *log_path, *text, *file;
  const gchar *argv[12];
  GError *err = NULL;
  GPid pid;
  gint i = 0;

  file = g_strdup_printf ("%s.sock", name);
  sock = g_build_filename (dir, file, NULL);
  g_free (file);
  file = g_strdup_printf ("%s.cfg", name);
  cfg_path = g_build_filename (dir, file, NULL);
  g_free (file);
  file = g_strdup_printf ("%s.log", name);
  log_path = g_build_filename (dir, file, NULL);
  g_free (file);
  text = g_strdup_printf (PTP4L_COMMON "%s", domain, sock, extra);
  if (!g_file_set_contents (cfg_path, text, -1, NULL))
    g_error ("cannot write %s", cfg_path);

  argv[i++] = "setpriv";
  argv[i++] = "--pdeathsig";
  argv[i++] = "KILL";
  argv[i++] = "ptp4l";
  argv[i++] = "-S";
  argv[i++] = "-m";
  argv[i++] = "-i";
  argv[i++] = "eth0";
  argv[i++] = "-f";
  argv[i++] = cfg_path;
  argv[i++] = NULL;
  pid = aes67_test_net_spawn (net, host, argv, log_path, &err);
  if (!pid)
    g_error ("cannot start ptp4l: %s", err ? err->message : "?");
  note_pid (dir, '+', pid);
  g_free (sock);
  g_free (cfg_path);
  g_free (log_path);
  g_free (text);
  return pid;
}

void
aes67_ptp4l_stop (const gchar * dir, GPid * pid)
{
  if (*pid) {
    aes67_test_net_stop (*pid);
    note_pid (dir, '-', *pid);
    *pid = 0;
  }
}

void
aes67_ptp4l_kill_leftovers (const gchar * dir)
{
  gchar *path = g_build_filename (dir, "pids", NULL), *text = NULL;
  gchar **lines;
  GHashTable *live = g_hash_table_new (NULL, NULL);
  GHashTableIter it;
  gpointer key;
  guint i;

  if (g_file_get_contents (path, &text, NULL, NULL)) {
    lines = g_strsplit (text, "\n", -1);
    for (i = 0; lines[i]; i++) {
      gint pid = atoi (lines[i] + (lines[i][0] ? 1 : 0));
      if (lines[i][0] == '+')
        g_hash_table_add (live, GINT_TO_POINTER (pid));
      else if (lines[i][0] == '-')
        g_hash_table_remove (live, GINT_TO_POINTER (pid));
    }
    g_strfreev (lines);
  }
  g_hash_table_iter_init (&it, live);
  while (g_hash_table_iter_next (&it, &key, NULL)) {
    gint pid = GPOINTER_TO_INT (key);
    gchar *cmdpath = g_strdup_printf ("/proc/%d/cmdline", pid), *cmd = NULL;
    gsize len = 0;

    /* only what is still a ptp4l: the pid may have been reused */
    if (pid > 0 && g_file_get_contents (cmdpath, &cmd, &len, NULL)
        && len > 0 && strstr (cmd, "ptp4l")) {
      g_printerr ("killing leftover ptp4l %d\n", pid);
      kill (-pid, SIGKILL);
      kill (pid, SIGKILL);
    }
    g_free (cmd);
    g_free (cmdpath);
  }
  g_hash_table_destroy (live);
  g_free (text);
  g_free (path);
}

gchar *
aes67_ptp4l_pmc (const gchar * dir, const gchar * sock_name, guint domain,
    const gchar * cmd)
{
  gchar *sock = g_build_filename (dir, sock_name, NULL), *client, *line;
  gchar *out = NULL;
  static gint n = 0;

  client = g_strdup_printf ("%s/pmc-%d-%d.sock", dir, (gint) getpid (),
      g_atomic_int_add (&n, 1));
  line = g_strdup_printf ("pmc -u -b 0 -d %u -s %s -i %s '%s'", domain, sock,
      client, cmd);
  if (!g_spawn_command_line_sync (line, &out, NULL, NULL, NULL))
    out = NULL;
  g_unlink (client);
  g_free (sock);
  g_free (client);
  g_free (line);
  return out;
}

gchar *
aes67_ptp4l_clock_eui64 (const gchar * dir, const gchar * sock_name,
    guint domain)
{
  gchar *out = NULL, *p, *ret = NULL;
  gint tries;

  /* pmc prints clockIdentity as "c28d73.fffe.338de4" */
  for (tries = 0; tries < 20 && !ret; tries++) {
    out = aes67_ptp4l_pmc (dir, sock_name, domain, "GET DEFAULT_DATA_SET");
    if (out && (p = strstr (out, "clockIdentity"))) {
      guint b[8];
      p += strlen ("clockIdentity");
      while (*p == ' ' || *p == '\t')
        p++;
      if (sscanf (p, "%2x%2x%2x.%2x%2x.%2x%2x%2x", &b[0], &b[1], &b[2], &b[3],
              &b[4], &b[5], &b[6], &b[7]) == 8)
        ret = g_strdup_printf ("%02X-%02X-%02X-%02X-%02X-%02X-%02X-%02X",
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
    }
    g_free (out);
    if (!ret)
      g_usleep (100000);
  }
  return ret;
}

struct _Aes67Ptp4lNudger
{
  gchar *dir;
  guint domain;
  gchar **socks;
  gint stop;
  GThread *thread;
};

static gpointer
nudger_thread (gpointer data)
{
  Aes67Ptp4lNudger *n = data;
  guint i;

  while (!g_atomic_int_get (&n->stop)) {
    for (i = 0; n->socks[i]; i++) {
      gchar *out = aes67_ptp4l_pmc (n->dir, n->socks[i], n->domain,
          "GET PORT_DATA_SET");
      if (out && strstr (out, "UNCALIBRATED")) {
        g_free (out);
        out = aes67_ptp4l_pmc (n->dir, n->socks[i], n->domain,
            "SET SYNCHRONIZATION_UNCERTAIN_NP 0");
      }
      g_free (out);
    }
    g_usleep (250000);
  }
  return NULL;
}

Aes67Ptp4lNudger *
aes67_ptp4l_nudger_start (const gchar * dir, const gchar * const *sock_names,
    guint domain)
{
  Aes67Ptp4lNudger *n = g_new0 (Aes67Ptp4lNudger, 1);

  n->domain = domain;
  n->dir = g_strdup (dir);
  n->socks = g_strdupv ((gchar **) sock_names);
  n->thread = g_thread_new ("ptp4l-nudger", nudger_thread, n);
  return n;
}

void
aes67_ptp4l_nudger_stop (Aes67Ptp4lNudger * n)
{
  if (!n)
    return;
  g_atomic_int_set (&n->stop, 1);
  g_thread_join (n->thread);
  g_free (n->dir);
  g_strfreev (n->socks);
  g_free (n);
}
