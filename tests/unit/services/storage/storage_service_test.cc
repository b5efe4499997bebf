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

TEST_F(StorageServiceTest, ReportsItsShardAndRefusesCallsMeantForAnother) {
  {
    grpc::ClientContext context;
    v1::ShardInfo info;
    ASSERT_TRUE(stub_->GetShardInfo(&context, v1::GetShardInfoRequest(), &info).ok());
    EXPECT_EQ(info.shard().index(), 0);
    EXPECT_EQ(info.shard().count(), 1);
    EXPECT_EQ(info.documents(), 0);
  }
  v1::SearchShardRequest search;
  search.mutable_query()->mutable_match_all();
  search.set_limit(10);
  search.mutable_shard()->set_index(0);
  search.mutable_shard()->set_count(1);
  {
    grpc::ClientContext context;
    v1::SearchShardResponse response;
    EXPECT_TRUE(stub_->SearchShard(&context, search, &response).ok());
  }
  search.mutable_shard()->set_index(1);
  search.mutable_shard()->set_count(3);
  {
    grpc::ClientContext context;
    v1::SearchShardResponse response;
    grpc::Status status = stub_->SearchShard(&context, search, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_THAT(status.error_message(),
                ::testing::HasSubstr("is shard 0/1; the caller expected shard 1/3"));
  }
  {
    grpc::ClientContext context;
    v1::PutArticlesRequest put;
    *put.mutable_shard() = search.shard();
    v1::PutArticlesResponse response;
    EXPECT_EQ(stub_->PutArticles(&context, put, &response).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
  {
    grpc::ClientContext context;
    v1::SearchStatistics statistics;
    EXPECT_EQ(stub_->GetSearchStatistics(&context, search, &statistics).error_code(),
              grpc::StatusCode::FAILED_PRECONDITION);
  }
}

TEST_F(StorageServiceTest, StatisticsCountEachLeafAndScoresFollowTheGivenOnes) {
  v1::PutArticlesRequest put;
  for (int i = 0; i < 4; ++i) {
    v1::Article* article = put.add_articles();
    article->set_id(absl::StrCat("000000000000000", i + 1));
    article->mutable_published_at()->set_seconds(1700000000 + i * 60);
    article->set_title(i % 2 == 0 ? "grain harvest" : "wheat exports");
    article->add_paragraphs("grain and more grain");
    v1::ViewObservation* observation = article->add_view_history();
    observation->mutable_captured_at()->set_seconds(1700100000);
    observation->set_views(10);
  }
  {
    grpc::ClientContext context;
    v1::PutArticlesResponse response;
    ASSERT_TRUE(stub_->PutArticles(&context, put, &response).ok());
  }
  // wheat OR (grain AND NOT harvest): leaves wheat, grain, harvest (negated).
  v1::SearchShardRequest search;
  v1::BooleanQuery* any = search.mutable_query()->mutable_any_of();
  any->add_queries()->mutable_term()->set_text("wheat");
  v1::BooleanQuery* all = any->add_queries()->mutable_all_of();
  all->add_queries()->mutable_term()->set_text("grain");
  all->add_queries()->mutable_none_of()->add_queries()->mutable_term()->set_text("harvest");
  search.set_limit(10);
  v1::SearchStatistics statistics;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->GetSearchStatistics(&context, search, &statistics).ok());
  }
  EXPECT_EQ(statistics.documents(), 4);
  EXPECT_EQ(statistics.title_length_sum(), 8);
  EXPECT_EQ(statistics.body_length_sum(), 16);
  EXPECT_THAT(statistics.leaf_documents(), ::testing::ElementsAre(2, 4, 0));
  EXPECT_EQ(statistics.snapshot().doc_limit(), 4);

  v1::SearchShardResponse local;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->SearchShard(&context, search, &local).ok());
  }
  // The same statistics score the same; those of a larger collection score otherwise.
  *search.mutable_snapshot() = statistics.snapshot();
  *search.mutable_statistics() = statistics;
  v1::SearchShardResponse same;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->SearchShard(&context, search, &same).ok());
  }
  ASSERT_EQ(local.hits_size(), 2);  // the harvest articles are excluded
  ASSERT_EQ(same.hits_size(), 2);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(local.hits(i).score(), same.hits(i).score());
  search.mutable_statistics()->set_documents(400);
  search.mutable_statistics()->set_leaf_documents(0, 300);
  v1::SearchShardResponse larger;
  {
    grpc::ClientContext context;
    ASSERT_TRUE(stub_->SearchShard(&context, search, &larger).ok());
  }
  ASSERT_EQ(larger.hits_size(), 2);
  EXPECT_NE(larger.hits(0).score(), local.hits(0).score());
  search.mutable_statistics()->set_leaf_documents(0, 500);
  {
    grpc::ClientContext context;
    v1::SearchShardResponse refused;
    EXPECT_EQ(stub_->SearchShard(&context, search, &refused).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
  }
}

}  // namespace
}  // namespace newsdb::storage
