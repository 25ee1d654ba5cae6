build-o3/sim/mc.o: sim/mc.c sim/mc.h sim/error.h
sim/mc.h:
sim/error.h:
