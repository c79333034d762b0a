/*
 * acpi.c - a defensive reader for the ACPI tables Keel needs: the RSDP, the
 * RSDT or XSDT, the MADT ("APIC"), the FADT ("FACP") and the HPET table.
 * Layouts are those of the ACPI specification (6.x).
 *
 * Nothing is trusted.  Memory is reached only through the caller's map
 * function and no byte is read outside a range it returned:
 *  - a table's 36-byte header is mapped first; its signature is checked and
 *    its length must be in [36, ACPI_MAX_TABLE_LEN]; only then is the whole
 *    length mapped and the checksum checked;
 *  - each MADT entry needs a length of at least 2, inside the table, and at
 *    least the size of its type's fields (longer entries are fine: later
 *    revisions append fields).
 *
 * Policy (struct acpi_info says where the results go):
 *  - a bad RSDP is fatal (ACPI_BAD_RSDP); so is a root table that cannot be
 *    used (ACPI_BAD_ROOT), except that a bad XSDT falls back to the RSDT
 *    when the RSDP also gives one;
 *  - a root entry that is 0 or cannot be mapped is recorded and skipped;
 *  - a table of ours (APIC, FACP, HPET) with a bad length or checksum, or
 *    too short for its fixed fields, is recorded and skipped: the first
 *    valid table of each signature is used, and later MADTs and FADTs are
 *    recorded as duplicates (several HPET tables are legal: one per timer
 *    block; the first usable one is taken);
 *  - a bad MADT entry length is recorded and ends the MADT walk (every
 *    later offset depends on it); what was read before it is kept;
 *  - an entry whose contents are wrong (duplicate APIC ID, full array, ...)
 *    is recorded and skipped; unknown entry types are skipped silently.
 * Problems carry the signature of the table they were found in and the
 * byte offset in it; the first ACPI_MAX_PROBLEMS are kept, all counted.
 */
#include <keel/acpi.h>
#include <common/string.h>
#include <keel/types.h>
#include <common/unaligned.h>

/* RSDP */
#define RSDP_SIG	     "RSD PTR "
#define RSDP_V1_LEN	     20u
#define RSDP_V2_LEN	     36u
#define RSDP_OFF_CHECKSUM    8u
#define RSDP_OFF_REVISION    15u
#define RSDP_OFF_RSDT	     16u
#define RSDP_OFF_LENGTH	     20u
#define RSDP_OFF_XSDT	     24u
#define RSDP_OFF_XCHECKSUM   32u

/* Every system description table starts with this header. */
#define SDT_HDR_LEN	     36u
#define SDT_OFF_LENGTH	     4u
#define SDT_OFF_CHECKSUM     9u

/* MADT: header, u32 local APIC address, u32 flags, then entries. */
#define MADT_OFF_LAPIC	     36u
#define MADT_OFF_FLAGS	     40u
#define MADT_OFF_ENTRIES     44u
#define MADT_PCAT_COMPAT     (1u << 0)

#define MADT_LAPIC	     0x0
#define MADT_IOAPIC	     0x1
#define MADT_OVERRIDE	     0x2
#define MADT_NMI_SOURCE	     0x3
#define MADT_LAPIC_NMI	     0x4
#define MADT_LAPIC_ADDR	     0x5
#define MADT_X2APIC	     0x9
#define MADT_X2APIC_NMI	     0xa

#define LAPIC_ENABLED	     (1u << 0)
#define LAPIC_ONLINE_CAPABLE (1u << 1)
#define LAPIC_ID_NONE	     0xffu	 /* type 0 entry that is not a CPU */
#define X2APIC_ID_NONE	     0xffffffffu /* type 9 entry that is not a CPU */

/* FADT */
#define FADT_OFF_PM_TMR_BLK  76u
#define FADT_OFF_PM_TMR_LEN  91u
#define FADT_OFF_FLAGS	     112u
#define FADT_OFF_X_PM_TMR    208u
#define FADT_TMR_VAL_EXT     (1u << 8)
#define PM_TMR_LEN	     4u
#define PM_TMR_BITS	     32u

/* Generic address structure: u8 space, width, offset, access size; u64. */
#define GAS_LEN		     12u
#define GAS_OFF_WIDTH	     1u
#define GAS_OFF_ADDR	     4u
#define GAS_SPACE_MEMORY     0u
#define GAS_SPACE_IO	     1u

/* HPET: header, u32 event timer block ID, GAS of the register block. */
#define HPET_OFF_GAS	     40u
#define HPET_MIN_LEN	     (HPET_OFF_GAS + GAS_LEN)

#define IO_PORT_MAX	     0xffffu

/* Smallest length of each MADT entry type we read (0: not read). */
static const u8 madt_min_len[] = {
	[MADT_LAPIC] = 8,     [MADT_IOAPIC] = 12,     [MADT_OVERRIDE] = 10, [MADT_NMI_SOURCE] = 8,
	[MADT_LAPIC_NMI] = 6, [MADT_LAPIC_ADDR] = 12, [MADT_X2APIC] = 16,   [MADT_X2APIC_NMI] = 12,
};

/* State of one acpi_parse() call. */
/*
 * APIC IDs below this are checked for duplicates in a bitmap, so that the
 * MADT costs the same for each CPU however many there are (a scan of the
 * CPUs found so far made it quadratic: 64 CPUs cost 220 instructions each
 * in `make bench`'s boot, 4 CPUs 40).  Larger IDs (x2APIC) are scanned.
 */
#define ACPI_SEEN_IDS 4096

struct acpi_walk {
	acpi_map_fn map;
	void *ctx;
	struct acpi_info *out;
	bool lapic_addr_overridden;   /* a type-5 entry was used */
	u64 seen[ACPI_SEEN_IDS / 64]; /* the APIC IDs below ACPI_SEEN_IDS of out->cpus */
};

/* Is apic_id one of a CPU found already? */
static bool cpu_seen(const struct acpi_walk *w, u32 apic_id)
{
	if (apic_id < ACPI_SEEN_IDS)
		return w->seen[apic_id / 64] >> (apic_id % 64) & 1;
	for (size_t i = 0; i < w->out->cpu_count; i++)
		if (w->out->cpus[i].apic_id == apic_id)
			return true;
	return false;
}

u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + b[i]);
	return sum;
}

const char *acpi_strerror(int status)
{
	switch (status) {
	case ACPI_OK:
		return "ok";
	case ACPI_BAD_RSDP:
		return "bad RSDP (signature, checksum or length)";
	case ACPI_BAD_ROOT:
		return "RSDT/XSDT unreachable or invalid";
	default:
		return "unknown ACPI status";
	}
}

/*
 * Record a problem.  sig points to the 4 signature bytes of the table (from
 * the table itself, so not NUL-terminated and possibly garbage: anything
 * unprintable is stored as '?').
 */
static void problem(struct acpi_info *out, const void *sig, u32 offset, const char *what)
{
	const u8 *s = sig;
	struct acpi_problem *p;

	out->problems_total++;
	if (out->problem_count >= ACPI_MAX_PROBLEMS)
		return;
	p = &out->problems[out->problem_count++];
	for (int i = 0; i < 4; i++)
		p->sig[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '?';
	p->sig[4] = '\0';
	p->offset = offset;
	p->what = what;
}

/*
 * Map the table whose header hdr (already mapped, 36 bytes) is at phys:
 * check its length, map all of it and check its checksum.  Returns the
 * whole table with its length in *len_out, or NULL (problem recorded).
 */
static const u8 *load_table(struct acpi_walk *w, u64 phys, const u8 *hdr, u32 *len_out)
{
	u32 len = get_le32(hdr + SDT_OFF_LENGTH);
	const u8 *t;

	if (len < SDT_HDR_LEN || len > ACPI_MAX_TABLE_LEN) {
		problem(w->out, hdr, SDT_OFF_LENGTH, "table length out of range");
		return NULL;
	}
	t = w->map(w->ctx, phys, len);
	if (!t) {
		problem(w->out, hdr, SDT_OFF_LENGTH, "table not mappable at its length");
		return NULL;
	}
	if (acpi_checksum(t, len) != 0) {
		problem(w->out, hdr, SDT_OFF_CHECKSUM, "bad table checksum");
		return NULL;
	}
	*len_out = len;
	return t;
}

/* ---- MADT --------------------------------------------------------------- */

static void madt_cpu(struct acpi_walk *w, const u8 *t, u32 off, u32 apic_id, u32 uid, u32 flags,
		     bool x2apic)
{
	struct acpi_info *out = w->out;
	bool enabled = flags & LAPIC_ENABLED;
	bool online_capable = flags & LAPIC_ONLINE_CAPABLE;
	struct acpi_cpu *c;

	if (!enabled && !online_capable)
		return; /* firmware says it can never run */
	if (cpu_seen(w, apic_id)) {
		problem(out, t, off, "duplicate APIC ID ignored");
		return;
	}
	if (out->cpu_count >= ACPI_MAX_CPUS) {
		out->cpus_dropped++;
		return;
	}
	if (apic_id < ACPI_SEEN_IDS)
		w->seen[apic_id / 64] |= 1ull << (apic_id % 64);
	c = &out->cpus[out->cpu_count++];
	c->apic_id = apic_id;
	c->acpi_uid = uid;
	c->enabled = enabled;
	c->online_capable = online_capable;
	c->x2apic_entry = x2apic;
}

static void madt_ioapic(struct acpi_walk *w, const u8 *t, u32 off)
{
	struct acpi_info *out = w->out;
	const u8 *e = t + off;
	struct acpi_ioapic *io;
	u32 addr = get_le32(e + 4);

	if (addr == 0) {
		problem(out, t, off + 4, "I/O APIC address 0 ignored");
		return;
	}
	if (out->ioapic_count >= ACPI_MAX_IOAPICS) {
		problem(out, t, off, "too many I/O APICs: ignored");
		return;
	}
	io = &out->ioapics[out->ioapic_count++];
	io->id = e[2];
	io->addr = addr;
	io->gsi_base = get_le32(e + 8);
}

static void madt_override(struct acpi_walk *w, const u8 *t, u32 off)
{
	struct acpi_info *out = w->out;
	const u8 *e = t + off;
	struct acpi_override *o;

	if (out->override_count >= ACPI_MAX_OVERRIDES) {
		problem(out, t, off, "too many interrupt source overrides: ignored");
		return;
	}
	o = &out->overrides[out->override_count++];
	o->bus = e[2];
	o->source = e[3];
	o->gsi = get_le32(e + 4);
	o->flags = get_le16(e + 8);
}

static void madt_lapic_nmi(struct acpi_walk *w, const u8 *t, u32 off, u32 uid, u16 flags, u8 lint,
			   u32 lint_off)
{
	struct acpi_info *out = w->out;
	struct acpi_lapic_nmi *n;

	if (lint > 1) {
		problem(out, t, off + lint_off, "local APIC NMI on a LINT pin other than 0/1");
		return;
	}
	if (out->nmi_count >= ACPI_MAX_NMIS) {
		problem(out, t, off, "too many local APIC NMI entries: ignored");
		return;
	}
	n = &out->nmis[out->nmi_count++];
	n->acpi_uid = uid;
	n->flags = flags;
	n->lint = lint;
}

static void madt_lapic_addr(struct acpi_walk *w, const u8 *t, u32 off)
{
	u64 addr = get_le64(t + off + 4);

	if (addr == 0) {
		problem(w->out, t, off + 4, "local APIC address override 0 ignored");
		return;
	}
	if (w->lapic_addr_overridden) {
		problem(w->out, t, off, "second local APIC address override ignored");
		return;
	}
	w->lapic_addr_overridden = true;
	w->out->lapic_addr = addr;
}

/* One entry, already known to lie in the table and be long enough. */
static void madt_entry(struct acpi_walk *w, const u8 *t, u32 off)
{
	const u8 *e = t + off;

	switch (e[0]) {
	case MADT_LAPIC:
		if (e[3] != LAPIC_ID_NONE)
			madt_cpu(w, t, off, e[3], e[2], get_le32(e + 4), false);
		break;
	case MADT_X2APIC:
		if (get_le32(e + 4) != X2APIC_ID_NONE)
			madt_cpu(w, t, off, get_le32(e + 4), get_le32(e + 12), get_le32(e + 8),
				 true);
		break;
	case MADT_IOAPIC:
		madt_ioapic(w, t, off);
		break;
	case MADT_OVERRIDE:
		madt_override(w, t, off);
		break;
	case MADT_NMI_SOURCE:
		w->out->nmi_source_count++;
		break;
	case MADT_LAPIC_NMI:
		madt_lapic_nmi(w, t, off, e[2], get_le16(e + 3), e[5], 5);
		break;
	case MADT_X2APIC_NMI:
		madt_lapic_nmi(w, t, off, get_le32(e + 4), get_le16(e + 2), e[8], 8);
		break;
	case MADT_LAPIC_ADDR:
		madt_lapic_addr(w, t, off);
		break;
	default:
		break; /* not ours: skipped by its length */
	}
}

/* Returns false (nothing stored) if the table cannot be a MADT. */
static bool parse_madt(struct acpi_walk *w, const u8 *t, u32 len)
{
	struct acpi_info *out = w->out;
	u32 off = MADT_OFF_ENTRIES;

	if (len < MADT_OFF_ENTRIES) {
		problem(out, t, SDT_OFF_LENGTH, "MADT shorter than its fixed fields");
		return false;
	}
	out->lapic_addr = get_le32(t + MADT_OFF_LAPIC);
	out->pcat_compat = get_le32(t + MADT_OFF_FLAGS) & MADT_PCAT_COMPAT;

	while (off < len) {
		u8 type, elen;

		if (len - off < 2) {
			problem(out, t, off, "MADT entry header past the end");
			break;
		}
		type = t[off];
		elen = t[off + 1];
		if (elen < 2) {
			problem(out, t, off, "MADT entry length below 2");
			break;
		}
		if (elen > len - off) {
			problem(out, t, off, "MADT entry past the end of the table");
			break;
		}
		if (type < ARRAY_SIZE(madt_min_len) && elen < madt_min_len[type]) {
			problem(out, t, off, "MADT entry too short for its type");
			break;
		}
		madt_entry(w, t, off);
		off += elen;
	}
	return true;
}

/* ---- FADT and HPET ------------------------------------------------------ */

/*
 * The PM timer: X_PM_TMR_BLK when the FADT has it (length >= 220) with a
 * non-zero I/O-space address, else PM_TMR_BLK.  Its width must be 4 bytes:
 * PM_TMR_LEN == 4 (for X_PM_TMR_BLK, a GAS bit width of 32 also does).
 */
static void parse_fadt(struct acpi_walk *w, const u8 *t, u32 len)
{
	struct acpi_info *out = w->out;
	u32 port;
	bool width_ok;

	if (len <= FADT_OFF_PM_TMR_LEN) {
		problem(out, t, SDT_OFF_LENGTH, "FADT too short for the PM timer");
		return;
	}
	port = get_le32(t + FADT_OFF_PM_TMR_BLK);
	width_ok = t[FADT_OFF_PM_TMR_LEN] == PM_TMR_LEN;

	if (len >= FADT_OFF_X_PM_TMR + GAS_LEN) {
		const u8 *gas = t + FADT_OFF_X_PM_TMR;
		u64 xaddr = get_le64(gas + GAS_OFF_ADDR);

		if (xaddr != 0 && gas[0] == GAS_SPACE_IO) {
			if (xaddr > IO_PORT_MAX) {
				problem(out, t, FADT_OFF_X_PM_TMR + GAS_OFF_ADDR,
					"X_PM_TMR_BLK port out of range");
			} else {
				port = (u32)xaddr;
				width_ok = width_ok || gas[GAS_OFF_WIDTH] == PM_TMR_BITS;
			}
		}
	}
	if (port == 0)
		return; /* no PM timer: optional */
	if (port > IO_PORT_MAX) {
		problem(out, t, FADT_OFF_PM_TMR_BLK, "PM_TMR_BLK port out of range");
		return;
	}
	if (!width_ok) {
		problem(out, t, FADT_OFF_PM_TMR_LEN, "PM_TMR_LEN is not 4: PM timer ignored");
		return;
	}
	out->pm_timer_port = (u16)port;
	out->pm_timer_32bit =
	    len >= FADT_OFF_FLAGS + 4 && (get_le32(t + FADT_OFF_FLAGS) & FADT_TMR_VAL_EXT);
}

/* Returns false if this HPET table gives no usable timer block. */
static bool parse_hpet(struct acpi_walk *w, const u8 *t, u32 len)
{
	u64 addr;

	if (len < HPET_MIN_LEN) {
		problem(w->out, t, SDT_OFF_LENGTH, "HPET table too short");
		return false;
	}
	if (t[HPET_OFF_GAS] != GAS_SPACE_MEMORY) {
		problem(w->out, t, HPET_OFF_GAS, "HPET not in memory space");
		return false;
	}
	addr = get_le64(t + HPET_OFF_GAS + GAS_OFF_ADDR);
	if (addr == 0) {
		problem(w->out, t, HPET_OFF_GAS + GAS_OFF_ADDR, "HPET address 0");
		return false;
	}
	w->out->hpet_addr = addr;
	return true;
}

/* ---- Root table --------------------------------------------------------- */

/* A table the root points to, header mapped: use it if it is one of ours. */
static void use_table(struct acpi_walk *w, u64 phys, const u8 *hdr)
{
	struct acpi_info *out = w->out;
	const u8 *t;
	u32 len;

	if (memcmp(hdr, "APIC", 4) == 0) {
		if (out->has_madt) {
			problem(out, hdr, 0, "duplicate MADT ignored");
			return;
		}
		t = load_table(w, phys, hdr, &len);
		if (t)
			out->has_madt = parse_madt(w, t, len);
	} else if (memcmp(hdr, "FACP", 4) == 0) {
		if (out->has_fadt) {
			problem(out, hdr, 0, "duplicate FADT ignored");
			return;
		}
		t = load_table(w, phys, hdr, &len);
		if (t) {
			out->has_fadt = true;
			parse_fadt(w, t, len);
		}
	} else if (memcmp(hdr, "HPET", 4) == 0) {
		if (out->has_hpet)
			return; /* one table per timer block: the first is enough */
		t = load_table(w, phys, hdr, &len);
		if (t)
			out->has_hpet = parse_hpet(w, t, len);
	}
}

/* Use the RSDT (u32 entries) or XSDT (u64 entries) at phys. */
static int use_root(struct acpi_walk *w, u64 phys, bool xsdt)
{
	const char *sig = xsdt ? "XSDT" : "RSDT";
	u32 esize = xsdt ? 8 : 4;
	const u8 *hdr, *t;
	u32 len, n;

	if (phys == 0) {
		problem(w->out, sig, 0, "root table address is 0");
		return ACPI_BAD_ROOT;
	}
	hdr = w->map(w->ctx, phys, SDT_HDR_LEN);
	if (!hdr) {
		problem(w->out, sig, 0, "root table not mappable");
		return ACPI_BAD_ROOT;
	}
	if (memcmp(hdr, sig, 4) != 0) {
		problem(w->out, sig, 0, "root table signature wrong");
		return ACPI_BAD_ROOT;
	}
	t = load_table(w, phys, hdr, &len);
	if (!t)
		return ACPI_BAD_ROOT;
	w->out->rsdt_phys = phys;
	w->out->xsdt = xsdt;

	n = (len - SDT_HDR_LEN) / esize;
	if ((len - SDT_HDR_LEN) % esize != 0)
		problem(w->out, sig, SDT_HDR_LEN + n * esize, "root table ends in a partial entry");
	for (u32 i = 0; i < n; i++) {
		u32 off = SDT_HDR_LEN + i * esize;
		u64 p = xsdt ? get_le64(t + off) : get_le32(t + off);
		const u8 *h;

		if (p == 0) {
			problem(w->out, sig, off, "null table pointer skipped");
			continue;
		}
		h = w->map(w->ctx, p, SDT_HDR_LEN);
		if (!h) {
			problem(w->out, sig, off, "table pointer not mappable: skipped");
			continue;
		}
		use_table(w, p, h);
	}
	return ACPI_OK;
}

int acpi_parse(const void *rsdp, size_t rsdp_len, acpi_map_fn map, void *ctx, struct acpi_info *out)
{
	struct acpi_walk w = { .map = map, .ctx = ctx, .out = out };
	const u8 *r = rsdp;
	u64 xsdt = 0;
	u32 rsdt;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!r || rsdp_len < RSDP_V1_LEN) {
		problem(out, "RSDP", 0, "RSDP missing or shorter than 20 bytes");
		return ACPI_BAD_RSDP;
	}
	if (memcmp(r, RSDP_SIG, 8) != 0) {
		problem(out, "RSDP", 0, "bad RSDP signature");
		return ACPI_BAD_RSDP;
	}
	if (acpi_checksum(r, RSDP_V1_LEN) != 0) {
		problem(out, "RSDP", RSDP_OFF_CHECKSUM, "bad RSDP checksum");
		return ACPI_BAD_RSDP;
	}
	out->revision = r[RSDP_OFF_REVISION];
	rsdt = get_le32(r + RSDP_OFF_RSDT);

	/* ACPI 2.0+: the XSDT, if the extended part was given and checks out. */
	if (out->revision >= 2 && rsdp_len >= RSDP_V2_LEN) {
		u32 xlen = get_le32(r + RSDP_OFF_LENGTH);

		if (xlen < RSDP_V2_LEN || xlen > rsdp_len) {
			problem(out, "RSDP", RSDP_OFF_LENGTH,
				"RSDP length out of range: XSDT not used");
		} else if (acpi_checksum(r, xlen) != 0) {
			problem(out, "RSDP", RSDP_OFF_XCHECKSUM, "bad RSDP extended checksum");
			return ACPI_BAD_RSDP;
		} else {
			xsdt = get_le64(r + RSDP_OFF_XSDT);
		}
	}
	if (!map) {
		problem(out, "RSDP", 0, "no map function");
		return ACPI_BAD_ROOT;
	}
	if (xsdt != 0) {
		ret = use_root(&w, xsdt, true);
		if (ret == ACPI_OK || rsdt == 0)
			return ret;
		/* The XSDT's problem is recorded: try the RSDT instead. */
	}
	return use_root(&w, rsdt, false);
}
