build-o3/models/traffic.o: models/traffic.c models/traffic.h \
 models/scenario.h sim/rng.h sim/error.h
models/traffic.h:
models/scenario.h:
sim/rng.h:
sim/error.h:
