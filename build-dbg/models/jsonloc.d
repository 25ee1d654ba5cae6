build-dbg/models/jsonloc.o: models/jsonloc.c models/jsonloc.h sim/error.h
models/jsonloc.h:
sim/error.h:
