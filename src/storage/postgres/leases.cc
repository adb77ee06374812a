#include "storage/postgres/leases.h"

#include "storage/postgres/statements.h"

namespace wharf::storage::pg {

PgResult<bool> PgLeases::Hold(const std::string& name, const std::string& node_id,
                              std::chrono::milliseconds ttl) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, pool_.Acquire(acquire_wait_));
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kHoldLease,
                               {Param::Text(name), Param::Text(node_id), Param::Int(ttl.count())}));
  return rows.size() == 1;
}

PgResult<bool> PgLeases::Release(const std::string& name, const std::string& node_id) {
  WHARF_ASSIGN_OR_RETURN(PooledConnection conn, pool_.Acquire(acquire_wait_));
  WHARF_ASSIGN_OR_RETURN(
      Rows rows, conn->Execute(sql::kReleaseLease, {Param::Text(name), Param::Text(node_id)}));
  return rows.affected() == 1;
}

}  // namespace wharf::storage::pg
