// Shared message move tasks (--storage postgres; sqs/move_tasks.h): two MoveTasks ("nodes") over
// one queue catalog, one store of keyed objects and one lease table, on a ManualClock. A task
// started through one node is listed by the other after its Sync, only the lease holder moves,
// a cancel through the other node ends the task CANCELLED whatever the runner writes meanwhile,
// a runner that stops renewing is taken over once its lease expires (each message moved once),
// a runner that cannot renew stops moving, and a second start through the other node is refused.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sqs/move_task_leases.h"
#include "sqs/move_task_record.h"
#include "sqs/move_tasks.h"
#include "sqs_test_support.h"

namespace wharf::sqs::testing {
namespace {

// Keyed objects only, applied at once (PgObjectStore's contract without the database).
class SharedObjects final : public storage::Store {
 public:
  bool durable() const override { return true; }
  uint64_t Append(std::vector<storage::Record> records) override {
    std::lock_guard lock(mu_);
    for (storage::Record& r : records) {
      if (r.type == storage::RecordType::kObjectPut) {
        objects_[r.key] = r.payload;
        ++puts_[r.key];
      } else if (r.type == storage::RecordType::kObjectDelete) {
        objects_.erase(r.key);
      } else {
        ADD_FAILURE() << "a record that is not an object";
      }
    }
    return 0;
  }
  void WhenDurable(uint64_t, storage::CommitDone done) override { done({}); }
  storage::StorageStatus Recover(storage::RecoveryVisitor&) override { return {}; }
  void ReadMessages(uint64_t, std::vector<uint64_t> seqs, storage::ReadDone done) override {
    done(std::vector<std::string>(seqs.size()));
  }
  storage::StorageStatus ScanObjects(
      std::string_view prefix,
      const std::function<void(std::string_view, std::string_view)>& visit) override {
    std::map<std::string, std::string> copy;
    {
      std::lock_guard lock(mu_);
      copy = objects_;
    }
    for (const auto& [key, value] : copy) {
      if (std::string_view(key).starts_with(prefix)) visit(key, value);
    }
    return {};
  }

  bool Has(const std::string& key) {
    std::lock_guard lock(mu_);
    return objects_.contains(key);
  }
  std::optional<MoveTaskInfo> Task(const std::string& id) {
    std::lock_guard lock(mu_);
    auto it = objects_.find(MoveTaskKey(id));
    if (it == objects_.end()) return std::nullopt;
    return DecodeMoveTask(it->second);
  }
  int Puts(const std::string& key) {
    std::lock_guard lock(mu_);
    return puts_[key];
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, int> puts_;
};

// The `lease` table on the test's clock: what kHoldLease does, without the database.
struct LeaseTable {
  explicit LeaseTable(const Clock& clock) : clock(clock) {}
  const Clock& clock;
  std::map<std::string, std::pair<std::string, MonoTime>> rows;  // task id -> (node, expiry)
};

class FakeLeases final : public MoveTaskLeases {
 public:
  FakeLeases(LeaseTable& table, std::string node) : table_(table), node_(std::move(node)) {}

  Result<bool, std::string> Hold(const std::string& task_id,
                                 std::chrono::milliseconds ttl) override {
    ++holds;
    if (down) return std::string("database unreachable");
    const MonoTime now = table_.clock.Now();
    auto it = table_.rows.find(task_id);
    if (it != table_.rows.end() && it->second.second >= now && it->second.first != node_) {
      return false;
    }
    table_.rows[task_id] = {node_, now + ttl};
    return true;
  }
  Status<std::string> Release(const std::string& task_id) override {
    if (down) return std::string("database unreachable");
    auto it = table_.rows.find(task_id);
    if (it != table_.rows.end() && it->second.first == node_) table_.rows.erase(it);
    return {};
  }

  bool down = false;
  int holds = 0;

 private:
  LeaseTable& table_;
  const std::string node_;
};

class SharedMoveTaskTest : public SqsServiceTest {
 protected:
  SharedMoveTaskTest()
      : node_a_(clock_, clock_, store_, service_.queues(), MoveTasksShared{&objects_, &leases_a_}),
        node_b_(clock_, clock_, store_, service_.queues(), MoveTasksShared{&objects_, &leases_b_}) {
  }

  void SetUp() override {
    dlq_url_ = CreateQueue("dlq");
    dest_url_ = CreateQueue("dest");
    // The dead-letter queue of some queue (StartMessageMoveTask's rule is the handler's; the
    // tasks move out of any queue).
    for (int i = 0; i < kMessages; ++i) Send(dlq_url_, "m" + std::to_string(i));
    ASSERT_EQ(Visible(dlq_url_), kMessages);
  }

  std::shared_ptr<QueueBackend> Dlq() { return service_.queues().FindByArn(Arn("dlq")); }
  static std::string Arn(const std::string& name) {
    return "arn:aws:sqs:us-east-1:000000000000:" + name;
  }
  int64_t Visible(const std::string& url) { return std::stoll(std::get<0>(Counts(url))); }

  std::string StartOn(MoveTasks& node, std::optional<int64_t> rate = 10) {
    auto started = node.Start(Dlq(), Arn("dest"), rate);
    EXPECT_TRUE(started.ok()) << (started.ok() ? "" : started.error().message);
    return started.ok() ? *started : std::string();
  }
  MoveTaskInfo LatestOn(MoveTasks& node) {
    auto tasks = node.List(Arn("dlq"), 1);
    if (tasks.empty()) {
      ADD_FAILURE() << "no task listed";
      return {};
    }
    return tasks[0];
  }
  void SyncBoth() {
    ASSERT_TRUE(node_a_.Sync().ok());
    ASSERT_TRUE(node_b_.Sync().ok());
  }
  // `seconds` of 100 ms ticks, both nodes syncing once a second (as the server's beat does).
  void RunFor(int seconds, bool sync_a = true, bool sync_b = true) {
    for (int s = 0; s < seconds; ++s) {
      for (int i = 0; i < 10; ++i) clock_.Advance(Millis(100));
      if (sync_a) {
        EXPECT_TRUE(node_a_.Sync().ok());
      }
      if (sync_b) {
        EXPECT_TRUE(node_b_.Sync().ok());
      }
    }
  }

  static constexpr int kMessages = 200;
  SharedObjects objects_;
  LeaseTable leases_{clock_};
  FakeLeases leases_a_{leases_, "node-a"};
  FakeLeases leases_b_{leases_, "node-b"};
  MoveTasks node_a_;
  MoveTasks node_b_;
  std::string dlq_url_, dest_url_;
};

TEST_F(SharedMoveTaskTest, ATaskStartedOnOneNodeIsListedAndFollowedOnTheOther) {
  const std::string id = StartOn(node_a_, 100);
  EXPECT_TRUE(objects_.Task(id).has_value()) << "the record is in the shared store at once";
  EXPECT_TRUE(node_b_.List(Arn("dlq"), 10).empty()) << "node b has not read it yet";
  SyncBoth();
  MoveTaskInfo seen = LatestOn(node_b_);
  EXPECT_EQ(seen.task_id, id);
  EXPECT_EQ(seen.status, "RUNNING");
  EXPECT_EQ(seen.to_move, kMessages);
  RunFor(1);
  EXPECT_GT(LatestOn(node_b_).moved, 0) << "progress reaches the other node";
  RunFor(3);
  seen = LatestOn(node_b_);
  EXPECT_EQ(seen.status, "COMPLETED");
  EXPECT_EQ(seen.moved, kMessages);
  EXPECT_EQ(Visible(dest_url_), kMessages);
  EXPECT_EQ(Visible(dlq_url_), 0);
  EXPECT_TRUE(leases_.rows.empty()) << "the runner gives its lease up at the end";
}

TEST_F(SharedMoveTaskTest, OnlyTheLeaseHolderMoves) {
  StartOn(node_a_, 10);
  RunFor(5);  // both nodes sync every second: at most one runs
  // One runner at 10 messages/s moves at most 10 × 5 + 1; two would move about twice that.
  const int64_t moved = Visible(dest_url_);
  EXPECT_GT(moved, 30);
  EXPECT_LE(moved, 51);
  EXPECT_EQ(Visible(dlq_url_) + moved, kMessages);
  ASSERT_EQ(leases_.rows.size(), 1u);
  EXPECT_EQ(leases_.rows.begin()->second.first, "node-a") << "the starting node synced first";
}

TEST_F(SharedMoveTaskTest, ACancelThroughTheOtherNodeIsNeverOverwrittenByTheRunnersProgress) {
  const std::string id = StartOn(node_a_, 10);
  RunFor(2);
  auto cancelled = node_b_.Cancel(Arn("dlq"), id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_GT(*cancelled, 0) << "the moved count node b last read";
  EXPECT_EQ(LatestOn(node_b_).status, "CANCELLING");
  EXPECT_TRUE(objects_.Has(MoveTaskCancelKey(id)));
  // A second cancel is refused as on one node (the task is no longer RUNNING).
  EXPECT_FALSE(node_b_.Cancel(Arn("dlq"), id).ok());
  // The runner keeps moving and storing progress until its next Sync, and must not undo the
  // request by doing so.
  const int puts = objects_.Puts(MoveTaskKey(id));
  for (int i = 0; i < 15; ++i) clock_.Advance(Millis(100));
  EXPECT_GT(objects_.Puts(MoveTaskKey(id)), puts) << "the runner wrote progress meanwhile";
  EXPECT_TRUE(objects_.Has(MoveTaskCancelKey(id)));
  EXPECT_EQ(node_b_.Sync().ok(), true);
  EXPECT_EQ(LatestOn(node_b_).status, "CANCELLING");
  ASSERT_TRUE(node_a_.Sync().ok());  // the runner finds the request
  const MoveTaskInfo on_a = LatestOn(node_a_);
  EXPECT_EQ(on_a.status, "CANCELLED");
  const int64_t moved = Visible(dest_url_);
  EXPECT_EQ(on_a.moved, moved);
  EXPECT_TRUE(objects_.Has(MoveTaskCancelKey(id))) << "kept against a late RUNNING write";
  RunFor(3);
  EXPECT_EQ(Visible(dest_url_), moved) << "nothing moves after the cancel";
  EXPECT_EQ(Visible(dlq_url_), kMessages - moved);
  const MoveTaskInfo on_b = LatestOn(node_b_);
  EXPECT_EQ(on_b.status, "CANCELLED");
  EXPECT_EQ(on_b.moved, moved);
  EXPECT_TRUE(leases_.rows.empty());
}

TEST_F(SharedMoveTaskTest, ARunnerThatStopsIsTakenOverOnceItsLeaseExpiresAndNothingMovesTwice) {
  const std::string id = StartOn(node_a_, 20);
  RunFor(3);
  node_a_.Stop();  // node a dies: no more ticks, no more Syncs, its lease row stays
  const int64_t moved_by_a = Visible(dest_url_);
  ASSERT_GT(moved_by_a, 0);
  const int64_t stored = objects_.Task(id)->moved;
  EXPECT_LE(stored, moved_by_a);
  // Node b waits for the lease to expire (12 s after a's last renewal, at most 6 s ago).
  RunFor(5, /*sync_a=*/false);
  EXPECT_EQ(Visible(dest_url_), moved_by_a) << "node b must not run a task whose lease is live";
  RunFor(8, false);
  EXPECT_GT(Visible(dest_url_), moved_by_a) << "node b took the task over";
  ASSERT_EQ(leases_.rows.count(id), 1u);
  EXPECT_EQ(leases_.rows[id].first, "node-b");
  RunFor(15, false);
  const MoveTaskInfo done = LatestOn(node_b_);
  EXPECT_EQ(done.status, "COMPLETED");
  EXPECT_EQ(Visible(dest_url_), kMessages);
  EXPECT_EQ(Visible(dlq_url_), 0);
  // The count goes on from the stored one: what a moved after its last stored progress is
  // missing from it, nothing is counted twice.
  EXPECT_EQ(done.moved, stored + (kMessages - moved_by_a));
  // Every message once in the destination.
  std::set<std::string> bodies;
  for (int i = 0; i < 30; ++i) {
    a::ReceiveMessageInput in;
    in.queue_url = dest_url_;
    in.max_number_of_messages = 10;
    in.visibility_timeout = 3600;
    for (const a::Message& m : Receive(std::move(in))) {
      EXPECT_TRUE(bodies.insert(m.body).second) << "twice: " << m.body;
    }
  }
  EXPECT_EQ(bodies.size(), static_cast<size_t>(kMessages));
}

TEST_F(SharedMoveTaskTest, ANodeThatStopsCleanlyHandsItsTasksOverAtOnceWithTheirExactCount) {
  const std::string id = StartOn(node_a_, 20);
  RunFor(2);
  for (int i = 0; i < 5; ++i) clock_.Advance(Millis(100));  // progress not stored yet
  const int64_t moved_by_a = Visible(dest_url_);
  node_a_.HandOver();
  EXPECT_EQ(objects_.Task(id)->moved, moved_by_a) << "the last progress is stored";
  EXPECT_EQ(leases_.rows.count(id), 0u) << "the lease is given up";
  ASSERT_TRUE(node_b_.Sync().ok());
  ASSERT_EQ(leases_.rows.count(id), 1u) << "taken at once, not after the lease's 12 s";
  EXPECT_EQ(leases_.rows[id].first, "node-b");
  RunFor(15, false);
  const MoveTaskInfo done = LatestOn(node_b_);
  EXPECT_EQ(done.status, "COMPLETED");
  EXPECT_EQ(done.moved, kMessages);
  EXPECT_EQ(Visible(dest_url_), kMessages);
}

TEST_F(SharedMoveTaskTest, ARunnerThatCannotRenewItsLeaseStopsMovingBeforeItExpires) {
  const std::string id = StartOn(node_a_, 10);
  RunFor(1, true, false);
  ASSERT_EQ(leases_.rows.count(id), 1u);
  const MonoTime expiry = leases_.rows[id].second;
  leases_a_.down = true;  // node a loses the database; its Syncs fail
  int64_t last = Visible(dest_url_);
  bool stopped = false;
  while (clock_.Now() < expiry) {
    for (int i = 0; i < 10; ++i) clock_.Advance(Millis(100));
    node_a_.Sync().IgnoreError();  // fails once it tries to renew
    const int64_t now_moved = Visible(dest_url_);
    if (now_moved == last) stopped = true;
    EXPECT_FALSE(stopped && now_moved != last) << "moved again after stopping";
    last = now_moved;
  }
  EXPECT_TRUE(stopped) << "node a still moved when its lease expired in the database";
  // Node b takes over and finishes; node a, back, leaves it alone.
  leases_a_.down = false;
  RunFor(25);
  EXPECT_EQ(LatestOn(node_a_).status, "COMPLETED");
  EXPECT_EQ(Visible(dest_url_), kMessages);
}

TEST_F(SharedMoveTaskTest, ALateRunningWriteOverACancelledTaskIsCancelledAgain) {
  const std::string id = StartOn(node_a_, 10);
  RunFor(2);
  MoveTaskInfo stale = *objects_.Task(id);  // what a runner with a stalled write had queued
  ASSERT_EQ(stale.status, "RUNNING");
  ASSERT_TRUE(node_b_.Cancel(Arn("dlq"), id).ok());
  RunFor(1);
  ASSERT_EQ(objects_.Task(id)->status, "CANCELLED");
  const int64_t moved = Visible(dest_url_);
  storage::Record late{storage::RecordType::kObjectPut};
  late.key = MoveTaskKey(id);
  late.payload = EncodeMoveTask(stale);
  std::vector<storage::Record> records;
  records.push_back(std::move(late));
  objects_.Append(std::move(records));
  RunFor(3);
  EXPECT_EQ(LatestOn(node_a_).status, "CANCELLED");
  EXPECT_EQ(LatestOn(node_b_).status, "CANCELLED");
  EXPECT_EQ(objects_.Task(id)->status, "CANCELLED");
  EXPECT_EQ(Visible(dest_url_), moved) << "the task did not resume";
}

TEST_F(SharedMoveTaskTest, ACancelledTaskWhoseRunnerDiedEndsCancelledOnTheNodeThatTakesItOver) {
  const std::string id = StartOn(node_a_, 10);
  RunFor(2);
  node_a_.Stop();
  ASSERT_TRUE(node_b_.Cancel(Arn("dlq"), id).ok());
  RunFor(14, false);
  const MoveTaskInfo on_b = LatestOn(node_b_);
  EXPECT_EQ(on_b.status, "CANCELLED");
  EXPECT_EQ(on_b.moved, objects_.Task(id)->moved);
  EXPECT_EQ(objects_.Task(id)->status, "CANCELLED");
  EXPECT_GT(Visible(dlq_url_), 0) << "nothing moved after the cancel";
}

TEST_F(SharedMoveTaskTest, AStartThroughAnotherNodeIsRefusedWhileATaskRuns) {
  StartOn(node_a_, 10);
  SyncBoth();
  auto second = node_b_.Start(Dlq(), Arn("dest"), 10);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, api::ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(second.error().message,
            "There is already a task running. Only one active task is allowed for a source queue "
            "arn at a given time.");
}

TEST_F(SharedMoveTaskTest, AStartAndACancelRequestWakeTheNodesSync) {
  int wakes = 0;
  MoveTasks node(clock_, clock_, store_, service_.queues(),
                 MoveTasksShared{&objects_, &leases_a_, [&wakes] { ++wakes; }});
  auto started = node.Start(Dlq(), Arn("dest"), 10);
  ASSERT_TRUE(started.ok());
  EXPECT_EQ(wakes, 1) << "a start asks for a Sync";
  ASSERT_TRUE(node.Cancel(Arn("dlq"), *started).ok());  // not run here yet: a request
  EXPECT_EQ(wakes, 2) << "so does a cancel request";
  EXPECT_TRUE(objects_.Has(MoveTaskCancelKey(*started)));
  ASSERT_TRUE(node.Sync().ok());
  EXPECT_EQ(LatestOn(node).status, "CANCELLED") << "the Sync it asked for carries it out";
  EXPECT_EQ(Visible(dlq_url_), kMessages);
}

TEST_F(SharedMoveTaskTest, EmbeddedRecordsAreNotResumedWhenTasksAreShared) {
  MoveTaskInfo old;
  old.task_id = "old";
  old.source_arn = Arn("dlq");
  old.status = "RUNNING";
  node_a_.Restore(EncodeMoveTask(old));
  EXPECT_TRUE(node_a_.List(Arn("dlq"), 10).empty());
  RunFor(2);
  EXPECT_EQ(Visible(dlq_url_), kMessages);
}

TEST(MoveTaskRecordTest, KeysParseBack) {
  auto task = ParseMoveTaskKey(MoveTaskKey("abc"));
  ASSERT_TRUE(task.has_value());
  EXPECT_EQ(task->task_id, "abc");
  EXPECT_FALSE(task->cancel);
  auto cancel = ParseMoveTaskKey(MoveTaskCancelKey("abc"));
  ASSERT_TRUE(cancel.has_value());
  EXPECT_EQ(cancel->task_id, "abc");
  EXPECT_TRUE(cancel->cancel);
  EXPECT_FALSE(ParseMoveTaskKey("sqs/move-tasks/other/abc").has_value());
  EXPECT_FALSE(ParseMoveTaskKey("iam/x").has_value());
  EXPECT_FALSE(ParseMoveTaskKey(MoveTaskKey("")).has_value());
}

}  // namespace
}  // namespace wharf::sqs::testing
