build-dbg/models/units.o: models/units.c models/units.h sim/error.h
models/units.h:
sim/error.h:
