// SchemaReloader against a real database: a burst of reload requests costs at most two rebuilds
// (the one running and one more), a version check without changes publishes nothing, and a
// failed reload leaves the last good snapshot in service; every reload audits the roles, and calls
// are refused while they are unsafe.
#include "service/schema_reloader.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "service/startup.h"
#include "support/run_to_completion.h"
#include "support/test_database.h"

namespace pgmcp::service {
namespace {

class SchemaReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_.Exec("CREATE TABLE a (id int PRIMARY KEY); CREATE TABLE b (id int PRIMARY KEY, note text);");
    auto settings = std::make_shared<config::Settings>();
    settings->dsn = db_.Dsn();
    settings->pool.min = 0;
    settings_ = settings;
    auto snapshot = LoadSchema(*settings_);
    ASSERT_TRUE(snapshot.ok()) << snapshot.error().message;
    tools_ = std::make_shared<ToolService>(settings_, database::Pool::Create(io_.get_executor(), PoolOptionsFrom(*settings_)));
    tools_->Publish(*snapshot);
    SchemaReloader::Hooks hooks;
    hooks.on_tools_changed = [this](const ListChange&) { ++changed_; };
    hooks.on_reload_finished = [this](SchemaReloader::Outcome o) { outcomes_.push_back(o); };
    reloader_ = SchemaReloader::Create(io_, tools_, hooks);
  }
  // Runs the loop until every requested reload has finished.
  void RunUntilIdle(size_t expected_outcomes) {
    while (outcomes_.size() < expected_outcomes) {
      io_.restart();
      io_.run_one_for(std::chrono::seconds(10));
    }
    io_.restart();
    io_.poll();
  }

  testing::TestDatabase db_;
  boost::asio::io_context io_;
  std::shared_ptr<const config::Settings> settings_;
  std::shared_ptr<ToolService> tools_;
  std::shared_ptr<SchemaReloader> reloader_;
  int changed_ = 0;
  std::vector<SchemaReloader::Outcome> outcomes_;
};

TEST_F(SchemaReloaderTest, ABurstOfRequestsCoalescesIntoAtMostTwoRebuilds) {
  db_.Exec("CREATE TABLE c (id int PRIMARY KEY)");
  for (int i = 0; i < 20; ++i) reloader_->Request("burst", /*force=*/true);
  RunUntilIdle(1);
  // Keep running until nothing more happens for half a second: without coalescing, the other 19
  // requests would each produce a rebuild here.
  for (int i = 0; i < 100; ++i) {
    io_.restart();
    if (io_.run_one_for(std::chrono::milliseconds(500)) == 0) break;
  }
  EXPECT_LE(outcomes_.size(), 2u);
  EXPECT_EQ(changed_, 1) << "the new table was announced once";
  EXPECT_NE(tools_->current()->schema->FindTool("query_c"), nullptr);
}

// NOTIFY needs no privilege: a loop of them kept pgmcp rebuilding without pause (found in review;
// each rebuild finished before the next NOTIFY, so coalescing did not help). One NOTIFY reload
// starts per kNotifyInterval; the rest fold into one more.
TEST_F(SchemaReloaderTest, NotifyReloadsStartAtMostOncePerInterval) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    reloader_->RequestFromNotify();
    io_.restart();
    io_.run_for(std::chrono::milliseconds(20));  // the loop runs on: reloads finish meanwhile
  }
  ASSERT_LT(std::chrono::steady_clock::now() - start, SchemaReloader::kNotifyInterval) << "a burst within one interval";
  RunUntilIdle(2);  // the first at once, the folded one when the interval is up
  for (int i = 0; i < 100; ++i) {
    io_.restart();
    if (io_.run_one_for(std::chrono::milliseconds(500)) == 0) break;
  }
  EXPECT_EQ(outcomes_.size(), 2u);
}

TEST_F(SchemaReloaderTest, AnUnchangedCatalogPublishesNothing) {
  auto before = tools_->current();
  reloader_->Request("ttl", /*force=*/false);
  RunUntilIdle(1);
  EXPECT_EQ(outcomes_[0], SchemaReloader::Outcome::kUnchanged);
  EXPECT_EQ(tools_->current(), before) << "same Published object: nothing was rebuilt";
  EXPECT_EQ(changed_, 0);
}

TEST_F(SchemaReloaderTest, AFailedReloadKeepsTheLastGoodSnapshot) {
  auto broken = std::make_shared<config::Settings>(*settings_);
  broken->dsn = "host=127.0.0.1 port=1 dbname=nowhere connect_timeout=2";
  auto before = tools_->current();
  tools_->settings()->Replace(broken);
  reloader_->Request("sighup", /*force=*/true);
  RunUntilIdle(1);
  EXPECT_EQ(outcomes_[0], SchemaReloader::Outcome::kFailed);
  EXPECT_EQ(tools_->current(), before);
  EXPECT_NE(tools_->current()->schema->FindTool("query_b"), nullptr);
}

TEST_F(SchemaReloaderTest, NewSettingsChangeTheToolSetWithoutACatalogChange) {
  auto narrower = std::make_shared<config::Settings>(*settings_);
  narrower->schema.exclude_tables.push_back("b");
  tools_->settings()->Replace(narrower);
  reloader_->Request("sighup", /*force=*/true);
  RunUntilIdle(1);
  EXPECT_EQ(outcomes_[0], SchemaReloader::Outcome::kChanged);
  EXPECT_EQ(tools_->current()->schema->FindTool("query_b"), nullptr);
  EXPECT_EQ(tools_->current()->built_with->schema.exclude_tables.back(), "b");
}

// A SIGHUP whose rebuild failed (database away) leaves a snapshot built with the old settings: the
// next cheap version check, though the catalog did not change, must rebuild with the new ones.
TEST_F(SchemaReloaderTest, AVersionCheckRebuildsWhenTheSettingsChangedSinceTheLastBuild) {
  auto narrower = std::make_shared<config::Settings>(*settings_);
  narrower->schema.exclude_tables.push_back("b");
  tools_->settings()->Replace(narrower);
  reloader_->Request("ttl", /*force=*/false);
  RunUntilIdle(1);
  EXPECT_EQ(outcomes_[0], SchemaReloader::Outcome::kChanged);
  EXPECT_EQ(tools_->current()->schema->FindTool("query_b"), nullptr);
  EXPECT_EQ(tools_->current()->built_with, tools_->settings()->current());
}

// The audit on every reload (docs/security.md): a write grant that appears while pgmcp serves is
// found by the next reload, even though it does not change the schema version, and every call is
// refused until a later reload finds it revoked.
class ReloadAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    role_ = db_.name() + "_reader";
    db_.Exec("DROP ROLE IF EXISTS " + role_ + "; CREATE ROLE " + role_ + " LOGIN;"
             "CREATE TABLE a (id int PRIMARY KEY); INSERT INTO a VALUES (1), (2);"
             "GRANT SELECT ON a TO " + role_);
    auto settings = std::make_shared<config::Settings>();
    settings->dsn = db_.DsnFor(role_);
    settings->pool.min = 0;
    auto audited = LoadAuditedSchema(*settings);
    ASSERT_TRUE(audited.ok()) << audited.error().message;
    tools_ = std::make_shared<ToolService>(std::shared_ptr<const config::Settings>(settings),
                                           database::Pool::Create(io_.get_executor(), PoolOptionsFrom(*settings)));
    tools_->Publish(audited->snapshot);
    SchemaReloader::Hooks hooks;
    hooks.on_reload_finished = [this](SchemaReloader::Outcome o) { outcomes_.push_back(o); };
    reloader_ = SchemaReloader::Create(io_, tools_, hooks);
  }
  // One reload, run to its end (the audit's verdict is applied before it reports its outcome).
  void Reload(const char* reason, bool force) {
    size_t before = outcomes_.size();
    reloader_->Request(reason, force);
    while (outcomes_.size() == before) {
      io_.restart();
      io_.run_one_for(std::chrono::seconds(10));
    }
    ASSERT_NE(outcomes_.back(), SchemaReloader::Outcome::kFailed);
  }
  protocol::ToolOutcome Call() {
    auto result = pgmcp::testing::RunToCompletion(io_, tools_->CallTool("query_a", boost::json::object{}, {}));
    EXPECT_TRUE(result.ok());
    return result.ok() ? *result : protocol::ToolOutcome{};
  }

  pgmcp::testing::TestDatabase db_;
  std::string role_;
  boost::asio::io_context io_;
  std::shared_ptr<ToolService> tools_;
  std::shared_ptr<SchemaReloader> reloader_;
  std::vector<SchemaReloader::Outcome> outcomes_;
};

TEST_F(ReloadAuditTest, AWriteGrantRefusesEveryCallUntilAReloadFindsItRevoked) {
  EXPECT_FALSE(Call().is_error);
  db_.Exec("GRANT INSERT ON a TO " + role_);
  ASSERT_NO_FATAL_FAILURE(Reload("sighup", false));  // the version check alone: a GRANT is no schema change
  EXPECT_TRUE(tools_->roles_unsafe());
  auto refused = Call();
  EXPECT_TRUE(refused.is_error);
  EXPECT_EQ(refused.text, kRolesUnsafeSentence);
  auto unknown = pgmcp::testing::RunToCompletion(io_, tools_->CallTool("query_nothing", boost::json::object{}, {}));
  ASSERT_TRUE(unknown.ok()) << "even a call naming no tool gets the refusal";
  EXPECT_EQ(unknown->text, kRolesUnsafeSentence);

  db_.Exec("REVOKE INSERT ON a FROM " + role_);
  ASSERT_NO_FATAL_FAILURE(Reload("notify", true));
  EXPECT_FALSE(tools_->roles_unsafe());
  auto served = Call();
  EXPECT_FALSE(served.is_error) << served.text;
}

TEST_F(ReloadAuditTest, TheOverrideKeepsServingAnUnsafeRole) {
  auto overridden = std::make_shared<config::Settings>(*tools_->settings()->current());
  overridden->security.allow_privileged_role = true;
  tools_->settings()->Replace(overridden);
  db_.Exec("GRANT INSERT ON a TO " + role_);
  ASSERT_NO_FATAL_FAILURE(Reload("sighup", true));
  EXPECT_FALSE(tools_->roles_unsafe());
  EXPECT_FALSE(Call().is_error);
}

}  // namespace
}  // namespace pgmcp::service
