#!/usr/bin/python3
# gst-aes67 demo: real recorded speech (Debian's alsa-utils recordings)
# through aes67sink -> an AES67 multicast stream -> aes67src into a WAV
# file, checked bit-exact against the input; loudness metered on both ends,
# and the stream statistics printed.
#
# Run by scripts/demo.sh (which installs and builds); GST_PLUGIN_PATH must
# point at the build. The stream stays on this machine: multicast on the
# loopback interface.
import glob
import os
import sys
import time
import wave

import gi
gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

OUT = os.environ.get("AES67_DEMO_OUT", "demo-out")
GROUP = "239.69.67.1"
IFACE = "lo"

Gst.init(None)
os.makedirs(OUT, exist_ok=True)
files = sorted(glob.glob("/usr/share/sounds/alsa/*.wav"))
if not files:
    sys.exit("no recordings in /usr/share/sounds/alsa (apt-get install alsa-utils)")
for name in ("aes67sink", "aes67src", "loudnessmeter"):
    if not Gst.ElementFactory.find(name):
        sys.exit(f"element {name} not found: is GST_PLUGIN_PATH the build?")

sources = " ".join(f'filesrc location="{f}" ! wavparse ! c.' for f in files)
sdp_file = os.path.join(OUT, "demo.sdp")
received_wav = os.path.join(OUT, "received.wav")
sent_raw = os.path.join(OUT, "sent.raw")

# what goes in, decoded once more, for the comparison
ref = Gst.parse_launch(f"concat name=c ! filesink location={sent_raw} {sources}")
ref.set_state(Gst.State.PLAYING)
ref.get_bus().timed_pop_filtered(30 * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
ref.set_state(Gst.State.NULL)

tx = Gst.parse_launch(
    "concat name=c ! loudnessmeter name=sent interval=1000000000 ! "
    f"aes67sink name=tx address={GROUP} multicast-iface={IFACE} "
    f'session-name="gst-aes67 demo" sdp-file={sdp_file} {sources}')
rx = Gst.parse_launch(
    f"aes67src name=rx multicast-iface={IFACE} latency=5 timeout=300 "
    "stats-interval=0 ! audioconvert ! "
    "loudnessmeter name=received interval=1000000000 ! "
    f"wavenc ! filesink location={received_wav}")

# the sender prerolls: format known, SDP written
tx.set_state(Gst.State.PAUSED)
tx.get_state(10 * Gst.SECOND)
sdp = tx.get_by_name("tx").get_property("sdp")
print(f"== {len(files)} recordings from /usr/share/sounds/alsa, sent as:")
print(sdp.replace("\r\n", "\n"))
rx.get_by_name("rx").set_property("sdp", sdp)
rx.set_state(Gst.State.PLAYING)
time.sleep(0.2)
tx.set_state(Gst.State.PLAYING)


def show_loudness(msg):
    s = msg.get_structure()
    if not s or s.get_name() != "loudness":
        return
    who = msg.src.get_name()
    t = s.get_value("running-time") / 1e9
    tp = max(s.get_value("max-true-peak-dbtp"))  # needs python3-gst-1.0
    print(f"  {who:8s} {t:5.1f} s  momentary {s.get_value('momentary-lufs'):7.1f} "
          f"LUFS  short-term {s.get_value('short-term-lufs'):7.1f} LUFS  "
          f"integrated {s.get_value('integrated-lufs'):7.1f} LUFS  "
          f"true peak {tp:6.1f} dBTP")


def pump(bus, until, seconds):
    """Handle messages until one of type/name `until` or the time is up."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        msg = bus.timed_pop(50 * Gst.MSECOND)
        if not msg:
            continue
        if msg.type == Gst.MessageType.ERROR:
            err, dbg = msg.parse_error()
            fail(f"error from {msg.src.get_name()}: {err.message}\n{dbg}")
        if msg.type == Gst.MessageType.ELEMENT:
            show_loudness(msg)
            if msg.get_structure().get_name() == until:
                return msg
        if msg.type == Gst.MessageType.EOS and until == "eos":
            return msg
    return None


def stop():
    for p in (tx, rx):
        p.set_state(Gst.State.NULL)


def fail(text):
    stop()
    sys.exit(text)


print("== streaming (loudness every second, sender and receiver)")
txbus, rxbus = tx.get_bus(), rx.get_bus()
done = False
end = time.monotonic() + 60
while not done and time.monotonic() < end:
    done = pump(txbus, "eos", 0.1) is not None
    pump(rxbus, "-", 0.05)
if not done:
    fail("the sender did not finish")
if not pump(rxbus, "stream-lost", 5):
    fail("the receiver did not see the end of the stream")
stats = rx.get_by_name("rx").get_property("stats")
txstats = tx.get_by_name("tx").get_property("stats")
rx.send_event(Gst.Event.new_eos())
pump(rxbus, "eos", 5)
stop()

print("== stream statistics (aes67src)")
for f in ("packets-received", "packets-lost", "packets-late",
          "packets-duplicate", "packets-reordered", "packets-malformed",
          "packets-foreign", "jitter-us", "ssrc", "latency-ms"):
    print(f"  {f:18s} {stats.get_value(f)}")
print(f"  (aes67sink sent {txstats.get_value('packets-sent')} packets, "
      f"{txstats.get_value('packets-late')} late, worst "
      f"{txstats.get_value('max-lateness-us')} µs)")

sent = open(sent_raw, "rb").read()
with wave.open(received_wav, "rb") as w:
    got = w.readframes(w.getnframes())
# the whole recording, unchanged, somewhere in what came out (the last
# packet was padded with silence to a full packet time)
at = got.find(sent)
exact = at >= 0
print("== comparison")
print(f"  sent {len(sent)} bytes of audio ({len(sent) / 96000:.2f} s), "
      f"received {len(got)} bytes of audio in {received_wav}")
if exact:
    print(f"  BIT-EXACT: every sample of the recordings arrived unchanged "
          f"(at byte {at} of the output)")
    sys.exit(0)
print("  NOT bit-exact")
sys.exit(1)
