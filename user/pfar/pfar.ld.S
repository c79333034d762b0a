/*
 * pfar.ld.S - pfar's layout: user.ld.S's sections at PROG_LOAD_BASE, and
 * one more segment (.far, read-write) at PFAR_FAR_BASE near the top of
 * user space, 128 TB away: the pager must record each segment as its own
 * region.  Run through cpp (the Makefile) for the headers.
 */
#include "pfar.h"

#define USER_LD_FAR_BASE PFAR_FAR_BASE
#include "../user.ld.S"
