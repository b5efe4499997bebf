#ifndef NEWSDB_SERVICES_STORAGE_DOC_LIST_H_
#define NEWSDB_SERVICES_STORAGE_DOC_LIST_H_

// Sorted lists of document numbers, and the search step that walks one list along another.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace newsdb::storage {

using DocList = std::vector<uint32_t>;  // increasing document numbers

// The first index >= `from` of list[0, size) whose document is >= `doc` (size if none), found by
// galloping from `from`: steps of 1, 2, 4, ... then a binary search in the last step. A walk
// along a far longer list costs O(log gap) per document instead of the gap.
inline size_t GallopTo(const uint32_t* list, size_t size, size_t from, uint32_t doc) {
  if (from >= size || list[from] >= doc) return from;
  size_t step = 1;  // list[from + step / 2] < doc throughout
  while (from + step < size && list[from + step] < doc) step *= 2;
  const size_t last = std::min(from + step, size - 1);
  return static_cast<size_t>(std::lower_bound(list + from + step / 2 + 1, list + last + 1, doc) -
                             list);
}

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_DOC_LIST_H_
