/*
 * test_acpi.c - host tests for the ACPI table reader (kernel/acpi/acpi.c).
 *
 * Tables are built by small helpers (which compute lengths and checksums)
 * into a fake 1 MiB physical memory.  Two map functions reach it:
 *  - flat: mem + phys whenever the range fits in the memory;
 *  - strict: only ranges inside a table placed by the builders, and each
 *    call returns a fresh malloc()ed copy of exactly the bytes asked for,
 *    so under AddressSanitizer any read outside a mapped range fails.  The
 *    RSDP is also handed over in an allocation of exactly rsdp_len bytes.
 * parse() runs both and checks they agree; tests about what only one of
 * them can reach call parse_mode() directly.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#include <keel/acpi.h>
#include <keel/types.h>

/* ---- Fake physical memory ----------------------------------------------- */

#define MEM_SIZE  (1u << 20)
#define MEM_START 0x1000u /* nothing is placed at physical 0 */
#define FAR_AWAY  0x7fff00000000ull

static alignas(16) u8 mem[MEM_SIZE];
static u64 mem_top;

/* Ranges of placed tables: the only ones the strict map reaches. */
struct region {
	u64 phys, len;
};
static struct region regions[4096];
static size_t nregions;

enum map_mode { MAP_FLAT, MAP_STRICT };

struct fake {
	enum map_mode mode;
	size_t calls;
};

static void **copies;
static size_t ncopies, capcopies;

static struct acpi_info info, info2;

static const void *fake_map(void *ctx, u64 phys, u64 len)
{
	struct fake *f = ctx;
	void *p;

	f->calls++;
	assert_true(len > 0);
	assert_true(len <= ACPI_MAX_TABLE_LEN);
	if (phys >= MEM_SIZE || len > MEM_SIZE - phys)
		return NULL;
	if (f->mode == MAP_FLAT)
		return mem + phys;
	for (size_t i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];

		if (phys < r->phys || phys - r->phys > r->len || len > r->len - (phys - r->phys))
			continue;
		p = malloc(len);
		assert_non_null(p);
		memcpy(p, mem + phys, len);
		if (ncopies == capcopies) {
			capcopies = capcopies ? 2 * capcopies : 64;
			copies = realloc(copies, capcopies * sizeof(*copies));
			assert_non_null(copies);
		}
		copies[ncopies++] = p;
		return p;
	}
	return NULL;
}

static void free_copies(void)
{
	for (size_t i = 0; i < ncopies; i++)
		free(copies[i]);
	ncopies = 0;
}

static int parse_mode(const u8 *rsdp, size_t len, enum map_mode mode, struct acpi_info *out)
{
	struct fake f = { .mode = mode };
	const void *rp = rsdp;
	void *copy = NULL;
	int ret;

	if (mode == MAP_STRICT && rsdp) {
		copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, rsdp, len);
		rp = copy;
	}
	ret = acpi_parse(rp, len, fake_map, &f, out);
	free(copy);
	free_copies();
	return ret;
}

/* Parse with both maps into `info`; they must agree. */
static int parse(const u8 *rsdp, size_t len)
{
	int a = parse_mode(rsdp, len, MAP_STRICT, &info);
	int b = parse_mode(rsdp, len, MAP_FLAT, &info2);

	assert_int_equal(a, b);
	assert_memory_equal(&info, &info2, sizeof(info));
	return a;
}

static int setup(void **state)
{
	memset(mem, 0, sizeof(mem));
	mem_top = MEM_START;
	nregions = 0;
	return 0;
}

static int teardown(void **state)
{
	free_copies();
	free(copies);
	copies = NULL;
	capcopies = 0;
	return 0;
}

static void mem_w8(u64 phys, u8 v)
{
	mem[phys] = v;
}

static void mem_w32(u64 phys, u32 v)
{
	memcpy(&mem[phys], &v, 4);
}

static u8 sum(const u8 *p, size_t n)
{
	u8 s = 0;

	while (n--)
		s = (u8)(s + *p++);
	return s;
}

/* Recompute the checksum of the table at phys over n bytes. */
static void fix_sum_len(u64 phys, u32 n)
{
	mem[phys + 9] = 0;
	mem[phys + 9] = (u8)-sum(&mem[phys], n);
}

/* ---- Table builders ----------------------------------------------------- */

static u8 sb[1u << 18]; /* the table being built */
static u32 sb_len;

static void put(const void *p, size_t n)
{
	assert_true(sb_len + n <= sizeof(sb));
	memcpy(&sb[sb_len], p, n);
	sb_len += (u32)n;
}

static void put8(u8 v)
{
	put(&v, 1);
}

static void put16(u16 v)
{
	put(&v, 2);
}

static void put32(u32 v)
{
	put(&v, 4);
}

static void put64(u64 v)
{
	put(&v, 8);
}

static void put_zeros(size_t n)
{
	while (n--)
		put8(0);
}

static void sdt_begin(const char *sig, u8 rev)
{
	sb_len = 0;
	put(sig, 4);
	put32(0); /* length: set by place */
	put8(rev);
	put8(0); /* checksum: set by place */
	put("KEELTS", 6);
	put("TESTTABL", 8);
	put32(1);
	put("KEEL", 4);
	put32(1);
}

/*
 * Copy the table built in sb into memory (at `misalign` past a 16-byte
 * boundary), set its length and checksum, and make it reachable.
 */
static u64 place_misaligned(u32 misalign)
{
	u64 phys = ALIGN_UP(mem_top, 16) + misalign;

	assert_true(phys + sb_len <= MEM_SIZE);
	assert_true(nregions < ARRAY_SIZE(regions));
	memcpy(&sb[4], &sb_len, 4);
	sb[9] = 0;
	sb[9] = (u8)-sum(sb, sb_len);
	memcpy(&mem[phys], sb, sb_len);
	regions[nregions].phys = phys;
	regions[nregions].len = sb_len;
	nregions++;
	mem_top = phys + sb_len;
	return phys;
}

static u64 place(void)
{
	return place_misaligned(0);
}

static u64 build_rsdt(const u64 *ptrs, size_t n)
{
	sdt_begin("RSDT", 1);
	for (size_t i = 0; i < n; i++)
		put32((u32)ptrs[i]);
	return place();
}

static u64 build_xsdt_at(const u64 *ptrs, size_t n, u32 misalign)
{
	sdt_begin("XSDT", 1);
	for (size_t i = 0; i < n; i++)
		put64(ptrs[i]);
	return place_misaligned(misalign);
}

static u64 build_xsdt(const u64 *ptrs, size_t n)
{
	return build_xsdt_at(ptrs, n, 0);
}

/* Recompute both RSDP checksums (the extended one over its length field). */
static void rsdp_fix(u8 *r, size_t buflen)
{
	u32 xlen;

	r[8] = 0;
	r[8] = (u8)-sum(r, 20);
	if (buflen >= 36) {
		memcpy(&xlen, &r[20], 4);
		if (xlen > buflen)
			xlen = (u32)buflen;
		r[32] = 0;
		r[32] = (u8)-sum(r, xlen);
	}
}

/* A 36-byte RSDP (revision 0 leaves the v2 part zero). */
static void make_rsdp(u8 *r, u8 rev, u32 rsdt, u64 xsdt)
{
	u32 len = 36;

	memset(r, 0, 36);
	memcpy(r, "RSD PTR ", 8);
	memcpy(&r[9], "KEELTS", 6);
	r[15] = rev;
	memcpy(&r[16], &rsdt, 4);
	if (rev >= 2) {
		memcpy(&r[20], &len, 4);
		memcpy(&r[24], &xsdt, 8);
	}
	rsdp_fix(r, 36);
}

/* MADT */
static void madt_begin(u32 lapic, u32 flags)
{
	sdt_begin("APIC", 5);
	put32(lapic);
	put32(flags);
}

static void e_lapic(u8 uid, u8 id, u32 flags)
{
	put8(0);
	put8(8);
	put8(uid);
	put8(id);
	put32(flags);
}

static void e_ioapic(u8 id, u32 addr, u32 gsi)
{
	put8(1);
	put8(12);
	put8(id);
	put8(0);
	put32(addr);
	put32(gsi);
}

static void e_iso(u8 bus, u8 src, u32 gsi, u16 flags)
{
	put8(2);
	put8(10);
	put8(bus);
	put8(src);
	put32(gsi);
	put16(flags);
}

static void e_nmi_src(u16 flags, u32 gsi)
{
	put8(3);
	put8(8);
	put16(flags);
	put32(gsi);
}

static void e_lapic_nmi(u8 uid, u16 flags, u8 lint)
{
	put8(4);
	put8(6);
	put8(uid);
	put16(flags);
	put8(lint);
}

static void e_lapic_addr(u64 addr)
{
	put8(5);
	put8(12);
	put16(0);
	put64(addr);
}

static void e_x2apic(u32 id, u32 flags, u32 uid)
{
	put8(9);
	put8(16);
	put16(0);
	put32(id);
	put32(flags);
	put32(uid);
}

static void e_x2apic_nmi(u16 flags, u32 uid, u8 lint)
{
	put8(0xa);
	put8(12);
	put16(flags);
	put32(uid);
	put8(lint);
	put_zeros(3);
}

/* An entry of any type and length, body filled with 0x5a. */
static void e_raw(u8 type, u8 len)
{
	put8(type);
	put8(len);
	for (int i = 2; i < len; i++)
		put8(0x5a);
}

/* QEMU's MADT for one CPU (i440fx). */
static void qemu_madt_body(void)
{
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	e_ioapic(0, 0xfec00000, 0);
	e_iso(0, 0, 2, 0);
	e_iso(0, 5, 5, 0xd);
	e_iso(0, 9, 9, 0xd);
	e_iso(0, 10, 10, 0xd);
	e_iso(0, 11, 11, 0xd);
	e_lapic_nmi(0xff, 0, 1);
}

/* FADT of `len` bytes: fields that do not fit are left out. */
struct fadt_opts {
	u32 len;
	u32 pm_blk;
	u8 pm_len;
	u32 flags;
	u8 x_space, x_width;
	u64 x_addr;
};

static u64 build_fadt(const struct fadt_opts *o)
{
	sdt_begin("FACP", o->len >= 244 ? 5 : 1);
	put_zeros(o->len - 36);
	if (o->len >= 80)
		memcpy(&sb[76], &o->pm_blk, 4);
	if (o->len >= 92)
		sb[91] = o->pm_len;
	if (o->len >= 116)
		memcpy(&sb[112], &o->flags, 4);
	if (o->len >= 220) {
		sb[208] = o->x_space;
		sb[209] = o->x_width;
		sb[211] = 3; /* dword access */
		memcpy(&sb[212], &o->x_addr, 8);
	}
	return place();
}

static u64 build_hpet_len(u8 space, u64 addr, u32 len)
{
	sdt_begin("HPET", 1);
	put32(0x8086a201);
	put8(space);
	put8(64);
	put8(0);
	put8(0);
	put64(addr);
	put8(0);
	put16(0x80);
	put8(0);
	sb_len = len;
	return place();
}

static u64 build_hpet(u64 addr)
{
	return build_hpet_len(0, addr, 56);
}

/* A table nobody reads (stands in for the DSDT's neighbours). */
static u64 build_other(const char *sig)
{
	sdt_begin(sig, 2);
	put("\x10\x20\x30", 3);
	return place();
}

/* ---- Checks ------------------------------------------------------------- */

static void dump_problems(const struct acpi_info *in)
{
	for (size_t i = 0; i < in->problem_count; i++)
		fprintf(stderr, "  problem %s+%u: %s\n", in->problems[i].sig,
			in->problems[i].offset, in->problems[i].what);
}

static void assert_no_problems(void)
{
	if (info.problems_total != 0)
		dump_problems(&info);
	assert_int_equal(info.problems_total, 0);
}

/* Is there a problem in table sig at offset (~0u: any) whose text has s? */
static bool has_problem(const char *sig, u32 offset, const char *s)
{
	for (size_t i = 0; i < info.problem_count; i++) {
		const struct acpi_problem *p = &info.problems[i];

		if (strcmp(p->sig, sig) == 0 && (offset == ~0u || p->offset == offset) &&
		    strstr(p->what, s))
			return true;
	}
	return false;
}

static void assert_problem(const char *sig, u32 offset, const char *s)
{
	if (!has_problem(sig, offset, s)) {
		fprintf(stderr, "expected problem %s+%d: %s\n", sig, (int)offset, s);
		dump_problems(&info);
		fail();
	}
}

static void assert_cpu(size_t i, u32 apic_id, u32 uid, bool en, bool oc, bool x2)
{
	const struct acpi_cpu *c = &info.cpus[i];

	assert_true(i < info.cpu_count);
	assert_int_equal(c->apic_id, apic_id);
	assert_int_equal(c->acpi_uid, uid);
	assert_int_equal(c->enabled, en);
	assert_int_equal(c->online_capable, oc);
	assert_int_equal(c->x2apic_entry, x2);
}

/* Parse an RSDT (RSDP v0) pointing at the given tables. */
static int parse_tables(const u64 *ptrs, size_t n)
{
	u8 r[36];

	make_rsdp(r, 0, (u32)build_rsdt(ptrs, n), 0);
	return parse(r, 20);
}

/* Parse with only the MADT just built in sb. */
static int parse_madt_only(void)
{
	u64 madt = place();

	return parse_tables(&madt, 1);
}

/* ---- Basic functions ---------------------------------------------------- */

static void test_checksum(void **state)
{
	u8 b[5] = { 1, 2, 3, 4, (u8)-10 };

	assert_int_equal(acpi_checksum(b, 0), 0);
	assert_int_equal(acpi_checksum(b, 4), 10);
	assert_int_equal(acpi_checksum(b, 5), 0);
	b[0] = 0xff;
	assert_int_equal(acpi_checksum(b, 2), 1); /* wraps mod 256 */
}

static void test_strerror(void **state)
{
	assert_string_equal(acpi_strerror(ACPI_OK), "ok");
	assert_non_null(strstr(acpi_strerror(ACPI_BAD_RSDP), "RSDP"));
	assert_non_null(strstr(acpi_strerror(ACPI_BAD_ROOT), "RSDT"));
	assert_non_null(strstr(acpi_strerror(-99), "unknown"));
	assert_non_null(strstr(acpi_strerror(3), "unknown"));
}

/* ---- Whole table sets --------------------------------------------------- */

/* QEMU i440fx with -machine acpi: RSDP v0, RSDT -> FACP, APIC, HPET. */
static void test_qemu_v0_rsdt(void **state)
{
	struct fadt_opts fo = { .len = 116, .pm_blk = 0xb008, .pm_len = 4, .flags = 1u << 8 };
	u64 t[4];
	u8 r[36];

	t[0] = build_fadt(&fo);
	qemu_madt_body();
	t[1] = place();
	t[2] = build_hpet(0xfed00000);
	t[3] = build_other("SSDT");
	make_rsdp(r, 0, (u32)build_rsdt(t, 4), 0);

	assert_int_equal(parse(r, 20), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.revision, 0);
	assert_false(info.xsdt);
	assert_int_equal(info.rsdt_phys, regions[4].phys);

	assert_true(info.has_madt);
	assert_int_equal(info.lapic_addr, 0xfee00000);
	assert_true(info.pcat_compat);
	assert_int_equal(info.cpu_count, 1);
	assert_cpu(0, 0, 0, true, false, false);
	assert_int_equal(info.cpus_dropped, 0);
	assert_int_equal(info.ioapic_count, 1);
	assert_int_equal(info.ioapics[0].id, 0);
	assert_int_equal(info.ioapics[0].addr, 0xfec00000);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.override_count, 5);
	assert_int_equal(info.overrides[0].bus, 0);
	assert_int_equal(info.overrides[0].source, 0);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.overrides[0].flags, 0);
	assert_int_equal(info.overrides[4].source, 11);
	assert_int_equal(info.overrides[4].gsi, 11);
	assert_int_equal(info.overrides[4].flags, 0xd);
	assert_int_equal(info.nmi_count, 1);
	assert_int_equal(info.nmis[0].acpi_uid, 0xff);
	assert_int_equal(info.nmis[0].flags, 0);
	assert_int_equal(info.nmis[0].lint, 1);
	assert_int_equal(info.nmi_source_count, 0);

	assert_true(info.has_fadt);
	assert_int_equal(info.pm_timer_port, 0xb008);
	assert_true(info.pm_timer_32bit);

	assert_true(info.has_hpet);
	assert_int_equal(info.hpet_addr, 0xfed00000);
	assert_int_equal(info.problem_count, 0);
}

/* QEMU q35 / UEFI style: RSDP v2 with RSDT and XSDT; the XSDT is used. */
static void test_qemu_v2_xsdt(void **state)
{
	struct fadt_opts fo = { .len = 244,
				.pm_blk = 0x608,
				.pm_len = 4,
				.flags = 0,
				.x_space = 1,
				.x_width = 32,
				.x_addr = 0x608 };
	u64 t[3], xsdt;
	u8 r[36];

	t[0] = build_fadt(&fo);
	qemu_madt_body();
	t[1] = place();
	t[2] = build_hpet(0xfed00000);
	/* The RSDT points at nothing useful: proof that it is not read. */
	build_rsdt(t, 0);
	xsdt = build_xsdt(t, 3);
	make_rsdp(r, 2, (u32)regions[3].phys, xsdt);

	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.revision, 2);
	assert_true(info.xsdt);
	assert_int_equal(info.rsdt_phys, xsdt);
	assert_true(info.has_madt);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.override_count, 5);
	assert_true(info.has_fadt);
	assert_int_equal(info.pm_timer_port, 0x608);
	assert_false(info.pm_timer_32bit);
	assert_true(info.has_hpet);
	assert_int_equal(info.hpet_addr, 0xfed00000);
}

/* XSDT entries are u64 at offset 36: at an address 4 mod 8 they are unaligned. */
static void test_xsdt_unaligned(void **state)
{
	u64 t[2], xsdt;
	u8 r[36];

	qemu_madt_body();
	t[0] = place();
	t[1] = build_hpet(0xfed00000);
	for (u32 mis = 1; mis < 8; mis++) {
		xsdt = build_xsdt_at(t, 2, mis);
		make_rsdp(r, 2, 0, xsdt);
		assert_int_equal(parse(r, 36), ACPI_OK);
		assert_no_problems();
		assert_int_equal(info.rsdt_phys, xsdt);
		assert_true(info.has_madt);
		assert_true(info.has_hpet);
	}
}

/* Tables the RSDT names that are not ours are looked at, not checked. */
static void test_other_tables_ignored(void **state)
{
	u64 t[3];

	t[0] = build_other("SSDT");
	t[1] = build_other("MCFG");
	mem_w8(t[1] + 9, 0x77); /* bad checksum: nobody cares */
	t[2] = build_other("DSDT");
	mem_w32(t[2] + 4, 3); /* bad length: nobody cares */
	assert_int_equal(parse_tables(t, 3), ACPI_OK);
	assert_no_problems();
	assert_false(info.has_madt);
	assert_false(info.has_fadt);
	assert_false(info.has_hpet);
	assert_int_equal(info.pm_timer_port, 0);
}

static void test_empty_rsdt(void **state)
{
	assert_int_equal(parse_tables(NULL, 0), ACPI_OK);
	assert_no_problems();
	assert_false(info.has_madt);
	assert_int_equal(info.cpu_count, 0);
}

static void test_out_zeroed_first(void **state)
{
	u8 r[36];

	make_rsdp(r, 0, 0x1000, 0);
	r[0] = 'X';
	memset(&info, 0xa5, sizeof(info));
	assert_int_equal(acpi_parse(r, 20, fake_map, &(struct fake){ MAP_FLAT, 0 }, &info),
			 ACPI_BAD_RSDP);
	assert_int_equal(info.cpu_count, 0);
	assert_false(info.has_madt);
	assert_int_equal(info.lapic_addr, 0);
	assert_int_equal(info.problem_count, 1);
	assert_int_equal(info.problems_total, 1);
	assert_int_equal(info.problems[1].offset, 0);
	assert_null(info.problems[1].what);
}

/* ---- RSDP --------------------------------------------------------------- */

static void good_set_v2(u8 *r)
{
	u64 t[1], rsdt;

	qemu_madt_body();
	t[0] = place();
	rsdt = build_rsdt(t, 1); /* regions[1] */
	make_rsdp(r, 2, (u32)rsdt, build_xsdt(t, 1));
}

static void test_rsdp_bad_signature(void **state)
{
	u8 r[36];

	good_set_v2(r);
	r[3] = 'p';
	rsdp_fix(r, 36);
	assert_int_equal(parse(r, 36), ACPI_BAD_RSDP);
	assert_problem("RSDP", 0, "signature");
	assert_false(info.has_madt);
}

static void test_rsdp_bad_checksum(void **state)
{
	u8 r[36];

	good_set_v2(r);
	r[8] ^= 1;
	assert_int_equal(parse(r, 36), ACPI_BAD_RSDP);
	assert_problem("RSDP", 8, "checksum");

	/* Any byte of the first 20 counts. */
	good_set_v2(r);
	r[12] ^= 0x40;
	assert_int_equal(parse(r, 36), ACPI_BAD_RSDP);
	assert_int_equal(parse(r, 20), ACPI_BAD_RSDP);
}

static void test_rsdp_bad_ext_checksum(void **state)
{
	u8 r[36];

	good_set_v2(r);
	r[32] ^= 1;
	assert_int_equal(parse(r, 36), ACPI_BAD_RSDP);
	assert_problem("RSDP", 32, "extended checksum");

	/* A byte of the extended part only breaks the extended checksum. */
	good_set_v2(r);
	r[30] ^= 0x10;
	assert_int_equal(parse(r, 36), ACPI_BAD_RSDP);
	assert_problem("RSDP", 32, "extended");

	/* Given only 20 bytes, the extended part is not looked at: RSDT. */
	assert_int_equal(parse(r, 20), ACPI_OK);
	assert_no_problems();
	assert_false(info.xsdt);
	assert_true(info.has_madt);
}

static void test_rsdp_too_short(void **state)
{
	u8 r[36];

	good_set_v2(r);
	assert_int_equal(parse(r, 19), ACPI_BAD_RSDP);
	assert_problem("RSDP", 0, "shorter");
	assert_int_equal(parse(r, 0), ACPI_BAD_RSDP);
	assert_int_equal(acpi_parse(NULL, 36, fake_map, &(struct fake){ MAP_FLAT, 0 }, &info),
			 ACPI_BAD_RSDP);
}

/* Revision 2 with only the v1 part given: the RSDT, silently. */
static void test_rsdp_v2_given_20_bytes(void **state)
{
	u8 r[36];

	good_set_v2(r);
	for (size_t len = 20; len < 36; len++) {
		assert_int_equal(parse(r, len), ACPI_OK);
		assert_no_problems();
		assert_false(info.xsdt);
		assert_int_equal(info.rsdt_phys, regions[1].phys);
		assert_int_equal(info.revision, 2);
		assert_true(info.has_madt);
	}
}

/* Revision 1 does not exist; it is read as ACPI 1.0 (no XSDT). */
static void test_rsdp_revision_1(void **state)
{
	u8 r[36];

	good_set_v2(r);
	r[15] = 1;
	rsdp_fix(r, 36);
	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_false(info.xsdt);
	assert_no_problems();
}

static void test_rsdp_length_field(void **state)
{
	static const u32 bad[] = { 0, 20, 35, 37, 100, 0xffffffff };
	u8 r[40];
	u32 len;

	/* Out of range: the XSDT cannot be checked, so the RSDT is used. */
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		good_set_v2(r);
		memcpy(&r[20], &bad[i], 4);
		rsdp_fix(r, 36);
		assert_int_equal(parse(r, 36), ACPI_OK);
		assert_problem("RSDP", 20, "length");
		assert_false(info.xsdt);
		assert_true(info.has_madt);
	}

	/* A longer RSDP (later revision) given whole: checked over 40. */
	good_set_v2(r);
	len = 40;
	memcpy(&r[20], &len, 4);
	r[36] = 0x11;
	r[37] = r[38] = r[39] = 0;
	rsdp_fix(r, 40);
	assert_int_equal(parse(r, 40), ACPI_OK);
	assert_no_problems();
	assert_true(info.xsdt);
	r[39] = 1; /* in the extended checksum's range */
	assert_int_equal(parse(r, 40), ACPI_BAD_RSDP);
	/* Given 36 of its 40 bytes: cannot check, RSDT. */
	r[39] = 0;
	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_false(info.xsdt);
	assert_problem("RSDP", 20, "length");
}

static void test_v2_xsdt_zero_uses_rsdt(void **state)
{
	u64 t[1], rsdt;
	u8 r[36];

	qemu_madt_body();
	t[0] = place();
	rsdt = build_rsdt(t, 1);
	make_rsdp(r, 2, (u32)rsdt, 0);
	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_no_problems();
	assert_false(info.xsdt);
	assert_int_equal(info.rsdt_phys, rsdt);
	assert_true(info.has_madt);
}

static void test_no_map_function(void **state)
{
	u8 r[36];

	good_set_v2(r);
	assert_int_equal(acpi_parse(r, 36, NULL, NULL, &info), ACPI_BAD_ROOT);
	assert_int_equal(info.problem_count, 1);
}

/* ---- Root table --------------------------------------------------------- */

/* v0 RSDP pointing at a root table that was then broken by `breakit`. */
static u64 good_rsdt(u8 *r)
{
	u64 t[1], rsdt;

	qemu_madt_body();
	t[0] = place();
	rsdt = build_rsdt(t, 1);
	make_rsdp(r, 0, (u32)rsdt, 0);
	return rsdt;
}

static void test_root_bad_signature(void **state)
{
	u8 r[36];
	u64 rsdt = good_rsdt(r);

	mem_w8(rsdt, 'X');
	fix_sum_len(rsdt, 40);
	assert_int_equal(parse(r, 20), ACPI_BAD_ROOT);
	assert_problem("RSDT", 0, "signature");
	assert_false(info.has_madt);
	assert_int_equal(info.rsdt_phys, 0);

	/* An XSDT where the RSDT should be is no RSDT. */
	mem_w32(rsdt, 0x54445358); /* "XSDT" */
	fix_sum_len(rsdt, 40);
	assert_int_equal(parse(r, 20), ACPI_BAD_ROOT);
}

static void test_root_bad_length(void **state)
{
	static const u32 bad[] = { 0, 1, 35, ACPI_MAX_TABLE_LEN + 1, 0xffffffff };
	u8 r[36];
	u64 rsdt = good_rsdt(r);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		mem_w32(rsdt + 4, bad[i]);
		assert_int_equal(parse(r, 20), ACPI_BAD_ROOT);
		assert_problem("RSDT", 4, "length");
	}
	/* Exactly the header: a root table with no entries. */
	mem_w32(rsdt + 4, 36);
	fix_sum_len(rsdt, 36);
	assert_int_equal(parse(r, 20), ACPI_OK);
	assert_no_problems();
	assert_false(info.has_madt);
}

/* Longer than what is there: the strict map refuses, the flat one reads zeros. */
static void test_root_length_past_memory(void **state)
{
	u8 r[36];
	u64 rsdt = good_rsdt(r);

	mem_w32(rsdt + 4, 4096);
	fix_sum_len(rsdt, 4096);
	assert_int_equal(parse_mode(r, 20, MAP_STRICT, &info), ACPI_BAD_ROOT);
	assert_problem("RSDT", 4, "not mappable");
	/* Flat: 1015 zero pointers after the first, each recorded. */
	assert_int_equal(parse_mode(r, 20, MAP_FLAT, &info), ACPI_OK);
	assert_true(info.has_madt);
	assert_int_equal(info.problems_total, (4096 - 40) / 4);
	assert_int_equal(info.problem_count, ACPI_MAX_PROBLEMS);
	assert_problem("RSDT", 40, "null");
}

static void test_root_bad_checksum(void **state)
{
	u8 r[36];
	u64 rsdt = good_rsdt(r);

	mem_w8(rsdt + 36, mem[rsdt + 36] + 1); /* the pointer changes too */
	assert_int_equal(parse(r, 20), ACPI_BAD_ROOT);
	assert_problem("RSDT", 9, "checksum");
	assert_false(info.has_madt);
}

static void test_root_unmappable(void **state)
{
	static const u64 where[] = { MEM_SIZE - 20, MEM_SIZE, 0xffffffff, FAR_AWAY,
				     0xfffffffffffffff0ull };
	u8 r[36];

	good_rsdt(r);
	for (size_t i = 0; i < ARRAY_SIZE(where); i++) {
		if (where[i] <= 0xffffffff) {
			make_rsdp(r, 0, (u32)where[i], 0);
			assert_int_equal(parse(r, 20), ACPI_BAD_ROOT);
			assert_problem("RSDT", 0, "not mappable");
		}
		make_rsdp(r, 2, 0, where[i]);
		assert_int_equal(parse(r, 36), ACPI_BAD_ROOT);
		assert_problem("XSDT", 0, "not mappable");
	}
	/* Past the tables: the flat map reaches it (zeros), the strict one not. */
	make_rsdp(r, 0, (u32)(mem_top + 64), 0);
	assert_int_equal(parse_mode(r, 20, MAP_STRICT, &info), ACPI_BAD_ROOT);
	assert_problem("RSDT", 0, "not mappable");
	assert_int_equal(parse_mode(r, 20, MAP_FLAT, &info), ACPI_BAD_ROOT);
	assert_problem("RSDT", 0, "signature");
}

static void test_root_address_zero(void **state)
{
	u8 r[36];

	make_rsdp(r, 0, 0, 0);
	assert_int_equal(parse(r, 20), ACPI_BAD_ROOT);
	assert_problem("RSDT", 0, "address is 0");
	make_rsdp(r, 2, 0, 0);
	assert_int_equal(parse(r, 36), ACPI_BAD_ROOT);
	assert_problem("RSDT", 0, "address is 0");
}

/* A bad XSDT falls back to the RSDT when there is one. */
static void test_bad_xsdt_falls_back(void **state)
{
	u64 t[1], rsdt, xsdt;
	u8 r[36];

	qemu_madt_body();
	t[0] = place();
	rsdt = build_rsdt(t, 1);
	xsdt = build_xsdt(t, 1);
	make_rsdp(r, 2, (u32)rsdt, xsdt);

	mem_w8(xsdt + 9, mem[xsdt + 9] + 1);
	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_problem("XSDT", 9, "checksum");
	assert_int_equal(info.problems_total, 1);
	assert_false(info.xsdt);
	assert_int_equal(info.rsdt_phys, rsdt);
	assert_true(info.has_madt);

	/* Both bad. */
	mem_w8(rsdt, 'r');
	assert_int_equal(parse(r, 36), ACPI_BAD_ROOT);
	assert_problem("XSDT", 9, "checksum");
	assert_problem("RSDT", 0, "signature");
	assert_false(info.has_madt);

	/* Bad XSDT and no RSDT. */
	make_rsdp(r, 2, 0, xsdt);
	assert_int_equal(parse(r, 36), ACPI_BAD_ROOT);
	assert_int_equal(info.problems_total, 1);

	/* Unmappable XSDT. */
	mem_w8(rsdt, 'R');
	make_rsdp(r, 2, (u32)rsdt, FAR_AWAY);
	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_problem("XSDT", 0, "not mappable");
	assert_true(info.has_madt);
}

static void test_root_partial_entry(void **state)
{
	u64 t[2], x;
	u8 r[36];

	qemu_madt_body();
	t[0] = place();
	t[1] = build_hpet(0xfed00000);
	sdt_begin("RSDT", 1);
	put32((u32)t[0]);
	put32((u32)t[1]);
	put16(0xabcd);
	make_rsdp(r, 0, (u32)place(), 0);
	assert_int_equal(parse(r, 20), ACPI_OK);
	assert_problem("RSDT", 44, "partial");
	assert_int_equal(info.problems_total, 1);
	assert_true(info.has_madt);
	assert_true(info.has_hpet);

	sdt_begin("XSDT", 1);
	put64(t[0]);
	put64(t[1]);
	put32(0x12345678);
	x = place();
	make_rsdp(r, 2, 0, x);
	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_problem("XSDT", 52, "partial");
	assert_true(info.has_hpet);
}

/* Null and unmappable pointers are recorded and skipped; the rest is read. */
static void test_root_bad_pointers(void **state)
{
	u64 t[6];
	u8 r[36];

	t[0] = 0;
	t[1] = MEM_SIZE - 8;
	qemu_madt_body();
	t[2] = place();
	t[3] = FAR_AWAY;
	t[4] = 0xfffffffffffffff8ull;
	t[5] = build_hpet(0xfed00000);
	make_rsdp(r, 2, 0, build_xsdt(t, 6));
	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_int_equal(info.problems_total, 4);
	assert_problem("XSDT", 36, "null");
	assert_problem("XSDT", 44, "not mappable");
	assert_problem("XSDT", 60, "not mappable");
	assert_problem("XSDT", 68, "not mappable");
	assert_true(info.has_madt);
	assert_true(info.has_hpet);

	/* RSDT: the same, with u32 pointers. */
	make_rsdp(r, 0, (u32)build_rsdt(t, 4), 0);
	assert_int_equal(parse(r, 20), ACPI_OK);
	assert_int_equal(info.problems_total, 3); /* FAR_AWAY truncates to 0 */
	assert_problem("RSDT", 36, "null");
	assert_problem("RSDT", 40, "not mappable");
	assert_problem("RSDT", 48, "null");
	assert_true(info.has_madt);
	assert_false(info.has_hpet);
}

/* A root table with many entries, one of them ours. */
static void test_root_many_entries(void **state)
{
	static u64 t[3000];
	u64 other = build_other("SSDT");
	u8 r[36];

	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		t[i] = other;
	qemu_madt_body();
	t[2500] = place();
	make_rsdp(r, 2, 0, build_xsdt(t, ARRAY_SIZE(t)));
	assert_int_equal(parse(r, 36), ACPI_OK);
	assert_no_problems();
	assert_true(info.has_madt);
}

/* ---- Single tables ------------------------------------------------------ */

static void test_table_bad_length(void **state)
{
	static const u32 bad[] = { 0, 35, ACPI_MAX_TABLE_LEN + 1, 0x80000000, 0xffffffff };
	u64 t[1];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		qemu_madt_body();
		t[0] = place();
		mem_w32(t[0] + 4, bad[i]);
		assert_int_equal(parse_tables(t, 1), ACPI_OK);
		assert_problem("APIC", 4, "length");
		assert_int_equal(info.problems_total, 1);
		assert_false(info.has_madt);
		assert_int_equal(info.cpu_count, 0);
	}
}

/* Length fine by the rules but more than is mapped: strict map only. */
static void test_table_length_past_mapping(void **state)
{
	u64 t[1];
	u8 r[36];

	qemu_madt_body();
	t[0] = place();
	mem_w32(t[0] + 4, ACPI_MAX_TABLE_LEN);
	make_rsdp(r, 0, (u32)build_rsdt(t, 1), 0);
	assert_int_equal(parse_mode(r, 20, MAP_STRICT, &info), ACPI_OK);
	assert_problem("APIC", 4, "not mappable");
	assert_false(info.has_madt);
	assert_int_equal(parse_mode(r, 20, MAP_FLAT, &info), ACPI_OK);
	assert_problem("APIC", 4, "not mappable"); /* past the 1 MiB */
	assert_false(info.has_madt);

	/* Header mappable, the rest not. */
	qemu_madt_body();
	t[0] = place();
	regions[nregions - 1].len = 36;
	make_rsdp(r, 0, (u32)build_rsdt(t, 1), 0);
	assert_int_equal(parse_mode(r, 20, MAP_STRICT, &info), ACPI_OK);
	assert_problem("APIC", 4, "not mappable");
	assert_false(info.has_madt);
}

