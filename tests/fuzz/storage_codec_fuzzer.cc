// Fuzzes storage's decoders of bytes read back from RocksDB (posting keys, blocks and their split
// into documents and positions, document values, article keys, `article_ids` values and view
// keys): a corrupted or hostile value must give an error, never a crash, and whatever decodes must
// survive an encode/decode round trip unchanged. (Decoders accept non-minimal varints, so
// re-encoding need not give the same bytes.)

#include <cstddef>
#include <cstdint>
#include <string>

#include "services/storage/key_codec.h"
#include "services/storage/posting_codec.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace newsdb::storage;  // NOLINT(google-build-using-namespace): a fuzz entry point
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const uint32_t first_doc = size >= 4 ? static_cast<uint32_t>(data[0]) << 8 | data[1] : 0;

  absl::StatusOr<std::vector<Posting>> block = DecodePostingBlock(bytes, first_doc);
  if (block.ok()) {
    absl::StatusOr<std::vector<Posting>> again =
        DecodePostingBlock(EncodePostingBlock(first_doc, *block), first_doc);
    NEWSDB_FUZZ_CHECK(again.ok() && again->size() == block->size());
    for (size_t i = 0; i < block->size(); ++i) {
      NEWSDB_FUZZ_CHECK((*again)[i].doc == (*block)[i].doc &&
                        (*again)[i].positions == (*block)[i].positions);
    }
  }
  // Joining: the input split in two at a byte it names, as two blocks of one term (the index
  // write buffer's merge). Whatever joins must decode to both blocks' postings in order.
  if (size >= 3) {
    const size_t cut = 2 + data[2] % (size - 2);
    const std::string a = bytes.substr(2, cut - 2);
    const std::string b = bytes.substr(cut);
    const uint32_t second_first = first_doc + (size >= 4 ? data[3] : 0) + 1;
    absl::StatusOr<std::string> joined = ConcatPostingBlocks({{first_doc, a}, {second_first, b}});
    absl::StatusOr<std::vector<Posting>> left = DecodePostingBlock(a, first_doc);
    absl::StatusOr<std::vector<Posting>> right = DecodePostingBlock(b, second_first);
    if (joined.ok() && left.ok() && right.ok()) {
      absl::StatusOr<std::vector<Posting>> all = DecodePostingBlock(*joined, first_doc);
      NEWSDB_FUZZ_CHECK(all.ok() && all->size() == left->size() + right->size());
      for (size_t i = 0; i < all->size(); ++i) {
        const Posting& want = i < left->size() ? (*left)[i] : (*right)[i - left->size()];
        NEWSDB_FUZZ_CHECK((*all)[i].doc == want.doc && (*all)[i].positions == want.positions);
      }
    }
  }
  std::vector<uint32_t> docs, freqs;
  size_t docs_end = 0;
  const bool docs_decoded = DecodePostingDocs(bytes, first_doc, &docs, &freqs, &docs_end).ok();
  if (docs_decoded) {
    NEWSDB_FUZZ_CHECK(docs.size() == freqs.size());
  }
  // Splitting into the two parts RocksDB stores: they are the bytes, cut where the documents end.
  if (absl::StatusOr<PostingBlockParts> parts = SplitPostingBlock(bytes); parts.ok()) {
    NEWSDB_FUZZ_CHECK(
        parts->docs.size() + parts->positions.size() == bytes.size() &&
        bytes.compare(0, parts->docs.size(), parts->docs.data(), parts->docs.size()) == 0);
    if (docs_decoded) NEWSDB_FUZZ_CHECK(parts->docs.size() == docs_end);
  }
  if (absl::StatusOr<PostingKey> key = DecodePostingKey(bytes); key.ok()) {
    NEWSDB_FUZZ_CHECK(EncodePostingKey(key->field, key->term, key->first_doc) == bytes);
  }
  if (absl::StatusOr<DocValues> values = DecodeDocValues(bytes); values.ok()) {
    absl::StatusOr<DocValues> again = DecodeDocValues(EncodeDocValues(*values));
    NEWSDB_FUZZ_CHECK(again.ok() && again->id == values->id && again->views == values->views &&
                      again->published_seconds == values->published_seconds &&
                      again->credit == values->credit && again->body_length == values->body_length);
  }
  if (absl::StatusOr<ArticleKey> key = DecodeArticleKey(bytes); key.ok()) {
    NEWSDB_FUZZ_CHECK(EncodeArticleKey(*key) == bytes);
  }
  if (absl::StatusOr<ViewKey> key = DecodeViewKey(bytes); key.ok()) {
    NEWSDB_FUZZ_CHECK(EncodeViewKey(*key) == bytes);
  }
  if (auto id_value = DecodeIdValue(bytes); id_value.ok()) {
    NEWSDB_FUZZ_CHECK(EncodeIdValue(id_value->first, id_value->second) == bytes);
  }
  return 0;
}
