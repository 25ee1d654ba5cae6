build-dbg/models/qtable.o: models/qtable.c models/qtable.h \
 models/queueing.h sim/error.h
models/qtable.h:
models/queueing.h:
sim/error.h:
