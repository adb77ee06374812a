// Shared message move tasks (--storage postgres; sqs/move_tasks.h): two MoveTasks ("nodes") over
// one queue catalog, one store of keyed objects and one lease table, on a ManualClock. A task
// started through one node is listed by the other after its Sync, only the lease holder moves,
// a cancel through the other node ends the task CANCELLED whatever the runner writes meanwhile,
// a runner that stops renewing is taken over once its lease expires (each message moved once),
// a runner that cannot renew stops moving, and a second start through the other node is refused,
// even when both start at once (the source's lease), until the first task has ended. Starts and
// cancels answer only once what they wrote is durable.

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
  // Answered at once, or (with `delay_durable`) when the test calls Commit.
  void WhenDurable(uint64_t, storage::CommitDone done) override {
    {
      std::lock_guard lock(mu_);
      if (delay_durable) {
        waiting_.push_back(std::move(done));
        return;
      }
    }
    done({});
  }
  void Commit() {
    std::vector<storage::CommitDone> waiting;
    {
      std::lock_guard lock(mu_);
      waiting.swap(waiting_);
    }
    for (storage::CommitDone& done : waiting) done({});
  }
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
  int TaskRecords() {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [key, value] : objects_)
      n += ParseMoveTaskKey(key) && !ParseMoveTaskKey(key)->cancel;
    return n;
  }

  bool delay_durable = false;  // set by the test between calls

 private:
  std::vector<storage::CommitDone> waiting_;
  std::mutex mu_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, int> puts_;
};

// The `lease` table on the test's clock: what kHoldLease does, without the database.
struct LeaseTable {
  explicit LeaseTable(const Clock& clock) : clock(clock) {}
  const Clock& clock;
  // task id, or kSource + source ARN -> (node, expiry)
  std::map<std::string, std::pair<std::string, MonoTime>> rows;
  static constexpr char kSource[] = "source:";
  size_t Tasks() const {
    size_t n = 0;
    for (const auto& [name, row] : rows) n += !name.starts_with(kSource);
    return n;
  }
  std::optional<std::string> SourceHolder(const std::string& arn) const {
    auto it = rows.find(kSource + arn);
    if (it == rows.end() || it->second.second < clock.Now()) return std::nullopt;
    return it->second.first;
  }
};

class FakeLeases final : public MoveTaskLeases {
 public:
  FakeLeases(LeaseTable& table, std::string node) : table_(table), node_(std::move(node)) {}

  Result<bool, std::string> Hold(const std::string& task_id,
                                 std::chrono::milliseconds ttl) override {
    ++holds;
    return HoldRow(task_id, ttl);
  }
  Status<std::string> Release(const std::string& task_id) override { return ReleaseRow(task_id); }
  Result<bool, std::string> HoldSource(const std::string& source_arn,
                                       std::chrono::milliseconds ttl) override {
    ++holds;
    return HoldRow(LeaseTable::kSource + source_arn, ttl);
  }
  Status<std::string> ReleaseSource(const std::string& source_arn) override {
    return ReleaseRow(LeaseTable::kSource + source_arn);
  }

  bool down = false;
  int holds = 0;

 private:
  Result<bool, std::string> HoldRow(const std::string& name, std::chrono::milliseconds ttl) {
    if (down) return std::string("database unreachable");
    const MonoTime now = table_.clock.Now();
    auto it = table_.rows.find(name);
    if (it != table_.rows.end() && it->second.second >= now && it->second.first != node_) {
      return false;
    }
    table_.rows[name] = {node_, now + ttl};
    return true;
  }
  Status<std::string> ReleaseRow(const std::string& name) {
    if (down) return std::string("database unreachable");
    auto it = table_.rows.find(name);
    if (it != table_.rows.end() && it->second.first == node_) table_.rows.erase(it);
    return {};
  }

  LeaseTable& table_;
  const std::string node_;
};

// What a Start or Cancel answered, if it has.
template <typename T>
class Answer {
 public:
  std::function<void(api::ApiResult<T>)> Callback() const {
    return [state = state_](api::ApiResult<T> result) {
      ++state->answers;
      state->result.emplace(std::move(result));
    };
  }
  int answers() const { return state_->answers; }
  bool ok() const { return state_->result && state_->result->ok(); }
  const api::ApiResult<T>& result() const { return *state_->result; }

 private:
  struct State {
    int answers = 0;
    std::optional<api::ApiResult<T>> result;
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
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

  // Queues a start on `node`; answered by the node's next Sync.
  Answer<std::string> AskStart(MoveTasks& node, std::optional<int64_t> rate = 10) {
    Answer<std::string> answer;
    node.Start(Dlq(), Arn("dest"), rate, answer.Callback());
    return answer;
  }
  // A start through `node` and the Sync that carries it out.
  std::string StartOn(MoveTasks& node, std::optional<int64_t> rate = 10) {
    Answer<std::string> answer = AskStart(node, rate);
    EXPECT_TRUE(node.Sync().ok());
    EXPECT_EQ(answer.answers(), 1);
    if (answer.answers() != 1) return {};
    EXPECT_TRUE(answer.ok()) << answer.result().error().message;
    return answer.ok() ? *answer.result() : std::string();
  }
  api::ApiResult<int64_t> CancelOn(MoveTasks& node, const std::string& id) {
    Answer<int64_t> answer;
    node.Cancel(Arn("dlq"), id, answer.Callback());
    EXPECT_EQ(answer.answers(), 1) << "answered at once (the store is durable at once)";
    if (answer.answers() != 1) return api::Error(api::ErrorCode::kInternalFailure, "no answer");
    return answer.result();
  }
  MoveTaskInfo LatestOn(MoveTasks& node) {
    auto tasks = node.List(Arn("dlq"), 1);
    if (tasks.empty()) {
      ADD_FAILURE() << "no task listed";
      return {};
    }
    return tasks[0];
  }
  Answer<std::string> AskStartAndSync(MoveTasks& node) {
    Answer<std::string> answer = AskStart(node);
    EXPECT_TRUE(node.Sync().ok());
    return answer;
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
  ASSERT_EQ(leases_.Tasks(), 1u);
  EXPECT_EQ(leases_.rows.begin()->second.first, "node-a") << "the starting node runs it";
  EXPECT_EQ(leases_.SourceHolder(Arn("dlq")), "node-a");
}

TEST_F(SharedMoveTaskTest, ACancelThroughTheOtherNodeIsNeverOverwrittenByTheRunnersProgress) {
  const std::string id = StartOn(node_a_, 10);
  RunFor(2);
  auto cancelled = CancelOn(node_b_, id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().message;
  EXPECT_GT(*cancelled, 0) << "the moved count node b last read";
  EXPECT_EQ(LatestOn(node_b_).status, "CANCELLING");
  EXPECT_TRUE(objects_.Has(MoveTaskCancelKey(id)));
  // A second cancel is refused as on one node (the task is no longer RUNNING).
  EXPECT_FALSE(CancelOn(node_b_, id).ok());
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
  EXPECT_EQ(leases_.SourceHolder(Arn("dlq")), std::nullopt) << "so is the source's";
  ASSERT_TRUE(node_b_.Sync().ok());
  ASSERT_EQ(leases_.rows.count(id), 1u) << "taken at once, not after the lease's 12 s";
  EXPECT_EQ(leases_.rows[id].first, "node-b");
  EXPECT_EQ(leases_.SourceHolder(Arn("dlq")), "node-b");
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
  ASSERT_TRUE(CancelOn(node_b_, id).ok());
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
  ASSERT_TRUE(CancelOn(node_b_, id).ok());
  RunFor(14, false);
  const MoveTaskInfo on_b = LatestOn(node_b_);
  EXPECT_EQ(on_b.status, "CANCELLED");
  EXPECT_EQ(on_b.moved, objects_.Task(id)->moved);
  EXPECT_EQ(objects_.Task(id)->status, "CANCELLED");
  EXPECT_GT(Visible(dlq_url_), 0) << "nothing moved after the cancel";
}

void ExpectAlreadyRunning(const Answer<std::string>& answer) {
  ASSERT_EQ(answer.answers(), 1);
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.result().error().code, api::ErrorCode::kInvalidParameterValue);
  EXPECT_EQ(answer.result().error().message,
            "There is already a task running. Only one active task is allowed for a source queue "
            "arn at a given time.");
}

TEST_F(SharedMoveTaskTest, AStartThroughAnotherNodeIsRefusedWhileATaskRuns) {
  StartOn(node_a_, 10);
  SyncBoth();
  Answer<std::string> second = AskStart(node_b_);
  EXPECT_EQ(second.answers(), 1) << "refused at once by the records node b read";
  ExpectAlreadyRunning(second);
}

TEST_F(SharedMoveTaskTest, OfTwoStartsOnTwoNodesAtOnceExactlyOneSucceeds) {
  // Neither node has read the other's start: only the source's lease can tell them apart.
  for (bool a_first : {true, false}) {
    SCOPED_TRACE(a_first ? "node a syncs first" : "node b syncs first");
    Answer<std::string> on_a = AskStart(node_a_);
    Answer<std::string> on_b = AskStart(node_b_);
    EXPECT_EQ(on_a.answers() + on_b.answers(), 0) << "a shared start waits for a Sync";
    MoveTasks& first = a_first ? node_a_ : node_b_;
    MoveTasks& second = a_first ? node_b_ : node_a_;
    ASSERT_TRUE(first.Sync().ok());
    ASSERT_TRUE(second.Sync().ok());
    const Answer<std::string>& won = a_first ? on_a : on_b;
    const Answer<std::string>& lost = a_first ? on_b : on_a;
    ASSERT_EQ(won.answers(), 1);
    ASSERT_TRUE(won.ok()) << won.result().error().message;
    ExpectAlreadyRunning(lost);
    EXPECT_EQ(objects_.TaskRecords(), a_first ? 1 : 2) << "the refused start wrote nothing";
    EXPECT_EQ(leases_.SourceHolder(Arn("dlq")), a_first ? "node-a" : "node-b");
    // The winner's task runs to its end and gives the source up.
    RunFor(25);
    EXPECT_EQ(LatestOn(node_a_).task_id, *won.result());
    EXPECT_EQ(LatestOn(node_a_).status, "COMPLETED");
    EXPECT_TRUE(leases_.rows.empty());
    for (int i = 0; i < kMessages; ++i) Send(dlq_url_, "again" + std::to_string(i));
  }
}

TEST_F(SharedMoveTaskTest, TwoStartsThroughOneNodeBeforeItsSyncAreOneTask) {
  Answer<std::string> first = AskStart(node_a_);
  Answer<std::string> second = AskStart(node_a_);
  ExpectAlreadyRunning(second);
  ASSERT_TRUE(node_a_.Sync().ok());
  ASSERT_TRUE(first.ok());
  ExpectAlreadyRunning(AskStart(node_a_));
  EXPECT_EQ(objects_.TaskRecords(), 1);
}

TEST_F(SharedMoveTaskTest, TheRunnerKeepsTheSourceWhileTheTaskRunsAndAfterATakeOver) {
  // A start through a node that has read no record yet (one whose Sync is late): only the
  // source's lease can refuse it.
  auto start_on_new_node = [this] {
    FakeLeases leases_c{leases_, "node-c"};
    MoveTasks node_c(clock_, clock_, store_, service_.queues(),
                     MoveTasksShared{&objects_, &leases_c});
    return AskStartAndSync(node_c);
  };
  StartOn(node_a_, 5);
  RunFor(20);  // past the first lease's 12 s: renewed
  ExpectAlreadyRunning(start_on_new_node());
  node_a_.Stop();  // node a dies; node b takes the task and the source over
  RunFor(14, /*sync_a=*/false);
  ASSERT_EQ(leases_.SourceHolder(Arn("dlq")), "node-b");
  ExpectAlreadyRunning(start_on_new_node());
  RunFor(30, false);
  ASSERT_EQ(LatestOn(node_b_).status, "COMPLETED");
  EXPECT_TRUE(leases_.rows.empty()) << "both leases given up at the end";
  for (int i = 0; i < 10; ++i) Send(dlq_url_, "again" + std::to_string(i));
  EXPECT_TRUE(start_on_new_node().ok()) << "the source is free once the task ended";
}

TEST_F(SharedMoveTaskTest, AStartIsAnsweredOnlyOnceItsRecordIsDurable) {
  objects_.delay_durable = true;
  Answer<std::string> started = AskStart(node_a_);
  ASSERT_TRUE(node_a_.Sync().ok());
  EXPECT_EQ(started.answers(), 0) << "answered before the record was durable";
  objects_.Commit();
  ASSERT_EQ(started.answers(), 1);
  EXPECT_TRUE(started.ok());
}

TEST_F(SharedMoveTaskTest, ACancelIsAnsweredOnlyOnceItsRequestIsDurable) {
  const std::string id = StartOn(node_a_, 10);
  RunFor(2);
  objects_.delay_durable = true;
  Answer<int64_t> cancelled;
  node_b_.Cancel(Arn("dlq"), id, cancelled.Callback());
  EXPECT_TRUE(objects_.Has(MoveTaskCancelKey(id)));
  EXPECT_EQ(cancelled.answers(), 0) << "answered before the request was durable";
  objects_.Commit();
  ASSERT_EQ(cancelled.answers(), 1);
  ASSERT_TRUE(cancelled.ok());
  EXPECT_GT(*cancelled.result(), 0);
  // The same through the runner: answered once the task's end is durable.
  objects_.delay_durable = false;
  ASSERT_TRUE(node_a_.Sync().ok());
  ASSERT_EQ(LatestOn(node_a_).status, "CANCELLED");
  for (int i = 0; i < 10; ++i) Send(dlq_url_, "again" + std::to_string(i));
  RunFor(1);
  const std::string second = StartOn(node_a_, 10);
  objects_.delay_durable = true;
  Answer<int64_t> on_runner;
  node_a_.Cancel(Arn("dlq"), second, on_runner.Callback());
  EXPECT_EQ(on_runner.answers(), 0);
  objects_.Commit();
  EXPECT_TRUE(on_runner.ok());
}

TEST_F(SharedMoveTaskTest, AStartAndACancelRequestWakeTheNodesSync) {
  int wakes = 0;
  FakeLeases leases_c{leases_, "node-c"};
  MoveTasks node(clock_, clock_, store_, service_.queues(),
                 MoveTasksShared{&objects_, &leases_c, [&wakes] { ++wakes; }});
  Answer<std::string> started = AskStart(node);
  EXPECT_EQ(wakes, 1) << "a start asks for a Sync";
  EXPECT_EQ(started.answers(), 0);
  ASSERT_TRUE(node.Sync().ok());
  ASSERT_TRUE(started.ok()) << "the Sync it asked for starts it";
  ASSERT_TRUE(CancelOn(node, *started.result()).ok());  // run here: cancelled at once
  EXPECT_EQ(LatestOn(node).status, "CANCELLED");
  ASSERT_TRUE(node.Sync().ok());  // gives the leases up
  const std::string id = StartOn(node_a_, 10);
  ASSERT_TRUE(node.Sync().ok());
  const int before = wakes;
  ASSERT_TRUE(CancelOn(node, id).ok());  // run by node a: a request
  EXPECT_EQ(wakes, before + 1) << "so does a cancel request";
  EXPECT_TRUE(objects_.Has(MoveTaskCancelKey(id)));
  ASSERT_TRUE(node_a_.Sync().ok());
  EXPECT_EQ(LatestOn(node_a_).status, "CANCELLED") << "the runner carries it out";
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
