#include "err.h"

const char *err_name(err_t e)
{
    switch (e) {
    case ERR_NONE: return "ok";
    case ERR_INVALID: return "invalid argument";
    case ERR_ALIGN: return "misaligned";
    case ERR_RANGE: return "out of range";
    case ERR_EXISTS: return "already mapped";
    case ERR_NOT_MAPPED: return "not mapped";
    case ERR_NO_MEMORY: return "out of memory";
    case ERR_TIMEOUT: return "timeout";
    case ERR_UNSUPPORTED: return "unsupported by hardware";
    case ERR_CMDQ: return "command queue error";
    case ERR_STATE: return "wrong state";
    case ERR_NOT_FOUND: return "not found";
    }
    return "unknown error";
}
