// PgQueueOps' SSE-KMS calls (queue_ops.h): data-key records and undelivered receives, over the
// statements of statements_data_keys.cc.

#include <chrono>
#include <string>
#include <vector>

#include "storage/postgres/arrays.h"
#include "storage/postgres/queue_ops.h"
#include "storage/postgres/statements.h"

namespace wharf::storage::pg {

PgStatus PgQueueOps::PutDataKey(const StoredDataKey& key) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kPutDataKey, {Param::Int(key.id), Param::Text(key.queue_arn),
                                       Param::Text(key.key_arn), Param::Bytes(key.blob)}));
  (void)rows;
  return {};
}

PgResult<std::vector<StoredDataKey>> PgQueueOps::GetDataKeys(std::span<const int64_t> ids) {
  std::vector<StoredDataKey> keys;
  if (ids.empty()) return keys;
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(Rows rows, conn->Execute(sql::kGetDataKeys, {IntArray(ids)}));
  keys.reserve(static_cast<size_t>(rows.size()));
  for (int row = 0; row < rows.size(); ++row) {
    StoredDataKey key;
    WHARF_ASSIGN_OR_RETURN(key.id, rows.Int(row, 0));
    key.queue_arn = std::string(rows.Text(row, 1));
    key.key_arn = std::string(rows.Text(row, 2));
    WHARF_ASSIGN_OR_RETURN(key.blob, rows.Bytes(row, 3));
    WHARF_ASSIGN_OR_RETURN(key.created_ms, rows.Int(row, 4));
    keys.push_back(std::move(key));
  }
  return keys;
}

PgResult<int64_t> PgQueueOps::SweepDataKeys(std::chrono::seconds older_than, int batch) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  WHARF_ASSIGN_OR_RETURN(
      Rows rows,
      conn->Execute(sql::kSweepDataKeys, {Param::Int(older_than.count()), Param::Int(batch)}));
  return rows.affected();
}

PgResult<int64_t> PgQueueOps::ReturnUndelivered(int64_t queue_id,
                                                std::span<const Receipt> receipts) {
  if (receipts.empty()) return int64_t{0};
  std::vector<int64_t> seqs, tokens;
  seqs.reserve(receipts.size());
  tokens.reserve(receipts.size());
  for (const Receipt& receipt : receipts) {
    seqs.push_back(receipt.seq);
    tokens.push_back(receipt.token);
  }
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, Borrow());
  // FIFO messages: their group rows first, as every change to a group's messages takes them
  // (the statement then reads the group's current head; none for standard messages).
  WHARF_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(*conn));
  WHARF_ASSIGN_OR_RETURN(Rows locked, conn->Execute(sql::kFifoDeleteBatchLockGroups,
                                                    {Param::Int(queue_id), IntArray(seqs)}));
  (void)locked;
  WHARF_ASSIGN_OR_RETURN(Rows rows,
                         conn->Execute(sql::kReturnUndelivered,
                                       {Param::Int(queue_id), IntArray(seqs), IntArray(tokens)}));
  WHARF_RETURN_IF_ERROR(tx.Commit());
  return rows.Int(0, 0);
}

}  // namespace wharf::storage::pg
