build-dbg/sim/engine.o: sim/engine.c sim/engine.h sim/evq.h sim/error.h
sim/engine.h:
sim/evq.h:
sim/error.h:
