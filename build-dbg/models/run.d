build-dbg/models/run.o: models/run.c models/run.h models/scenario.h \
 models/catalog.h models/billing.h models/world.h models/qtable.h \
 sim/error.h sim/mc.h sim/stats.h
models/run.h:
models/scenario.h:
models/catalog.h:
models/billing.h:
models/world.h:
models/qtable.h:
sim/error.h:
sim/mc.h:
sim/stats.h:
