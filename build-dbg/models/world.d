build-dbg/models/world.o: models/world.c models/world.h models/billing.h \
 models/catalog.h models/qtable.h models/run.h models/scenario.h \
 models/autoscale.h models/spot.h sim/rng.h models/traffic.h sim/engine.h \
 sim/evq.h sim/error.h
models/world.h:
models/billing.h:
models/catalog.h:
models/qtable.h:
models/run.h:
models/scenario.h:
models/autoscale.h:
models/spot.h:
sim/rng.h:
models/traffic.h:
sim/engine.h:
sim/evq.h:
sim/error.h:
