/* placeholder */
#include "build_config.h"
#include "conv.h"
