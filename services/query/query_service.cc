#include "services/query/query_service.h"

#include <optional>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/article/article_id.h"
#include "common/article/request_fields.h"
#include "common/search/query_tree.h"
#include "common/status/grpc_status.h"
#include "common/time/timestamp.h"
#include "grpcpp/client_context.h"
#include "services/query/page_token.h"
#include "services/query/query_parser.h"

namespace newsdb::query {
namespace {

// A storage call made on behalf of a client call inherits its deadline and cancellation.
std::unique_ptr<grpc::ClientContext> ChildContext(grpc::ServerContext* parent) {
  std::unique_ptr<grpc::ClientContext> context =
      grpc::ClientContext::FromServerContext(*parent, grpc::PropagationOptions());
  return context;
}

absl::Status ValidateListRequest(const v1::ListArticlesRequest& request) {
  std::vector<status::FieldViolation> violations;
  if (request.page_size() < 0) violations.push_back({"page_size", "must not be negative"});
  article::CheckTimeRange(request.published(), "published", violations);
  if (!v1::PublicationOrder_IsValid(request.order())) {
    violations.push_back({"order", "unknown value"});
  }
  if (!v1::ArticleView_IsValid(request.view())) violations.push_back({"view", "unknown value"});
  if (violations.empty()) return absl::OkStatus();
  return status::InvalidFieldsError(violations);
}

// Calls storage with a child context, retrying UNAVAILABLE a few times: reads are idempotent, and
// right after storage restarts the channel needs a moment to reconnect.
template <typename Call>
grpc::Status CallStorage(grpc::ServerContext* parent, Call call) {
  const absl::Time deadline = absl::FromChrono(parent->deadline());
  absl::Duration backoff = absl::Milliseconds(100);
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<grpc::ClientContext> child = ChildContext(parent);
    grpc::Status status = call(child.get());
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || attempt == 4 ||
        parent->IsCancelled() || absl::Now() + backoff >= deadline) {
      return status;
    }
    absl::SleepFor(backoff);
    backoff *= 2;
  }
}

}  // namespace

QueryServiceImpl::QueryServiceImpl(const std::shared_ptr<grpc::Channel>& storage)
    : storage_(v1::StorageService::NewStub(storage)) {}

grpc::Status QueryServiceImpl::GetArticle(grpc::ServerContext* context,
                                          const v1::GetArticleRequest* request,
                                          v1::Article* response) {
  std::vector<status::FieldViolation> violations;
  if (!article::CheckArticleId(request->id(), "id", violations)) {
    return status::ToGrpcStatus(status::InvalidFieldsError(violations));
  }
  return CallStorage(context, [&](grpc::ClientContext* child) {
    return storage_->GetArticle(child, *request, response);
  });
}

grpc::Status QueryServiceImpl::ListArticles(grpc::ServerContext* context,
                                            const v1::ListArticlesRequest* request,
                                            v1::ListArticlesResponse* response) {
  if (absl::Status valid = ValidateListRequest(*request); !valid.ok()) {
    return status::ToGrpcStatus(valid);
  }
  const int page_size =
      request->page_size() == 0 ? kDefaultPageSize : std::min(request->page_size(), kMaxPageSize);
  v1::ScanArticlesRequest scan;
  *scan.mutable_published() = request->published();
  scan.set_order(request->order());
  scan.set_limit(page_size + 1);  // one more than a page tells whether another page exists
  scan.set_omit_paragraphs(request->view() == v1::ARTICLE_VIEW_BASIC);
  if (!request->page_token().empty()) {
    absl::StatusOr<v1::ListPageToken> token = DecodeListPageToken(request->page_token(), *request);
    if (!token.ok()) return status::ToGrpcStatus(token.status());
    scan.mutable_resume_after()->mutable_published_at()->set_seconds(
        token->last_published_seconds());
    scan.mutable_resume_after()->set_id(token->last_id());
  }

  std::unique_ptr<grpc::ClientContext> child = ChildContext(context);
  std::unique_ptr<grpc::ClientReader<v1::Article>> reader =
      storage_->ScanArticles(child.get(), scan);
  v1::Article article;
  while (reader->Read(&article)) {
    if (response->articles_size() == page_size) {
      const v1::Article& last = response->articles(page_size - 1);
      response->set_next_page_token(
          MakeListPageToken(*request, last.published_at().seconds(), last.id()));
      child->TryCancel();  // the extra article was only a probe
      break;
    }
    *response->add_articles() = std::move(article);
  }
  grpc::Status finished = reader->Finish();
  if (!finished.ok() && response->next_page_token().empty()) {
    response->Clear();
    return finished;
  }
  return grpc::Status::OK;
}

namespace {

// The shard request for `request`: its query string and typed tree combined, validated.
absl::StatusOr<v1::SearchShardRequest> ToShardRequest(const v1::SearchRequest& request) {
  std::vector<status::FieldViolation> violations;
  if (request.page_size() < 0 || request.page_size() > kMaxSearchPageSize) {
    violations.push_back({"page_size", absl::StrCat("must be in 0..", kMaxSearchPageSize)});
  }
  if (!v1::SearchSort_IsValid(request.sort())) violations.push_back({"sort", "unknown value"});
  if (!v1::ArticleView_IsValid(request.view())) violations.push_back({"view", "unknown value"});
  std::optional<v1::Query> parsed;
  if (!request.query().empty()) {
    absl::StatusOr<v1::Query> query = ParseQuery(request.query());
    if (query.ok()) {
      parsed = *std::move(query);
    } else {
      for (auto& violation : status::FieldViolationsOf(query.status())) {
        violations.push_back(violation);
      }
      if (status::FieldViolationsOf(query.status()).empty()) {
        violations.push_back({"query", std::string(query.status().message())});
      }
    }
  }
  if (request.has_match()) {
    absl::Status valid = search::ValidateQuery(request.match(), "match");
    for (auto& violation : status::FieldViolationsOf(valid)) violations.push_back(violation);
  }
  if (!violations.empty()) return status::InvalidFieldsError(violations);

  v1::SearchShardRequest shard;
  if (parsed.has_value() && request.has_match()) {
    v1::BooleanQuery* both = shard.mutable_query()->mutable_all_of();
    *both->add_queries() = *std::move(parsed);
    *both->add_queries() = request.match();
    // Each part is valid alone; together they may pass the depth or size limits.
    if (absl::Status combined = search::ValidateQuery(shard.query(), "query"); !combined.ok()) {
      return status::InvalidFieldError(
          "match",
          absl::StrCat("together with `query` the query tree is too large: ", combined.message()));
    }
  } else if (parsed.has_value()) {
    *shard.mutable_query() = *std::move(parsed);
  } else if (request.has_match()) {
    *shard.mutable_query() = request.match();
  } else {
    shard.mutable_query()->mutable_match_all();
  }
  *shard.mutable_filter() = request.filter();
  shard.set_sort(request.sort());
  *shard.mutable_facets() = request.facets();
  *shard.mutable_highlight() = request.highlight();
  shard.set_omit_paragraphs(request.view() == v1::ARTICLE_VIEW_BASIC);
  return shard;
}

}  // namespace

grpc::Status QueryServiceImpl::Search(grpc::ServerContext* context,
                                      const v1::SearchRequest* request,
                                      v1::SearchResponse* response) {
  absl::StatusOr<v1::SearchShardRequest> shard = ToShardRequest(*request);
  if (!shard.ok()) return status::ToGrpcStatus(shard.status());
  const int page_size = request->page_size() == 0 ? kDefaultSearchPageSize : request->page_size();
  if (!request->page_token().empty()) {
    v1::SearchPageToken token;
    absl::Status decoded = DecodePageToken(request->page_token(), *request, &token);
    if (!decoded.ok()) return status::ToGrpcStatus(decoded);
    *shard->mutable_snapshot() = token.snapshot();
    *shard->mutable_after() = token.after();
  }
  shard->set_limit(page_size);

  v1::SearchShardResponse found;
  grpc::Status status = CallStorage(context, [&](grpc::ClientContext* child) {
    return storage_->SearchShard(child, *shard, &found);
  });
  if (!status.ok()) return status;

  for (v1::SearchHit& hit : *found.mutable_hits()) *response->add_hits() = std::move(hit);
  response->set_total_hits(found.total_hits());
  *response->mutable_facets() = std::move(*found.mutable_facets());
  if (found.more_hits() && found.positions_size() > 0) {
    v1::SearchPageToken token;
    token.set_version(kPageTokenVersion);
    token.set_request_fingerprint(RequestFingerprint(*request));
    *token.mutable_snapshot() = found.snapshot();
    *token.mutable_after() = found.positions(found.positions_size() - 1);
    response->set_next_page_token(EncodePageToken(token));
  }
  return grpc::Status::OK;
}

}  // namespace newsdb::query
