/* gst-aes67 test helpers: real ptp4l (linuxptp) processes in test hosts
 *
 * A test makes a network (aes67-testnet.h) and a directory; in it go the
 * ptp4l configuration files, management sockets, logs and a "pids" file:
 * every ptp4l started is noted there ("+pid") and stopped ("-pid"), so that
 * the parent process can kill what a failed test (which libcheck ends with
 * _exit()) left running.
 *
 * ptp4l runs with software timestamps on the AES67 media profile's sync
 * rate, announces every second (a grandmaster is elected in ~4 s), and its
 * own uds_address. Slaves are free running (the test hosts share
 * CLOCK_REALTIME, which they must not steer), so their servo never locks by
 * itself: a nudger sends `SET SYNCHRONIZATION_UNCERTAIN_NP 0` once a slave is
 * UNCALIBRATED (FIELD-NOTES), which takes it to SLAVE.
 */
#ifndef __AES67_PTP4L_H__
#define __AES67_PTP4L_H__

#include <glib.h>
#include "aes67-testnet.h"

G_BEGIN_DECLS

/* A fresh directory for one test's ptp4l files (/tmp/aes67-TAG-XXXXXX), or
 * NULL. */
gchar *aes67_ptp4l_dir_new (const gchar * tag);

/* Kills what is left running (aes67_ptp4l_kill_leftovers), removes the
 * directory and frees @dir. NULL-safe. */
void aes67_ptp4l_dir_free (gchar * dir);

/* TRUE if ptp4l, pmc and setpriv are installed; else FALSE and why */
gboolean aes67_ptp4l_check (gchar ** reason);

/* Starts ptp4l in @host on eth0, domain @domain, named @name (socket
 * DIR/NAME.sock, log DIR/NAME.log), with @extra lines of [global] config
 * (e.g. "priority1 1\n" or "slaveOnly 1\nfree_running 1\n"). Fails the test
 * if it cannot. It dies with the test process (pdeathsig). */
GPid aes67_ptp4l_start (Aes67TestNet * net, const gchar * dir, guint host,
    const gchar * name, guint domain, const gchar * extra);

/* Stops *@pid (if any), notes it, sets it to 0. */
void aes67_ptp4l_stop (const gchar * dir, GPid * pid);

/* Kills every ptp4l noted as started and not stopped (parent side). */
void aes67_ptp4l_kill_leftovers (const gchar * dir);

/* Runs pmc against DIR/SOCK_NAME (a ptp4l on @domain: ptp4l drops
 * management messages for another domain) with command @cmd; its output or
 * NULL. */
gchar *aes67_ptp4l_pmc (const gchar * dir, const gchar * sock_name,
    guint domain, const gchar * cmd);

/* The clockIdentity of the ptp4l at DIR/SOCK_NAME on @domain as SDP writes
 * it ("00-1D-C1-FF-FE-50-36-33"), or NULL after 2 s of trying. */
gchar *aes67_ptp4l_clock_eui64 (const gchar * dir, const gchar * sock_name,
    guint domain);

typedef struct _Aes67Ptp4lNudger Aes67Ptp4lNudger;

/* Takes the free-running slaves at DIR/<each of @sock_names> (on @domain) from
 * UNCALIBRATED to SLAVE, every 250 ms, until stopped. */
Aes67Ptp4lNudger *aes67_ptp4l_nudger_start (const gchar * dir,
    const gchar * const *sock_names, guint domain);
void aes67_ptp4l_nudger_stop (Aes67Ptp4lNudger * n);

G_END_DECLS

#endif /* __AES67_PTP4L_H__ */
