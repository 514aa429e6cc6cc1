#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Replays an attestation agent event log (AAEL) to TDX RTMR3.

Written from the format's facts (init/README.md, "ccinit's events in the
attestation agent's log"), not from ccinit's C code, so that a test can hold
the two against each other. The file is what the agent keeps at
/run/attestation-agent/eventlog: TCG2 crypto-agile entries, no header, each

    u32 MR index | u32 event type | u32 digest count |
    count x (u16 algorithm | digest) | u32 event size | event

all little-endian. An AAEL event is of type EV_EVENT_TAG (6), its event a TCG
tagged event: u32 id 0x4141454c ("AAEL") | u32 size | "<domain> <operation>
<content>". The register is extended with the SHA-384 of the whole event, as
trustee's replay does: MR = SHA-384(MR || digest), MR from 48 zero bytes.

Prints RTMR3 (MR index 4) in hex, then each event's text, one a line. Exits
1, naming the entry, when the log breaks the format.
"""
import hashlib
import struct
import sys

SHA384 = 0x000C
EV_EVENT_TAG = 6
AAEL_ID = 0x4141454C
RTMR3_MR = 4


def fail(n, what):
    sys.exit(f"aael_replay: entry {n}: {what}")


def entries(log):
    at, n = 0, 0
    while at < len(log):
        if len(log) - at < 12:
            fail(n, "truncated header")
        mr, etype, count = struct.unpack_from("<III", log, at)
        at += 12
        digests = []
        for _ in range(count):
            (alg,) = struct.unpack_from("<H", log, at)
            if alg != SHA384:
                fail(n, f"algorithm {alg:#x} is not SHA-384")
            digests.append(log[at + 2:at + 50])
            at += 50
        (size,) = struct.unpack_from("<I", log, at)
        event = log[at + 4:at + 4 + size]
        if len(event) != size:
            fail(n, "truncated event")
        at += 4 + size
        yield n, mr, etype, digests, event
        n += 1


def aael_text(n, event):
    tag, size = struct.unpack_from("<II", event, 0)
    text = event[8:]
    if tag != AAEL_ID or size != len(text):
        fail(n, "not an AAEL tagged event")
    text = text.decode("ascii")
    parts = text.split(" ", 2)
    if len(parts) != 3 or not parts[0] or not parts[1] or "\n" in parts[2]:
        fail(n, f"not '<domain> <operation> <content>': {text!r}")
    return text


def main():
    with open(sys.argv[1], "rb") as f:
        log = f.read()
    rtmr3 = bytes(48)
    lines = []
    for n, mr, etype, digests, event in entries(log):
        if etype != EV_EVENT_TAG:
            fail(n, f"event type {etype} is not EV_EVENT_TAG")
        if len(digests) != 1 or digests[0] != hashlib.sha384(event).digest():
            fail(n, "its digest is not the SHA-384 of its event")
        lines.append(aael_text(n, event))
        if mr == RTMR3_MR:
            rtmr3 = hashlib.sha384(rtmr3 + digests[0]).digest()
    print(rtmr3.hex())
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
