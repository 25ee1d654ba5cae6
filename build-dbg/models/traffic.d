build-dbg/models/traffic.o: models/traffic.c models/traffic.h \
 models/scenario.h models/catalog.h sim/rng.h sim/error.h
models/traffic.h:
models/scenario.h:
models/catalog.h:
sim/rng.h:
sim/error.h:
