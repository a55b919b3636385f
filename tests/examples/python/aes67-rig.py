#!/usr/bin/env python3
"""aes67-rig: an AES67 test rig in Python (GObject introspection).

Sends a stream with aes67sink and receives it with aes67src in one process
(two pipelines), and checks what a rig in a studio would check:

1. the stream arrives: `aes67-stats` messages from aes67src every
   --stats-interval ms with stream-state "receiving", packets counted,
   nothing lost, malformed or foreign, the format sent; the `stats`
   property holds the same structure; audio (not silence) reaches the sink;
2. the sender stops: `stream-lost` within aes67src's `timeout` (reason
   "timeout"), and `stats` says "lost";
3. the sender starts again: `stream-restored`, `stats` says "receiving"
   again with restored-count 1, and packets count on.

Prints one line per check ("ok: ..." or "FAIL: ...") and a summary; exits
0 when every check passed, 1 otherwise (also when python3-gi or an
element is missing: nothing could be checked).

Needs only python3-gi and gir1.2-gstreamer-1.0 (Debian 12), and gst-aes67
installed or GST_PLUGIN_PATH pointing at its build:

    GST_PLUGIN_PATH=$PWD/build python3 tests/examples/python/aes67-rig.py

By default the stream goes to 127.0.0.1 on a free port (no network
needed); --address 239.69.1.10 --iface eth1 runs it over multicast on a
real interface.
"""

import argparse
import socket
import sys
import time

try:
    import gi
    gi.require_version("Gst", "1.0")
    from gi.repository import GLib, Gst
except (ImportError, ValueError) as e:
    print("FAIL: python3-gi / gir1.2-gstreamer-1.0 missing: %s" % e)
    sys.exit(1)


class Rig:
    def __init__(self, args):
        self.args = args
        self.failures = 0
        self.stats_msgs = []        # aes67-stats structures, in order
        self.lost = []              # stream-lost structures
        self.restored = []          # stream-restored structures
        self.errors = []
        self.buffers = 0
        self.audible = 0            # buffers with a non-zero sample
        self.ctx = GLib.MainContext.default()

    # -- checks ---------------------------------------------------------
    def check(self, cond, what, detail=""):
        if cond:
            print("ok: %s" % what)
        else:
            self.failures += 1
            print("FAIL: %s%s" % (what, (": " + detail) if detail else ""))
        sys.stdout.flush()
        return cond

    def wait_for(self, cond, timeout_s):
        """Runs the main loop until cond() holds or timeout_s passed."""
        end = time.monotonic() + timeout_s
        while not cond() and not self.errors:
            if time.monotonic() > end:
                return False
            # wake at least every 100 ms to look at the clock
            GLib.timeout_add(100, lambda: False)
            self.ctx.iteration(True)
        return cond()

    # -- pipelines ------------------------------------------------------
    def build(self):
        a = self.args
        iface = (" multicast-iface=%s" % a.iface) if a.iface else ""
        self.rx = Gst.parse_launch(
            "aes67src name=rx address=%s port=%d encoding-name=L24 rate=48000 "
            "channels=2 latency=%d timeout=%d stats-interval=%d%s ! "
            "fakesink name=out sync=true"
            % (a.address, a.port, a.latency, a.timeout, a.stats_interval,
               iface))
        self.tx = Gst.parse_launch(
            "audiotestsrc is-live=true wave=sine freq=997 ! "
            "audio/x-raw,rate=48000,channels=2 ! aes67sink name=tx "
            "address=%s port=%d encoding=L24 session-name=aes67-rig%s"
            % (a.address, a.port, iface))
        self.src = self.rx.get_by_name("rx")
        self.sink = self.tx.get_by_name("tx")
        for p in (self.rx, self.tx):
            bus = p.get_bus()
            bus.add_signal_watch()
            bus.connect("message", self.on_message)
        pad = self.rx.get_by_name("out").get_static_pad("sink")
        pad.add_probe(Gst.PadProbeType.BUFFER, self.on_buffer)

    def on_buffer(self, pad, info):
        buf = info.get_buffer()
        self.buffers += 1
        if self.audible < 10:           # a few are enough, and cheap
            ok, m = buf.map(Gst.MapFlags.READ)
            if ok:
                if bytes(m.data).strip(b"\0"):
                    self.audible += 1
                buf.unmap(m)
        return Gst.PadProbeReturn.OK

    def on_message(self, bus, msg):
        t = msg.type
        if t == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            self.errors.append("%s: %s" % (msg.src.get_name(), err.message))
            print("FAIL: error from %s: %s" % (msg.src.get_name(),
                                                err.message))
        elif t == Gst.MessageType.ELEMENT and msg.src == self.src:
            s = msg.get_structure()
            name = s.get_name()
            if name == "aes67-stats":
                self.stats_msgs.append(s.copy())
            elif name == "stream-lost":
                self.lost.append(s.copy())
            elif name == "stream-restored":
                self.restored.append(s.copy())

    def stats(self):
        return self.src.get_property("stats")

    def receiving_msgs(self):
        return [s for s in self.stats_msgs
                if s.get_value("stream-state") == "receiving"]

    # -- the run --------------------------------------------------------
    def run(self):
        a = self.args
        self.build()
        # the receiver first: it reaches PLAYING without a stream
        self.rx.set_state(Gst.State.PLAYING)
        self.tx.set_state(Gst.State.PLAYING)
        print("rig: sending and receiving L24/48000/2 on %s:%d "
              "(latency %d ms, timeout %d ms)"
              % (a.address, a.port, a.latency, a.timeout))

        # 1. the stream arrives
        got = self.wait_for(lambda: len(self.receiving_msgs()) >= 3,
                            a.wait)
        if not self.check(got and not self.errors,
                          "three aes67-stats messages say \"receiving\"",
                          "%d messages, states %s" % (
                              len(self.stats_msgs),
                              [s.get_value("stream-state")
                               for s in self.stats_msgs])):
            return self.finish()
        m = self.receiving_msgs()
        last = m[-1]
        counts = [s.get_value("packets-received") for s in m]
        self.check(all(x < y for x, y in zip(counts, counts[1:])),
                   "packets-received grows from message to message",
                   str(counts))
        for f in ("packets-lost", "packets-malformed", "packets-foreign",
                  "packets-duplicate"):
            self.check(last.get_value(f) == 0, "%s is 0" % f,
                       str(last.get_value(f)))
        fmt = (last.get_value("encoding-name"), last.get_value("clock-rate"),
               last.get_value("channels"), last.get_value("latency-ms"))
        self.check(fmt == ("L24", 48000, 2, a.latency),
                   "format and link offset as sent: L24, 48000 Hz, 2 ch, "
                   "%d ms" % a.latency, str(fmt))
        ssrc = last.get_value("ssrc")
        self.check(ssrc != 0, "locked to an SSRC (%08x)" % ssrc)
        st = self.stats()
        self.check(st is not None and st.get_name() == last.get_name() and
                   st.get_value("packets-received") >=
                   last.get_value("packets-received") and
                   st.get_value("ssrc") == ssrc,
                   "the stats property holds the same structure, counting on",
                   st.to_string() if st else "None")
        self.check(self.audible > 0, "audio (not silence) reached the sink",
                   "%d buffers, none audible" % self.buffers)
        tx = self.sink.get_property("stats")
        self.check(tx.get_value("packets-sent") >= st.get_value(
            "packets-received"), "the sender sent at least what was received "
            "(%d sent, %d received)" % (tx.get_value("packets-sent"),
                                        st.get_value("packets-received")))

        # 2. the sender stops
        received_before = st.get_value("packets-received")
        t0 = time.monotonic()
        self.tx.set_state(Gst.State.NULL)
        got = self.wait_for(lambda: self.lost, a.timeout / 1000.0 + a.wait)
        if not self.check(got, "stream-lost after the sender stopped",
                          "none within %.1f s" % (a.timeout / 1000.0 +
                                                  a.wait)):
            return self.finish()
        lost = self.lost[0]
        print("rig: stream-lost %.2f s after the sender stopped: %s"
              % (time.monotonic() - t0, lost.to_string()))
        self.check(lost.get_value("reason") == "timeout" and
                   lost.get_value("timeout-ms") == a.timeout and
                   lost.get_value("ssrc") == ssrc,
                   "stream-lost: reason timeout, timeout-ms %d, the SSRC "
                   "received" % a.timeout, lost.to_string())
        self.check(lost.get_value("packets-received") >= received_before,
                   "stream-lost counts the packets received until then")
        st = self.stats()
        self.check(st.get_value("stream-state") == "lost",
                   "the stats property says \"lost\"",
                   st.get_value("stream-state"))

        # 3. the sender starts again
        self.tx.set_state(Gst.State.PLAYING)
        got = self.wait_for(lambda: self.restored, a.wait)
        if not self.check(got, "stream-restored after the sender started "
                          "again", "none within %d s" % a.wait):
            return self.finish()
        rest = self.restored[0]
        print("rig: %s" % rest.to_string())
        self.check(rest.get_value("lost-duration-ms") >= a.timeout,
                   "stream-restored: lost-duration-ms (%d) at least the "
                   "timeout" % rest.get_value("lost-duration-ms"))
        n = len(self.stats_msgs)
        got = self.wait_for(lambda: len(self.stats_msgs) >= n + 2 and
                            self.stats_msgs[-1].get_value("stream-state") ==
                            "receiving", a.wait)
        st = self.stats()
        self.check(got and st.get_value("stream-state") == "receiving" and
                   st.get_value("restored-count") == 1 and
                   st.get_value("packets-received") > lost.get_value(
                       "packets-received"),
                   "receiving again: restored-count 1, packets count on",
                   st.to_string())
        return self.finish()

    def finish(self):
        for p in (self.tx, self.rx):
            p.set_state(Gst.State.NULL)
            p.get_bus().remove_signal_watch()
        if self.errors:
            self.failures += 1
        st = self.stats()
        print("rig: last stats: %s" % (st.to_string() if st else "none"))
        print("rig: %s (%d failed)" % ("PASS" if self.failures == 0
                                       else "FAIL", self.failures))
        return 0 if self.failures == 0 else 1


