build-dbg/models/spot.o: models/spot.c models/spot.h sim/rng.h
models/spot.h:
sim/rng.h:
