/*
 * multiboot2.c - a defensive reader for the Multiboot2 boot information.
 *
 * The information is u32 total_size, u32 reserved, then tags, each starting
 * on an 8-byte boundary with u32 type and u32 size (size counts the 8-byte
 * header but not the padding to the next tag), ending with a tag of type 0
 * and size 8.  Nothing in it is trusted: no byte is read until it is known
 * to lie inside [mbi, mbi + total_size).
 *
 * Policy (see struct mb2_info for where results go):
 *  - a tag header that does not fit, or a size below 8 or past the end,
 *    means the rest of the list cannot be walked: record a problem, stop;
 *  - a tag whose body is wrong for its type is recorded and skipped;
 *  - where one tag is expected (mmap, cmdline, ...) the first valid one is
 *    used and later ones are recorded as problems;
 *  - unknown tag types are skipped silently.
 * mb2_parse() still returns MB2_OK in all of these cases: the caller decides
 * what it cannot live without (e.g. no memory map).
 */
#include <keel/multiboot2.h>
#include <common/string.h>
#include <keel/types.h>
#include <common/unaligned.h>

#define MB2_TAG_HDR_SIZE   8u
#define MB2_INFO_HDR_SIZE  8u
#define MB2_TAG_ALIGN	   8u
#define MB2_WHOLE	   (~(u32)0) /* problem tag_type for the whole list */

/* Smallest body-bearing sizes (header included) for the tags we read. */
#define MB2_MIN_STRING	   9u  /* header + at least the NUL */
#define MB2_MIN_MODULE	   17u /* header + start + end + NUL */
#define MB2_MIN_MMAP	   16u /* header + entry_size + entry_version */
#define MB2_MIN_FB	   32u /* common part, up to the u16 reserved */
#define MB2_MIN_EFI32	   12u /* header + u32 pointer */
#define MB2_MIN_EFI64	   16u /* header + u64 pointer */
#define MB2_MIN_EFI_MMAP   16u /* header + descriptor size + version */
#define MB2_RSDP_V1_LEN	   20u
#define MB2_RSDP_V2_LEN	   36u

#define MB2_MMAP_ENTRY_MIN 24u /* u64 base, length; u32 type, reserved */
#define MB2_EFI_DESC_MIN   40u /* sizeof(EFI_MEMORY_DESCRIPTOR) */

/* One tag, located and bounds-checked by the walker. */
struct mb2_tag {
	const u8 *p; /* its first byte (the type field) */
	u32 type;
	u32 size;   /* as in the tag: header included, padding not */
	u32 offset; /* from the start of the information */
};

/* Record a problem: keep the first MB2_MAX_PROBLEMS, count them all. */
static void mb2_problem(struct mb2_info *out, u32 type, u32 offset, const char *what)
{
	if (out->problem_count < MB2_MAX_PROBLEMS) {
		struct mb2_problem *pr = &out->problems[out->problem_count++];

		pr->tag_type = type;
		pr->offset = offset;
		pr->what = what;
	}
	out->problems_total++;
}

static void mb2_tag_problem(struct mb2_info *out, const struct mb2_tag *t, const char *what)
{
	mb2_problem(out, t->type, t->offset, what);
}

/*
 * The NUL-terminated string at byte `at` of the tag, or NULL if the tag
 * ends before a NUL.  Never reads past the tag.  Caller ensures at <= size.
 */
static const char *mb2_tag_string(const struct mb2_tag *t, u32 at)
{
	const char *s = (const char *)t->p + at;
	u32 room = t->size - at;

	if (str_nlen(s, room) == room)
		return NULL;
	return s;
}

/* cmdline (1) and boot loader name (2): one string each, first one wins. */
static void mb2_do_string(struct mb2_info *out, const struct mb2_tag *t, const char **slot,
			  const char *short_msg, const char *unterm_msg, const char *dup_msg)
{
	const char *s;

	if (t->size < MB2_MIN_STRING) {
		mb2_tag_problem(out, t, short_msg);
		return;
	}
	s = mb2_tag_string(t, MB2_TAG_HDR_SIZE);
	if (!s) {
		mb2_tag_problem(out, t, unterm_msg);
		return;
	}
	if (*slot) {
		mb2_tag_problem(out, t, dup_msg);
		return;
	}
	*slot = s;
}

/* module (3): u32 mod_start, u32 mod_end, NUL-terminated string. */
static void mb2_do_module(struct mb2_info *out, const struct mb2_tag *t)
{
	struct mb2_module *m;
	const char *name;
	u32 start, end;

	out->module_tags++;
	if (t->size < MB2_MIN_MODULE) {
		mb2_tag_problem(out, t, "module: tag too short");
		return;
	}
	start = get_le32(t->p + 8);
	end = get_le32(t->p + 12);
	if (end < start) {
		mb2_tag_problem(out, t, "module: end below start");
		return;
	}
	name = mb2_tag_string(t, 16);
	if (!name) {
		mb2_tag_problem(out, t, "module: name not NUL-terminated");
		return;
	}
	if (out->module_count >= MB2_MAX_MODULES) {
		/* One problem per module dropped, so all are counted. */
		mb2_tag_problem(out, t, "module: too many, ignored");
		return;
	}
	m = &out->modules[out->module_count++];
	m->start = start;
	m->end = end;
	m->name = name;
}

/*
 * mmap (6): u32 entry_size, u32 entry_version, then whole entries of
 * entry_size bytes, each starting {u64 base, u64 length, u32 type}.
 * entry_version is not checked: the spec keeps later versions compatible.
 */
static void mb2_do_mmap(struct mb2_info *out, const struct mb2_tag *t)
{
	u32 esize, body, count, i;
	size_t dropped = 0;

	if (t->size < MB2_MIN_MMAP) {
		mb2_tag_problem(out, t, "mmap: tag too short");
		return;
	}
	esize = get_le32(t->p + 8);
	if (esize < MB2_MMAP_ENTRY_MIN) {
		mb2_tag_problem(out, t, "mmap: entry_size below 24");
		return;
	}
	if (esize % 8) {
		mb2_tag_problem(out, t, "mmap: entry_size not a multiple of 8");
		return;
	}
	body = t->size - MB2_MIN_MMAP;
	if (body % esize) {
		mb2_tag_problem(out, t, "mmap: not a whole number of entries");
		return;
	}
	if (out->has_mmap) {
		mb2_tag_problem(out, t, "mmap: duplicate tag ignored");
		return;
	}
	out->has_mmap = true;
	count = body / esize;
	for (i = 0; i < count; i++) {
		const u8 *e = t->p + MB2_MIN_MMAP + (size_t)i * esize;
		struct memmap_entry *me;

		if (!out->mmap || out->mmap_count >= out->mmap_cap) {
			dropped++;
			continue;
		}
		me = &out->mmap[out->mmap_count++];
		me->base = get_le64(e);
		me->length = get_le64(e + 8);
		me->type = get_le32(e + 16);
	}
	if (dropped) {
		out->mmap_dropped += dropped;
		mb2_tag_problem(out, t, "mmap: more entries than room");
	}
}

/* framebuffer (8): u64 addr, u32 pitch, width, height, u8 bpp, u8 type. */
static void mb2_do_framebuffer(struct mb2_info *out, const struct mb2_tag *t)
{
	if (t->size < MB2_MIN_FB) {
		mb2_tag_problem(out, t, "framebuffer: tag too short");
		return;
	}
	if (out->fb.present) {
		mb2_tag_problem(out, t, "framebuffer: duplicate tag ignored");
		return;
	}
	out->fb.present = true;
	out->fb.addr = get_le64(t->p + 8);
	out->fb.pitch = get_le32(t->p + 16);
	out->fb.width = get_le32(t->p + 20);
	out->fb.height = get_le32(t->p + 24);
	out->fb.bpp = t->p[28];
	out->fb.type = t->p[29];
}

/*
 * ACPI old (14) / new (15): a copy of the RSDP follows the header.  The
 * length reported is the whole copy (size - 8), at least `min` bytes; the
 * caller checks the RSDP's own signature, length and checksums.
 */
static void mb2_do_acpi(struct mb2_info *out, const struct mb2_tag *t, const void **slot,
			size_t *len, u32 min, const char *short_msg, const char *dup_msg)
{
	if (t->size < MB2_TAG_HDR_SIZE + min) {
		mb2_tag_problem(out, t, short_msg);
		return;
	}
	if (*slot) {
		mb2_tag_problem(out, t, dup_msg);
		return;
	}
	*slot = t->p + MB2_TAG_HDR_SIZE;
	*len = t->size - MB2_TAG_HDR_SIZE;
}

/* EFI system table pointers (11, 12): we only note that EFI booted us. */
static void mb2_do_efi_st(struct mb2_info *out, const struct mb2_tag *t, u32 min)
{
	if (t->size < min) {
		mb2_tag_problem(out, t, "efi: system table tag too short");
		return;
	}
	out->efi = true;
}

/* EFI memory map (17): u32 descriptor_size, u32 version, descriptors. */
static void mb2_do_efi_mmap(struct mb2_info *out, const struct mb2_tag *t)
{
	u32 dsize, body;

	if (t->size < MB2_MIN_EFI_MMAP) {
		mb2_tag_problem(out, t, "efi mmap: tag too short");
		return;
	}
	out->efi = true;
	dsize = get_le32(t->p + 8);
	body = t->size - MB2_MIN_EFI_MMAP;
	if (dsize < MB2_EFI_DESC_MIN || dsize % 8) {
		mb2_tag_problem(out, t, "efi mmap: bad descriptor_size");
		return;
	}
	if (body % dsize) {
		mb2_tag_problem(out, t, "efi mmap: not a whole number of entries");
		return;
	}
	if (out->efi_mmap) {
		mb2_tag_problem(out, t, "efi mmap: duplicate tag ignored");
		return;
	}
	out->efi_mmap = t->p + MB2_MIN_EFI_MMAP;
	out->efi_mmap_size = body;
	out->efi_desc_size = dsize;
}

/* Dispatch one bounds-checked tag (not the end tag). */
static void mb2_do_tag(struct mb2_info *out, const struct mb2_tag *t)
{
	switch (t->type) {
	case MB2_TAG_CMDLINE:
		mb2_do_string(out, t, &out->cmdline, "cmdline: tag too short",
			      "cmdline: not NUL-terminated", "cmdline: duplicate tag ignored");
		break;
	case MB2_TAG_BOOTLOADER_NAME:
		mb2_do_string(out, t, &out->bootloader, "bootloader name: tag too short",
			      "bootloader name: not NUL-terminated",
			      "bootloader name: duplicate tag ignored");
		break;
	case MB2_TAG_MODULE:
		mb2_do_module(out, t);
		break;
	case MB2_TAG_MMAP:
		mb2_do_mmap(out, t);
		break;
	case MB2_TAG_FRAMEBUFFER:
		mb2_do_framebuffer(out, t);
		break;
	case MB2_TAG_ACPI_OLD:
		mb2_do_acpi(out, t, &out->rsdp_v1, &out->rsdp_v1_len, MB2_RSDP_V1_LEN,
			    "acpi old: tag too short", "acpi old: duplicate tag ignored");
		break;
	case MB2_TAG_ACPI_NEW:
		mb2_do_acpi(out, t, &out->rsdp_v2, &out->rsdp_v2_len, MB2_RSDP_V2_LEN,
			    "acpi new: tag too short", "acpi new: duplicate tag ignored");
		break;
	case MB2_TAG_EFI32:
		mb2_do_efi_st(out, t, MB2_MIN_EFI32);
		break;
	case MB2_TAG_EFI64:
		mb2_do_efi_st(out, t, MB2_MIN_EFI64);
		break;
	case MB2_TAG_EFI_MMAP:
		mb2_do_efi_mmap(out, t);
		break;
	default:
		/* Unknown or unused tags are skipped silently. */
		break;
	}
}

/*
 * Walk the tags of an information structure whose total size (a multiple
 * of 8, at most MB2_MAX_TOTAL_SIZE) has been checked.  Every offset stays a
 * multiple of 8 and at most `total`, so no sum below can overflow a u32.
 */
static void mb2_walk(const u8 *base, u32 total, struct mb2_info *out)
{
	u32 off = MB2_INFO_HDR_SIZE;
	struct mb2_tag t;

	for (;;) {
		if (off == total) {
			mb2_problem(out, MB2_WHOLE, off, "no end tag");
			return;
		}
		if (total - off < MB2_TAG_HDR_SIZE) {
			/* Cannot happen: total and off are multiples of 8. */
			mb2_problem(out, MB2_WHOLE, off, "tag header past end");
			return;
		}
		t.p = base + off;
		t.type = get_le32(t.p);
		t.size = get_le32(t.p + 4);
		t.offset = off;
		if (t.size < MB2_TAG_HDR_SIZE) {
			mb2_tag_problem(out, &t, "tag size below 8, list ends");
			return;
		}
		if (t.size > total - off) {
			mb2_tag_problem(out, &t, "tag past end, list ends");
			return;
		}
		if (t.type == MB2_TAG_END) {
			if (t.size != MB2_TAG_HDR_SIZE)
				mb2_tag_problem(out, &t, "end tag size not 8");
			out->complete = true;
			return;
		}
		mb2_do_tag(out, &t);
		/* size <= total - off, and total - off is a multiple of 8. */
		off += (u32)ALIGN_UP(t.size, MB2_TAG_ALIGN);
	}
}

/* Zero everything but the caller's memory-map array and its capacity. */
static void mb2_clear(struct mb2_info *out)
{
	struct memmap_entry *mmap = out->mmap;
	size_t cap = out->mmap_cap;

	memset(out, 0, sizeof(*out));
	out->mmap = mmap;
	out->mmap_cap = cap;
}

int mb2_parse(const void *mbi, u32 magic, struct mb2_info *out)
{
	const u8 *base = mbi;
	u32 total;

	mb2_clear(out);
	if (magic != MB2_BOOTLOADER_MAGIC)
		return MB2_BAD_MAGIC;
	if (!mbi || !IS_ALIGNED((uintptr_t)mbi, MB2_TAG_ALIGN))
		return MB2_BAD_POINTER;
	/* Only the first 4 bytes are read before total_size is checked. */
	total = get_le32(base);
	out->total_size = total;
	if (total < MB2_INFO_HDR_SIZE + MB2_TAG_HDR_SIZE || total > MB2_MAX_TOTAL_SIZE ||
	    !IS_ALIGNED(total, MB2_TAG_ALIGN))
		return MB2_BAD_SIZE;
	mb2_walk(base, total, out);
	return MB2_OK;
}

const char *mb2_strerror(int status)
{
	switch (status) {
	case MB2_OK:
		return "ok";
	case MB2_BAD_MAGIC:
		return "bad boot loader magic (not booted by Multiboot2)";
	case MB2_BAD_POINTER:
		return "information pointer NULL or not 8-byte aligned";
	case MB2_BAD_SIZE:
		return "information total_size out of range or unaligned";
	default:
		return "unknown multiboot2 error";
	}
}
