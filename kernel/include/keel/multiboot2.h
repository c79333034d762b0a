/*
 * multiboot2.h - reading the Multiboot2 boot information (kernel/boot/
 * multiboot2.c).  The numbers come from the Multiboot2 specification.
 *
 * The parser trusts nothing: every tag is checked against the total size,
 * its alignment and its own minimum size before a byte of it is read.  What
 * is wrong is recorded as a problem (tag type, offset, what) for the caller
 * to print; the parse goes on where it safely can.
 */
#ifndef KEEL_MULTIBOOT2_H
#define KEEL_MULTIBOOT2_H

/* In EAX at entry, from a Multiboot2 boot loader. */
#define MB2_BOOTLOADER_MAGIC	0x36d76289
/* In the kernel's header. */
#define MB2_HEADER_MAGIC	0xe85250d6
#define MB2_ARCH_I386		0

/* Header tags (the kernel's requests to the loader). */
#define MB2_HTAG_END		0
#define MB2_HTAG_INFO_REQUEST	1
#define MB2_HTAG_ENTRY_ADDRESS	3
#define MB2_HTAG_FRAMEBUFFER	5
#define MB2_HTAG_MODULE_ALIGN	6
#define MB2_HTAG_OPTIONAL	1 /* flag: the loader may ignore the tag */

/* Information tags (the loader's answers). */
#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1
#define MB2_TAG_BOOTLOADER_NAME 2
#define MB2_TAG_MODULE		3
#define MB2_TAG_BASIC_MEMINFO	4
#define MB2_TAG_BOOTDEV		5
#define MB2_TAG_MMAP		6
#define MB2_TAG_VBE		7
#define MB2_TAG_FRAMEBUFFER	8
#define MB2_TAG_ELF_SECTIONS	9
#define MB2_TAG_APM		10
#define MB2_TAG_EFI32		11
#define MB2_TAG_EFI64		12
#define MB2_TAG_SMBIOS		13
#define MB2_TAG_ACPI_OLD	14
#define MB2_TAG_ACPI_NEW	15
#define MB2_TAG_NETWORK		16
#define MB2_TAG_EFI_MMAP	17
#define MB2_TAG_EFI_BS		18
#define MB2_TAG_EFI32_IH	19
#define MB2_TAG_EFI64_IH	20
#define MB2_TAG_LOAD_BASE_ADDR	21

/* Largest information structure we accept (GRUB's are a few KiB). */
#define MB2_MAX_TOTAL_SIZE	(1u << 20)
#define MB2_MAX_MODULES		64
#define MB2_MAX_PROBLEMS	16

#ifndef __ASSEMBLER__

#include <keel/memmap.h>
#include <keel/types.h>

struct mb2_module {
	u64 start;	  /* physical, inclusive */
	u64 end;	  /* physical, exclusive */
	const char *name; /* NUL-terminated, inside the information */
};

struct mb2_problem {
	u32 tag_type; /* type of the offending tag (or ~0 for the whole) */
	u32 offset;   /* its byte offset in the information */
	const char *what;
};

struct mb2_info {
	u32 total_size;
	const char *cmdline;	/* NULL if absent */
	const char *bootloader; /* NULL if absent */

	/* The memory map, copied out of its tag (raw, not yet sanitized). */
	struct memmap_entry *mmap; /* caller's array */
	size_t mmap_cap;	   /* its capacity (set by the caller) */
	size_t mmap_count;
	size_t mmap_dropped; /* entries beyond mmap_cap */
	bool has_mmap;

	struct mb2_module modules[MB2_MAX_MODULES];
	size_t module_count;
	size_t module_tags; /* module tags seen, good or bad */

	/*
	 * The walk reached the end tag.  If not, tags after the break were
	 * never seen: the caller cannot know all memory that is in use.
	 */
	bool complete;

	/* ACPI RSDP copies, inside the information; NULL if absent. */
	const void *rsdp_v1;
	size_t rsdp_v1_len;
	const void *rsdp_v2;
	size_t rsdp_v2_len;

	struct {
		bool present;
		u64 addr;
		u32 pitch, width, height;
		u8 bpp, type;
	} fb;

	/* Booted through EFI: an EFI system table or EFI memory map tag. */
	bool efi;
	const void *efi_mmap; /* descriptors, inside the information */
	size_t efi_mmap_size;
	u32 efi_desc_size;

	struct mb2_problem problems[MB2_MAX_PROBLEMS];
	size_t problem_count;  /* how many were recorded */
	size_t problems_total; /* how many happened */
};

enum mb2_status {
	MB2_OK = 0,
	MB2_BAD_MAGIC = -1,   /* EAX did not hold MB2_BOOTLOADER_MAGIC */
	MB2_BAD_POINTER = -2, /* NULL or not 8-byte aligned */
	MB2_BAD_SIZE = -3,    /* total size too small or too large */
};

/*
 * mb2_parse - read the information at `mbi` (a pointer the caller can read
 * total_size bytes from once total_size is known to be at most
 * MB2_MAX_TOTAL_SIZE).  `out->mmap` and `out->mmap_cap` must be set by the
 * caller; everything else is filled in.  Returns MB2_OK if the structure as
 * a whole could be read (individual bad tags are in out->problems), or a
 * negative enum mb2_status if nothing can be trusted.
 */
int mb2_parse(const void *mbi, u32 magic, struct mb2_info *out);

/* Text for a negative mb2_parse() result. */
const char *mb2_strerror(int status);

#endif /* !__ASSEMBLER__ */
#endif
