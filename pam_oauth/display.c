/* SPDX-License-Identifier: BSD-3-Clause */
/* placeholder: being written */
#include "build_config.h"
#include "display.h"
