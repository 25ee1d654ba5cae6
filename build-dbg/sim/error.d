build-dbg/sim/error.o: sim/error.c sim/error.h
sim/error.h:
