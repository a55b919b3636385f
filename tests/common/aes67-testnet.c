/* gst-aes67 test helpers: network namespaces joined by veth pairs
 * See aes67-testnet.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "aes67-testnet.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static gint orig_ns_fd = -1;

static void
ensure_orig_ns (void)
{
  if (orig_ns_fd < 0)
    orig_ns_fd = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
}

static gboolean
run_cmd (const gchar * cmdline, gchar ** out, GError ** error)
{
  gchar *std_out = NULL, *std_err = NULL;
  gint status = 0;
  gboolean ok;

  ok = g_spawn_command_line_sync (cmdline, &std_out, &std_err, &status, error);
  if (ok && !g_spawn_check_wait_status (status, NULL)) {
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
        "'%s' failed: %s", cmdline, std_err ? g_strstrip (std_err) : "");
    ok = FALSE;
  }
  if (out)
    *out = std_out;
  else
    g_free (std_out);
  g_free (std_err);
  return ok;
}

gboolean
aes67_test_net_check (gchar ** reason)
{
  gchar *ip, *name;
  GError *err = NULL;
  gchar *cmd;
  gboolean ok;

  if (geteuid () != 0) {
    *reason = g_strdup ("not root: network namespaces need CAP_SYS_ADMIN "
        "and CAP_NET_ADMIN (CI runs as root)");
    return FALSE;
  }
  ip = g_find_program_in_path ("ip");
  if (!ip) {
    *reason = g_strdup ("the 'ip' tool (iproute2) is not installed");
    return FALSE;
  }
  g_free (ip);
  name = g_strdup_printf ("a67chk%d", (gint) getpid ());
  cmd = g_strdup_printf ("ip netns add %s", name);
  ok = run_cmd (cmd, NULL, &err);
  g_free (cmd);
  if (!ok) {
    *reason = g_strdup_printf ("cannot make a network namespace: %s",
        err->message);
    g_clear_error (&err);
  } else {
    cmd = g_strdup_printf ("ip netns del %s", name);
    run_cmd (cmd, NULL, NULL);
    g_free (cmd);
  }
  g_free (name);
  return ok;
}

#define RUN(...) G_STMT_START {                                 \
    gchar *c_ = g_strdup_printf (__VA_ARGS__);                  \
    gboolean ok_ = run_cmd (c_, NULL, error);                   \
    g_free (c_);                                                \
    if (!ok_) goto fail;                                        \
  } G_STMT_END

/* Deletes the namespaces "a67-TAG-PID-..." of test processes that are gone
 * (a run killed before its clean-up): they would pile up on a developer's
 * machine and keep their sockets and veth pairs. */
static void
sweep_stale (void)
{
  GDir *dir = g_dir_open ("/run/netns", 0, NULL);
  const gchar *name;

  if (!dir)
    return;
  while ((name = g_dir_read_name (dir))) {
    gchar **parts;
    gint64 pid;

    if (!g_str_has_prefix (name, "a67-"))
      continue;
    parts = g_strsplit (name, "-", 4);
    if (g_strv_length (parts) == 4
        && g_ascii_string_to_signed (parts[2], 10, 1, G_MAXINT, &pid, NULL)
        && kill ((pid_t) pid, 0) < 0 && errno == ESRCH) {
      gchar *cmd = g_strdup_printf ("ip netns del %s", name);
      g_printerr ("deleting network namespace %s of a test that is gone\n",
          name);
      run_cmd (cmd, NULL, NULL);
      g_free (cmd);
    }
    g_strfreev (parts);
  }
  g_dir_close (dir);
}

