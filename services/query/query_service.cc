#include "services/query/query_service.h"

#include <vector>

#include "common/article/article_id.h"
#include "common/status/grpc_status.h"
#include "common/time/timestamp.h"
#include "grpcpp/client_context.h"
#include "services/query/page_token.h"

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
  absl::StatusOr<absl::Time> start = absl::InfinitePast();
  absl::StatusOr<absl::Time> end = absl::InfiniteFuture();
  if (request.published().has_start()) {
    start = time::FromTimestamp(request.published().start());
    if (!start.ok()) {
      violations.push_back({"published.start", std::string(start.status().message())});
    }
  }
  if (request.published().has_end()) {
    end = time::FromTimestamp(request.published().end());
    if (!end.ok()) violations.push_back({"published.end", std::string(end.status().message())});
  }
  if (start.ok() && end.ok() && *end < *start) {
    violations.push_back({"published.end", "must not be before published.start"});
  }
  if (!v1::PublicationOrder_IsValid(request.order())) {
    violations.push_back({"order", "unknown value"});
  }
  if (!v1::ArticleView_IsValid(request.view())) violations.push_back({"view", "unknown value"});
  if (violations.empty()) return absl::OkStatus();
  return status::InvalidFieldsError(violations);
}

}  // namespace

QueryServiceImpl::QueryServiceImpl(std::shared_ptr<grpc::Channel> storage)
    : storage_(v1::StorageService::NewStub(storage)) {}

grpc::Status QueryServiceImpl::GetArticle(grpc::ServerContext* context,
                                          const v1::GetArticleRequest* request,
                                          v1::Article* response) {
  if (!article::ParseArticleId(request->id()).ok()) {
    return status::ToGrpcStatus(status::InvalidFieldError("id", "must be 16 lowercase hex digits"));
  }
  std::unique_ptr<grpc::ClientContext> child = ChildContext(context);
  return storage_->GetArticle(child.get(), *request, response);
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
    absl::StatusOr<v1::ListPageToken> token = DecodePageToken(request->page_token(), *request);
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
          MakePageToken(*request, last.published_at().seconds(), last.id()));
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

}  // namespace newsdb::query
