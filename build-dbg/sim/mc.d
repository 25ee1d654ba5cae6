build-dbg/sim/mc.o: sim/mc.c sim/mc.h sim/error.h
sim/mc.h:
sim/error.h:
