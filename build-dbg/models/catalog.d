build-dbg/models/catalog.o: models/catalog.c models/catalog.h \
 models/units.h sim/error.h
models/catalog.h:
models/units.h:
sim/error.h:
