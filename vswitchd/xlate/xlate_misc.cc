// Action families not covered elsewhere (filled in below).
#include "xlate/xlate_ctx.h"

namespace grebe::xlate {

bool xlate_misc_action(XlateCtx& /*ctx*/, const openflow::Action& /*a*/) { return false; }

}  // namespace grebe::xlate