Aes67TestNet *
aes67_test_net_new (const gchar * tag, guint n_hosts, GError ** error)
{
  Aes67TestNet *net;
  guint i;
  gint pid = (gint) getpid ();

  g_return_val_if_fail (n_hosts >= 2 && n_hosts <= AES67_TEST_NET_MAX_HOSTS,
      NULL);
  ensure_orig_ns ();
  sweep_stale ();

  net = g_new0 (Aes67TestNet, 1);
  net->n_hosts = n_hosts;
  /* a hidden switch namespace with a bridge; every host hangs off it */
  net->bridge_ns = g_strdup_printf ("a67-%s-%d-sw", tag, pid);
  RUN ("ip netns add %s", net->bridge_ns);
  RUN ("ip -n %s link add br0 type bridge", net->bridge_ns);
  /* no multicast snooping: a bridge without a querier would drop groups */
  RUN ("ip -n %s link set br0 type bridge mcast_snooping 0", net->bridge_ns);
  RUN ("ip -n %s link set br0 up", net->bridge_ns);

  for (i = 0; i < n_hosts; i++) {
    Aes67TestHost *h = &net->hosts[i];

    h->name = g_strdup_printf ("a67-%s-%d-h%u", tag, pid, i);
    h->ifname = g_strdup ("eth0");
    h->addr = g_strdup_printf ("198.51.100.%u", i + 1);
    RUN ("ip netns add %s", h->name);
    RUN ("ip -n %s link add eth0 type veth peer name p%u netns %s",
        h->name, i, net->bridge_ns);
    RUN ("ip -n %s link set p%u master br0", net->bridge_ns, i);
    RUN ("ip -n %s link set p%u up", net->bridge_ns, i);
    RUN ("ip -n %s link set lo up", h->name);
    RUN ("ip -n %s addr add %s/24 dev eth0", h->name, h->addr);
    RUN ("ip -n %s link set eth0 up", h->name);
    RUN ("ip -n %s route add 224.0.0.0/4 dev eth0", h->name);
  }
  /* wait for the links to leave the bridge's listening state */
  for (i = 0; i < 50; i++) {
    gchar *cmd = g_strdup_printf ("ip -n %s -br link show type veth",
        net->bridge_ns);
    gchar *out = NULL;
    gboolean ok = run_cmd (cmd, &out, NULL);
    gboolean all_up = ok && out && !strstr (out, "DOWN")
        && !strstr (out, "LOWERLAYERDOWN");
    g_free (cmd);
    g_free (out);
    if (all_up)
      break;
    g_usleep (20000);
  }
  return net;

fail:
  aes67_test_net_free (net);
  return NULL;
}

Aes67TestNet *
aes67_test_net_new_or_skip (const gchar * tag, guint n_hosts,
    const gchar * what)
{
  gchar *why = NULL;
  GError *err = NULL;
  Aes67TestNet *net;

  if (!aes67_test_net_check (&why)) {
    g_print ("SKIP: %s: %s\n", what, why);
    g_free (why);
    exit (77);
  }
  net = aes67_test_net_new (tag, n_hosts, &err);
  if (!net) {
    g_print ("SKIP: %s: could not build the test network: %s\n", what,
        err->message);
    g_clear_error (&err);
    exit (77);
  }
  return net;
}

void
aes67_test_net_free (Aes67TestNet * net)
{
  guint i;

  if (!net)
    return;
  for (i = 0; i < AES67_TEST_NET_MAX_HOSTS; i++) {
    Aes67TestHost *h = &net->hosts[i];
    if (h->name) {
      gchar *c = g_strdup_printf ("ip netns del %s", h->name);
      run_cmd (c, NULL, NULL);
      g_free (c);
    }
    g_free (h->name);
    g_free (h->ifname);
    g_free (h->addr);
    g_free (h->ifname2);
    g_free (h->addr2);
  }
  if (net->bridge_ns) {
    gchar *c = g_strdup_printf ("ip netns del %s", net->bridge_ns);
    run_cmd (c, NULL, NULL);
    g_free (c);
  }
  g_free (net->bridge_ns);
  g_free (net);
}

