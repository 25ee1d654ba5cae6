/* capsim's version, recorded with every run. */
#ifndef CAPSIM_VERSION_H
#define CAPSIM_VERSION_H
#define CAPSIM_VERSION "0.1.0"
#endif
