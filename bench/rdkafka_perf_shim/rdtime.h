/* See rd.h: the example includes this too; rd_clock lives there. */
#include "rd.h"