gboolean
aes67_test_net_enter (Aes67TestNet * net, guint i)
{
  gchar *path;
  gint fd;

  g_return_val_if_fail (net && i < net->n_hosts, FALSE);
  ensure_orig_ns ();
  path = g_strdup_printf ("/var/run/netns/%s", net->hosts[i].name);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  g_free (path);
  if (fd < 0 || setns (fd, CLONE_NEWNET) < 0) {
    g_warning ("cannot enter namespace %s: %s", net->hosts[i].name,
        g_strerror (errno));
    if (fd >= 0)
      close (fd);
    return FALSE;
  }
  close (fd);
  return TRUE;
}

gboolean
aes67_test_net_leave (void)
{
  ensure_orig_ns ();
  if (orig_ns_fd < 0 || setns (orig_ns_fd, CLONE_NEWNET) < 0) {
    g_warning ("cannot return to the starting namespace: %s",
        g_strerror (errno));
    return FALSE;
  }
  return TRUE;
}

gboolean
aes67_test_net_run (Aes67TestNet * net, gint i, const gchar * cmdline,
    gchar ** out, GError ** error)
{
  gchar *full;
  gboolean ok;

  if (i < 0)
    return run_cmd (cmdline, out, error);
  g_return_val_if_fail (net && (guint) i < net->n_hosts, FALSE);
  full = g_strdup_printf ("ip netns exec %s %s", net->hosts[i].name, cmdline);
  ok = run_cmd (full, out, error);
  g_free (full);
  return ok;
}

typedef struct
{
  const gchar *ns_path;
  const gchar *log_path;
} ChildSetup;

static void
child_setup (gpointer data)
{
  ChildSetup *cs = data;
  gint fd;

  fd = open (cs->ns_path, O_RDONLY);
  if (fd >= 0) {
    if (setns (fd, CLONE_NEWNET) < 0)
      _exit (126);
    close (fd);
  }
  if (cs->log_path) {
    fd = open (cs->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2 (fd, 1);
      dup2 (fd, 2);
      close (fd);
    }
  }
  /* own process group, so a stop reaches its children too */
  setpgid (0, 0);
}

GPid
aes67_test_net_spawn (Aes67TestNet * net, guint i, const gchar * const *argv,
    const gchar * log_path, GError ** error)
{
  ChildSetup cs;
  gchar *ns_path;
  GPid pid = 0;
  GSpawnFlags flags = G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH;

  g_return_val_if_fail (net && i < net->n_hosts, 0);
  ns_path = g_strdup_printf ("/var/run/netns/%s", net->hosts[i].name);
  cs.ns_path = ns_path;
  cs.log_path = log_path;
  if (!log_path)
    flags |= G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL;
  if (!g_spawn_async (NULL, (gchar **) argv, NULL, flags, child_setup, &cs,
          &pid, error))
    pid = 0;
  g_free (ns_path);
  return pid;
}

void
aes67_test_net_stop (GPid pid)
{
  gint i, status;

  if (pid <= 0)
    return;
  kill (-pid, SIGTERM);
  kill (pid, SIGTERM);
  for (i = 0; i < 200; i++) {
    if (waitpid (pid, &status, WNOHANG) == pid)
      return;
    g_usleep (10000);
  }
  kill (-pid, SIGKILL);
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
}

gboolean
aes67_test_net_netem (Aes67TestNet * net, guint i, const gchar * spec)
{
  gchar *cmd;
  gboolean ok;

  g_return_val_if_fail (net && i < net->n_hosts, FALSE);
  if (spec)
    cmd = g_strdup_printf ("ip netns exec %s tc qdisc replace dev eth0 root "
        "netem %s", net->hosts[i].name, spec);
  else
    cmd = g_strdup_printf ("ip netns exec %s tc qdisc del dev eth0 root",
        net->hosts[i].name);
  ok = run_cmd (cmd, NULL, NULL);
  g_free (cmd);
  return ok;
}

