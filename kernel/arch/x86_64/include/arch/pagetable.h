/*
 * pagetable.h - x86_64 4-level page tables: entry bits, and a builder and
 * walker that know nothing about where their memory comes from
 * (kernel/arch/x86_64/pagetable.c).  The kernel runs them on real frames;
 * the host tests run them on a fake physical-memory arena.
 *
 * An entry (Intel SDM vol. 3, 4.5):
 *   bit 0  P    present           bit 7  PS   page size (PDPT: 1 GB, PD: 2 MB)
 *   bit 1  W    writable          bit 8  G    global (survives CR3 loads)
 *   bit 2  U    user-accessible   bits 12..51 physical address
 *   bit 3  PWT  write-through     bit 63 NX   no execute (needs EFER.NXE)
 *   bit 4  PCD  cache disable
 *   bit 5  A    accessed, bit 6 D dirty (set by the CPU)
 *   bits 9..11 ignored by the CPU, free for software (PTE_DEVICE)
 * Permissions are the AND of W and U and the OR of NX along the walk; Keel's
 * intermediate entries are always P|W (plus U in user space) without NX, so
 * the leaf alone decides.
 */
#ifndef ARCH_PAGETABLE_H
#define ARCH_PAGETABLE_H

#include <keel/layout.h>

#define PTE_P	      (1 << 0)
#define PTE_W	      (1 << 1)
#define PTE_U	      (1 << 2)
#define PTE_PWT	      (1 << 3)
#define PTE_PCD	      (1 << 4)
#define PTE_A	      (1 << 5)
#define PTE_D	      (1 << 6)
#define PTE_PS	      (1 << 7)
#define PTE_G	      (1 << 8)
#define PTE_DEVICE    (1 << 9) /* software: a user page of device memory (SYS_MAP_DEVICE) */
#define PTE_NX	      (_UL(1) << 63)
#define PTE_ADDR_MASK _UL(0x000ffffffffff000)

/* Uncached device memory: PCD|PWT selects PAT entry 3, UC, at reset. */
#define PTE_UC	      (PTE_PCD | PTE_PWT)

#ifndef __ASSEMBLER__

#include <keel/types.h>

typedef u64 pte_t;

/* Levels, counted as the SDM does: 4 is the PML4, 1 the page table. */
enum pt_level { PT_LEVEL_PT = 1, PT_LEVEL_PD, PT_LEVEL_PDPT, PT_LEVEL_PML4 };

/* The page sizes a mapping may use (a mask). */
#define PT_SIZE_4K (1u << 0)
#define PT_SIZE_2M (1u << 1)
#define PT_SIZE_1G (1u << 2)

static inline u64 pte_addr(pte_t e)
{
	return e & PTE_ADDR_MASK;
}

static inline unsigned pt_level_shift(int level)
{
	return PT_SHIFT + (unsigned)(level - 1) * PT_INDEX_BITS;
}

static inline unsigned pt_index(u64 va, int level)
{
	return (unsigned)(va >> pt_level_shift(level)) & (PT_ENTRIES - 1);
}

/*
 * Where page-table frames come from and how to reach them.  alloc returns a
 * zeroed 4 KiB frame's physical address, or BOOTMEM_FAIL-style ~0 on
 * failure; to_virt turns a table's physical address into a pointer.
 */
struct pt_env {
	u64 (*alloc)(void *ctx);
	pte_t *(*to_virt)(void *ctx, u64 phys);
	void *ctx;
	/* Counters the builder keeps. */
	u64 tables;    /* table frames allocated */
	u64 mapped[3]; /* leaves created: [0] 4K, [1] 2M, [2] 1G */
};

enum pt_error {
	PT_OK = 0,
	PT_ENOMEM = -1, /* alloc failed */
	PT_EEXIST = -2, /* something is already mapped there */
	PT_EINVAL = -3, /* unaligned or non-canonical arguments */
};

/*
 * pt_map - map [va, va+size) to [pa, pa+size) with leaf flags `flags`
 * (PTE_P is added), using the largest page size in `sizes` that the
 * alignment of va and pa and the remaining size allow.  va, pa and size
 * must be 4 KiB aligned and va canonical.  Intermediate tables get PTE_P |
 * PTE_W, plus PTE_U if flags has it.  Fails with PT_EEXIST (having mapped
 * the part before) rather than replace any present entry.
 */
int pt_map(struct pt_env *env, u64 root, u64 va, u64 pa, u64 size, u64 flags, unsigned sizes);

/*
 * pt_prealloc - make sure the table at `level` that translates va exists
 * (e.g. PT_LEVEL_PDPT: the PML4 entry for va points to a PDPT).
 */
int pt_prealloc(struct pt_env *env, u64 root, u64 va, int level);

/* A present leaf as the walker reports it, with effective permissions. */
struct pt_leaf {
	u64 va;
	u64 pa;
	u64 size;  /* 4K, 2M or 1G */
	u64 flags; /* leaf flags, with W and U ANDed and NX ORed along the walk */
};

/*
 * pt_walk - call fn for every present leaf that overlaps [start, end) (end
 * exclusive, 0 meaning 2^64), in ascending va order: a large page that
 * begins below start is reported too.  A non-zero return from fn stops the
 * walk and is returned.  Leaves found at level 4 (PS in a PML4 entry:
 * reserved) are reported with size 0.
 */
int pt_walk(struct pt_env *env, u64 root, u64 start, u64 end,
	    int (*fn)(void *arg, const struct pt_leaf *leaf), void *arg);

/*
 * pt_entry - the entry that translates va in the table at `level` (1: the
 * 4 KB leaf; 2: the page-directory entry, which points to the page table;
 * ...), present or not, to read or change in place.  NULL if a table above
 * it is missing (*missing: the level of the first missing table) or a
 * large page or a non-canonical va is in the way (*missing: 0).  Inline:
 * with a constant env, the compiler calls env->to_virt directly.
 */
static inline pte_t *pt_entry(const struct pt_env *env, u64 root, u64 va, int level, int *missing)
{
	u64 table = root;

	*missing = 0;
	if (!layout_is_canonical(va))
		return NULL;
	for (int l = PT_LEVEL_PML4; l > level; l--) {
		pte_t e = env->to_virt(env->ctx, table)[pt_index(va, l)];
		if (!(e & PTE_P)) {
			*missing = l - 1;
			return NULL;
		}
		if (e & PTE_PS)
			return NULL;
		table = pte_addr(e);
	}
	return &env->to_virt(env->ctx, table)[pt_index(va, level)];
}

/*
 * pt_entry_4k - the page-table entry of the 4 KB page at va, to change it in
 * place (the caller then flushes the TLBs); NULL if the tables down to it
 * do not exist or a large page covers va.
 */
pte_t *pt_entry_4k(struct pt_env *env, u64 root, u64 va);

/* pt_translate - the leaf that maps va, or false. */
bool pt_translate(struct pt_env *env, u64 root, u64 va, struct pt_leaf *out);

/* Sign-extend a 48-bit address to canonical form. */
static inline u64 pt_canonical(u64 va)
{
	return (u64)((i64)(va << (64 - VA_BITS)) >> (64 - VA_BITS));
}

#endif /* !__ASSEMBLER__ */
#endif
