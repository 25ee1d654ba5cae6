build-dbg/sim/rng.o: sim/rng.c sim/rng.h sim/error.h
sim/rng.h:
sim/error.h:
