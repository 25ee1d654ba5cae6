build-o3/models/scenario.o: models/scenario.c models/scenario.h \
 /usr/include/cjson/cJSON.h models/jsonloc.h models/units.h sim/error.h
models/scenario.h:
/usr/include/cjson/cJSON.h:
models/jsonloc.h:
models/units.h:
sim/error.h:
