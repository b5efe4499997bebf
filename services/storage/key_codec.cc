#include "services/storage/key_codec.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/storage/posting_codec.h"

namespace newsdb::storage {
namespace {

constexpr uint64_t kSignBit = uint64_t{1} << 63;

uint64_t ToOrdered(int64_t value) { return static_cast<uint64_t>(value) ^ kSignBit; }
int64_t FromOrdered(uint64_t value) { return static_cast<int64_t>(value ^ kSignBit); }

absl::Status WrongSize(absl::string_view what, size_t expected, size_t got) {
  return absl::InvalidArgumentError(absl::StrCat(what, " must be ", expected, " bytes, got ", got));
}

}  // namespace

void AppendBigEndian64(uint64_t value, std::string* out) {
  char bytes[8];
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  out->append(bytes, 8);
}

uint64_t ReadBigEndian64(absl::string_view bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

std::string EncodeArticleKey(const ArticleKey& key) {
  std::string out;
  out.reserve(kArticleKeySize);
  AppendBigEndian64(ToOrdered(key.published_seconds), &out);
  AppendBigEndian64(key.id, &out);
  return out;
}

absl::StatusOr<ArticleKey> DecodeArticleKey(absl::string_view key) {
  if (key.size() != kArticleKeySize) return WrongSize("article key", kArticleKeySize, key.size());
  return ArticleKey{FromOrdered(ReadBigEndian64(key)), ReadBigEndian64(key.substr(8))};
}

std::string EncodeArticleIdKey(article::ArticleId id) {
  std::string out;
  AppendBigEndian64(id, &out);
  return out;
}

absl::StatusOr<article::ArticleId> DecodeArticleIdKey(absl::string_view key) {
  if (key.size() != 8) return WrongSize("article id key", 8, key.size());
  return ReadBigEndian64(key);
}

std::string EncodeIdValue(const ArticleKey& key, uint32_t doc) {
  std::string value = EncodeArticleKey(key);
  value.append(EncodeDocKey(doc));
  return value;
}

absl::StatusOr<std::pair<ArticleKey, uint32_t>> DecodeIdValue(absl::string_view value) {
  if (value.size() != kArticleKeySize + 4)
    return WrongSize("article_ids value", kArticleKeySize + 4, value.size());
  absl::StatusOr<ArticleKey> key = DecodeArticleKey(value.substr(0, kArticleKeySize));
  if (!key.ok()) return key.status();
  uint32_t doc = 0;
  for (size_t i = kArticleKeySize; i < value.size(); ++i) {
    doc = (doc << 8) | static_cast<uint8_t>(value[i]);
  }
  return std::make_pair(*key, doc);
}

std::string EncodeViewKey(const ViewKey& key) {
  std::string out;
  out.reserve(kViewKeySize);
  AppendBigEndian64(key.id, &out);
  AppendBigEndian64(ToOrdered(key.captured_micros), &out);
  return out;
}

absl::StatusOr<ViewKey> DecodeViewKey(absl::string_view key) {
  if (key.size() != kViewKeySize) return WrongSize("view key", kViewKeySize, key.size());
  return ViewKey{ReadBigEndian64(key), FromOrdered(ReadBigEndian64(key.substr(8)))};
}

std::string EncodeViewCount(int64_t views) {
  std::string out;
  AppendBigEndian64(static_cast<uint64_t>(views), &out);
  return out;
}

absl::StatusOr<int64_t> DecodeViewCount(absl::string_view value) {
  if (value.size() != 8) return WrongSize("view count", 8, value.size());
  return static_cast<int64_t>(ReadBigEndian64(value));
}

std::string ArticleKeyLowerBound(int64_t seconds) { return EncodeArticleKey({seconds, 0}); }

std::string EncodeDocKey(uint32_t doc) {
  std::string key(4, '\0');
  for (int i = 3; i >= 0; --i) {
    key[i] = static_cast<char>(doc & 0xff);
    doc >>= 8;
  }
  return key;
}

std::string EncodeDocValues(const DocValues& values) {
  std::string out;
  AppendBigEndian64(values.id, &out);
  AppendBigEndian64(ToOrdered(values.published_seconds), &out);
  AppendVarint(static_cast<uint64_t>(values.views), &out);
  AppendVarint(values.title_length, &out);
  AppendVarint(values.body_length, &out);
  AppendVarint(values.credit_length, &out);
  AppendVarint(values.credit.size(), &out);
  out.append(values.credit);
  return out;
}

absl::StatusOr<DocValues> DecodeDocValues(absl::string_view value) {
  if (value.size() < 16) return absl::InvalidArgumentError("doc values too short");
  DocValues values;
  values.id = ReadBigEndian64(value);
  values.published_seconds = FromOrdered(ReadBigEndian64(value.substr(8)));
  size_t pos = 16;
  uint64_t views = 0, title = 0, body = 0, credit_tokens = 0, credit_bytes = 0;
  if (!ReadVarint(value, &pos, &views) || !ReadVarint(value, &pos, &title) ||
      !ReadVarint(value, &pos, &body) || !ReadVarint(value, &pos, &credit_tokens) ||
      !ReadVarint(value, &pos, &credit_bytes) || credit_bytes != value.size() - pos ||
      title > UINT32_MAX || body > UINT32_MAX || credit_tokens > UINT32_MAX) {
    return absl::InvalidArgumentError("malformed doc values");
  }
  values.views = static_cast<int64_t>(views);
  values.title_length = static_cast<uint32_t>(title);
  values.body_length = static_cast<uint32_t>(body);
  values.credit_length = static_cast<uint32_t>(credit_tokens);
  values.credit = std::string(value.substr(pos));
  return values;
}

}  // namespace newsdb::storage