gboolean
aes67_test_net_drop (Aes67TestNet * net, guint i, guint udp_port, guint every_n)
{
  gchar *cmd;
  gboolean ok;

  g_return_val_if_fail (net && i < net->n_hosts, FALSE);
  if (every_n == 0) {
    cmd = g_strdup_printf ("ip netns exec %s nft delete table ip a67loss",
        net->hosts[i].name);
  } else {
    cmd = g_strdup_printf ("ip netns exec %s nft 'add table ip a67loss; "
        "add chain ip a67loss in { type filter hook prerouting priority -300; "
        "}; add rule ip a67loss in udp dport %u numgen inc mod %u 0 drop'",
        net->hosts[i].name, udp_port, every_n);
  }
  ok = run_cmd (cmd, NULL, NULL);
  g_free (cmd);
  return ok;
}

gboolean
aes67_test_net_add_network (Aes67TestNet * net, GError ** error)
{
  guint i;

  g_return_val_if_fail (net != NULL, FALSE);
  /* a second bridge in the switch namespace: its own broadcast domain */
  RUN ("ip -n %s link add br1 type bridge", net->bridge_ns);
  RUN ("ip -n %s link set br1 type bridge mcast_snooping 0", net->bridge_ns);
  RUN ("ip -n %s link set br1 up", net->bridge_ns);
  for (i = 0; i < net->n_hosts; i++) {
    Aes67TestHost *h = &net->hosts[i];

    RUN ("ip -n %s link add eth1 type veth peer name q%u netns %s",
        h->name, i, net->bridge_ns);
    RUN ("ip -n %s link set q%u master br1", net->bridge_ns, i);
    RUN ("ip -n %s link set q%u up", net->bridge_ns, i);
    RUN ("ip -n %s addr add 203.0.113.%u/24 dev eth1", h->name, i + 1);
    RUN ("ip -n %s link set eth1 up", h->name);
    h->ifname2 = g_strdup ("eth1");
    h->addr2 = g_strdup_printf ("203.0.113.%u", i + 1);
  }
  for (i = 0; i < 50; i++) {
    gchar *cmd = g_strdup_printf ("ip -n %s -br link show type veth",
        net->bridge_ns);
    gchar *out = NULL;
    gboolean ok = run_cmd (cmd, &out, NULL);
    gboolean all_up = ok && out && !strstr (out, "DOWN")
        && !strstr (out, "LOWERLAYERDOWN");
    g_free (cmd);
    g_free (out);
    if (all_up)
      break;
    g_usleep (20000);
  }
  return TRUE;

fail:
  return FALSE;
}

GSocket *
aes67_test_net_join (Aes67TestNet * net, guint i, const gchar * group,
    guint port, guint timeout_s, GError ** error)
{
  g_return_val_if_fail (net != NULL && i < net->n_hosts, NULL);
  return aes67_test_net_join_iface (net, i, net->hosts[i].ifname, group,
      port, timeout_s, error);
}

GSocket *
aes67_test_net_join_iface (Aes67TestNet * net, guint i, const gchar * iface,
    const gchar * group, guint port, guint timeout_s, GError ** error)
{
  GInetAddress *ia;
  GSocketAddress *sa = NULL;
  GSocket *sock = NULL;

  g_return_val_if_fail (net != NULL && i < net->n_hosts, NULL);
  ia = g_inet_address_new_from_string (group);
  if (!ia) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "not an IP address: %s", group);
    return NULL;
  }
  if (!aes67_test_net_enter (net, i)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "cannot enter host %u", i);
    g_object_unref (ia);
    return NULL;
  }
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
      G_SOCKET_PROTOCOL_UDP, error);
  sa = g_inet_socket_address_new (ia, port);
  if (sock && (!g_socket_bind (sock, sa, TRUE, error)
          || !g_socket_join_multicast_group (sock, ia, FALSE, iface, error)))
    g_clear_object (&sock);
  aes67_test_net_leave ();
  if (sock)
    g_socket_set_timeout (sock, timeout_s);
  g_object_unref (sa);
  g_object_unref (ia);
  return sock;
}
