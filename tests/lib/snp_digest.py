#!/usr/bin/env python3
"""SEV-SNP launch digest of a QEMU direct boot (-kernel/-initrd/-append with
kernel-hashes=on), on its own: the tests hold it against what ccimage wrote,
so it shares no code with ccimage's C. Written from the facts of
measurement/README.md sections 3 and 4: AMD's SEV-SNP firmware ABI (the
PAGE_INFO of SNP_LAUNCH_UPDATE), OVMF's footer table and SEV metadata
(OvmfPkg/ResetVector), QEMU's SEV hash table and KVM's initial VMSA.

usage: snp_digest.py OVMF KERNEL INITRD CMDLINE VCPUS [VCPU_SIG]
prints the 48-byte digest as hex. VCPU_SIG defaults to EPYC-v4's 0x800f12;
the VMM is QEMU and the guest features 0x1 (SNPActive), ccimage's defaults.
"""
import hashlib
import struct
import sys
import uuid

FOOTER = "96b582de-1fb2-45f7-baea-a366c55a082d"
SEV_ES_RESET_BLOCK = "00f771de-1a7e-4fcb-890e-68c77e2fb44e"
SEV_METADATA = "dc886566-984a-4798-a75e-5585a7bf67cc"
SEV_HASH_TABLE = "7255371f-3a3b-4b04-927b-1da6efa8d454"
HT_HEADER = "9438d606-4f22-4cc9-b479-a793d411fd21"
HT_CMDLINE = "97d02dd8-bd20-4c94-aa78-e7714d36ab2a"
HT_INITRD = "44baf731-3a2f-4bd7-9af1-41e29169781d"
HT_KERNEL = "4de79437-abd2-427f-b835-d5b172d2045b"

PAGE = 4096
NORMAL, VMSA, ZERO, UNMEASURED, SECRETS, CPUID = 1, 2, 3, 4, 5, 6
SEC_MEM, SECRETS_SECTION, CPUID_SECTION, SVSM_CAA, KERNEL_HASHES = 1, 2, 3, 4, 0x10
VMSA_GPA = 0xFFFFFFFFF000


def guid(text):
    return uuid.UUID(text).bytes_le


def footer_entries(fw):
    """{GUID bytes: data} from the table that ends 32 bytes before the end of the file."""
    head = len(fw) - 50
    size, = struct.unpack_from("<H", fw, head)
    if fw[head + 2:head + 18] != guid(FOOTER):
        raise ValueError("no OVMF footer table")
    start, at, entries = head + 18 - size, head, {}
    while at > start:
        esize, = struct.unpack_from("<H", fw, at - 18)
        if esize < 18 or at - esize < start:
            raise ValueError("bad footer entry")
        entries[fw[at - 16:at]] = fw[at - esize:at - 18]
        at -= esize
    return entries


def sev_sections(fw, entries):
    """[(gpa, size, type)] of the SEV metadata ("ASEV"), in file order."""
    off, = struct.unpack_from("<I", entries[guid(SEV_METADATA)])
    base = len(fw) - off
    sig, _size, version, count = struct.unpack_from("<4sIII", fw, base)
    if sig != b"ASEV" or version != 1:
        raise ValueError("bad SEV metadata")
    return [struct.unpack_from("<III", fw, base + 16 + 12 * i) for i in range(count)]


def hash_table(kernel, initrd, cmdline):
    """QEMU's SEV hash table for kernel-hashes=on: 168 bytes, padded to 176."""
    def entry(g, data):
        return guid(g) + struct.pack("<H", 50) + hashlib.sha256(data).digest()
    body = (entry(HT_CMDLINE, cmdline.encode() + b"\0") + entry(HT_INITRD, initrd)
            + entry(HT_KERNEL, kernel))
    table = guid(HT_HEADER) + struct.pack("<H", 18 + len(body)) + body
    return table + bytes(176 - len(table))


def segment(selector, attrib, limit, base):
    return struct.pack("<HHIQ", selector, attrib, limit, base)


def vmsa(ap_eip, vcpu_sig, bsp):
    """The initial VMSA page KVM gives a QEMU vCPU (README 4.4)."""
    page = bytearray(PAGE)
    data = segment(0, 0x93, 0xFFFF, 0)
    for off in (0x000, 0x020, 0x030, 0x040, 0x050):
        page[off:off + 16] = data
    cs_base = 0xFFFF0000 if bsp else ap_eip & 0xFFFF0000
    page[0x010:0x020] = segment(0xF000, 0x9B, 0xFFFF, cs_base)
    page[0x060:0x070] = segment(0, 0, 0xFFFF, 0)
    page[0x070:0x080] = segment(0, 0x82, 0xFFFF, 0)
    page[0x080:0x090] = segment(0, 0, 0xFFFF, 0)
    page[0x090:0x0A0] = segment(0, 0x8B, 0xFFFF, 0)
    for off, value in ((0x0D0, 0x1000), (0x148, 0x40), (0x158, 0x10), (0x160, 0x400),
                       (0x168, 0xFFFF0FF0), (0x170, 0x2),
                       (0x178, 0xFFF0 if bsp else ap_eip & 0xFFFF),
                       (0x268, 0x0007040600070406), (0x310, vcpu_sig), (0x3B0, 0x1),
                       (0x3E8, 0x1)):
        struct.pack_into("<Q", page, off, value)
    struct.pack_into("<I", page, 0x408, 0x1F80)
    struct.pack_into("<H", page, 0x410, 0x37F)
    return bytes(page)


def update(ld, page_type, gpa, contents=bytes(48)):
    """LD = SHA-384(PAGE_INFO): the current LD, the page's hash, 0x70, type, zeros, GPA."""
    info = ld + contents + struct.pack("<HBB3sBQ", 0x70, page_type, 0, bytes(3), 0, gpa)
    return hashlib.sha384(info).digest()


def digest(fw, kernel, initrd, cmdline, vcpus, vcpu_sig=0x800F12):
    entries = footer_entries(fw)
    base = (1 << 32) - len(fw)
    ld = bytes(48)
    for off in range(0, len(fw), PAGE):
        ld = update(ld, NORMAL, base + off, hashlib.sha384(fw[off:off + PAGE]).digest())
    table_gpa, = struct.unpack_from("<I", entries[guid(SEV_HASH_TABLE)])
    for gpa, size, kind in sev_sections(fw, entries):
        if kind in (SEC_MEM, SVSM_CAA):
            for page in range(gpa, gpa + size, PAGE):
                ld = update(ld, ZERO, page)
        elif kind == SECRETS_SECTION:
            ld = update(ld, SECRETS, gpa)
        elif kind == CPUID_SECTION:
            ld = update(ld, CPUID, gpa)
        elif kind == KERNEL_HASHES:
            page = bytearray(PAGE)
            at = table_gpa & 0xFFF
            page[at:at + 176] = hash_table(kernel, initrd, cmdline)
            ld = update(ld, NORMAL, gpa, hashlib.sha384(bytes(page)).digest())
        else:
            raise ValueError("unknown SEV section type %#x" % kind)
    ap_eip, = struct.unpack_from("<I", entries[guid(SEV_ES_RESET_BLOCK)])
    for cpu in range(vcpus):
        ld = update(ld, VMSA, VMSA_GPA, hashlib.sha384(vmsa(ap_eip, vcpu_sig, cpu == 0)).digest())
    return ld.hex()


def main(argv):
    if len(argv) not in (6, 7):
        sys.exit(__doc__)
    read = lambda path: open(path, "rb").read()
    sig = int(argv[6], 0) if len(argv) == 7 else 0x800F12
    print(digest(read(argv[1]), read(argv[2]), read(argv[3]), argv[4], int(argv[5]), sig))


if __name__ == "__main__":
    main(sys.argv)
