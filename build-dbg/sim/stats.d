build-dbg/sim/stats.o: sim/stats.c sim/stats.h sim/error.h
sim/stats.h:
sim/error.h:
