build-dbg/models/scenario.o: models/scenario.c models/scenario.h \
 models/catalog.h /usr/include/cjson/cJSON.h models/jsonloc.h \
 models/units.h sim/error.h
models/scenario.h:
models/catalog.h:
/usr/include/cjson/cJSON.h:
models/jsonloc.h:
models/units.h:
sim/error.h:
