build-dbg/models/queueing.o: models/queueing.c models/queueing.h \
 sim/error.h
models/queueing.h:
sim/error.h:
