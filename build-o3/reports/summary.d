build-o3/reports/summary.o: reports/summary.c reports/report.h \
 models/run.h models/scenario.h /usr/include/cjson/cJSON.h sim/error.h \
 sim/version.h
reports/report.h:
models/run.h:
models/scenario.h:
/usr/include/cjson/cJSON.h:
sim/error.h:
sim/version.h:
