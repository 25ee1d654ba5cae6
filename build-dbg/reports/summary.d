build-dbg/reports/summary.o: reports/summary.c reports/report.h \
 models/run.h models/scenario.h models/catalog.h \
 /usr/include/cjson/cJSON.h sim/error.h sim/version.h
reports/report.h:
models/run.h:
models/scenario.h:
models/catalog.h:
/usr/include/cjson/cJSON.h:
sim/error.h:
sim/version.h:
