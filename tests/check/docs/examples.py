#!/usr/bin/env python3
"""Runs every command in README.md and docs/ as written, and checks it.

The test `docs/examples` (tests/check/meson.build). Every gst-launch-1.0,
gst-device-monitor-1.0, gst-inspect-1.0, unshare, curl and xdg-open
command in a code block of README.md, docs/*.md and docs/elements/*.md
(the pages made from the elements' doc blocks), also when environment
assignments come first (GST_TRACERS="aes67metrics(port=9467)"
gst-launch-1.0 ...), is looked up in EXAMPLES below, which says how it is
run and how its result is checked. A command that is not in EXAMPLES fails
the test ("no check for this example"), and so does an entry whose command
is in no document any more: a new or changed example needs a check.

How the commands run:

- Each scenario gets two fresh network namespaces joined by a veth pair
  (198.51.100.1/24 and .2, multicast routed to the veth), and a mount
  namespace of its own with an empty /run, so that a ptp4l started there
  has its management socket at the default /var/run/ptp4l as the examples
  expect, apart from the machine's and other tests'. All commands of a
  scenario run in the first namespace, in a fresh directory (for the
  files examples write: studio1.sdp, capture.wav...), through `bash -c`
  with the text as written in the document, line continuations included.
- Pairs run together: a sender is started first, then its receiver, as a
  user would in two terminals.
- Commands that run until stopped get SIGINT on their process group, as
  Ctrl-C gives it, after the scenario's time.
- Substitution: autoaudiosink finds no sound card here. The test raises
  the rank of `aes67testaudiosink` (tests/check/docs/testaudiosink.c,
  built with the tests, rank NONE otherwise) with
  GST_PLUGIN_FEATURE_RANK, so autoaudiosink picks it; it writes what it
  played (frames, peak) to a log the checks read. Nothing else in the
  commands is changed. GST_PLUGIN_PATH points at the build, as the README
  says to export it.
- xdg-open: there is no desktop here. xdg-open runs as written and, as on
  a machine without one, opens the URL with $BROWSER, which the test sets
  to `curl -sf` (DISPLAY and the desktop variables unset); the check reads
  what curl fetched, the status page.
- The monitoring examples (curl, xdg-open) run in the namespace of the
  pipeline they read, while it runs; what they print is checked
  (promtool check metrics, JSON, the page).
- Examples that need ptp4l get one in the namespace (software
  timestamps, grandmaster, default socket path).
- Examples that need files (stage.sdp, programme.wav, stream.sdp) get them
  made by a preparation step, written out in the scenario.

Under AddressSanitizer (a build with b_sanitize set), the commands are
GStreamer's uninstrumented tools loading instrumented plugins: the
sanitizer runtimes are preloaded (LD_PRELOAD) and leak detection is off,
the leaks at exit being GStreamer's tools' own. curl, jq and xdg-open
run without the preload (they load none of our code; curl hangs with
libasan preloaded).

Root is needed for the namespaces; without it the test skips (77).
"""

import argparse
import glob
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

SDP_TEMPLATE = (
    "v=0\r\no=- {sid} 1 IN IP4 198.51.100.1\r\ns={name}\r\n"
    "i=2 channels: Left, Right\r\nc=IN IP4 {group}/32\r\nt=0 0\r\n"
    "m=audio 5004 RTP/AVP 96\r\nc=IN IP4 {group}/32\r\n"
    "a=rtpmap:96 L24/48000/2\r\na=recvonly\r\na=ptime:1\r\n"
    "a=framecount:48\r\na=mediaclk:direct=0\r\n")


def norm(cmd):
    """A command's identity: line continuations joined, spaces collapsed."""
    return re.sub(r"\s+", " ", cmd.replace("\\\n", " ")).strip()


# --------------------------------------------------------------------------
# Extraction

# A command: one of these programs, after any environment assignments
# (GST_TRACERS="aes67metrics(port=9467)" gst-launch-1.0 ...).
ENV_ASSIGN = r"""[A-Za-z_][A-Za-z0-9_]*=(?:"[^"]*"|'[^']*'|[^\s"'])+\s+"""
CMD_START = re.compile(r"^(?:%s)*(gst-launch-1\.0|gst-device-monitor-1\.0|"
                       r"gst-inspect-1\.0|unshare|curl|xdg-open)\b"
                       % ENV_ASSIGN)


def code_blocks(path):
    """Yields the code blocks of a Markdown file: fenced ``` blocks, and
    (in files without fences around them) blocks indented 4 spaces."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            yield lines[i + 1:j]
            i = j + 1
        elif lines[i].startswith("    ") and (i == 0 or not lines[i - 1].strip()):
            j = i
            while j < len(lines) and (lines[j].startswith("    ") or
                                      not lines[j].strip()):
                j += 1
            yield [x[4:] for x in lines[i:j]]
            i = j
        else:
            i += 1


def commands_in(path):
    """The commands of a file: a line that starts with one of CMD_START,
    with its continuation lines (ending in a backslash)."""
    out = []
    for block in code_blocks(path):
        k = 0
        while k < len(block):
            if CMD_START.match(block[k]) and (
                    not block[k].startswith("unshare") or
                    "gst-" in "\n".join(block[k:])):
                cmd = [block[k]]
                while cmd[-1].rstrip().endswith("\\") and k + 1 < len(block):
                    k += 1
                    cmd.append(block[k])
                out.append("\n".join(cmd).rstrip())
            k += 1
    return out


# --------------------------------------------------------------------------
# Namespaces and processes

class Scenario:
    """Two network namespaces, a private /run, a directory; processes run
    in the first namespace with bash -c."""

    def __init__(self, tag, build_root, workdir):
        self.tag = tag
        self.ns = ["aes67ex%d%s0" % (os.getpid(), tag),
                   "aes67ex%d%s1" % (os.getpid(), tag)]
        self.dir = tempfile.mkdtemp(prefix="ex-%s-" % tag, dir=workdir)
        self.procs = []
        self.audio_log = os.path.join(self.dir, "audio.log")
        self.env = dict(os.environ)
        self.env.update({
            "GST_PLUGIN_PATH": build_root,
            "GST_REGISTRY": os.path.join(workdir, "registry.bin"),
            "GST_PLUGIN_FEATURE_RANK": "aes67testaudiosink:MAX",
            "AES67_TEST_AUDIO_LOG": self.audio_log,
        })
        self.env.update(sanitizer_env(build_root))
        for k in ("GST_PLUGIN_LOADING_WHITELIST", "GST_PLUGIN_PATH_1_0",
                  "GST_REGISTRY_1_0"):
            self.env.pop(k, None)
        for n in self.ns:
            run(["ip", "netns", "add", n])
        veth0, veth1 = "exa%d" % os.getpid(), "exb%d" % os.getpid()
        veth0, veth1 = veth0[:15], veth1[:15]
        run(["ip", "link", "add", veth0, "netns", self.ns[0], "type", "veth",
             "peer", "name", veth1, "netns", self.ns[1]])
        for i, (n, v) in enumerate(zip(self.ns, (veth0, veth1))):
            run(["ip", "-n", n, "link", "set", v, "name", "eth0"])
            run(["ip", "-n", n, "addr", "add", "198.51.100.%d/24" % (i + 1),
                 "dev", "eth0"])
            run(["ip", "-n", n, "link", "set", "eth0", "up"])
            run(["ip", "-n", n, "link", "set", "lo", "up"])
            run(["ip", "-n", n, "route", "add", "224.0.0.0/4", "dev", "eth0"])
        # the holder: a mount namespace with an empty /run, in namespace 0
        self.holder = subprocess.Popen(
            ["ip", "netns", "exec", self.ns[0], "unshare", "-m",
             "--propagation", "private", "sh", "-c",
             "mount -t tmpfs none /run && echo ready && exec sleep 3600"],
            stdout=subprocess.PIPE, text=True)
        if self.holder.stdout.readline().strip() != "ready":
            raise RuntimeError("cannot make the mount namespace")
        # sleep's pid: the child of ip netns exec / unshare (exec chain)
        self.holder_pid = self.holder.pid

    def add_second_network(self):
        """A second veth pair between the two namespaces, eth1 in each
        (203.0.113.1/24 and .2): the "blue" network of ST 2022-7."""
        veth0, veth1 = "exc%d" % os.getpid(), "exd%d" % os.getpid()
        veth0, veth1 = veth0[:15], veth1[:15]
        run(["ip", "link", "add", veth0, "netns", self.ns[0], "type", "veth",
             "peer", "name", veth1, "netns", self.ns[1]])
        for i, (n, v) in enumerate(zip(self.ns, (veth0, veth1))):
            run(["ip", "-n", n, "link", "set", v, "name", "eth1"])
            run(["ip", "-n", n, "addr", "add", "203.0.113.%d/24" % (i + 1),
                 "dev", "eth1"])
            run(["ip", "-n", n, "link", "set", "eth1", "up"])

    def start(self, cmd, name, split=False, plain=False):
        """Starts @cmd; its output goes to NAME.log, with stderr there too
        unless @split (then to NAME.err: for commands whose stdout is
        data, as curl's, which prints a progress meter on stderr when its
        output is not a terminal). @plain: without the sanitizer
        preload, for commands that load none of our code (curl hangs
        with libasan preloaded)."""
        env = self.env
        if plain:
            env = {k: v for k, v in self.env.items()
                   if k not in ("LD_PRELOAD", "ASAN_OPTIONS")}
        log = open(os.path.join(self.dir, name + ".log"), "w")
        err = open(os.path.join(self.dir, name + ".err"), "w") if split \
            else subprocess.STDOUT
        p = subprocess.Popen(
            ["nsenter", "-t", str(self.holder_pid), "-m", "-n",
             "--wd=" + self.dir, "--",
             "bash", "-c", cmd], cwd=self.dir, env=env, stdout=log,
            stderr=err, start_new_session=True)
        p.name = name
        p.logpath = log.name
        p.errpath = err.name if split else log.name
        self.procs.append(p)
        return p

    def run(self, cmd, name, timeout=60):
        p = self.start(cmd, name)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.interrupt(p)
        return p.returncode

    def interrupt(self, p, grace=15):
        """Ctrl-C: SIGINT to the process group; waits for the exit."""
        if p.poll() is not None:
            return p.returncode
        try:
            os.killpg(p.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            p.killed = True
        return p.returncode

    def output(self, p):
        return open(p.logpath, encoding="utf-8", errors="replace").read()

    def file(self, name):
        return os.path.join(self.dir, name)

    def audio(self):
        """Lines the test audio sink wrote: [{name, frames, peak...}]"""
        out = []
        if os.path.exists(self.audio_log):
            for line in open(self.audio_log):
                f = line.split()
                d = {"name": f[0]}
                for kv in f[1:]:
                    k, v = kv.split("=")
                    d[k] = float(v)
                out.append(d)
        return out

    def wait_for(self, cond, timeout, what):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if cond():
                return
            time.sleep(0.2)
        raise Failure("%s: not within %d s" % (what, timeout))

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        self.holder.kill()
        self.holder.wait()
        for n in self.ns:
            subprocess.call(["ip", "netns", "del", n])


def run(argv):
    subprocess.run(argv, check=True)


def sanitizer_env(build_root):
    """LD_PRELOAD and options for a sanitized build, else {}."""
    import json
    try:
        opts = json.load(open(os.path.join(
            build_root, "meson-info", "intro-buildoptions.json")))
    except (OSError, ValueError):
        return {}
    san = [o["value"] for o in opts if o["name"] == "b_sanitize"]
    san = san[0] if san else "none"
    if isinstance(san, list):
        san = ",".join(san)
    libs = []
    for kind, lib in (("address", "libasan.so"), ("undefined", "libubsan.so")):
        if kind in san:
            path = subprocess.run(["cc", "-print-file-name=" + lib],
                                  capture_output=True, text=True).stdout.strip()
            if os.path.isabs(path):
                libs.append(path)
    if not libs:
        return {}
    return {"LD_PRELOAD": " ".join(libs),
            "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
            "GST_REGISTRY_FORK": "no"}


class Failure(Exception):
    pass


def expect(cond, msg):
    if not cond:
        raise Failure(msg)


# --------------------------------------------------------------------------
# Checks

def check_exit(sc, p, allowed=(0,)):
    expect(not getattr(p, "killed", False),
           "%s did not stop on SIGINT:\n%s" % (p.name, sc.output(p)[-2000:]))
    expect(p.returncode in allowed, "%s exited %s:\n%s" % (
        p.name, p.returncode, sc.output(p)[-3000:]))


def check_audio(sc, min_seconds=1.0, min_peak=0.3, rate=None):
    """The test audio sink played at least min_seconds of audio with a
    peak of at least min_peak (audiotestsrc's sine is 0.8)."""
    a = sc.audio()
    expect(a, "autoaudiosink played nothing (no line in the audio log)")
    best = max(a, key=lambda d: d["frames"])
    secs = best["frames"] / best["rate"] if best["rate"] else 0
    expect(secs >= min_seconds and best["peak"] >= min_peak,
           "autoaudiosink played %.2f s, peak %.3f (want >= %.1f s, >= %.2f)"
           % (secs, best["peak"], min_seconds, min_peak))
    if rate:
        expect(best["rate"] == rate, "played at %d Hz" % best["rate"])


def check_sdp(sc, name, *needles):
    path = sc.file(name)
    expect(os.path.exists(path), "%s was not written" % name)
    text = open(path, newline="").read()
    for n in needles:
        expect(n in text, "%s lacks %r:\n%s" % (name, n, text))
    expect("\r\n" in text, "%s has no CRLF line ends" % name)


def check_wav(sc, name, rate, channels, min_seconds):
    """A WAV whose header is right: RIFF size = file size - 8, the data
    chunk's size = the bytes that follow it, the format as asked."""
    path = sc.file(name)
    expect(os.path.exists(path), "%s was not written" % name)
    data = open(path, "rb").read()
    expect(len(data) > 44 and data[:4] == b"RIFF" and data[8:12] == b"WAVE",
           "%s is not a RIFF WAVE file" % name)
    riff = struct.unpack("<I", data[4:8])[0]
    expect(riff == len(data) - 8, "%s: RIFF size %d, file has %d bytes "
           "(header not completed: no EOS?)" % (name, riff, len(data) - 8))
    pos, fmt, dsize, dpos = 12, None, None, None
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            fmt = struct.unpack("<HHIIHH", data[pos + 8:pos + 24])
        if cid == b"data":
            dsize, dpos = size, pos + 8
            break
        pos += 8 + size + (size & 1)
    expect(fmt is not None and dsize is not None, "%s: no fmt or data chunk"
           % name)
    expect(dpos + dsize == len(data), "%s: data chunk says %d bytes, %d "
           "follow" % (name, dsize, len(data) - dpos))
    width = fmt[5]
    expect(fmt[1] == channels and fmt[2] == rate and width in (16, 24, 32)
           and fmt[4] == channels * width // 8,
           "%s: %d ch, %d Hz, %d bit, block %d; want %d ch, %d Hz" % (
               name, fmt[1], fmt[2], width, fmt[4], channels, rate))
    secs = dsize / (channels * width // 8) / rate
    expect(secs >= min_seconds, "%s holds %.2f s" % (name, secs))


def check_out(sc, p, *needles):
    out = sc.output(p)
    for n in needles:
        expect(re.search(n, out), "%s's output lacks /%s/:\n%s" % (
            p.name, n, out[-3000:]))


def monitor(sc, names):
    """A device monitor of the test's own (not an example), until it has
    listed sessions of all @names (or 30 s): its output."""
    p = sc.start("gst-device-monitor-1.0 -f Audio/Source/Network",
                 "helper-monitor")
    try:
        sc.wait_for(lambda: all("name  : %s\n" % n in sc.output(p)
                                for n in names), 30, "sessions %s" % names)
    except Failure:
        pass                    # the callers say what is missing
    sc.interrupt(p)
    check_exit(sc, p, allowed=(0, -signal.SIGINT))
    return sc.output(p)


def start_ptp4l(sc):
    conf = sc.file("ptp4l.conf")
    with open(conf, "w") as f:
        f.write("[global]\npriority1 10\nlogAnnounceInterval 0\n"
                "logSyncInterval -3\nannounceReceiptTimeout 3\n")
    p = sc.start("exec ptp4l -S -i eth0 -f ptp4l.conf -m", "ptp4l")
    sc.wait_for(lambda: "assuming the grand master role" in sc.output(p) or
                "LISTENING to GRAND_MASTER" in sc.output(p) or
                "to MASTER" in sc.output(p), 30, "ptp4l as grandmaster")
    return p


# --------------------------------------------------------------------------
# The examples. Each entry: the command as written (compared after norm()),
# and the scenario that runs and checks it. A scenario may run several
# commands together (sender and receiver); each command names one.

SEND_L24 = """gst-launch-1.0 audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \\
        aes67sink address=239.69.1.10 encoding=L24 session-name="Studio 1" sdp-file=studio1.sdp"""
INTERCOM = """gst-launch-1.0 audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \\
        aes67sink address=127.0.0.1 port=5006 encoding=L24 \\
        aes67src address=127.0.0.1 port=5006 encoding-name=L24 rate=48000 channels=2 ! \\
        audioconvert ! autoaudiosink"""
RECV_SDP = "gst-launch-1.0 aes67src sdp-file=studio1.sdp latency=4 ! audioconvert ! autoaudiosink"
SEND_SAP = """gst-launch-1.0 audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \\
        aes67sink address=239.69.1.10 encoding=L24 session-name="Studio 1" sapannounce"""
RECV_NAME = 'gst-launch-1.0 aes67src session-name="Studio 1" ! audioconvert ! autoaudiosink'
RECORD_README = """gst-launch-1.0 -e -m aes67src address=239.69.1.10 port=5004 encoding-name=L24 rate=48000 channels=2 ! \\
        audioconvert ! loudnessmeter interval=1000000000 ! wavenc ! filesink location=capture.wav"""
SEND_FILE_README = """gst-launch-1.0 filesrc location=/usr/share/sounds/alsa/Front_Center.wav ! wavparse ! \\
        aes67sink address=239.69.1.11 ptime=125 sdp-file=front.sdp"""
PTP_SEND = """gst-launch-1.0 ptpclock domain=0 audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \\
        aes67sink address=239.69.1.10 encoding=L24 session-name="Studio 1" sdp-file=studio1.sdp sapannounce"""
PTP_RECV = "gst-launch-1.0 ptpclock domain=0 aes67src sdp-file=studio1.sdp latency=4 ! audioconvert ! autoaudiosink"
MON_NET = "gst-device-monitor-1.0 -f Audio/Source/Network"
MON_SRC = "gst-device-monitor-1.0 -f Audio/Source"
INSPECT = "gst-inspect-1.0 aes67sink"
STAGE_SAP = """gst-launch-1.0 audiotestsrc is-live=true ! aes67sink session-name=Stage \\
    sapannounce"""
SDP_FILES = """gst-launch-1.0 sapannounce sdp-files='<"stage.sdp","booth.sdp">' interval=1"""
SDP_FILES_MDNS = """gst-launch-1.0 sapannounce mdns=true sdp-files='<"stage.sdp">'"""
SDP_FILE_ONE = """gst-launch-1.0 sapannounce sdp-files='<"stage.sdp">' interval=1"""
UNSHARE = """unshare -n sh -c 'ip link set lo up; exec gst-launch-1.0 \\
    audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \\
    aes67sink address=239.69.1.10 multicast-iface=lo session-name="Studio 1" \\
    sapannounce multicast-iface=lo interval=5 & \\
  sleep 1; exec gst-launch-1.0 -m aes67src session-name="Studio 1" \\
    multicast-iface=lo ! audioconvert ! fakesink'"""
PTP_TONE = "gst-launch-1.0 ptpclock domain=0 audiotestsrc is-live=true ! autoaudiosink"
PTP_LINUXPTP = "gst-launch-1.0 ptpclock backend=linuxptp audiotestsrc is-live=true ! autoaudiosink"
PTP_PHC = "gst-launch-1.0 ptpclock backend=linuxptp phc-device=/dev/ptp0 audiotestsrc is-live=true ! autoaudiosink"
PTP_UDS = """gst-launch-1.0 ptpclock backend=linuxptp uds-path=/var/run/ptp4l \\
    audiotestsrc is-live=true ! fakesink sync=true"""
SINK_FILE = """gst-launch-1.0 filesrc location=/usr/share/sounds/alsa/Front_Center.wav ! \\
    wavparse ! audioresample ! audio/x-raw,rate=48000 ! \\
    aes67sink address=239.69.1.11 ptime=125 encoding=L24"""
SRC_RECORD = """gst-launch-1.0 -e aes67src address=239.69.1.10 port=5004 encoding-name=L24 \\
    rate=48000 channels=2 latency=4 ! audioconvert ! wavenc ! \\
    filesink location=capture.wav"""
SRC_NAME_WAIT = """gst-launch-1.0 -m aes67src session-name="Studio 1" discovery-timeout=30000 \\
    ! audioconvert ! autoaudiosink"""
SRC_SDP = "gst-launch-1.0 aes67src sdp-file=studio1.sdp ! audioconvert ! autoaudiosink"
RAVENNA = """gst-launch-1.0 ravennaannounce sdp-files='<"stage.sdp">'"""
SEND_DUP = """gst-launch-1.0 audiotestsrc is-live=true ! audio/x-raw,rate=48000,channels=2 ! \\
        aes67sink address=239.69.1.10 multicast-iface=eth0 \\
        secondary-address=239.69.2.10 secondary-multicast-iface=eth1 \\
        encoding=L24 session-name="Studio 1 red/blue" sdp-file=studio1-dup.sdp"""
RECV_DUP = """gst-launch-1.0 -m aes67src sdp-file=studio1-dup.sdp multicast-iface=eth0 \\
        secondary-multicast-iface=eth1 ! audioconvert ! autoaudiosink"""
RECV_DUP_HAND = """gst-launch-1.0 -m aes67src address=239.69.1.10 multicast-iface=eth0 \\
        secondary-address=239.69.2.10 secondary-multicast-iface=eth1 \\
        encoding-name=L24 rate=48000 channels=2 ! audioconvert ! autoaudiosink"""
LOUD_TONE = """gst-launch-1.0 -m audiotestsrc wave=sine volume=0.1 num-buffers=200 ! \\
    audio/x-raw,rate=48000,channels=2 ! loudnessmeter ! fakesink"""
LOUD_RECV = """gst-launch-1.0 -m aes67src sdp-file=stream.sdp ! audioconvert ! \\
    loudnessmeter interval=1000000000 ! fakesink sync=true"""
LOUD_FILE = """gst-launch-1.0 -m filesrc location=programme.wav ! wavparse ! \\
    loudnessmeter measures="integrated+loudness-range+true-peak" \\
    interval=10000000000 ! fakesink"""


METRICS_README = """GST_TRACERS="aes67metrics(port=9467)" gst-launch-1.0 aes67src \\
        session-name="Studio 1" ! audioconvert ! loudnessmeter ! autoaudiosink"""
METRICS_PAGE = """GST_TRACERS="aes67metrics(port=9467)" gst-launch-1.0 \\
    ptpclock domain=0 aes67src session-name="Studio 1" ! audioconvert ! \\
    loudnessmeter ! autoaudiosink"""
METRICS_ELEMENT = """GST_TRACERS="aes67metrics(port=9467)" gst-launch-1.0 aes67src \\
    sdp-file=studio1.sdp ! audioconvert ! loudnessmeter ! autoaudiosink"""
CURL_METRICS = "curl http://127.0.0.1:9467/metrics"
CURL_METRICS_C = "curl http://127.0.0.1:9467/metrics      # Prometheus text format"
CURL_STATUS_C = "curl http://127.0.0.1:9467/status       # JSON, per element, with the SDP"
CURL_STATUS_JQ = """curl -s http://127.0.0.1:9467/status | jq '.receivers[] | {element, state, "packets-lost"}'"""
XDG_OPEN = "xdg-open http://127.0.0.1:9467/         # a page that refreshes every second"


def sc_inspect(sc):
    p = sc.start(INSPECT, "inspect")
    p.wait(60)
    check_exit(sc, p)
    check_out(sc, p, r"Factory Details", r"aes67sink", r"Element Properties")


def pair(sc, sender, receiver, seconds=5, wait_file=None, delay=0.5):
    """A sender, then (once it is PLAYING and wait_file exists, and after
    @delay more) a receiver, both stopped with Ctrl-C @seconds after the
    receiver is PLAYING."""
    tx = sc.start(sender, "sender")
    sc.wait_for(lambda: "Setting pipeline to PLAYING" in sc.output(tx), 30,
                "the sender PLAYING")
    if wait_file:
        sc.wait_for(lambda: os.path.exists(sc.file(wait_file)), 30,
                    "the sender's %s" % wait_file)
    time.sleep(delay)
    rx = sc.start(receiver, "receiver")
    sc.wait_for(lambda: "Setting pipeline to PLAYING" in sc.output(rx) or
                rx.poll() is not None, 40, "the receiver PLAYING")
    time.sleep(seconds)
    sc.interrupt(rx)
    sc.interrupt(tx)
    check_exit(sc, rx)
    check_exit(sc, tx)
    return tx, rx


def sc_send_recv_sdp(receiver):
    def f(sc):
        tx, rx = pair(sc, SEND_L24, receiver, 3, wait_file="studio1.sdp")
        check_sdp(sc, "studio1.sdp", "a=rtpmap:96 L24/48000/2", "s=Studio 1",
                  "c=IN IP4 239.69.1.10/32")
        check_audio(sc, 2.0, rate=48000)
    return f


def sc_by_name(receiver, seconds=3):
    """The sender announces with sapannounce (at PAUSED, then every
    interval); the receiver is started 1.5 s after the sender is PLAYING,
    so it cannot have heard the first announcement: it must find the
    session at the next one, within its discovery-timeout, and play."""
    def f(sc):
        pair(sc, SEND_SAP, receiver, seconds, delay=1.5)
        check_audio(sc, 1.0, rate=48000)
    return f


def sc_record(recorder, extra):
    def f(sc):
        tx, rx = pair(sc, SEND_L24, recorder, 3, wait_file="studio1.sdp")
        check_wav(sc, "capture.wav", 48000, 2, 2.0)
        if extra:
            check_out(sc, rx, r"aes67-stats", r"loudness, .*momentary-lufs")
    return f


def sc_intercom(sc):
    """One pipeline sends and receives: the tone comes back on loopback."""
    p = sc.start(INTERCOM, "intercom")
    wait_playing(sc, p)
    time.sleep(3)
    expect(p.poll() is None, "stopped by itself:\n%s" % sc.output(p))
    sc.interrupt(p)
    check_exit(sc, p)
    check_audio(sc, 1.0, rate=48000)


def sc_send_file_readme(sc):
    p = sc.start(SEND_FILE_README, "sender")
    p.wait(60)
    check_exit(sc, p)
    check_sdp(sc, "front.sdp", "a=ptime:0.125", "c=IN IP4 239.69.1.11/32",
              "a=rtpmap:96 L16/")


def sc_sink_file(sc):
    p = sc.start(SINK_FILE, "sender")
    p.wait(60)
    check_exit(sc, p)


def sc_ptp_pair(sc):
    start_ptp4l(sc)
    tx, rx = pair(sc, PTP_SEND, PTP_RECV, 3, wait_file="studio1.sdp")
    check_sdp(sc, "studio1.sdp", "a=ts-refclk:ptp=IEEE1588-2008:",
              "a=clock-domain:PTPv2 0", "a=rtpmap:96 L24/48000/2")
    check_audio(sc, 1.0, rate=48000)


def check_two_legs(sc, rx):
    """aes67src's aes67-stats (printed by -m) show both legs received."""
    check_out(sc, rx, r"aes67-stats, ",
              r"primary-packets-received=\(guint64\)[1-9]",
              r"secondary-packets-received=\(guint64\)[1-9]",
              r"secondary-state=\(string\)receiving")


def sc_dup(sc):
    """ST 2022-7: the sender on eth0 and eth1; its SDP has both legs, each
    from its own network's address; aes67src receives both legs."""
    sc.add_second_network()
    tx, rx = pair(sc, SEND_DUP, RECV_DUP, 3, wait_file="studio1-dup.sdp")
    check_two_legs(sc, rx)
    check_sdp(sc, "studio1-dup.sdp", "\r\na=group:DUP 1 2\r\n",
              "a=source-filter: incl IN IP4 239.69.1.10 198.51.100.1\r\n"
              "a=mid:1\r\n",
              "c=IN IP4 239.69.2.10/32",
              "a=source-filter: incl IN IP4 239.69.2.10 203.0.113.1\r\n"
              "a=mid:2\r\n", "s=Studio 1 red/blue")
    check_audio(sc, 2.0, rate=48000)


def sc_dup_hand(sc):
    """ST 2022-7 by hand: aes67src with secondary-address receives both
    legs of the sender of the "dup" scenario."""
    sc.add_second_network()
    tx, rx = pair(sc, SEND_DUP, RECV_DUP_HAND, 3,
                  wait_file="studio1-dup.sdp")
    check_two_legs(sc, rx)
    check_audio(sc, 2.0, rate=48000)


def wait_playing(sc, p, timeout=40):
    sc.wait_for(lambda: "Setting pipeline to PLAYING" in sc.output(p) or
                p.poll() is not None, timeout, "%s PLAYING" % p.name)


def sc_ptp_tone(cmd):
    def f(sc):
        start_ptp4l(sc)
        p = sc.start(cmd, "tone")
        wait_playing(sc, p)
        time.sleep(3)
        expect(p.poll() is None, "%s stopped by itself:\n%s" % (
            p.name, sc.output(p)))
        sc.interrupt(p)
        check_exit(sc, p)
        check_audio(sc, 1.0)
    return f


def sc_ptp_uds(sc):
    start_ptp4l(sc)
    p = sc.start(PTP_UDS, "ptpclock")
    wait_playing(sc, p)
    time.sleep(2)
    expect(p.poll() is None, "stopped by itself:\n%s" % sc.output(p))
    sc.interrupt(p)
    check_exit(sc, p)
    # no -m: the warning ptpclock posts when it cannot lock (ptp4l not
    # answering) is printed by gst-launch all the same
    out = sc.output(p)
    expect("WARNING" not in out, "ptpclock warned:\n%s" % out)


def sc_monitor(cmd):
    """The monitor beside a sender with sapannounce; then its launch line
    pasted into a shell, `...` replaced by the rest of a pipeline."""
    def f(sc):
        tx = sc.start(SEND_SAP, "sender")
        mon = sc.start(cmd, "monitor")
        sc.wait_for(lambda: "gst-launch-1.0 aes67src" in sc.output(mon), 20,
                    "the monitor listing the session")
        sc.interrupt(mon)
        # gst-device-monitor-1.0 has no SIGINT handler: Ctrl-C kills it
        check_exit(sc, mon, allowed=(0, -signal.SIGINT))
        out = sc.output(mon)
        check_out(sc, mon, r"Device found", r"name  : Studio 1",
                  r"aes67\.sdp = v=0")
        line = [x.strip() for x in out.split("\n")
                if x.strip().startswith("gst-launch-1.0 aes67src")][0]
        expect(line.endswith("! ..."), "launch line: %s" % line)
        pasted = line[:-3] + "audioconvert ! autoaudiosink"
        rx = sc.start(pasted, "pasted")
        # it finds the session at its next announcement (every 5 s)
        sc.wait_for(lambda: "Setting pipeline to PLAYING" in sc.output(rx)
                    or rx.poll() is not None, 20, "the pasted line PLAYING")
        expect(rx.poll() is None, "the pasted line failed: %s\n%s" % (
            pasted, sc.output(rx)[-2000:]))
        time.sleep(3)
        sc.interrupt(rx)
        sc.interrupt(tx)
        check_exit(sc, rx)
        check_audio(sc, 1.0, rate=48000)
    return f


def write_sdp(sc, name, sname, sid, group):
    with open(sc.file(name), "w") as f:
        f.write(SDP_TEMPLATE.format(name=sname, sid=sid, group=group))


def sc_stage_sap(sc):
    p = sc.start(STAGE_SAP, "sender")
    out = monitor(sc, ["Stage"])
    sc.interrupt(p)
    check_exit(sc, p)
    expect("name  : Stage" in out, "no session Stage listed:\n%s" % out)


def sc_sdp_files(cmd, names, allowed_warning=None):
    def f(sc):
        write_sdp(sc, "stage.sdp", "Stage", 1001, "239.69.2.1")
        write_sdp(sc, "booth.sdp", "Booth", 1002, "239.69.2.2")
        p = sc.start(cmd, "announcer")
        out = monitor(sc, names)
        sc.interrupt(p)
        check_exit(sc, p)
        for n in names:
            expect("name  : %s" % n in out, "no session %s listed:\n%s"
                   % (n, out))
        if allowed_warning:
            check_out(sc, p, allowed_warning)
    return f


def sc_unshare(sc):
    p = sc.start(UNSHARE, "both")
    sc.wait_for(lambda: "aes67-stats" in sc.output(p), 30,
                "aes67-stats from the receiver")
    time.sleep(1)
    sc.interrupt(p)
    check_exit(sc, p)
    check_out(sc, p, r"sap-session, action=\(string\)found",
              r"aes67-stats, packets-received=\(guint64\)[1-9]")


def sc_loud_tone(sc):
    p = sc.start(LOUD_TONE, "meter")
    p.wait(60)
    check_exit(sc, p)
    out = sc.output(p)
    m = re.findall(r"momentary-lufs=\(double\)(-?[0-9.]+)", out)
    expect(len(m) >= 10, "only %d loudness messages" % len(m))
    expect(abs(float(m[-1]) + 20.7) < 0.3, "momentary %s LUFS, want -20.7"
           % m[-1])


def sc_loud_recv(sc):
    tx = sc.start("gst-launch-1.0 audiotestsrc is-live=true ! "
                  "aes67sink address=239.69.1.12 sdp-file=stream.sdp",
                  "helper-sender")
    sc.wait_for(lambda: os.path.exists(sc.file("stream.sdp")), 30,
                "stream.sdp")
    rx = sc.start(LOUD_RECV, "meter")
    sc.wait_for(lambda: len(re.findall(r"momentary-lufs", sc.output(rx)))
                >= 2 or rx.poll() is not None, 40, "two loudness messages")
    sc.interrupt(rx)
    sc.interrupt(tx)
    check_exit(sc, rx)
    out = sc.output(rx)
    m = re.findall(r"momentary-lufs=\(double\)(-?[0-9.]+)", out)
    expect(m and float(m[-1]) > -30, "no loudness of the stream: %s" % m)


def sc_loud_file(sc):
    pr = sc.start("gst-launch-1.0 audiotestsrc num-buffers=300 ! "
                  "audio/x-raw,rate=48000,channels=2 ! wavenc ! "
                  "filesink location=programme.wav", "helper-make-wav")
    pr.wait(60)
    check_exit(sc, pr)
    p = sc.start(LOUD_FILE, "meter")
    p.wait(60)
    check_exit(sc, p)
    check_out(sc, p, r"integrated-lufs=\(double\)-[0-9]",
              r"loudness-range-lu=", r"true-peak-dbtp=")


# The monitoring examples: a pipeline run with the aes67metrics tracer, and
# curl (and xdg-open) reading its server, in the same namespace.

RECEIVED = re.compile(r"^aes67_receiver_packets_received_total\{([^}]*)\} "
                      r"(\S+)$", re.M)
MOMENTARY = re.compile(r"^loudness_momentary_lufs\{[^}]*\} (\S+)$", re.M)


class Fetcher:
    """Runs a documented fetch command (curl ...) as written, in the
    scenario's namespace; each run's output is kept (NAME-N.log)."""

    def __init__(self, sc):
        self.sc = sc
        self.n = 0
        self.last = "none"

    def __call__(self, cmd, name, ok_rc=(0,)):
        self.n += 1
        p = self.sc.start(cmd, "%s-%d" % (name, self.n), split=True,
                          plain=True)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            self.sc.interrupt(p)
        self.last = "`%s` exited %s: %s" % (
            cmd, p.returncode, open(p.errpath).read()[-1000:].strip())
        expect(p.returncode in ok_rc, self.last)
        return self.sc.output(p)


def studio1_received(text):
    """The packets-received counter of the receiver of session "Studio 1"
    in a /metrics text, or None."""
    for labels, value in RECEIVED.findall(text):
        if 'session="Studio 1"' in labels:
            return float(value)
    return None


def promtool_check(text, what):
    r = subprocess.run(["promtool", "check", "metrics"], input=text,
                       capture_output=True, text=True)
    expect(r.returncode == 0, "promtool check metrics on %s: exit %d\n%s%s"
           "\n--- the text:\n%s" % (what, r.returncode, r.stdout, r.stderr,
                                     text[-3000:]))


def sc_metrics(receiver, sender, metrics_cmd, wait_file=None, ptp=False,
               status_cmd=None, jq_cmd=None, page_cmd=None):
    """The pipeline of the example, with the tracer as written, receiving
    from @sender; then the fetch commands as written, while it runs:
    /metrics must pass `promtool check metrics`, have the receiver of
    "Studio 1" with packets received rising between two fetches, and the
    meter's loudness_momentary_lufs (of the tone: above -30 LUFS); /status
    must be JSON with that receiver and its SDP; / the status page.

    A sender with an SDP file runs first; a receiver that finds the session
    by name runs first and the sender (sapannounce) after it, so that the
    receiver hears the first announcement (else the next, 5 s later)."""
    def f(sc):
        if ptp:
            start_ptp4l(sc)
        fetch = Fetcher(sc)
        if wait_file:
            tx = sc.start(sender, "sender")
            sc.wait_for(lambda: os.path.exists(sc.file(wait_file)), 30,
                        "the sender's %s" % wait_file)
            rx = sc.start(receiver, "receiver")
        else:
            rx = sc.start(receiver, "receiver")
            sc.wait_for(lambda: "Setting pipeline to PAUSED" in sc.output(rx)
                        or rx.poll() is not None, 30,
                        "the receiver starting")
            tx = sc.start(sender, "sender")
        state = {}

        def receiving():
            expect(rx.poll() is None, "the receiver stopped:\n%s"
                   % sc.output(rx)[-3000:])
            # refused until the server listens: curl exits 7
            text = fetch(metrics_cmd, "metrics", ok_rc=(0, 7))
            n = studio1_received(text)
            m = MOMENTARY.findall(text)
            state.update(text=text, n=n, m=m)
            return n and m and float(m[-1]) > -30
        try:
            sc.wait_for(receiving, 40, "the receiver of Studio 1 receiving, "
                        "with its loudness")
        except Failure as e:
            raise Failure("%s; the last fetch: %s\n%s\nreceiver:\n%s" % (
                e, fetch.last, state.get("text", "")[-3000:],
                sc.output(rx)[-2000:]))
        first = state["n"]
        promtool_check(state["text"], "the first fetch")
        sc.wait_for(lambda: (studio1_received(fetch(metrics_cmd, "metrics"))
                             or 0) > first, 15,
                    "packets received rising above %d" % first)
        text = open(os.path.join(sc.dir, "metrics-%d.log" % fetch.n)).read()
        promtool_check(text, "the second fetch")
        expect("aes67metrics: WARNING" not in sc.output(rx),
               "the tracer warned:\n%s" % sc.output(rx))
        if status_cmd:
            import json
            out = fetch(status_cmd, "status")
            try:
                st = json.loads(out)
            except ValueError as e:
                raise Failure("/status is not JSON (%s):\n%s" % (e, out[:2000]))
            rxs = [r for r in st.get("receivers", [])
                   if r.get("session") == "Studio 1"]
            expect(rxs and rxs[0].get("state") == "receiving" and
                   rxs[0].get("packets-received", 0) > 0 and
                   "s=Studio 1\r\n" in (rxs[0].get("sdp") or ""),
                   "/status has no receiving receiver of Studio 1 with its "
                   "SDP:\n%s" % out[:3000])
        if jq_cmd:
            import json
            out = fetch(jq_cmd, "jq").strip()
            dec, objs, pos = json.JSONDecoder(), [], 0
            try:
                while pos < len(out):
                    o, pos = dec.raw_decode(out, pos)
                    objs.append(o)
                    while pos < len(out) and out[pos].isspace():
                        pos += 1
            except ValueError as e:
                raise Failure("jq's output is not JSON (%s):\n%s" % (e, out))
            expect(any(o.get("state") == "receiving" and
                       isinstance(o.get("packets-lost"), int) and
                       o.get("element") for o in objs),
                   "jq printed no receiving receiver:\n%s" % out)
        if page_cmd:
            # No desktop here: xdg-open runs as written and, finding none,
            # opens the URL with $BROWSER, which we set to curl (as a text
            # browser on a server): its output is the page it opened.
            for k in ("DISPLAY", "WAYLAND_DISPLAY", "XDG_CURRENT_DESKTOP",
                      "DESKTOP_SESSION", "KDE_FULL_SESSION",
                      "GNOME_DESKTOP_SESSION_ID"):
                sc.env.pop(k, None)
            sc.env["BROWSER"] = "curl -sf"
            out = fetch(page_cmd, "page")
            expect(out.startswith("<!DOCTYPE html>") and
                   "<title>AES67 status</title>" in out and
                   "</html>" in out,
                   "xdg-open did not get the status page:\n%s" % out[:2000])
        sc.interrupt(rx)
        sc.interrupt(tx)
        check_exit(sc, rx)
        check_exit(sc, tx)
        # stopped once the checks pass: it has played (the tone), not long
        check_audio(sc, 0.1, rate=48000)
    return f


def sc_not_run(reason):
    def f(sc):
        raise Skip(reason)
    return f


class Skip(Exception):
    pass


def phc_or_skip(sc):
    if not os.path.exists("/dev/ptp0"):
        raise Skip("needs a PTP hardware clock, /dev/ptp0 (a NIC with "
                   "hardware timestamping); this machine has none")
    sc_ptp_tone(PTP_PHC)(sc)


# command -> (scenario id, scenario function). Commands of one scenario
# share its id and run once.
EXAMPLES = [
    (INSPECT, "inspect", sc_inspect),
    (SEND_L24, "send-recv-sdp", sc_send_recv_sdp(RECV_SDP)),
    (RECV_SDP, "send-recv-sdp", None),
    (INTERCOM, "intercom", sc_intercom),
    (SEND_SAP, "by-name", sc_by_name(RECV_NAME)),
    (RECV_NAME, "by-name", None),
    (RECORD_README, "record-readme", sc_record(RECORD_README, True)),
    (SEND_FILE_README, "send-file-readme", sc_send_file_readme),
    (PTP_SEND, "ptp-pair", sc_ptp_pair),
    (PTP_RECV, "ptp-pair", None),
    (MON_NET, "monitor-net", sc_monitor(MON_NET)),
    (MON_SRC, "monitor-src", sc_monitor(MON_SRC)),
    (STAGE_SAP, "stage-sap", sc_stage_sap),
    (SDP_FILES, "sdp-files", sc_sdp_files(SDP_FILES, ["Stage", "Booth"])),
    # without avahi-daemon in the namespace sapannounce warns and announces
    # with SAP only: the SAP part is checked, the warning expected
    (SDP_FILES_MDNS, "sdp-files-mdns",
     sc_sdp_files(SDP_FILES_MDNS, ["Stage"], r"WARNING|mDNS|avahi")),
    (SDP_FILE_ONE, "sdp-file-one", sc_sdp_files(SDP_FILE_ONE, ["Stage"])),
    (UNSHARE, "unshare", sc_unshare),
    (PTP_TONE, "ptp-tone", sc_ptp_tone(PTP_TONE)),
    (PTP_LINUXPTP, "ptp-linuxptp", sc_ptp_tone(PTP_LINUXPTP)),
    (PTP_PHC, "ptp-phc", phc_or_skip),
    (PTP_UDS, "ptp-uds", sc_ptp_uds),
    (SINK_FILE, "sink-file", sc_sink_file),
    (SRC_RECORD, "src-record", sc_record(SRC_RECORD, False)),
    (SRC_NAME_WAIT, "src-name-wait", sc_by_name(SRC_NAME_WAIT)),
    (SRC_SDP, "src-sdp", sc_send_recv_sdp(SRC_SDP)),
    (RAVENNA, "ravenna", sc_not_run(
        "needs an avahi-daemon on a D-Bus system bus in the namespace; "
        "ravennaannounce is run against one in elements/ravennaannounce")),
    # ST 2022-7 (docs/aes67.md and aes67sink's page): two networks
    (SEND_DUP, "dup", sc_dup),
    (RECV_DUP, "dup", None),
    (RECV_DUP_HAND, "dup-hand", sc_dup_hand),
    (LOUD_TONE, "loud-tone", sc_loud_tone),
    (LOUD_RECV, "loud-recv", sc_loud_recv),
    (LOUD_FILE, "loud-file", sc_loud_file),
    # the monitoring examples; CURL_METRICS is in README.md and in
    # docs/elements/aes67metrics.md, and both their scenarios run it
    (METRICS_README, "metrics-readme",
     sc_metrics(METRICS_README, SEND_SAP, CURL_METRICS)),
    (CURL_METRICS, "metrics-readme", None),
    (METRICS_ELEMENT, "metrics-element",
     sc_metrics(METRICS_ELEMENT, SEND_L24, CURL_METRICS,
                wait_file="studio1.sdp")),
    (METRICS_PAGE, "metrics-page",
     sc_metrics(METRICS_PAGE, PTP_SEND, CURL_METRICS_C, ptp=True,
                status_cmd=CURL_STATUS_C, jq_cmd=CURL_STATUS_JQ,
                page_cmd=XDG_OPEN)),
    (CURL_METRICS_C, "metrics-page", None),
    (CURL_STATUS_C, "metrics-page", None),
    (CURL_STATUS_JQ, "metrics-page", None),
    # xdg-open: run as written, its browser substituted (no desktop here)
    (XDG_OPEN, "metrics-page", None),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--source-root", required=True)
    ap.add_argument("--build-root", required=True)
    ap.add_argument("--only", help="run only this scenario id")
    ap.add_argument("--list", action="store_true",
                    help="list the commands found and their scenarios")
    args = ap.parse_args()
    root = os.path.abspath(args.source_root)
    args.build_root = os.path.abspath(args.build_root)

    docs = [os.path.join(root, "README.md")] + sorted(
        glob.glob(os.path.join(root, "docs", "*.md")) +
        glob.glob(os.path.join(root, "docs", "elements", "*.md")))
    found = {}
    for d in docs:
        for c in commands_in(d):
            found.setdefault(norm(c), []).append(os.path.relpath(d, root))
    table = {}
    for cmd, sid, fn in EXAMPLES:
        table[norm(cmd)] = (sid, fn)
    failures = []
    for c, where in sorted(found.items()):
        if c not in table:
            failures.append("no check for this example (in %s): %s"
                            % (", ".join(where), c))
    for c, (sid, _) in table.items():
        if c not in found:
            failures.append("entry %s: command in no document any more: %s"
                            % (sid, c))
    if args.list:
        for c, where in sorted(found.items()):
            print("%-16s %s\n    %s" % (table.get(c, ("-",))[0],
                                       ", ".join(where), c))
    print("%d commands in %d documents, %d table entries" % (
        len(found), len(docs), len(table)))
    if args.list:
        for f in failures:
            print("FAIL: " + f)
        return 1 if failures else 0

    if os.geteuid() != 0 or not shutil.which("ip") or \
            not shutil.which("nsenter"):
        for f in failures:
            print("FAIL: " + f)
        if failures:
            return 1
        print("SKIP: running the examples needs root (network namespaces) "
              "and ip, nsenter")
        return 77
    for tool in ("ptp4l", "gst-launch-1.0", "gst-device-monitor-1.0"):
        if not shutil.which(tool):
            failures.append("%s is not installed" % tool)

    workdir = tempfile.mkdtemp(prefix="aes67-examples-")
    ran = skipped = 0
    scenarios = []
    for cmd, sid, fn in EXAMPLES:
        if fn and (not args.only or args.only == sid):
            scenarios.append((sid, fn))
    for sid, fn in scenarios:
        t0 = time.monotonic()
        sc = Scenario(sid[:6].replace("-", ""), args.build_root, workdir)
        try:
            fn(sc)
            ran += 1
            print("ok   %-16s %.1f s" % (sid, time.monotonic() - t0))
        except Skip as e:
            skipped += 1
            print("skip %-16s %s" % (sid, e))
        except Failure as e:
            failures.append("%s: %s" % (sid, e))
            print("FAIL %-16s %s" % (sid, e))
        finally:
            sc.close()
        sys.stdout.flush()
    for f in failures:
        print("FAIL: " + f)
    print("%d scenarios passed, %d skipped (with the reason above), "
          "%d failures" % (ran, skipped, len(failures)))
    if not failures:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print("logs kept in %s" % workdir)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