static void test_table_bad_checksum(void **state)
{
	struct fadt_opts fo = { .len = 116, .pm_blk = 0x608, .pm_len = 4 };
	u64 t[3];

	t[0] = build_fadt(&fo);
	qemu_madt_body();
	t[1] = place();
	t[2] = build_hpet(0xfed00000);
	mem_w8(t[0] + 100, 1);
	mem_w8(t[1] + 9, mem[t[1] + 9] ^ 0x80);
	mem_w8(t[2] + 50, 1);
	assert_int_equal(parse_tables(t, 3), ACPI_OK);
	assert_int_equal(info.problems_total, 3);
	assert_problem("FACP", 9, "checksum");
	assert_problem("APIC", 9, "checksum");
	assert_problem("HPET", 9, "checksum");
	assert_false(info.has_fadt);
	assert_false(info.has_madt);
	assert_false(info.has_hpet);
	assert_int_equal(info.pm_timer_port, 0);
	assert_int_equal(info.hpet_addr, 0);
}

/* The first valid table of a signature is used. */
static void test_duplicate_tables(void **state)
{
	struct fadt_opts f1 = { .len = 116, .pm_blk = 0x608, .pm_len = 4 };
	struct fadt_opts f2 = { .len = 116, .pm_blk = 0xb008, .pm_len = 4 };
	u64 t[6];

	madt_begin(0xfee00000, 0);
	e_lapic(0, 0, 1);
	t[0] = place();
	madt_begin(0xfee00000, 0);
	e_lapic(0, 1, 1);
	e_lapic(1, 2, 1);
	t[1] = place();
	t[2] = build_fadt(&f1);
	t[3] = build_fadt(&f2);
	t[4] = build_hpet(0xfed00000);
	t[5] = build_hpet(0xfed01000);
	assert_int_equal(parse_tables(t, 6), ACPI_OK);
	assert_int_equal(info.cpu_count, 1);
	assert_cpu(0, 0, 0, true, false, false);
	assert_int_equal(info.pm_timer_port, 0x608);
	assert_int_equal(info.hpet_addr, 0xfed00000);
	assert_problem("APIC", 0, "duplicate");
	assert_problem("FACP", 0, "duplicate");
	assert_int_equal(info.problems_total, 2); /* several HPETs are legal */

	/* First one bad: the second is used. */
	mem_w8(t[0] + 9, mem[t[0] + 9] + 1);
	mem_w32(t[2] + 4, 20);
	mem_w8(t[4] + 40, 1);
	fix_sum_len(t[4], 56);
	assert_int_equal(parse_tables(t, 6), ACPI_OK);
	assert_int_equal(info.cpu_count, 2);
	assert_cpu(1, 2, 1, true, false, false);
	assert_int_equal(info.pm_timer_port, 0xb008);
	assert_int_equal(info.hpet_addr, 0xfed01000);
	assert_int_equal(info.problems_total, 3);
	assert_problem("APIC", 9, "checksum");
	assert_problem("FACP", 4, "length");
	assert_problem("HPET", 40, "memory space");
}

/* ---- MADT: CPUs --------------------------------------------------------- */

static void test_cpus_4(void **state)
{
	madt_begin(0xfee00000, 1);
	for (u8 i = 0; i < 4; i++)
		e_lapic(i, (u8)(i * 2), 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.cpu_count, 4);
	for (u8 i = 0; i < 4; i++)
		assert_cpu(i, i * 2u, i, true, false, false);
}

static void test_cpus_255(void **state)
{
	madt_begin(0xfee00000, 1);
	for (u32 i = 0; i < 255; i++)
		e_lapic((u8)(254 - i), (u8)i, 1);
	e_lapic(0xff, 0xff, 1); /* not a CPU */
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.cpu_count, 255);
	assert_cpu(0, 0, 254, true, false, false);
	assert_cpu(254, 254, 0, true, false, false);
	assert_int_equal(info.cpus_dropped, 0);
}

static void test_cpus_512_exact(void **state)
{
	madt_begin(0xfee00000, 1);
	for (u32 i = 0; i < 512; i++)
		e_x2apic(i, 1, i + 1000);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.cpu_count, 512);
	assert_int_equal(info.cpus_dropped, 0);
	assert_cpu(511, 511, 1511, true, false, true);
}

/* Type 0 for IDs below 255, type 9 above, as the spec asks; 700 in all. */
static void test_cpus_700_mixed(void **state)
{
	madt_begin(0xfee00000, 0);
	for (u32 i = 0; i < 255; i++)
		e_lapic((u8)i, (u8)i, 1);
	e_lapic(0xfe, 0xff, 1);
	for (u32 i = 255; i < 700; i++)
		e_x2apic(i, i % 2 ? 1 : 2, i);
	e_x2apic(0xffffffff, 1, 9999);
	e_x2apic(12345, 0, 7); /* disabled: neither counted nor dropped */
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_false(info.pcat_compat);
	assert_int_equal(info.cpu_count, ACPI_MAX_CPUS);
	assert_int_equal(info.cpus_dropped, 700 - ACPI_MAX_CPUS);
	assert_cpu(254, 254, 254, true, false, false);
	assert_cpu(255, 255, 255, true, false, true);
	assert_cpu(256, 256, 256, false, true, true);
	assert_cpu(511, 511, 511, true, false, true);
}

static void test_cpu_flags(void **state)
{
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);	     /* enabled */
	e_lapic(1, 1, 0);	     /* disabled, cannot be enabled: skipped */
	e_lapic(2, 2, 2);	     /* online capable */
	e_lapic(3, 3, 3);	     /* both (not allowed by 6.3+, kept as given) */
	e_lapic(4, 4, 0xfffffffc);   /* other bits only: skipped */
	e_lapic(5, 5, 0xffffffff);   /* all bits */
	e_x2apic(0x100, 0, 6);	     /* disabled */
	e_x2apic(0x101, 2, 7);	     /* online capable */
	e_x2apic(0x102, 0x10001, 8); /* enabled + junk */
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.cpu_count, 6);
	assert_cpu(0, 0, 0, true, false, false);
	assert_cpu(1, 2, 2, false, true, false);
	assert_cpu(2, 3, 3, true, true, false);
	assert_cpu(3, 5, 5, true, true, false);
	assert_cpu(4, 0x101, 7, false, true, true);
	assert_cpu(5, 0x102, 8, true, false, true);
}

static void test_cpu_not_a_cpu_ids(void **state)
{
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0xff, 1);
	e_x2apic(0xffffffff, 1, 1);
	e_x2apic(0xff, 1, 2); /* 0xff is a valid x2APIC ID */
	e_lapic(3, 0xfe, 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.cpu_count, 2);
	assert_cpu(0, 0xff, 2, true, false, true);
	assert_cpu(1, 0xfe, 3, true, false, false);
}

static void test_cpu_duplicates(void **state)
{
	u32 madt;

	madt_begin(0xfee00000, 1);
	e_lapic(0, 1, 1);    /* 44 */
	e_lapic(1, 1, 1);    /* 52: duplicate */
	e_x2apic(1, 1, 2);   /* 60: duplicate of a type 0 */
	e_lapic(3, 1, 0);    /* 76: disabled: skipped before the check */
	e_x2apic(300, 2, 4); /* 84 */
	e_x2apic(300, 1, 5); /* 100: duplicate */
	e_lapic(6, 2, 1);    /* 116 */
	/* IDs past the duplicate bitmap (4096) are checked too, by a scan. */
	e_x2apic(70000, 1, 7); /* 124 */
	e_x2apic(70000, 1, 8); /* 140: duplicate */
	e_x2apic(4096, 1, 9);  /* 156: not 0 (the bitmap's range wraps nowhere) */
	madt = (u32)place();
	assert_int_equal(parse_tables(&(u64){ madt }, 1), ACPI_OK);
	assert_int_equal(info.cpu_count, 5);
	assert_cpu(0, 1, 0, true, false, false);
	assert_cpu(1, 300, 4, false, true, true);
	assert_cpu(2, 2, 6, true, false, false);
	assert_cpu(3, 70000, 7, true, false, true);
	assert_cpu(4, 4096, 9, true, false, true);
	assert_int_equal(info.problems_total, 4);
	assert_problem("APIC", 52, "duplicate APIC ID");
	assert_problem("APIC", 60, "duplicate APIC ID");
	assert_problem("APIC", 100, "duplicate APIC ID");
	assert_problem("APIC", 140, "duplicate APIC ID");
}

/* Beyond the limit, duplicates are still found, new CPUs dropped. */
static void test_cpu_duplicates_past_limit(void **state)
{
	madt_begin(0xfee00000, 1);
	for (u32 i = 0; i < 520; i++)
		e_x2apic(i, 1, i);
	e_x2apic(3, 1, 3);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.cpu_count, 512);
	assert_int_equal(info.cpus_dropped, 8);
	assert_int_equal(info.problems_total, 1);
	assert_problem("APIC", 44 + 520 * 16, "duplicate");
}

/* ---- MADT: other entries ------------------------------------------------ */

static void test_ioapics(void **state)
{
	madt_begin(0xfee00000, 1);
	e_ioapic(1, 0xfec00000, 0);
	e_ioapic(2, 0xfec01000, 24);
	e_ioapic(3, 0, 48); /* 68: address 0 */
	for (u32 i = 0; i < 15; i++)
		e_ioapic((u8)(10 + i), 0xfec10000 + i * 0x1000, 100 + i * 24);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.ioapic_count, ACPI_MAX_IOAPICS);
	assert_int_equal(info.ioapics[0].id, 1);
	assert_int_equal(info.ioapics[0].addr, 0xfec00000);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.ioapics[1].id, 2);
	assert_int_equal(info.ioapics[1].addr, 0xfec01000);
	assert_int_equal(info.ioapics[1].gsi_base, 24);
	assert_int_equal(info.ioapics[2].id, 10);
	assert_int_equal(info.ioapics[15].id, 23);
	assert_int_equal(info.ioapics[15].gsi_base, 100 + 13 * 24);
	assert_int_equal(info.problems_total, 2);
	assert_problem("APIC", 72, "address 0");
	assert_problem("APIC", 44 + 17 * 12, "too many I/O APICs");
}

static void test_overrides(void **state)
{
	madt_begin(0xfee00000, 1);
	e_iso(0, 0, 2, 0);
	e_iso(0, 9, 9, 0xf);
	for (u32 i = 0; i < 15; i++)
		e_iso(1, (u8)i, 30 + i, (u16)(0x1000 + i));
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.override_count, ACPI_MAX_OVERRIDES);
	assert_int_equal(info.overrides[0].gsi, 2);
	assert_int_equal(info.overrides[1].source, 9);
	assert_int_equal(info.overrides[1].flags, 0xf);
	assert_int_equal(info.overrides[15].bus, 1);
	assert_int_equal(info.overrides[15].source, 13);
	assert_int_equal(info.overrides[15].gsi, 43);
	assert_int_equal(info.overrides[15].flags, 0x100d);
	assert_int_equal(info.problems_total, 1);
	assert_problem("APIC", 44 + 16 * 10, "too many interrupt source overrides");
}

static void test_nmis(void **state)
{
	madt_begin(0xfee00000, 1);
	e_nmi_src(0xd, 0);		  /* 44 */
	e_nmi_src(0x5, 23);		  /* 52 */
	e_lapic_nmi(0xff, 0x5, 1);	  /* 60 */
	e_lapic_nmi(3, 0xf, 0);		  /* 66 */
	e_lapic_nmi(4, 0, 2);		  /* 72: bad LINT */
	e_x2apic_nmi(0x5, 0xffffffff, 1); /* 78 */
	e_x2apic_nmi(0xa, 300, 0);	  /* 90 */
	e_x2apic_nmi(0, 301, 7);	  /* 102: bad LINT */
	for (int i = 0; i < 13; i++)	  /* 114: the 13th is one too many */
		e_lapic_nmi((u8)i, 0, 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.nmi_source_count, 2);
	assert_int_equal(info.nmi_count, ACPI_MAX_NMIS);
	assert_int_equal(info.nmis[0].acpi_uid, 0xff);
	assert_int_equal(info.nmis[0].flags, 5);
	assert_int_equal(info.nmis[0].lint, 1);
	assert_int_equal(info.nmis[1].acpi_uid, 3);
	assert_int_equal(info.nmis[1].flags, 0xf);
	assert_int_equal(info.nmis[1].lint, 0);
	assert_int_equal(info.nmis[2].acpi_uid, 0xffffffff);
	assert_int_equal(info.nmis[2].flags, 5);
	assert_int_equal(info.nmis[2].lint, 1);
	assert_int_equal(info.nmis[3].acpi_uid, 300);
	assert_int_equal(info.nmis[3].flags, 0xa);
	assert_int_equal(info.nmis[3].lint, 0);
	assert_int_equal(info.nmis[15].acpi_uid, 11);
	assert_int_equal(info.problems_total, 3);
	assert_problem("APIC", 77, "LINT");
	assert_problem("APIC", 110, "LINT");
	assert_problem("APIC", 114 + 12 * 6, "too many local APIC NMI");
}

static void test_lapic_addr_override(void **state)
{
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	e_lapic_addr(0);		 /* 52: ignored */
	e_lapic_addr(0x123456789000ull); /* 64: used */
	e_lapic_addr(0xfee00000);	 /* 76: second: ignored */
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.lapic_addr, 0x123456789000ull);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.problems_total, 2);
	assert_problem("APIC", 56, "override 0");
	assert_problem("APIC", 76, "second");

	/* Before the CPUs, and alone: the same. */
	madt_begin(0, 1);
	e_lapic_addr(0xfee00000ull + 0x100000000ull);
	e_lapic(0, 0, 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.lapic_addr, 0x1fee00000ull);
}

static void test_madt_no_entries(void **state)
{
	madt_begin(0xfee00000, 0);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_true(info.has_madt);
	assert_int_equal(info.lapic_addr, 0xfee00000);
	assert_false(info.pcat_compat);
	assert_int_equal(info.cpu_count, 0);
}

static void test_madt_too_short(void **state)
{
	for (u32 len = 36; len < 44; len++) {
		madt_begin(0xfee00000, 1);
		sb_len = len;
		assert_int_equal(parse_madt_only(), ACPI_OK);
		assert_problem("APIC", 4, "shorter");
		assert_false(info.has_madt);
		assert_int_equal(info.lapic_addr, 0);
		assert_false(info.pcat_compat);
	}
}

/* MADT: header + CPU 0, then the bad entry, then CPU 1 that is never read. */
static void bad_entry_case(u8 type, u8 len, const char *what)
{
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	e_raw(type, len);
	e_lapic(1, 1, 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_true(info.has_madt);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.problems_total, 1);
	assert_problem("APIC", 52, what);
}

static void test_madt_entry_length_0_1(void **state)
{
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	put8(0);
	put8(0);
	put_zeros(6);
	e_lapic(1, 1, 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.cpu_count, 1);
	assert_problem("APIC", 52, "below 2");

	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	put8(0x42);
	put8(1);
	e_lapic(1, 1, 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.cpu_count, 1);
	assert_problem("APIC", 52, "below 2");
}

static void test_madt_entry_too_short_for_type(void **state)
{
	static const u8 min[][2] = { { 0, 8 }, { 1, 12 }, { 2, 10 }, { 3, 8 },
				     { 4, 6 }, { 5, 12 }, { 9, 16 }, { 0xa, 12 } };

	for (size_t i = 0; i < ARRAY_SIZE(min); i++) {
		for (u8 len = 2; len < min[i][1]; len++)
			bad_entry_case(min[i][0], len, "too short");
	}
}

/* Longer than the type needs: fine (later revisions add fields). */
static void test_madt_entry_longer_ok(void **state)
{
	madt_begin(0xfee00000, 1);
	put8(0);
	put8(12);
	put8(7);
	put8(9);
	put32(1);
	put32(0xdeadbeef);
	put8(9);
	put8(20);
	put16(0);
	put32(0x1234);
	put32(2);
	put32(77);
	put32(0xdeadbeef);
	put8(1);
	put8(16);
	put8(4);
	put8(0);
	put32(0xfec00000);
	put32(0);
	put32(0);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.cpu_count, 2);
	assert_cpu(0, 9, 7, true, false, false);
	assert_cpu(1, 0x1234, 77, false, true, true);
	assert_int_equal(info.ioapic_count, 1);
	assert_int_equal(info.ioapics[0].id, 4);
}

static void test_madt_entry_past_end(void **state)
{
	/* The last entry says 8 but only 7 bytes remain. */
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	e_lapic(1, 1, 1);
	sb_len--;
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.cpu_count, 1);
	assert_problem("APIC", 52, "past the end");

	/* Length 255 near the end. */
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	e_raw(0x80, 20);
	sb[53] = 255;
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.cpu_count, 1);
	assert_problem("APIC", 52, "past the end");

	/* One trailing byte: not even a header. */
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	put8(0);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.cpu_count, 1);
	assert_problem("APIC", 52, "header past the end");
	assert_int_equal(info.problems_total, 1);

	/* Exactly to the end: fine. */
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	e_raw(0x80, 2);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
}

static void test_madt_unknown_types(void **state)
{
	madt_begin(0xfee00000, 1);
	e_raw(6, 16); /* I/O SAPIC */
	e_lapic(0, 0, 1);
	e_raw(7, 17);	/* local SAPIC */
	e_raw(8, 16);	/* platform interrupt sources */
	e_raw(0xb, 80); /* GICC */
	e_raw(0x10, 2);
	e_raw(0x7f, 255);
	e_raw(0xff, 3);
	e_lapic(1, 1, 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.cpu_count, 2);
	assert_cpu(1, 1, 1, true, false, false);
}

/* ---- FADT --------------------------------------------------------------- */

static void parse_fadt(const struct fadt_opts *o)
{
	u64 t = build_fadt(o);

	assert_int_equal(parse_tables(&t, 1), ACPI_OK);
	assert_true(info.has_fadt);
}

static void test_fadt_short(void **state)
{
	struct fadt_opts o = { .pm_blk = 0x608, .pm_len = 4 };

	for (o.len = 36; o.len < 92; o.len++) {
		parse_fadt(&o);
		assert_int_equal(info.pm_timer_port, 0);
		assert_problem("FACP", 4, "too short");
	}
	/* 92..115: timer present, no flags: 24-bit. */
	o.flags = 1u << 8;
	for (o.len = 92; o.len < 116; o.len++) {
		parse_fadt(&o);
		assert_no_problems();
		assert_int_equal(info.pm_timer_port, 0x608);
		assert_false(info.pm_timer_32bit);
	}
}

static void test_fadt_timer_width(void **state)
{
	struct fadt_opts o = { .len = 116, .pm_blk = 0xb008, .pm_len = 4 };

	parse_fadt(&o);
	assert_no_problems();
	assert_int_equal(info.pm_timer_port, 0xb008);
	assert_false(info.pm_timer_32bit);

	o.flags = 1u << 8;
	parse_fadt(&o);
	assert_true(info.pm_timer_32bit);

	o.flags = ~(1u << 8);
	parse_fadt(&o);
	assert_false(info.pm_timer_32bit);
}

static void test_fadt_no_timer(void **state)
{
	struct fadt_opts o = { .len = 276, .pm_blk = 0, .pm_len = 0, .flags = 1u << 8 };

	parse_fadt(&o);
	assert_no_problems();
	assert_int_equal(info.pm_timer_port, 0);
	assert_false(info.pm_timer_32bit);
}

static void test_fadt_pm_tmr_len(void **state)
{
	static const u8 bad[] = { 0, 1, 3, 5, 8, 255 };
	struct fadt_opts o = { .len = 116, .pm_blk = 0x608 };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		o.pm_len = bad[i];
		parse_fadt(&o);
		assert_int_equal(info.pm_timer_port, 0);
		assert_problem("FACP", 91, "PM_TMR_LEN");
	}
}

static void test_fadt_port_out_of_range(void **state)
{
	struct fadt_opts o = { .len = 116, .pm_blk = 0x10000, .pm_len = 4 };

	parse_fadt(&o);
	assert_int_equal(info.pm_timer_port, 0);
	assert_problem("FACP", 76, "out of range");
}

static void test_fadt_x_pm_tmr_blk(void **state)
{
	struct fadt_opts o = { .len = 244,
			       .pm_blk = 0,
			       .pm_len = 4,
			       .flags = 1u << 8,
			       .x_space = 1,
			       .x_width = 32,
			       .x_addr = 0x408 };

	/* X only (ACPI 2.0+ says PM_TMR_BLK should then be 0). */
	parse_fadt(&o);
	assert_no_problems();
	assert_int_equal(info.pm_timer_port, 0x408);
	assert_true(info.pm_timer_32bit);

	/* Both: X preferred. */
	o.pm_blk = 0x608;
	parse_fadt(&o);
	assert_int_equal(info.pm_timer_port, 0x408);

	/* X in memory space: not usable as a port, PM_TMR_BLK instead. */
	o.x_space = 0;
	parse_fadt(&o);
	assert_no_problems();
	assert_int_equal(info.pm_timer_port, 0x608);

	/* X address 0: PM_TMR_BLK. */
	o.x_space = 1;
	o.x_addr = 0;
	parse_fadt(&o);
	assert_int_equal(info.pm_timer_port, 0x608);

	/* X port beyond 16 bits: recorded, PM_TMR_BLK. */
	o.x_addr = 0x100000408ull;
	parse_fadt(&o);
	assert_int_equal(info.pm_timer_port, 0x608);
	assert_problem("FACP", 212, "out of range");

	/* PM_TMR_LEN 0 but the GAS says 32 bits: fine. */
	o.x_addr = 0x408;
	o.pm_len = 0;
	parse_fadt(&o);
	assert_no_problems();
	assert_int_equal(info.pm_timer_port, 0x408);

	/* ...but neither says 4 bytes: no timer. */
	o.x_width = 24;
	parse_fadt(&o);
	assert_int_equal(info.pm_timer_port, 0);
	assert_problem("FACP", 91, "PM_TMR_LEN");

	/* FADT 219 bytes long: the X field does not fit, PM_TMR_BLK. */
	o.x_width = 32;
	o.pm_len = 4;
	o.len = 219;
	parse_fadt(&o);
	assert_no_problems();
	assert_int_equal(info.pm_timer_port, 0x608);

	/* Exactly 220: X used. */
	o.len = 220;
	parse_fadt(&o);
	assert_int_equal(info.pm_timer_port, 0x408);
}

/* ---- HPET --------------------------------------------------------------- */

static void test_hpet(void **state)
{
	u64 t;

	t = build_hpet_len(0, 0xfed00000, 52); /* just the address */
	assert_int_equal(parse_tables(&t, 1), ACPI_OK);
	assert_no_problems();
	assert_true(info.has_hpet);
	assert_int_equal(info.hpet_addr, 0xfed00000);

	for (u32 len = 36; len < 52; len++) {
		t = build_hpet_len(0, 0xfed00000, len);
		assert_int_equal(parse_tables(&t, 1), ACPI_OK);
		assert_false(info.has_hpet);
		assert_problem("HPET", 4, "too short");
	}

	t = build_hpet(0);
	assert_int_equal(parse_tables(&t, 1), ACPI_OK);
	assert_false(info.has_hpet);
	assert_problem("HPET", 44, "address 0");

	t = build_hpet_len(1, 0xfed00000, 56);
	assert_int_equal(parse_tables(&t, 1), ACPI_OK);
	assert_false(info.has_hpet);
	assert_int_equal(info.hpet_addr, 0);
	assert_problem("HPET", 40, "memory space");
}

/* ---- Problems ----------------------------------------------------------- */

static void test_problem_overflow(void **state)
{
	madt_begin(0xfee00000, 1);
	e_lapic(0, 0, 1);
	for (int i = 0; i < 40; i++)
		e_lapic(0, 0, 1);
	assert_int_equal(parse_madt_only(), ACPI_OK);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.problem_count, ACPI_MAX_PROBLEMS);
	assert_int_equal(info.problems_total, 40);
	for (size_t i = 0; i < ACPI_MAX_PROBLEMS; i++) {
		assert_string_equal(info.problems[i].sig, "APIC");
		assert_int_equal(info.problems[i].offset, 52 + 8 * i);
	}
}

/* ---- Random corruption -------------------------------------------------- */

static void check_invariants(int ret, const struct acpi_info *in)
{
	assert_true(ret == ACPI_OK || ret == ACPI_BAD_RSDP || ret == ACPI_BAD_ROOT);
	assert_true(in->cpu_count <= ACPI_MAX_CPUS);
	assert_true(in->ioapic_count <= ACPI_MAX_IOAPICS);
	assert_true(in->override_count <= ACPI_MAX_OVERRIDES);
	assert_true(in->nmi_count <= ACPI_MAX_NMIS);
	assert_true(in->problem_count <= ACPI_MAX_PROBLEMS);
	assert_true(in->problem_count <= in->problems_total);
	assert_true(in->problem_count == in->problems_total ||
		    in->problem_count == ACPI_MAX_PROBLEMS);
	for (size_t i = 0; i < in->problem_count; i++) {
		assert_non_null(in->problems[i].what);
		assert_int_equal(strlen(in->problems[i].sig), 4);
	}
	for (size_t i = 0; i < in->cpu_count; i++) {
		const struct acpi_cpu *c = &in->cpus[i];

		assert_true(c->enabled || c->online_capable);
		if (!c->x2apic_entry)
			assert_true(c->apic_id < 0xff);
		assert_true(c->apic_id != 0xffffffff);
		for (size_t j = 0; j < i; j++)
			assert_true(in->cpus[j].apic_id != c->apic_id);
	}
	for (size_t i = 0; i < in->ioapic_count; i++)
		assert_true(in->ioapics[i].addr != 0);
	for (size_t i = 0; i < in->nmi_count; i++)
		assert_true(in->nmis[i].lint <= 1);
	if (ret != ACPI_OK) {
		assert_false(in->has_madt || in->has_fadt || in->has_hpet);
		assert_int_equal(in->cpu_count, 0);
	}
	if (!in->has_madt)
		assert_int_equal(in->cpu_count + in->ioapic_count + in->override_count, 0);
	if (!in->has_fadt)
		assert_int_equal(in->pm_timer_port, 0);
	assert_true(in->has_hpet == (in->hpet_addr != 0));
}

/* A rich table set for the fuzzers: v2 RSDP, RSDT and XSDT, all tables. */
static void rich_set(u8 *r)
{
	struct fadt_opts fo = { .len = 244,
				.pm_blk = 0x608,
				.pm_len = 4,
				.flags = 1u << 8,
				.x_space = 1,
				.x_width = 32,
				.x_addr = 0x608 };
	u64 t[5], rsdt;

	t[0] = build_fadt(&fo);
	madt_begin(0xfee00000, 1);
	for (u8 i = 0; i < 8; i++)
		e_lapic(i, i, i == 7 ? 2 : 1);
	e_x2apic(300, 1, 8);
	e_x2apic(301, 0, 9);
	e_ioapic(8, 0xfec00000, 0);
	e_ioapic(9, 0xfec01000, 24);
	e_iso(0, 0, 2, 0);
	e_iso(0, 9, 9, 0xd);
	e_nmi_src(0, 0);
	e_lapic_nmi(0xff, 5, 1);
	e_x2apic_nmi(0, 0xffffffff, 1);
	e_lapic_addr(0xfee00000);
	e_raw(0x20, 6);
	t[1] = place();
	t[2] = build_hpet(0xfed00000);
	t[3] = build_other("SSDT");
	t[4] = build_other("MCFG");
	rsdt = build_rsdt(t, 5);
	make_rsdp(r, 2, (u32)rsdt, build_xsdt(t, 5));
}

/* Recompute every table's checksum over min(its length field, its size). */
static void fix_all_sums(void)
{
	for (size_t i = 0; i < nregions; i++) {
		u32 len;

		memcpy(&len, &mem[regions[i].phys + 4], 4);
		if (len > regions[i].len)
			len = (u32)regions[i].len;
		if (len > 9)
			fix_sum_len(regions[i].phys, len);
	}
}

static u32 interesting_u32(u32 len)
{
	static const u32 v[] = { 0,
				 1,
				 2,
				 35,
				 36,
				 37,
				 43,
				 44,
				 45,
				 ACPI_MAX_TABLE_LEN,
				 ACPI_MAX_TABLE_LEN + 1,
				 0x7fffffff,
				 0x80000000,
				 0xffffffff,
				 0xfffffffc };

	switch (rng_next() % 4) {
	case 0:
		return v[rng_next() % ARRAY_SIZE(v)];
	case 1:
		return len + (u32)(rng_next() % 16) - 8;
	case 2:
		return (u32)rng_next();
	default:
		return (u32)(rng_next() % (len + 64));
	}
}

static void corrupt_once(u8 *r)
{
	u32 k = (u32)(rng_next() % (nregions + 1));
	u8 *base;
	u32 size;

	if (k == nregions) {
		base = r;
		size = 36;
	} else {
		base = &mem[regions[k].phys];
		size = (u32)regions[k].len;
	}
	switch (rng_next() % 6) {
	case 0: /* a random byte */
		base[rng_next() % size] = (u8)rng_next();
		break;
	case 1: /* one bit */
		base[rng_next() % size] ^= (u8)(1u << (rng_next() % 8));
		break;
	case 2: { /* the length field */
		u32 off = base == r ? 20 : 4;
		u32 len, v;

		memcpy(&len, base + off, 4);
		v = interesting_u32(len);
		memcpy(base + off, &v, 4);
		break;
	}
	case 3: /* a small value: entry lengths, types, space IDs */
		base[rng_next() % size] = (u8)(rng_next() % 20);
		break;
	case 4: /* a pointer-sized word */
		if (size >= 8) {
			u64 v = rng_next() % 2 ? rng_next() : rng_next() % (MEM_SIZE + 4096);

			memcpy(base + rng_next() % (size - 7), &v, 8);
		}
		break;
	default: /* 0xff: IDs that mean "not a CPU", big lengths */
		base[rng_next() % size] = 0xff;
		break;
	}
}

static void test_fuzz_corruption(void **state)
{
	static u8 pristine[MEM_SIZE];
	u8 r0[36], r[36];
	u64 top;
	int ret;

	rng_state = 0x5eedacb1u;
	rich_set(r0);
	top = mem_top;
	memcpy(pristine, mem, top);

	/* Unchanged, it is read whole. */
	assert_int_equal(parse(r0, 36), ACPI_OK);
	assert_no_problems();
	assert_int_equal(info.cpu_count, 9);
	assert_int_equal(info.ioapic_count, 2);
	assert_true(info.has_fadt && info.has_hpet);

	for (int iter = 0; iter < 30000; iter++) {
		int n = 1 + (int)(rng_next() % 6);

		memcpy(mem, pristine, top);
		memcpy(r, r0, 36);
		for (int i = 0; i < n; i++)
			corrupt_once(r);
		/* Mostly keep checksums right, so the corruption gets past them. */
		if (rng_next() % 4 != 0) {
			fix_all_sums();
			rsdp_fix(r, 36);
		}
		size_t rlen = rng_next() % 8 ? 36 : (size_t)(rng_next() % 37);

		ret = parse_mode(r, rlen, MAP_STRICT, &info);
		check_invariants(ret, &info);
		if (iter % 16 == 0) {
			/* The flat map can read more; it must not crash either. */
			ret = parse_mode(r, rlen, MAP_FLAT, &info2);
			check_invariants(ret, &info2);
		}
	}
}

/* Random entry streams in a checksummed MADT. */
static void test_fuzz_madt_entries(void **state)
{
	static const u8 types[] = { 0, 1, 2, 3, 4, 5, 9, 0xa, 6, 0x7f };
	static const u8 lens[] = { 8, 12, 10, 8, 6, 12, 16, 12, 16, 4 };

	rng_state = 0xfeedf00du;
	for (int iter = 0; iter < 3000; iter++) {
		int n = (int)(rng_next() % 80);

		mem_top = MEM_START;
		nregions = 0;
		madt_begin((u32)rng_next(), (u32)rng_next());
		for (int i = 0; i < n; i++) {
			u32 k = (u32)(rng_next() % ARRAY_SIZE(types));
			u8 len = lens[k];

			if (rng_next() % 16 == 0)
				len = (u8)(rng_next() % 24);
			put8(types[k]);
			put8(len);
			for (int b = 2; b < len; b++) {
				/* Small bytes make IDs collide and LINTs valid. */
				put8(rng_next() % 2 ? (u8)(rng_next() % 4) : (u8)rng_next());
			}
		}
		u64 madt = place();
		u8 rr[36];

		make_rsdp(rr, 0, (u32)build_rsdt(&madt, 1), 0);
		int ret = parse(rr, 20);

		assert_int_equal(ret, ACPI_OK);
		check_invariants(ret, &info);
		assert_true(info.has_madt);
	}
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_checksum),
		T(test_strerror),
		T(test_qemu_v0_rsdt),
		T(test_qemu_v2_xsdt),
		T(test_xsdt_unaligned),
		T(test_other_tables_ignored),
		T(test_empty_rsdt),
		T(test_out_zeroed_first),
		T(test_rsdp_bad_signature),
		T(test_rsdp_bad_checksum),
		T(test_rsdp_bad_ext_checksum),
		T(test_rsdp_too_short),
		T(test_rsdp_v2_given_20_bytes),
		T(test_rsdp_revision_1),
		T(test_rsdp_length_field),
		T(test_v2_xsdt_zero_uses_rsdt),
		T(test_no_map_function),
		T(test_root_bad_signature),
		T(test_root_bad_length),
		T(test_root_length_past_memory),
		T(test_root_bad_checksum),
		T(test_root_unmappable),
		T(test_root_address_zero),
		T(test_bad_xsdt_falls_back),
		T(test_root_partial_entry),
		T(test_root_bad_pointers),
		T(test_root_many_entries),
		T(test_table_bad_length),
		T(test_table_length_past_mapping),
		T(test_table_bad_checksum),
		T(test_duplicate_tables),
		T(test_cpus_4),
		T(test_cpus_255),
		T(test_cpus_512_exact),
		T(test_cpus_700_mixed),
		T(test_cpu_flags),
		T(test_cpu_not_a_cpu_ids),
		T(test_cpu_duplicates),
		T(test_cpu_duplicates_past_limit),
		T(test_ioapics),
		T(test_overrides),
		T(test_nmis),
		T(test_lapic_addr_override),
		T(test_madt_no_entries),
		T(test_madt_too_short),
		T(test_madt_entry_length_0_1),
		T(test_madt_entry_too_short_for_type),
		T(test_madt_entry_longer_ok),
		T(test_madt_entry_past_end),
		T(test_madt_unknown_types),
		T(test_fadt_short),
		T(test_fadt_timer_width),
		T(test_fadt_no_timer),
		T(test_fadt_pm_tmr_len),
		T(test_fadt_port_out_of_range),
		T(test_fadt_x_pm_tmr_blk),
		T(test_hpet),
		T(test_problem_overflow),
		T(test_fuzz_corruption),
		T(test_fuzz_madt_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
