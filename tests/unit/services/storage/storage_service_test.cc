#include "services/storage/storage_service.h"

#include "common/status/grpc_status.h"
#include "common/testing/in_process_server.h"
#include "common/testing/temp_dir.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"

namespace newsdb::storage {
namespace {

class StorageServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = ArticleStore::Open(dir_.path());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    service_ = std::make_unique<StorageServiceImpl>(*store_);
    server_ =
        std::make_unique<testing::InProcessServer>(std::vector<grpc::Service*>{service_.get()});
    stub_ = v1::StorageService::NewStub(server_->channel());
  }

  testing::TempDir dir_;
  std::unique_ptr<ArticleStore> store_;
  std::unique_ptr<StorageServiceImpl> service_;
  std::unique_ptr<testing::InProcessServer> server_;
  std::unique_ptr<v1::StorageService::Stub> stub_;
};

TEST_F(StorageServiceTest, GetMissingArticleReturnsNotFound) {
  grpc::ClientContext context;
  v1::GetArticleRequest request;
  request.set_id("0000000000000000");
  v1::Article article;
  EXPECT_EQ(stub_->GetArticle(&context, request, &article).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(StorageServiceTest, BadPutCarriesBadRequestDetailsOnTheWire) {
  grpc::ClientContext context;
  v1::PutArticlesRequest request;
  request.add_articles()->set_id("nope");
  v1::PutArticlesResponse response;
  grpc::Status status = stub_->PutArticles(&context, request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  std::vector<status::FieldViolation> violations =
      status::FieldViolationsOf(status::FromGrpcStatus(status));
  std::vector<std::string> fields;
  for (const auto& violation : violations) fields.push_back(violation.field);
  EXPECT_THAT(fields, ::testing::IsSupersetOf({"articles[0].id", "articles[0].published_at",
                                               "articles[0].title", "articles[0].view_history"}));
}

TEST_F(StorageServiceTest, PutThenScanStreamsArticlesNewestFirst) {
  v1::PutArticlesRequest request;
  for (int i = 0; i < 3; ++i) {
    v1::Article* article = request.add_articles();
    article->set_id(absl::StrCat("000000000000000", i + 1));
    article->mutable_published_at()->set_seconds(1700000000 + i * 60);
    article->set_title(absl::StrCat("T", i));
    v1::ViewObservation* observation = article->add_view_history();
    observation->mutable_captured_at()->set_seconds(1700100000);
    observation->set_views(100 + i);
  }
  {
    grpc::ClientContext context;
    v1::PutArticlesResponse response;
    ASSERT_TRUE(stub_->PutArticles(&context, request, &response).ok());
    ASSERT_EQ(response.results_size(), 3);
    EXPECT_EQ(response.results(0).outcome(), v1::PUT_OUTCOME_CREATED);
  }
  grpc::ClientContext context;
  v1::ScanArticlesRequest scan;
  auto reader = stub_->ScanArticles(&context, scan);
  std::vector<std::string> titles;
  v1::Article article;
  while (reader->Read(&article)) titles.push_back(article.title());
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_THAT(titles, ::testing::ElementsAre("T2", "T1", "T0"));
}

TEST_F(StorageServiceTest, ScanRejectsABadResumeId) {
  grpc::ClientContext context;
  v1::ScanArticlesRequest scan;
  scan.mutable_resume_after()->set_id("zz");
  auto reader = stub_->ScanArticles(&context, scan);
  v1::Article article;
  EXPECT_FALSE(reader->Read(&article));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace newsdb::storage
