/*
 * cslot.h - which slots of this process's capability space are free
 * (cslot.c).  Slots below CSLOT_FIRST have fixed uses: the pager's
 * protocol (PAGER_SLOT, PAGER_CONN_SLOT, include/abi/pager.h) and the
 * first program's boot capabilities (BOOTINFO_SLOT_*); programs and the
 * library take the others from here.
 */
#ifndef USER_CSLOT_H
#define USER_CSLOT_H

#define CSLOT_FIRST 8

/* A free slot (now taken), or -KEEL_EFULL.  Safe from any thread. */
long cslot_alloc(void);
/* The slot is free again (it must already be empty in the kernel's table). */
void cslot_free(unsigned long slot);
/* Slots taken now, for tests. */
unsigned long cslot_used(void);

#endif
