#!/usr/bin/env python3
"""The synthetic SMBIOS fixtures of tests/bench/smbios, written from the
layouts of DMTF DSP0134 3.7 (section 6.1.2 structure header and strings;
7.18 type 17 "Memory Device", table 75; 7.1 type 0; 7.17 type 16; 7.46
type 127; 5.2.2 the 3.0 entry point).  Each NAME.DMI is a structure table as
the kernel shows it at /sys/firmware/dmi/tables/DMI, each NAME.entry its
entry point (smbios_entry_point) with the table's address rewritten to 0x20,
as dmidecode --dump-bin writes it, so that entry + padding + DMI is a dump
that dmidecode --from-dump reads.

  fixtures.py write DIR    (re)write the synthetic fixtures into DIR
  fixtures.py check DIR    exit 1 when a fixture in DIR differs from this file
"""
import struct
import sys

DDR4, DDR5, LPDDR5, RAM = 0x1A, 0x22, 0x23, 0x07


def structure(stype, handle, formatted, strings):
    """Header (type, length, handle), the formatted fields, then the strings,
    each NUL-ended, and the final NUL (two NULs when there is none)."""
    body = struct.pack('<BBH', stype, 4 + len(formatted), handle) + formatted
    area = b''.join(s.encode() + b'\0' for s in strings) or b'\0'
    return body + area + b'\0'


def bios(handle=0):
    # type 0: vendor (1), version (2), start segment, release date (3), ROM size
    f = struct.pack('<BBHBBQ', 1, 2, 0xE800, 3, 0xFF, 0x08) + bytes(4)
    return structure(0, handle, f, ['xpu fixture', '1.0', '01/01/2026'])


def array(handle, devices):
    # type 16: location 3 (system board), use 3 (system memory), ECC 6
    # (multi-bit), max capacity 0x80000000 (extended), error handle none,
    # number of devices, extended maximum capacity (2.7)
    f = struct.pack('<BBBIHHQ', 3, 3, 6, 0x80000000, 0xFFFE, devices, 1 << 42)
    return structure(16, handle, f, [])


def dimm(handle, locator, bank, size_mib, mtype, speed, conf, width=64, total=None,
         length=0x28, ext_speed=0, ext_conf=0, technology=0x03):
    """Type 17 at the length of a given spec version: 0x28 (2.8) or 0x5C
    (3.3).  size_mib 0: no module installed; above 32767 MiB the size field
    is 0x7FFF and the extended size (0x1C) holds it."""
    size = 0 if size_mib == 0 else (0x7FFF if size_mib > 0x7FFE else size_mib)
    ext_size = size_mib if size == 0x7FFF else 0
    total = width if total is None else total
    f = struct.pack('<HHHHHBBBBBHHBBBBBIHHHH',
                    0x1000,            # 0x04 physical memory array handle
                    0xFFFE,            # 0x06 memory error information: none
                    total,             # 0x08 total width
                    width,             # 0x0A data width
                    size,              # 0x0C size
                    0x09,              # 0x0E form factor: DIMM
                    0,                 # 0x0F device set
                    1,                 # 0x10 device locator: string 1
                    2 if bank else 0,  # 0x11 bank locator: string 2, or none
                    mtype,             # 0x12 memory type
                    0x0080,            # 0x13 type detail: synchronous
                    speed,             # 0x15 speed, MT/s
                    3 if bank else 2,  # 0x17 manufacturer (the next string)
                    0, 0, 0,           # 0x18 serial, asset tag, part number: none
                    2,                 # 0x1B attributes: rank 2
                    ext_size,          # 0x1C extended size, MiB
                    conf,              # 0x20 configured memory speed
                    1200, 1200, 1200)  # 0x22 voltages, mV
    if length >= 0x5C:
        # 3.2: memory technology, operating mode capability, firmware version,
        # module/subsystem ids, sizes; 3.3: extended speeds
        f += struct.pack('<BHBHHHHQQQQ', technology, 0x0004, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        f += struct.pack('<II', ext_speed, ext_conf)
        assert 4 + len(f) == 0x5C
    else:
        assert 4 + len(f) == 0x28
    return structure(17, handle, f, [locator] + ([bank] if bank else []) + ['xpu fixture'])


def end(handle):
    return structure(127, handle, b'', [])


def entry(table_len, major=3, minor=3):
    ep = bytearray(b'_SM3_' + bytes([0, 0x18, major, minor, 0, 1, 0]) +
                   struct.pack('<IQ', table_len, 0x20))
    ep[5] = (-sum(ep)) & 0xFF
    return bytes(ep)


def genoa_2s():
    """Two sockets of 12 DDR5 channels, one DIMM each, 4800 MT/s (3.3)."""
    out = bios() + array(0x1000, 24)
    h = 0x1100
    for sock in range(2):
        for ch in 'ABCDEFGHIJKL':
            out += dimm(h, 'DIMM 0', 'P%d CHANNEL %s' % (sock, ch), 65536, DDR5, 4800, 4800,
                        total=80, length=0x5C)
            h += 1
    return out + end(0xFEFF)


def desktop_2dpc():
    """Two DDR4 channels with two DIMMs each, rated 3600, configured 3200."""
    out = bios() + array(0x1000, 4)
    for i, (loc, bank) in enumerate([('ChannelA-DIMM0', 'BANK 0'), ('ChannelA-DIMM1', 'BANK 1'),
                                     ('ChannelB-DIMM0', 'BANK 2'), ('ChannelB-DIMM1', 'BANK 3')]):
        out += dimm(0x1100 + i, loc, bank, 16384, DDR4, 3600, 3200)
    return out + end(0xFEFF)


def supermicro_ext_size():
    """Two sockets, slots A1/A2/B1/B2 each, 64 GiB DIMMs (extended size) in
    the first slot of each channel, ECC (72-bit total, 64-bit data)."""
    out = bios() + array(0x1000, 8)
    h = 0x1100
    for sock in (1, 2):
        for slot in ('A1', 'A2', 'B1', 'B2'):
            size = 65536 if slot.endswith('1') else 0
            out += dimm(h, 'P%d-DIMM%s' % (sock, slot), 'P%d_Node%d_Channel%s_Dimm%s' %
                        (sock, sock - 1, slot[0], slot[1]), size, DDR4 if size else 0x02,
                        2933 if size else 0, 2933 if size else 0, total=72)
            h += 1
    return out + end(0xFEFF)


def lpddr5_laptop():
    """Eight 16-bit LPDDR5 channels on two controllers, 6400 MT/s."""
    out = bios() + array(0x1000, 8)
    h = 0x1100
    for ctl in range(2):
        for ch in 'ABCD':
            out += dimm(h, 'Controller%d-Channel%s-DIMM0' % (ctl, ch), 'BANK 0', 2048, LPDDR5,
                        6400, 6400, width=16, total=16)
            h += 1
    return out + end(0xFEFF)


def extended_speed():
    """SMBIOS 3.3's extended speeds: both WORDs 0xFFFF, the DWORDs beyond them."""
    return (bios() + array(0x1000, 1) +
            dimm(0x1100, 'DIMM_A1', 'BANK 0', 32768, DDR5, 0xFFFF, 0xFFFF, length=0x5C,
                 ext_speed=80000, ext_conf=72000) + end(0xFEFF))


def qemu_vm():
    """What QEMU's smbios_build_type_17 writes: size, no width, no speed."""
    return (bios() + array(0x1000, 1) +
            dimm(0x1100, 'DIMM 0', '', 16384, RAM, 0, 0, width=0xFFFF, total=0xFFFF) +
            end(0xFEFF))


def optane():
    """DDR4 beside Intel Optane persistent memory (technology 0x07): only
    the DRAM counts."""
    out = bios() + array(0x1000, 2)
    out += dimm(0x1100, 'CPU1_DIMM_A1', 'NODE 1', 32768, DDR4, 2666, 2666, length=0x5C)
    out += dimm(0x1101, 'CPU1_DIMM_A2', 'NODE 1', 262144, DDR4, 2666, 2666, length=0x5C,
                technology=0x07)
    return out + end(0xFEFF)


def bad_length():
    """A structure whose header says 2 bytes, shorter than the header."""
    return bios() + bytes([17, 2, 0, 0x11]) + b'\0\0'


def no_string_end():
    """A memory device whose strings never end (no double NUL)."""
    d = dimm(0x1100, 'DIMM 0', 'BANK 0', 8192, DDR4, 2400, 2400)
    return bios() + d[:-2]


FIXTURES = {
    'dsp0134-genoa-2s-ddr5': genoa_2s,
    'dsp0134-desktop-2dpc-ddr4': desktop_2dpc,
    'dsp0134-supermicro-ext-size': supermicro_ext_size,
    'dsp0134-lpddr5-laptop': lpddr5_laptop,
    'dsp0134-extended-speed': extended_speed,
    'dsp0134-qemu-vm': qemu_vm,
    'dsp0134-optane': optane,
    'dsp0134-bad-length': bad_length,
    'dsp0134-no-string-end': no_string_end,
}


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ('write', 'check'):
        sys.exit(__doc__)
    folder, differ = sys.argv[2], []
    for name, make in FIXTURES.items():
        table = make()
        for ext, data in (('.DMI', table), ('.entry', entry(len(table)))):
            path = '%s/%s%s' % (folder, name, ext)
            if sys.argv[1] == 'write':
                with open(path, 'wb') as f:
                    f.write(data)
            else:
                try:
                    same = open(path, 'rb').read() == data
                except OSError:
                    same = False
                if not same:
                    differ.append(path)
    for path in differ:
        print('%s differs from tests/bench/smbios/fixtures.py' % path)
    sys.exit(1 if differ else 0)


if __name__ == '__main__':
    main()
