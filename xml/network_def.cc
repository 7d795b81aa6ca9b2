#include "xml/network_def.h"
