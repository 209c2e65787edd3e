// The learn action: builds the flow_mod the packet's fields ask for.  The
// caller (ofproto main thread) applies it after translation.
#include "xlate/xlate_ctx.h"

namespace grebe::xlate {

using namespace openflow;

namespace {

// Bit i of a learn spec's source (immediate or the flow's subfield).
bool src_bit(const LearnSpec& spec, const MfValue& src_value, unsigned i) {
  if (spec.src_is_imm) return mf_bit(spec.imm.b, 16, i);
  return mf_bit(src_value.b, spec.src.field->n_bytes, spec.src.ofs + i);
}

void learn_match(const LearnSpec& spec, const MfValue& src_value, Match& match) {
  const MfField& mf = *spec.dst.field;
  MfValue value = mf_get_value(mf, match.flow);
  MfValue mask = mf_get_mask(mf, match.wc);
  for (unsigned i = 0; i < spec.dst.n_bits; ++i) {
    mf_set_bit(value.b, mf.n_bytes, spec.dst.ofs + i, src_bit(spec, src_value, i));
    mf_set_bit(mask.b, mf.n_bytes, spec.dst.ofs + i, true);
  }
  mf_set(mf, value, mask, match);
}

ActSetField learn_load(const LearnSpec& spec, const MfValue& src_value) {
  ActSetField sf;
  sf.field = spec.dst.field;
  sf.load = true;
  for (unsigned i = 0; i < spec.dst.n_bits; ++i) {
    mf_set_bit(sf.value.b, sf.field->n_bytes, spec.dst.ofs + i, src_bit(spec, src_value, i));
    mf_set_bit(sf.mask.b, sf.field->n_bytes, spec.dst.ofs + i, true);
  }
  return sf;
}

}  // namespace

FlowMod xlate_learn(XlateCtx& ctx, const ActLearn& learn) {
  FlowMod fm;
  fm.command = FlowModCommand::kAdd;
  fm.table_id = learn.table_id;
  fm.priority = learn.priority;
  fm.new_cookie = learn.cookie;
  fm.idle_timeout = learn.idle_timeout;
  fm.hard_timeout = learn.hard_timeout;
  if (learn.send_flow_rem) fm.flags |= kFfSendFlowRem;
  for (const LearnSpec& spec : learn.specs) {
    MfValue src_value{};
    if (!spec.src_is_imm) {
      src_value = mf_get_value(*spec.src.field, ctx.flow);
      // The learned flow depends on the source field.
      mf_set_all_bits(*spec.src.field, ctx.out.wc.masks);
    }
    if (spec.dst_type == 0) {
      learn_match(spec, src_value, fm.match);
    } else if (spec.dst_type == 1) {
      fm.actions.push_back(learn_load(spec, src_value));
    } else {
      uint64_t port = 0;
      for (unsigned i = 0; i < spec.src.n_bits && i < 32; ++i)
        if (src_bit(spec, src_value, i)) port |= uint64_t{1} << i;
      fm.actions.push_back(ActOutput{static_cast<uint32_t>(port), 0});
    }
  }
  if (ctx.in.want_trace) {
    std::string text = format_match(fm.match, fm.priority);
    ctx.trace_line(" -> table=" + std::to_string(fm.table_id) + " " + text +
                   " actions=" + format_actions(fm.actions));
  }
  return fm;
}

}  // namespace grebe::xlate
