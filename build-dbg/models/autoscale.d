build-dbg/models/autoscale.o: models/autoscale.c models/autoscale.h \
 models/scenario.h models/catalog.h sim/error.h
models/autoscale.h:
models/scenario.h:
models/catalog.h:
sim/error.h:
