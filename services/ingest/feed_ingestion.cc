#include "services/ingest/feed_ingestion.h"

#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/article/article_id.h"
#include "common/status/field_errors.h"
#include "common/time/timestamp.h"

namespace newsdb::ingest {
namespace {

constexpr size_t kMaxSourceBytes = 64;

bool IsSourceChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

}  // namespace

absl::StatusOr<IngestOptions> MakeIngestOptions(const v1::FeedOptions& options,
                                                absl::string_view field_prefix) {
  IngestOptions result;
  result.omit_article_ids = options.omit_article_ids();
  std::vector<status::FieldViolation> violations;
  if (!options.source().empty()) {
    const std::string& source = options.source();
    if (source.size() > kMaxSourceBytes ||
        !std::all_of(source.begin(), source.end(), IsSourceChar)) {
      violations.push_back(
          {absl::StrCat(field_prefix, "source"), "must be 1 to 64 characters out of [a-z0-9._-]"});
    }
    result.source = source;
  }
  absl::StatusOr<absl::TimeZone> zone = LoadFeedTimeZone(options.time_zone());
  if (zone.ok()) {
    result.time_zone = *zone;
  } else {
    violations.push_back({absl::StrCat(field_prefix, "time_zone"),
                          absl::StrCat("unknown IANA time zone \"", options.time_zone(), "\"")});
  }
  if (options.has_captured_at()) {
    absl::StatusOr<absl::Time> captured = time::FromTimestamp(options.captured_at());
    if (captured.ok()) {
      result.captured_at = *captured;
    } else {
      violations.push_back(
          {absl::StrCat(field_prefix, "captured_at"), std::string(captured.status().message())});
    }
  }
  if (!violations.empty()) return status::InvalidFieldsError(violations);
  return result;
}

FeedIngestion::FeedIngestion(IngestOptions options, BatchPublisher& publisher, absl::Time now)
    : options_(std::move(options)),
      publisher_(publisher),
      now_(now),
      parser_(
          FeedParserOptions{.time_zone = options_.time_zone},
          [this](ParsedArticle parsed) { OnArticle(std::move(parsed)); },
          [this](FeedRecordError error) { OnError(std::move(error)); }) {
  if (options_.request_id_prefix.empty()) {
    // 128 random bits: unique per ingestion for as long as storage remembers request ids.
    absl::BitGen random;
    options_.request_id_prefix =
        absl::StrCat("ingest/", absl::Hex(absl::Uniform<uint64_t>(random), absl::kZeroPad16),
                     absl::Hex(absl::Uniform<uint64_t>(random), absl::kZeroPad16));
  }
}

absl::Time FeedIngestion::CaptureTime(const std::optional<absl::CivilDay>& date) const {
  if (options_.captured_at.has_value()) return *options_.captured_at;
  if (date.has_value()) return absl::FromCivil(absl::CivilSecond(*date), options_.time_zone);
  return now_;
}

void FeedIngestion::OnError(FeedRecordError error) {
  if (response_.errors_size() >= kMaxListedErrors) {
    response_.set_errors_omitted(response_.errors_omitted() + 1);
    return;
  }
  v1::FeedError* wire = response_.add_errors();
  wire->set_line(error.line);
  wire->set_message(std::move(error.message));
  wire->set_excerpt(std::move(error.excerpt));
}

void FeedIngestion::OnArticle(ParsedArticle parsed) {
  if (!status_.ok()) return;  // storage failed: nothing more is published or counted
  ++articles_parsed_;
  const absl::Time captured = CaptureTime(parsed.capture_date);
  if (response_.captures_size() == 0 ||
      response_.captures(response_.captures_size() - 1).line() != parsed.capture_line) {
    v1::FeedCapture* capture = response_.add_captures();
    capture->set_line(parsed.capture_line);
    *capture->mutable_captured_at() = time::ToTimestamp(captured);
  }
  v1::FeedCapture& capture = *response_.mutable_captures(response_.captures_size() - 1);
  capture.set_articles_parsed(capture.articles_parsed() + 1);
  v1::Article* article = batch_.add_articles();
  article->set_id(article::FormatArticleId(parsed.id));
  *article->mutable_published_at() = time::ToTimestamp(parsed.published);
  article->set_title(std::move(parsed.title));
  article->set_credit(std::move(parsed.credit));
  for (std::string& paragraph : parsed.paragraphs) article->add_paragraphs(std::move(paragraph));
  article->set_views(parsed.views);
  article->set_source(options_.source);
  v1::ViewObservation* observation = article->add_view_history();
  *observation->mutable_captured_at() = time::ToTimestamp(captured);
  observation->set_views(parsed.views);
  batch_bytes_ += static_cast<int64_t>(article->ByteSizeLong());
  if (batch_.articles_size() >= options_.max_batch_articles ||
      batch_bytes_ >= options_.max_batch_bytes) {
    status_ = PublishBatch();
  }
}

absl::Status FeedIngestion::PublishBatch() {
  if (batch_.articles_size() == 0) return absl::OkStatus();
  batch_.set_request_id(absl::StrCat(options_.request_id_prefix, "/", batches_));
  absl::StatusOr<v1::PutArticlesResponse> published =
      publisher_.Publish(batch_, options_.deadline, options_.retry_budget);
  if (!published.ok()) {
    return absl::Status(
        published.status().code(),
        absl::StrCat("storing a batch of ", batch_.articles_size(), " articles failed after ",
                     stored_, " were stored (re-sending the dump is safe: ingest is idempotent): ",
                     published.status().message()));
  }
  if (published->results_size() != batch_.articles_size()) {
    return absl::InternalError("storage answered a different number of results");
  }
  for (const v1::PutResult& result : published->results()) {
    if (!options_.omit_article_ids) {
      absl::StatusOr<article::ArticleId> id = article::ParseArticleId(result.id());
      if (!id.ok()) return absl::InternalError("storage answered an invalid article id");
      stored_ids_.push_back(*id);
    }
    switch (result.outcome()) {
      case v1::PUT_OUTCOME_CREATED:
        response_.set_articles_created(response_.articles_created() + 1);
        break;
      case v1::PUT_OUTCOME_UPDATED:
        response_.set_articles_updated(response_.articles_updated() + 1);
        break;
      default:
        response_.set_articles_unchanged(response_.articles_unchanged() + 1);
        break;
    }
  }
  stored_ += batch_.articles_size();
  ++batches_;
  batch_.clear_articles();
  batch_bytes_ = 0;
  return absl::OkStatus();
}

absl::Status FeedIngestion::Consume(absl::string_view chunk) {
  if (status_.ok()) {
    parser_.Consume(std::string_view(chunk.data(), chunk.size()));
    bytes_consumed_ += static_cast<int64_t>(chunk.size());
  }
  return status_;
}

v1::IngestProgress FeedIngestion::Progress() const {
  v1::IngestProgress progress;
  progress.set_bytes_read(bytes_consumed_);
  progress.set_articles_parsed(articles_parsed_);
  progress.set_articles_stored(stored_);
  progress.set_errors(response_.errors_size() + response_.errors_omitted());
  return progress;
}

absl::StatusOr<v1::IngestFeedResponse> FeedIngestion::Finish() {
  if (status_.ok()) parser_.Finish();
  if (status_.ok()) status_ = PublishBatch();
  if (!status_.ok()) return status_;
  response_.set_articles_parsed(stored_);
  response_.mutable_article_ids()->Reserve(static_cast<int>(stored_ids_.size()));
  for (article::ArticleId id : stored_ids_) response_.add_article_ids(article::FormatArticleId(id));
  stored_ids_ = {};
  if (response_.captures_size() > 0) {
    *response_.mutable_captured_at() = response_.captures(0).captured_at();
  } else {
    *response_.mutable_captured_at() = time::ToTimestamp(CaptureTime(parser_.capture_date()));
  }
  return std::move(response_);
}

}  // namespace newsdb::ingest
