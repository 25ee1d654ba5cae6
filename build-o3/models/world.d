build-o3/models/world.o: models/world.c models/world.h models/qtable.h \
 models/run.h models/scenario.h models/autoscale.h models/traffic.h \
 sim/rng.h sim/engine.h sim/evq.h sim/error.h
models/world.h:
models/qtable.h:
models/run.h:
models/scenario.h:
models/autoscale.h:
models/traffic.h:
sim/rng.h:
sim/engine.h:
sim/evq.h:
sim/error.h:
