#include "services/storage/top_k_collector.h"

#include <algorithm>
#include <utility>

namespace newsdb::storage {

TopKCollector::TopKCollector(v1::SearchSort sort, size_t limit, std::optional<SortKey> after)
    : sort_(sort), limit_(std::max<size_t>(limit, 1)), after_(after) {
  heap_.reserve(limit_ + 1);
}

void TopKCollector::Push(Hit hit) {
  heap_.push_back(hit);
  std::push_heap(heap_.begin(), heap_.end(),
                 [this](const Hit& a, const Hit& b) { return Before(sort_, a.key, b.key); });
}

void TopKCollector::ReplaceWorst(Hit hit) {
  auto less = [this](const Hit& a, const Hit& b) { return Before(sort_, a.key, b.key); };
  std::pop_heap(heap_.begin(), heap_.end(), less);
  heap_.back() = hit;
  std::push_heap(heap_.begin(), heap_.end(), less);
}

std::vector<TopKCollector::Hit> TopKCollector::Take() {
  std::sort_heap(heap_.begin(), heap_.end(),
                 [this](const Hit& a, const Hit& b) { return Before(sort_, a.key, b.key); });
  return std::move(heap_);
}

}  // namespace newsdb::storage
