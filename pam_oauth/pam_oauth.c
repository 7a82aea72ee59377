/* placeholder */
#include "build_config.h"
