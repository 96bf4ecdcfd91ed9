/* The memory devices the firmware describes: SMBIOS type 17 ("Memory
 * Device", DMTF DSP0134 section 7.18) from the structure table the kernel
 * shows at /sys/firmware/dmi/tables/DMI, and the DRAM bandwidth they allow.
 * Pure: bytes in, no I/O, so it can be fuzzed. */
#ifndef XPU_SMBIOS_H
#define XPU_SMBIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XPU_SMBIOS_MAX_DEVICES 128

typedef struct xpu_dimm {
	uint16_t handle;
	char locator[48];     /* Device Locator: "ChannelA-DIMM0", "DIMM 0", "P1-DIMMA1" */
	char bank[48];        /* Bank Locator: "BANK 0", "P0 CHANNEL A" */
	bool populated;       /* Size is not 0 ("No Module Installed") */
	uint64_t size_mib;    /* 0 when unknown (Size 0xFFFF) */
	unsigned data_width;  /* bits, without ECC; 0 unknown */
	unsigned speed_mts;   /* the configured speed, else the rated one; 0 unknown */
	bool speed_rated;     /* speed_mts is the module's rated speed, not the configured one */
	uint8_t type;         /* Memory Type: 0x1a DDR4, 0x22 DDR5 (xpu_smbios_type_name) */
	bool dram;            /* false for non-volatile devices (Optane, logical NV devices) */
} xpu_dimm;

typedef struct xpu_smbios_memory {
	size_t n_structures;  /* structures read, of any type */
	size_t n_devices;     /* type 17 structures kept (slots, populated or not) */
	bool truncated;       /* more type 17 structures than XPU_SMBIOS_MAX_DEVICES */
	xpu_dimm dev[XPU_SMBIOS_MAX_DEVICES];
} xpu_smbios_memory;

/* Reads every type 17 structure of an SMBIOS structure table (each a
 * formatted area of the length its header gives, then its strings, up to
 * two NULs; the table ends at type 127 or its last byte).  false, with what
 * and where in err, when a structure is malformed before any memory device
 * was read (a header shorter than 4 bytes, strings without their end). */
bool xpu_smbios_memory_parse(const uint8_t *table, size_t len, xpu_smbios_memory *out, char *err,
			     size_t errlen);

/* "DDR4", "LPDDR5", or "type 0x%02x" in buf. */
const char *xpu_smbios_type_name(uint8_t type, char *buf, size_t len);

/* The channel a DIMM sits on, as its locators name it ("P0 CHANNEL A" ->
 * "P0 A", "ChannelB-DIMM1" -> "B", "CPU1_DIMM_C2" -> "CPU1_C"); false when
 * they name none ("DIMM 0", "BANK 2"). */
bool xpu_dimm_channel(const xpu_dimm *d, char *key, size_t len);

/* The theoretical DRAM bandwidth of the populated DIMMs: per channel its
 * data width times its (slowest) speed, summed over the channels.  DIMMs
 * whose locators name no channel count as one channel each. */
typedef struct xpu_dram_peak {
	double gb_s;          /* GB/s (1e9 bytes); 0 when unknown (then why says so) */
	unsigned dimms, channels, speed_mts, width_bits;
	bool mixed, rated;    /* speeds or widths differ; a speed is the rated one */
	char how[200];        /* "4 DDR4 DIMMs, 3200 MT/s x 64 bit, 2 channels ..." or why not */
} xpu_dram_peak;
bool xpu_smbios_dram_peak(const xpu_smbios_memory *m, xpu_dram_peak *out);

#endif