def free_port():
    """An even UDP port free on 127.0.0.1."""
    for _ in range(50):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        if port % 2 == 0:
            return port
    return port


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--address", default="127.0.0.1",
                    help="destination: unicast or multicast IPv4 address")
    ap.add_argument("--port", type=int, default=0,
                    help="UDP port (0: a free one on 127.0.0.1)")
    ap.add_argument("--iface", help="multicast interface, e.g. eth1")
    ap.add_argument("--latency", type=int, default=20,
                    help="aes67src link offset, ms")
    ap.add_argument("--timeout", type=int, default=500,
                    help="aes67src timeout (stream-lost), ms")
    ap.add_argument("--stats-interval", type=int, default=200,
                    help="aes67-stats message interval, ms")
    ap.add_argument("--wait", type=int, default=20,
                    help="how long to wait for each step, s")
    args = ap.parse_args()
    if args.port == 0:
        args.port = free_port()

    Gst.init(None)
    missing = [f for f in ("aes67src", "aes67sink", "audiotestsrc",
                           "fakesink") if not Gst.ElementFactory.find(f)]
    if missing:
        print("FAIL: GStreamer elements missing: %s (install gst-aes67 or "
              "set GST_PLUGIN_PATH to its build)" % ", ".join(missing))
        return 1
    return Rig(args).run()


if __name__ == "__main__":
    sys.exit(main())
