build-o3/reports/afile.o: reports/afile.c reports/report.h models/run.h \
 models/scenario.h sim/error.h
reports/report.h:
models/run.h:
models/scenario.h:
sim/error.h:
