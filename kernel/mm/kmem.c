/*
 * kmem.c - donated kernel memory, the objects in it, and the per-chunk
 * counts of user mappings (see keel/kmem.h).
 *
 * Which frames are the pager's, the modules' or donated is answered by
 * the sorted run lists of frames.c; whether a frame is RAM by the sorted
 * memory map.  Both are binary searches over lists whose length grows
 * with the number of ranges, never with RAM.
 */
#include <abi/syscall.h>
#include <keel/addr.h>
#include <keel/boot.h>
#include <keel/bootmem.h>
#include <keel/cap.h>
#include <keel/decode.h>
#include <keel/console.h>
#include <keel/frames.h>
#include <keel/kmem.h>
#include <keel/memmap.h>
#include <keel/panic.h>
#include <common/string.h>

struct kmem_chunk {
	u8 type[KMEM_CHUNK_FRAMES]; /* enum kobj_type of each frame */
	u32 objects;		    /* live objects (the header not counted) */
	u32 caps;		    /* capabilities naming a frame of it, live or stale */
};
_Static_assert(sizeof(struct kmem_chunk) <= PAGE_SIZE, "a chunk header is one frame");

static u64 boot_chunk;	    /* the chunk of the boot objects */
static u64 *count_index;    /* per 2 GB: the count table's address, or 0 */
static u64 count_index_len; /* entries */
static u64 boot_bytes;	    /* taken from boot memory */
static u64 next_gen = 1;    /* object generations: never 0, never reused */
static u64 donated_bytes;
static u64 live_objects; /* made and not yet freed, in every chunk */
static u64 phys_top;	 /* the end of the highest RAM */

/*
 * A free object frame is filled with KMEM_POISON: a dangling pointer into
 * it reads 0x6b6b6b6b6b6b6b6b, not a canonical address, and faults.  The
 * sanitizer build (KEEL_KSAN) poisons every free frame (the boot chunk's
 * and each donated chunk's too) and checks the poison when a frame
 * becomes an object again: a write after free is then a panic that names
 * the frame, the byte and the object that was there.
 */
#define KMEM_POISON 0x6b

static void poison(u64 pa, u64 bytes)
{
	memset(phys_to_virt(pa), KMEM_POISON, bytes);
}

#ifdef KEEL_KSAN
static void poison_check(u64 pa, u8 type)
{
	const u64 *w = phys_to_virt(pa);
	const u64 all = 0x0101010101010101ull * KMEM_POISON;

	for (u64 i = 0; i < PAGE_SIZE / 8; i++) {
		if (w[i] == all)
			continue;
		u64 b = i * 8;
		while (((const u8 *)w)[b] == KMEM_POISON)
			b++;
		panic("kmem: free frame 0x%lx was written while free: byte %lu is 0x%02x, not "
		      "the poison 0x%02x (found making it an object of type %u)",
		      pa, b, ((const u8 *)w)[b], KMEM_POISON, type);
	}
}
#else
static void poison_check(u64 pa, u8 type)
{
}
#endif

static bool ksan_build(void)
{
#ifdef KEEL_KSAN
	return true;
#else
	return false;
#endif
}

static bool is_ram(u64 pa)
{
	const struct memmap_entry *m = boot.memmap;
	size_t lo = 0, hi = boot.memmap_count;

	while (lo < hi) { /* the last entry starting at or below pa */
		size_t mid = lo + (hi - lo) / 2;
		if (m[mid].base <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && m[lo - 1].type == MEMMAP_AVAILABLE && pa - m[lo - 1].base < m[lo - 1].length;
}

const char *kmem_init(struct bootmem *bm)
{
	u64 top = 0;

	for (size_t i = 0; i < boot.memmap_count; i++)
		if (boot.memmap[i].type == MEMMAP_AVAILABLE)
			top = MAX(top, boot.memmap[i].base + boot.memmap[i].length);
	phys_top = ALIGN_UP(top, PAGE_SIZE);
	count_index_len = DIV_ROUND_UP(top, KMEM_COUNTS_SPAN);
	u64 bytes = ALIGN_UP(MAX(count_index_len, 1) * sizeof(u64), PAGE_SIZE);
	u64 idx = bootmem_alloc(bm, bytes, PAGE_SIZE, PHYS_MAX);
	if (idx == BOOTMEM_FAIL)
		return "no memory for the count index";
	count_index = phys_to_virt(idx);
	boot_bytes = bytes + KMEM_CHUNK;
	memset(count_index, 0, bytes);

	boot_chunk = bootmem_alloc(bm, KMEM_CHUNK, KMEM_CHUNK, PHYS_MAX);
	if (boot_chunk == BOOTMEM_FAIL)
		return "no 2 MB chunk for the boot objects";
	struct kmem_chunk *h = phys_to_virt(boot_chunk);
	if (ksan_build())
		poison(boot_chunk, KMEM_CHUNK);
	memset(h, 0, PAGE_SIZE);
	h->type[0] = KOBJ_HEADER;
	return NULL;
}

static u64 boot_next = 1; /* the boot chunk's next free frame (0 is the header) */

/* root.c checks that the first program fits before it asks (kmem_boot_frames_left). */
u64 kmem_boot_frame(void)
{
	if (boot_next == KMEM_CHUNK_FRAMES)
		panic("kmem: the boot chunk is full, though root.c checked the first program fits");
	return boot_chunk + boot_next++ * PAGE_SIZE;
}

u64 kmem_boot_frames_left(void)
{
	return KMEM_CHUNK_FRAMES - boot_next;
}

u64 kmem_boot_mark(void)
{
	return boot_next;
}

void kmem_boot_rewind(u64 mark)
{
	struct kmem_chunk *h = phys_to_virt(boot_chunk);

	while (boot_next > mark) {
		u8 *type = &h->type[--boot_next];
		if (*type != KOBJ_FREE) {
			h->objects--;
			live_objects--;
		}
		*type = KOBJ_FREE;
		poison(boot_chunk + boot_next * PAGE_SIZE, PAGE_SIZE);
	}
}

u64 kmem_boot_object(enum kobj_type type)
{
	u64 pa = kmem_boot_frame();

	kmem_object_make(pa, type);
	return pa;
}

static bool in_boot_chunk(u64 pa)
{
	return boot_chunk && pa - boot_chunk < KMEM_CHUNK;
}

/*
 * How far from pa (KMEM_USER) every frame is KMEM_USER too: to the end of
 * its run of the pager's RAM or of its KMEM_CHUNK, whichever comes first.
 * A user run is not split where a chunk of it is donated (frames_role
 * looks at the donations first), and donations and the boot chunk are
 * whole chunks: so each chunk is classified on its own.
 */
static u64 user_span_end(u64 pa)
{
	u64 end = frames_user_end(boot.frames, pa),
	    chunk_end = ALIGN_DOWN(pa, KMEM_CHUNK) + KMEM_CHUNK;

	return end < chunk_end ? end : chunk_end;
}

/*
 * The last span of frames found to be the pager's RAM: within one
 * KMEM_CHUNK and one user run, so nothing but a donation of that chunk
 * can change their class (kmem_donate forgets it).  Most calls classify a
 * frame near the last one (an image's pages, a process's tables): two
 * compares instead of frames_role's binary searches.  Under the big
 * kernel lock, like every caller.
 */
static u64 user_hint, user_hint_end;

enum kmem_class kmem_classify(u64 pa)
{
	if (pa - user_hint < user_hint_end - user_hint)
		return KMEM_USER;
	if (in_boot_chunk(pa))
		return KMEM_KERNEL;
	switch (frames_role(boot.frames, pa)) {
	case FRAME_USER: {
		u64 chunk = ALIGN_DOWN(pa, KMEM_CHUNK), base = frames_user_base(boot.frames, pa);
		user_hint = base > chunk ? base : chunk;
		user_hint_end = user_span_end(pa);
		return KMEM_USER;
	}
	case FRAME_MODULE:
		return KMEM_MODULE;
	case FRAME_KERNEL:
		return KMEM_DONATED;
	case FRAME_NONE:
		break;
	}
	return is_ram(pa) ? KMEM_KERNEL : KMEM_NOTRAM;
}

static struct kmem_chunk *chunk_of(u64 pa)
{
	return phys_to_virt(ALIGN_DOWN(pa, KMEM_CHUNK));
}

static u64 frame_index(u64 pa)
{
	return (pa % KMEM_CHUNK) / PAGE_SIZE;
}

long kmem_class_error(enum kmem_class c)
{
	switch (c) {
	case KMEM_NOTRAM:
		return -KEEL_ENOTRAM;
	case KMEM_KERNEL:
		return -KEEL_EKERNEL;
	default:
		return -KEEL_EROLE;
	}
}

long kmem_check_free(u64 pa)
{
	enum kmem_class c;

	if (!IS_ALIGNED(pa, PAGE_SIZE))
		return -KEEL_EINVAL;
	if ((c = kmem_classify(pa)) != KMEM_DONATED)
		return kmem_class_error(c); /* not donated (or not RAM, or the kernel's) */
	return chunk_of(pa)->type[frame_index(pa)] == KOBJ_FREE ? 0 : -KEEL_EROLE;
}

void *kmem_object_make(u64 pa, enum kobj_type type)
{
	struct kmem_chunk *h = chunk_of(pa);

	if (h->type[frame_index(pa)] != KOBJ_FREE)
		panic("kmem: frame 0x%lx made an object twice (type %u)", pa,
		      h->type[frame_index(pa)]);
	poison_check(pa, (u8)type);
	h->type[frame_index(pa)] = (u8)type;
	h->objects++;
	live_objects++;
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return phys_to_virt(pa);
}

void *kmem_object_get(u64 pa, enum kobj_type type)
{
	if (!IS_ALIGNED(pa, PAGE_SIZE))
		return NULL;
	if (!in_boot_chunk(pa) && frames_role(boot.frames, pa) != FRAME_KERNEL)
		return NULL;
	if (frame_index(pa) == 0 || chunk_of(pa)->type[frame_index(pa)] != type)
		return NULL;
	return phys_to_virt(pa);
}

u64 kmem_phys_top(void)
{
	return phys_top;
}

u64 kmem_gen_new(void)
{
	return next_gen++;
}

void kmem_cap_ref(const void *obj)
{
	chunk_of(kmem_object_phys(obj))->caps++;
}

void kmem_cap_unref(const void *obj)
{
	struct kmem_chunk *h = chunk_of(kmem_object_phys(obj));

	if (!h->caps)
		panic("kmem: a capability to 0x%lx dropped that was never counted",
		      kmem_object_phys(obj));
	h->caps--;
}

void kmem_object_free(u64 pa)
{
	struct kmem_chunk *h = chunk_of(pa);
	u8 *t = &h->type[frame_index(pa)];

	if (*t == KOBJ_FREE || *t == KOBJ_HEADER || !h->objects)
		panic("kmem: freeing frame 0x%lx, which holds no object", pa);
	*t = KOBJ_FREE;
	h->objects--;
	live_objects--;
	poison(pa, PAGE_SIZE);
}

u64 kmem_object_phys(const void *obj)
{
	return virt_to_phys(obj);
}

/* The count of user mappings for the chunk holding pa, or NULL. */
static u32 *count_slot(u64 pa)
{
	u64 i = pa / KMEM_COUNTS_SPAN;

	if (i >= count_index_len || !count_index[i])
		return NULL;
	u32 *table = phys_to_virt(count_index[i]);
	return &table[(pa % KMEM_COUNTS_SPAN) / KMEM_CHUNK];
}

/* Is any frame of [base, base+size) mapped in user space? */
static bool chunks_mapped(u64 base, u64 size)
{
	for (u64 c = base; c < base + size; c += KMEM_CHUNK) {
		u32 *n = count_slot(c);
		if (n && *n)
			return true;
	}
	return false;
}

/*
 * Why [base, base+size) is not all the pager's undonated RAM: the class of
 * its first frame that is not.  Steps a run of RAM at a time.
 */
static long why_not_user(u64 base, u64 size)
{
	for (u64 pa = base; pa < base + size; pa = frames_user_end(boot.frames, pa)) {
		enum kmem_class c = kmem_classify(pa);
		if (c != KMEM_USER)
			return kmem_class_error(c);
	}
	return -KEEL_EROLE; /* all RAM of the pager's, but split by a donation */
}

long kmem_donate(u64 base, u64 size)
{
	if (!size || !IS_ALIGNED(base, KMEM_CHUNK) || !IS_ALIGNED(size, KMEM_CHUNK) ||
	    size > UINT64_MAX - base)
		return -KEEL_EINVAL;
	int r = frames_can_donate(boot.frames, base, size);
	if (r == FRAMES_EFULL)
		return -KEEL_EFULL;
	if (r != FRAMES_OK)
		return why_not_user(base, size);
	/* Now bounded by the size of RAM: the range is all the pager's. */
	if (chunks_mapped(base, size))
		return -KEEL_EROLE;
	user_hint = user_hint_end = 0; /* the donated chunks may be in it */
	frames_donate(boot.frames, base, size);
	for (u64 c = base; c < base + size; c += KMEM_CHUNK) {
		struct kmem_chunk *h = phys_to_virt(c);
		if (ksan_build())
			poison(c, KMEM_CHUNK);
		memset(h, 0, PAGE_SIZE);
		h->type[0] = KOBJ_HEADER;
	}
	donated_bytes += size;
	return 0;
}

long kmem_reclaim(u64 base, u64 size)
{
	if (!size || !IS_ALIGNED(base, KMEM_CHUNK) || !IS_ALIGNED(size, KMEM_CHUNK) ||
	    size > UINT64_MAX - base)
		return -KEEL_EINVAL;
	if (!frames_is_donation(boot.frames, base, size)) {
		long r = kmem_class_error(kmem_classify(base));
		return r == -KEEL_EROLE ? -KEEL_ENOENT : r; /* RAM, but not one donation */
	}
	for (u64 c = base; c < base + size; c += KMEM_CHUNK) {
		const struct kmem_chunk *h = phys_to_virt(c);
		if (h->objects || h->caps) /* caps: the frames must stay kernel memory */
			return -KEEL_EBUSY;
	}
	frames_reclaim(boot.frames, base, size);
	donated_bytes -= size;
	return 0;
}

long kmem_supply_counts(u64 pa, u64 frame)
{
	long r;
	u64 i = pa / KMEM_COUNTS_SPAN;

	if (i >= count_index_len || kmem_classify(pa) != KMEM_USER)
		return -KEEL_EINVAL; /* only the pager's RAM is counted */
	if ((r = kmem_check_free(frame)))
		return r;
	if (count_index[i])
		return -KEEL_EEXIST;
	kmem_object_make(frame, KOBJ_COUNTS);
	count_index[i] = frame;
	return 0;
}

long kmem_check_user_range(u64 pa, u64 size)
{
	for (u64 end = pa + size; pa < end; pa = user_span_end(pa)) {
		enum kmem_class c = kmem_classify(pa);
		if (c != KMEM_USER)
			return kmem_class_error(c);
	}
	return 0;
}

long kmem_check_module_range(u64 pa, u64 size)
{
	for (u64 end = pa + size; pa < end; pa = frames_module_end(boot.frames, pa)) {
		enum kmem_class c = kmem_classify(pa);
		if (c != KMEM_MODULE)
			return kmem_class_error(c);
	}
	return 0;
}

long kmem_map_ref_range(u64 pa, u64 pages)
{
	u64 end = pa + pages * PAGE_SIZE;

	for (u64 c = ALIGN_DOWN(pa, KMEM_CHUNK); c < end; c += KMEM_CHUNK) {
		u32 *n = count_slot(c);
		u64 lo = c > pa ? c : pa, hi = c + KMEM_CHUNK < end ? c + KMEM_CHUNK : end;
		if (!n)
			return -KEEL_ENOCOUNT;
		if (*n > UINT32_MAX - (hi - lo) / PAGE_SIZE)
			return -KEEL_EBUSY;
	}
	for (u64 c = ALIGN_DOWN(pa, KMEM_CHUNK); c < end; c += KMEM_CHUNK) {
		u64 lo = c > pa ? c : pa, hi = c + KMEM_CHUNK < end ? c + KMEM_CHUNK : end;
		*count_slot(c) += (u32)((hi - lo) / PAGE_SIZE);
	}
	return 0;
}

long kmem_map_ref_chunks(u64 pa, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u32 *c = count_slot(pa + i * KMEM_CHUNK);
		if (!c)
			return -KEEL_ENOCOUNT;
		if (*c == UINT32_MAX)
			return -KEEL_EBUSY;
	}
	for (u64 i = 0; i < n; i++)
		(*count_slot(pa + i * KMEM_CHUNK))++;
	return 0;
}

u64 kmem_user_run_end(u64 pa)
{
	return kmem_classify(pa) == KMEM_USER ? user_span_end(pa) : pa;
}

void kmem_map_unref_user(u64 pa, u64 n)
{
	u32 *c = count_slot(pa);
	if (!c || *c < n)
		panic("kmem: unmapping %lu page(s) of the chunk of 0x%lx, which has %u mapping(s) "
		      "counted",
		      n, pa, c ? *c : 0);
	*c -= (u32)n;
}

long kmem_map_ref(u64 pa)
{
	return kmem_map_ref_class(pa, kmem_classify(pa));
}

long kmem_map_ref_class(u64 pa, enum kmem_class c)
{
	if (c != KMEM_USER)
		return 0;
	u32 *n = count_slot(pa);
	if (!n)
		return -KEEL_ENOCOUNT;
	if (*n == UINT32_MAX)
		return -KEEL_EBUSY;
	(*n)++;
	return 0;
}

void kmem_map_unref(u64 pa)
{
	if (kmem_classify(pa) == KMEM_USER)
		kmem_map_unref_user(pa, 1);
}

u64 kmem_live_objects(void)
{
	return live_objects;
}

u64 kmem_donated_bytes(void)
{
	return donated_bytes;
}

u64 kmem_count_index_bytes(void)
{
	return count_index_len * sizeof(u64);
}

u64 kmem_boot_bytes(void)
{
	return boot_bytes;
}

/*
 * The calls, on a memory capability the dispatcher found with KEEL_MEM_KMEM
 * (kernel/core/syscall.c): the range must lie inside it.
 */
long sys_kmem_donate(struct thread *cur, const struct sysreq *rq)
{
	return kmem_donate(rq->frame[0], rq->size);
}

long sys_kmem_reclaim(struct thread *cur, const struct sysreq *rq)
{
	return kmem_reclaim(rq->frame[0], rq->size);
}

long sys_kmem_counts(struct thread *cur, const struct sysreq *rq)
{
	return kmem_supply_counts(rq->frame[0], rq->frame[1]);
}
