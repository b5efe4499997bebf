#ifndef NEWSDB_SERVICES_STORAGE_POSTING_BUILDER_H_
#define NEWSDB_SERVICES_STORAGE_POSTING_BUILDER_H_

// Articles turned into postings for the index writer (search_index.h): new documents' postings
// as one write-buffer segment (posting_buffer.h), and the edits a changed text makes to existing
// postings. Paragraphs are analysed as one text with a gap between them, so that a phrase never
// spans two paragraphs. Everything here uses the calling thread's ThreadLocalAnalyzer().

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/article/article_id.h"
#include "newsdb/v1/article.pb.h"
#include "services/storage/posting_buffer.h"
#include "services/storage/posting_codec.h"

namespace newsdb::storage {

// Analysed tokens per field of one document.
struct DocLengths {
  uint32_t title = 0;
  uint32_t body = 0;
  uint32_t credit = 0;
};

// New documents' postings built before the write lock (so that concurrent writes build theirs in
// parallel), numbered 0..n-1 in creation order. The writer renumbers them, which rewrites only the
// keys: blocks code document numbers as deltas from the key's.
struct NewPostings {
  std::vector<article::ArticleId> ids;  // creation order
  std::vector<DocLengths> lengths;
  std::shared_ptr<MemSegment> segment;
};
// Analyses `documents`, given in creation order, one at a time (only their postings are kept).
NewPostings BuildNewPostings(
    const std::vector<std::pair<article::ArticleId, const v1::Article*>>& documents);

struct FreshPostings;

// New documents' postings, added one document at a time, as one segment: a block per
// (field, term), keys in order. Not thread-safe.
class SegmentBuilder {
 public:
  SegmentBuilder();
  ~SegmentBuilder();
  // Analyses a new document; numbers must increase from call to call.
  DocLengths Add(const v1::Article& article, uint32_t doc);
  // The segment of documents [first_doc, first_doc + documents), the ones added.
  std::shared_ptr<MemSegment> Build(uint32_t first_doc, uint32_t documents) const;

 private:
  std::unique_ptr<FreshPostings> fresh_;
};

// Whether two versions of an article have the same indexed text (title, paragraphs, credit).
bool SameText(const v1::Article& a, const v1::Article& b);

// Edits of existing documents' postings: (field, term) -> document -> new positions (empty: the
// document no longer holds the term).
using TermEdits = std::map<uint32_t, std::vector<uint32_t>>;
using PostingEdits = std::map<std::pair<char, std::string>, TermEdits>;

// Adds to `edits` the postings of document `doc` that change from `old_content`'s text to
// `new_content`'s, and returns the new text's lengths.
DocLengths CollectTextEdits(uint32_t doc, const v1::Article& old_content,
                            const v1::Article& new_content, PostingEdits* edits);

}  // namespace newsdb::storage

#endif  // NEWSDB_SERVICES_STORAGE_POSTING_BUILDER_H_
