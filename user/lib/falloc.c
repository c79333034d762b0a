/*
 * falloc.c - the pager's buddy allocator (see falloc.h).
 */
#include "falloc.h"

static uint64_t block_bytes(unsigned order)
{
	return FALLOC_PAGE << order;
}

/* ---- The AVL tree of free blocks, by address ---- */

static int height(const struct falloc_node *n)
{
	return n ? n->height : 0;
}

static void fix_height(struct falloc_node *n)
{
	int l = height(n->left), r = height(n->right);
	n->height = 1 + (l > r ? l : r);
}

static struct falloc_node *rotate_right(struct falloc_node *y)
{
	struct falloc_node *x = y->left;
	y->left = x->right;
	x->right = y;
	fix_height(y);
	fix_height(x);
	return x;
}

static struct falloc_node *rotate_left(struct falloc_node *x)
{
	struct falloc_node *y = x->right;
	x->right = y->left;
	y->left = x;
	fix_height(x);
	fix_height(y);
	return y;
}

static struct falloc_node *balance(struct falloc_node *n)
{
	fix_height(n);
	int b = height(n->left) - height(n->right);
	if (b > 1) {
		if (height(n->left->left) < height(n->left->right))
			n->left = rotate_left(n->left);
		return rotate_right(n);
	}
	if (b < -1) {
		if (height(n->right->right) < height(n->right->left))
			n->right = rotate_right(n->right);
		return rotate_left(n);
	}
	return n;
}

static struct falloc_node *tree_insert(struct falloc_node *root, struct falloc_node *n)
{
	if (!root) {
		n->left = n->right = 0;
		n->height = 1;
		return n;
	}
	if (n->base < root->base)
		root->left = tree_insert(root->left, n);
	else
		root->right = tree_insert(root->right, n);
	return balance(root);
}

static struct falloc_node *tree_remove_min(struct falloc_node *n, struct falloc_node **min)
{
	if (!n->left) {
		*min = n;
		return n->right;
	}
	n->left = tree_remove_min(n->left, min);
	return balance(n);
}

/* Remove the node with this base (it must be there). */
static struct falloc_node *tree_remove(struct falloc_node *root, uint64_t base)
{
	if (base < root->base) {
		root->left = tree_remove(root->left, base);
	} else if (base > root->base) {
		root->right = tree_remove(root->right, base);
	} else {
		struct falloc_node *l = root->left, *r = root->right, *m;
		if (!r)
			return l;
		r = tree_remove_min(r, &m);
		m->left = l;
		m->right = r;
		return balance(m);
	}
	return balance(root);
}

static struct falloc_node *tree_find(struct falloc_node *n, uint64_t base)
{
	while (n && n->base != base)
		n = base < n->base ? n->left : n->right;
	return n;
}

/* The block with the largest base <= x, or NULL. */
static struct falloc_node *tree_floor(struct falloc_node *n, uint64_t x)
{
	struct falloc_node *best = 0;

	while (n) {
		if (n->base <= x) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/* ---- The lists, one per order ---- */

static void list_push(struct falloc *fa, struct falloc_node *n)
{
	n->prev = 0;
	n->next = fa->lists[n->order];
	if (n->next)
		n->next->prev = n;
	fa->lists[n->order] = n;
}

static void list_remove(struct falloc *fa, struct falloc_node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		fa->lists[n->order] = n->next;
	if (n->next)
		n->next->prev = n->prev;
}

/* ---- Blocks ---- */

static void block_insert(struct falloc *fa, struct falloc_node *n, uint64_t base, unsigned order)
{
	n->base = base;
	n->order = order;
	fa->root = tree_insert(fa->root, n);
	list_push(fa, n);
	fa->free_bytes += block_bytes(order);
	fa->nodes++;
}

static void block_remove(struct falloc *fa, struct falloc_node *n)
{
	fa->root = tree_remove(fa->root, n->base);
	list_remove(fa, n);
	fa->free_bytes -= block_bytes(n->order);
	fa->nodes--;
}

void falloc_init(struct falloc *fa, struct falloc_node *(*node_get)(void *ctx),
		 void (*node_put)(void *ctx, struct falloc_node *n), void *ctx)
{
	*fa = (struct falloc){ .node_get = node_get, .node_put = node_put, .ctx = ctx };
}

bool falloc_overlaps(const struct falloc *fa, uint64_t base, uint64_t size)
{
	struct falloc_node *n;

	if (!size)
		return false;
	n = tree_floor(fa->root, base + size - 1);
	/* Its last byte, not its end: a block at the top of the space ends at 2^64, which is 0. */
	return n && n->base + (block_bytes(n->order) - 1) >= base;
}

static bool range_ok(uint64_t base, uint64_t size)
{
	return size && base % FALLOC_PAGE == 0 && size % FALLOC_PAGE == 0 && size - 1 <= ~base;
}

int falloc_free(struct falloc *fa, uint64_t base, unsigned order)
{
	struct falloc_node *n, *b;

	if (order > FALLOC_MAX_ORDER || !range_ok(base, block_bytes(order)) ||
	    base % block_bytes(order))
		return FALLOC_EINVAL;
	if (falloc_overlaps(fa, base, block_bytes(order)))
		return FALLOC_EBUSY;
	if (!(n = fa->node_get(fa->ctx)))
		return FALLOC_ENOMEM;
	/* Merge with the buddy while it is free whole. */
	while (order < FALLOC_MAX_ORDER) {
		uint64_t buddy = base ^ block_bytes(order);
		b = tree_find(fa->root, buddy);
		if (!b || b->order != order)
			break;
		block_remove(fa, b);
		fa->node_put(fa->ctx, b);
		base &= ~block_bytes(order);
		order++;
	}
	block_insert(fa, n, base, order);
	return FALLOC_OK;
}

int falloc_add(struct falloc *fa, uint64_t base, uint64_t size)
{
	if (!range_ok(base, size))
		return FALLOC_EINVAL;
	if (falloc_overlaps(fa, base, size))
		return FALLOC_EBUSY;
	while (size) {
		unsigned order = 0;
		while (order < FALLOC_MAX_ORDER && base % block_bytes(order + 1) == 0 &&
		       block_bytes(order + 1) <= size)
			order++;
		int r = falloc_free(fa, base, order);
		if (r)
			return r;
		base += block_bytes(order);
		size -= block_bytes(order);
	}
	return FALLOC_OK;
}

uint64_t falloc_alloc(struct falloc *fa, unsigned order)
{
	struct falloc_node *spare[FALLOC_NODES_PER_OP];
	unsigned j = order, need, i;

	if (order > FALLOC_MAX_ORDER)
		return FALLOC_NONE;
	while (j <= FALLOC_MAX_ORDER && !fa->lists[j])
		j++;
	if (j > FALLOC_MAX_ORDER)
		return FALLOC_NONE;
	/* Splitting j down to order frees j - order halves: the block's own
	 * node carries one, the rest need new nodes; get them all first. */
	need = j > order ? j - order - 1 : 0;
	for (i = 0; i < need; i++)
		if (!(spare[i] = fa->node_get(fa->ctx))) {
			while (i--)
				fa->node_put(fa->ctx, spare[i]);
			return FALLOC_NONE;
		}
	struct falloc_node *n = fa->lists[j];
	uint64_t base = n->base;
	block_remove(fa, n);
	while (j > order) {
		struct falloc_node *half;
		j--;
		if (need) {
			half = spare[--need];
		} else {
			half = n; /* the block's own node, for the last half */
			n = 0;
		}
		block_insert(fa, half, base + block_bytes(j), j);
	}
	if (n)
		fa->node_put(fa->ctx, n);
	return base;
}

unsigned falloc_order_of(uint64_t bytes)
{
	unsigned order = 0;

	while (order < FALLOC_MAX_ORDER && block_bytes(order) < bytes)
		order++;
	return order;
}

/* ---- The node pool ---- */

static uint64_t *page_frame(unsigned char *page)
{
	return (uint64_t *)(page + FALLOC_PAGE - sizeof(uint64_t));
}

void falloc_pool_init(struct falloc_pool *p, struct falloc_node *fixed, uint64_t nfixed,
		      void *window, uint64_t max_pages)
{
	*p = (struct falloc_pool){ .window = window, .max_pages = max_pages };
	for (uint64_t i = 0; i < nfixed; i++)
		falloc_pool_put(p, &fixed[i]);
}

struct falloc_node *falloc_pool_get(void *pool)
{
	struct falloc_pool *p = pool;
	struct falloc_node *n = p->spare;

	if (n) {
		p->spare = n->next;
		p->nspare--;
	}
	return n;
}

void falloc_pool_put(void *pool, struct falloc_node *n)
{
	struct falloc_pool *p = pool;

	n->next = p->spare;
	p->spare = n;
	p->nspare++;
}

void *falloc_pool_next_page(const struct falloc_pool *p)
{
	return p->pages < p->max_pages ? p->window + p->pages * FALLOC_PAGE : 0;
}

void falloc_pool_add_page(struct falloc_pool *p, uint64_t frame)
{
	unsigned char *page = p->window + p->pages++ * FALLOC_PAGE;
	struct falloc_node *n = (struct falloc_node *)page;

	*page_frame(page) = frame;
	for (uint64_t i = 0; i < FALLOC_POOL_PAGE_NODES; i++)
		falloc_pool_put(p, &n[i]);
}

/* A free block's node moves to `to`: the link to it from its parent and its list's follow. */
static void node_move(struct falloc *fa, struct falloc_node *from, struct falloc_node *to)
{
	struct falloc_node **link = &fa->root;

	while (*link != from)
		link = from->base < (*link)->base ? &(*link)->left : &(*link)->right;
	*to = *from;
	*link = to;
	if (to->prev)
		to->prev->next = to;
	else
		fa->lists[to->order] = to;
	if (to->next)
		to->next->prev = to;
}

uint64_t falloc_pool_trim(struct falloc *fa, struct falloc_pool *p, uint64_t keep)
{
	if (!falloc_pool_trimmable(p, keep))
		return FALLOC_NONE;
	unsigned char *page = p->window + (p->pages - 1) * FALLOC_PAGE;
	struct falloc_node *n = (struct falloc_node *)page, **link = &p->spare;
	uint64_t i;

	/*
	 * Its spare nodes out of the list first, so that none is a
	 * destination, marked with height 0.  Every other node of the page
	 * is in the tree: height 1 or more.
	 */
	while (*link) {
		struct falloc_node *s = *link;
		if ((uintptr_t)s - (uintptr_t)page < FALLOC_PAGE) {
			*link = s->next;
			s->height = 0;
			p->nspare--;
		} else {
			link = &s->next;
		}
	}
	/* At least FALLOC_POOL_PAGE_NODES + keep are left: room for every live one. */
	for (i = 0; i < FALLOC_POOL_PAGE_NODES; i++)
		if (n[i].height)
			node_move(fa, &n[i], falloc_pool_get(p));
	p->pages--;
	return *page_frame(page);
}
