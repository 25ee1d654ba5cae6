build-dbg/sim/evq.o: sim/evq.c sim/evq.h sim/error.h
sim/evq.h:
sim/error.h:
