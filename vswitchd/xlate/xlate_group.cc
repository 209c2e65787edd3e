// Group actions: all (every bucket), indirect (its one bucket), select (one
// bucket chosen by a hash of the destination MAC, weighted), ff (the first
// bucket whose watch port is live).  Each bucket sees the packet as it was
// before the group; changes a bucket makes do not leak into the next.
#include "xlate/xlate_ctx.h"

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

const Bucket* select_bucket(XlateCtx& ctx, const GroupMod& g) {
  uint32_t total = 0;
  for (const Bucket& b : g.buckets) total += b.weight;
  if (!total) return nullptr;
  ctx.out.wc.masks.dl_dst = Match::all_ones<EthAddr>();  // the hash input
  uint32_t h = 0;
  for (uint8_t byte : ctx.flow.dl_dst.b) h = h * 31 + byte;
  uint32_t pick = h % total;
  for (const Bucket& b : g.buckets) {
    if (pick < b.weight) return &b;
    pick -= b.weight;
  }
  return nullptr;
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
        if (b.watch_port != kOfppNone && !ctx.hooks->port_is_live(b.watch_port)) continue;
        run_bucket(ctx, *g, b);
        break;
      }
      break;
  }
  --ctx.depth;
}

}  // namespace grebe::xlate
