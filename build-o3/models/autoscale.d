build-o3/models/autoscale.o: models/autoscale.c models/autoscale.h \
 models/scenario.h sim/error.h
models/autoscale.h:
models/scenario.h:
sim/error.h:
