// Group actions: all (every bucket), indirect (its one bucket), select (one
// live bucket by weighted highest-random-weight over a flow hash), ff (the
// first live bucket; liveness follows watch ports and chained groups).  Each bucket sees the packet as it was
// before the group; changes a bucket makes do not leak into the next.
#include "grebe/util/hash.h"
#include "xlate/xlate_ctx.h"
#include "xlate/xlate_hash.h"

namespace grebe::xlate {

using namespace openflow;

namespace {

void run_bucket(XlateCtx& ctx, const GroupMod& g, const Bucket& bucket) {
  uint32_t id = bucket.bucket_id != kBucketAll
                    ? bucket.bucket_id
                    : static_cast<uint32_t>(&bucket - g.buckets.data());
  Flow saved = ctx.flow;
  XlateCtx::TraceScope scope(ctx, TraceType::kBucket, "bucket " + std::to_string(id));
  bool saved_in_group = ctx.in_group;
  ctx.in_group = true;
  do_xlate_actions(ctx, bucket.actions);
  ctx.in_group = saved_in_group;
  ctx.flow = saved;
  ctx.exit = false;  // exit inside a bucket ends only the bucket
}

bool group_is_alive(XlateCtx& ctx, uint32_t group_id, int depth);

// OVS's bucket_is_alive: watch port up, or watched group alive (chained
// at most 32 deep), or no liveness configured.  Weight-0 select buckets
// are never used.
bool bucket_is_alive(XlateCtx& ctx, const GroupMod& g, const Bucket& b, int depth) {
  if (depth >= 32) {
    ctx.trace_error("bucket chaining exceeded 32 links");
    return false;
  }
  if (g.type == GroupType::kSelect && b.weight == 0) return false;
  // OFPP_ANY is 0xffff in OVS's 16-bit port space, 0xffffffff in OF1.1+.
  bool watches_port = b.watch_port != kOfppNone && b.watch_port != 0xffffffff;
  bool has_liveness = watches_port || b.watch_group != 0xffffffff;
  if (!has_liveness) return true;
  if (watches_port && b.watch_port != kOfppController && ctx.hooks &&
      ctx.hooks->port_is_live(b.watch_port))
    return true;
  if (b.watch_group != 0xffffffff && group_is_alive(ctx, b.watch_group, depth + 1)) return true;
  return b.watch_port == kOfppController;
}

bool group_is_alive(XlateCtx& ctx, uint32_t group_id, int depth) {
  const GroupMod* g = ctx.hooks ? ctx.hooks->group(group_id) : nullptr;
  if (!g) return false;
  for (const Bucket& b : g->buckets)
    if (bucket_is_alive(ctx, *g, b, depth)) return true;
  return false;
}

uint32_t bucket_id_of(const GroupMod& g, const Bucket& b) {
  return b.bucket_id != kBucketAll ? b.bucket_id : static_cast<uint32_t>(&b - g.buckets.data());
}

// Highest-random-weight choice among live buckets (OVS's
// group_best_live_bucket): the same flow hash always picks the same bucket
// while it is live.
const Bucket* best_live_bucket(XlateCtx& ctx, const GroupMod& g, uint32_t basis) {
  const Bucket* best = nullptr;
  uint32_t best_score = 0;
  for (const Bucket& b : g.buckets) {
    if (!bucket_is_alive(ctx, g, b, 0)) continue;
    uint32_t score = (ovs_hash_2words(bucket_id_of(g, b), basis) & 0xffff) * b.weight;
    if (score >= best_score) best = &b, best_score = score;
  }
  return best;
}

// selection_method=hash: a hash of the listed fields (with optional masks,
// "ip_dst=255.255.255.0"), each unwildcarded as far as its mask goes.
const Bucket* select_by_fields(XlateCtx& ctx, const GroupMod& g) {
  uint64_t param = g.selection_method_param;
  uint32_t basis = hash_finish(hash_add64(0, param), 8);
  for (const std::string& spec : g.fields) {
    size_t eq = spec.find('=');
    const MfField* mf = mf_from_name(spec.substr(0, eq));
    if (!mf || !mf_are_prereqs_ok(*mf, ctx.flow)) continue;
    MfValue mask = MfValue::ones(*mf);
    if (eq != std::string::npos) {
      auto parsed = mf_parse(*mf, spec.substr(eq + 1), nullptr);
      if (parsed.ok()) mask = parsed->value;
    }
    MfValue v = mf_get_value(*mf, ctx.flow);
    for (unsigned i = 0; i < mf->n_bytes; ++i) v.b[i] &= mask.b[i];
    basis = hash_bytes(v.b, mf->n_bytes, basis);
    MfValue wc = mf_get_mask(*mf, ctx.out.wc);
    for (unsigned i = 0; i < mf->n_bytes; ++i) wc.b[i] |= mask.b[i];
    mf_set_flow_value(*mf, wc, ctx.out.wc.masks);
  }
  return best_live_bucket(ctx, g, basis);
}

const Bucket* select_bucket(XlateCtx& ctx, const GroupMod& g) {
  if (g.selection_method == "hash") return select_by_fields(ctx, g);
  // The default method: a symmetric L4 hash.  (OVS prefers dp_hash with a
  // recirculation when the datapath offers it; Grebe hashes in userspace.)
  flow_mask_hash_fields(ctx.flow, ctx.out.wc, "symmetric_l4");
  return best_live_bucket(ctx, g, flow_hash_fields(ctx.flow, "symmetric_l4", 0));
}

}  // namespace

void xlate_group(XlateCtx& ctx, uint32_t group_id) {
  const GroupMod* g = ctx.hooks ? ctx.hooks->group(group_id) : nullptr;
  if (!g) {
    ctx.trace_line("group " + std::to_string(group_id) + " does not exist: drop");
    return;
  }
  if (ctx.depth >= kMaxResubmitDepth) {
    ctx.out.error = "over max translation depth " + std::to_string(kMaxResubmitDepth);
    ctx.exit = true;
    return;
  }
  ++ctx.depth;
  switch (g->type) {
    case GroupType::kAll:
      for (const Bucket& b : g->buckets) run_bucket(ctx, *g, b);
      break;
    case GroupType::kIndirect:
      if (!g->buckets.empty()) run_bucket(ctx, *g, g->buckets[0]);
      break;
    case GroupType::kSelect:
      if (const Bucket* b = select_bucket(ctx, *g)) run_bucket(ctx, *g, *b);
      break;
    case GroupType::kFf:
      for (const Bucket& b : g->buckets) {
        if (!bucket_is_alive(ctx, *g, b, 0)) continue;
        run_bucket(ctx, *g, b);
        break;
      }
      break;
  }
  --ctx.depth;
}

}  // namespace grebe::xlate
