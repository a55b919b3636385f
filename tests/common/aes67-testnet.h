/* gst-aes67 test helpers: network namespaces joined by veth pairs
 *
 * Tests that need a real network (multicast, PTP, loss) make their own small
 * network of hosts: each host is a Linux network namespace, two hosts are
 * joined by a veth pair. Where the kernel has no netem (CI's), packets are
 * dropped with nftables (aes67_test_net_drop(), or nft run in a host), and
 * delayed, reordered or duplicated by tests/common/aes67-impair-relay (see
 * tests/check/elements/aes67impair.c). All addresses are the test's own
 * (198.51.100.0/24, TEST-NET-2 of RFC 5737) and no packet leaves the
 * machine.
 *
 * The calling thread can enter a host with aes67_test_net_enter(): sockets
 * made while inside (a pipeline set to READY or PLAYING, a GSocket) stay in
 * that host after aes67_test_net_leave(). Programs (ptp4l, ffmpeg, tshark)
 * are started inside a host with aes67_test_net_spawn().
 *
 * Making namespaces needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) and the
 * `ip` tool; aes67_test_net_check() says why it cannot, so a test can skip.
 */
#ifndef __AES67_TESTNET_H__
#define __AES67_TESTNET_H__

#include <glib.h>
#include <gio/gio.h>

G_BEGIN_DECLS
#define AES67_TEST_NET_MAX_HOSTS 6
    typedef struct
{
  gchar *name;                  /* namespace name, unique per process */
  gchar *ifname;                /* its end of the veth link to host 0 */
  gchar *addr;                  /* IPv4 address on that link, no prefix */
  gchar *ifname2;               /* "eth1" on the second network (see
                                 * aes67_test_net_add_network()), or NULL */
  gchar *addr2;                 /* its address there, or NULL */
} Aes67TestHost;

/* A star of @n_hosts namespaces: host 0 is the hub; hosts 1..n-1 each have a
 * veth link to it, bridged there, so all hosts share one 198.51.100.0/24 link
 * and one multicast domain (224.0.0.0/4 routed to the link in each host). */
typedef struct
{
  guint n_hosts;
  Aes67TestHost hosts[AES67_TEST_NET_MAX_HOSTS];
  gchar *bridge_ns;             /* namespace holding the bridge */
} Aes67TestNet;

/* Returns TRUE if namespaces can be made here; else FALSE and a reason the
 * caller prints when it skips (owned by the caller, g_free()). */
gboolean aes67_test_net_check (gchar ** reason);

/* Makes @n_hosts (2..AES67_TEST_NET_MAX_HOSTS) hosts named after @tag and
 * the process id. Returns NULL (and sets @error) on failure. */
Aes67TestNet *aes67_test_net_new (const gchar * tag, guint n_hosts,
    GError ** error);

/* For a test program's main(): checks that namespaces can be made and
 * makes the net; where it cannot, prints "SKIP: <what>: <reason>" and exits
 * 77 (meson's skip). */
Aes67TestNet *aes67_test_net_new_or_skip (const gchar * tag, guint n_hosts,
    const gchar * what);

/* Adds a second network to @net (for SMPTE ST 2022-7: "red" and
 * "blue"): a second bridge, and in every host an interface eth1 on it
 * with the address 203.0.113.<i+1>/24 (TEST-NET-3), in a broadcast and
 * multicast domain of its own: what is sent on one network never shows on
 * the other. Multicast still routes to eth0 by default; a socket picks
 * eth1 by its multicast interface. FALSE with @error on failure. */
gboolean aes67_test_net_add_network (Aes67TestNet * net, GError ** error);

/* As aes67_test_net_join(), on interface @iface of the host ("eth0",
 * "eth1"). */
GSocket *aes67_test_net_join_iface (Aes67TestNet * net, guint i,
    const gchar * iface, const gchar * group, guint port, guint timeout_s,
    GError ** error);

/* Deletes every namespace and link the net made. NULL-safe. */
void aes67_test_net_free (Aes67TestNet * net);

/* Moves the calling thread into host @i / back to the namespace the process
 * started in. Return FALSE on failure (with a g_warning). */
gboolean aes67_test_net_enter (Aes67TestNet * net, guint i);
gboolean aes67_test_net_leave (void);

/* A UDP socket in host @i bound to @group:@port (SO_REUSEADDR: it shares
 * the port with the elements under test) and joined to @group on the host's
 * eth0, to see what crosses the wire. Blocking calls on it time out after
 * @timeout_s seconds (0: never). NULL with @error set on failure. */
GSocket *aes67_test_net_join (Aes67TestNet * net, guint i,
    const gchar * group, guint port, guint timeout_s, GError ** error);

/* Runs a command line in host @i (or in the starting namespace when @i is
 * -1), waits for it. Returns TRUE if it exited 0. */
gboolean aes67_test_net_run (Aes67TestNet * net, gint i, const gchar * cmdline,
    gchar ** out, GError ** error);

/* Starts @argv in host @i without waiting, stdout/stderr to @log_path if not
 * NULL. Returns the pid, or 0 on failure. Stop it with
 * aes67_test_net_stop(). */
GPid aes67_test_net_spawn (Aes67TestNet * net, guint i,
    const gchar * const *argv, const gchar * log_path, GError ** error);

/* Sends SIGTERM (then SIGKILL after 2 s) and reaps @pid. */
void aes67_test_net_stop (GPid pid);

/* Applies a netem qdisc (e.g. "delay 5ms loss 10%") to host @i's link;
 * NULL removes it. FALSE where the kernel has no netem (CI's VM kernel is
 * built without CONFIG_NET_SCH_NETEM): use aes67_test_net_drop() for loss. */
gboolean aes67_test_net_netem (Aes67TestNet * net, guint i, const gchar * spec);

/* Makes host @i drop every @every_n-th UDP packet it receives for
 * @udp_port (nftables numgen: deterministic, so a test knows exactly how
 * many are lost); @every_n 0 removes the rule. FALSE if nft is missing. */
gboolean aes67_test_net_drop (Aes67TestNet * net, guint i, guint udp_port,
    guint every_n);

G_END_DECLS
#endif /* __AES67_TESTNET_H__ */
