#include "iam/store_journal.h"

#include <algorithm>

#include "common/binary_codec.h"
#include "iam/identifiers.h"
#include "storage/settle.h"

namespace wharf::iam {
namespace {

constexpr uint8_t kFormatVersion = 1;
constexpr std::string_view kPrefix = "iam/";

std::string_view KindName(RecordKind kind) {
  switch (kind) {
    case RecordKind::kUser:
      return "user";
    case RecordKind::kAccessKey:
      return "key";
    case RecordKind::kRole:
      return "role";
    case RecordKind::kGroup:
      return "group";
    case RecordKind::kManagedPolicy:
      return "policy";
  }
  return "unknown";
}

void WriteTags(BinaryWriter& w, const std::vector<Tag>& tags) {
  w.Varint(tags.size());
  for (const Tag& t : tags) {
    w.Bytes(t.key);
    w.Bytes(t.value);
  }
}
std::vector<Tag> ReadTags(BinaryReader& r) {
  std::vector<Tag> tags(std::min<uint64_t>(r.Varint(), 1024));
  for (Tag& t : tags) {
    t.key = r.Bytes();
    t.value = r.Bytes();
  }
  return tags;
}

void WriteStrings(BinaryWriter& w, const std::vector<std::string>& values) {
  w.Varint(values.size());
  for (const std::string& v : values) w.Bytes(v);
}
std::vector<std::string> ReadStrings(BinaryReader& r) {
  std::vector<std::string> values(std::min<uint64_t>(r.Varint(), 4096));
  for (std::string& v : values) v = r.Bytes();
  return values;
}

void WritePolicies(BinaryWriter& w, const PolicyHolder& p) {
  w.Varint(p.inline_policies.size());
  for (const InlinePolicy& i : p.inline_policies) {
    w.Bytes(i.name);
    w.Bytes(i.document);
  }
  WriteStrings(w, p.attached_arns);
}
PolicyHolder ReadPolicies(BinaryReader& r) {
  PolicyHolder p;
  p.inline_policies.resize(std::min<uint64_t>(r.Varint(), 4096));
  for (InlinePolicy& i : p.inline_policies) {
    i.name = r.Bytes();
    i.document = r.Bytes();
  }
  p.attached_arns = ReadStrings(r);
  return p;
}

struct Encoded {
  RecordKind kind;
  std::string account;
  std::string name;
  std::string payload;
};

// Payload: u8 version, u8 kind, then the record's fields in declaration order.
Encoded Encode(const IdentityRecord& record, const Sealer& secrets) {
  Encoded e;
  BinaryWriter x(e.payload);
  // Names the object and writes the payload's header.
  auto start = [&e, &x](RecordKind kind, const std::string& account, const std::string& name) {
    e.kind = kind;
    e.account = account;
    e.name = name;
    x.U8(kFormatVersion);
    x.U8(static_cast<uint8_t>(kind));
  };
  if (const auto* u = std::get_if<UserRecord>(&record)) {
    start(RecordKind::kUser, u->account_id, u->name);
    x.Bytes(u->account_id);
    x.Bytes(u->name);
    x.Bytes(u->path);
    x.Bytes(u->id);
    x.Bytes(u->arn);
    x.Signed(u->created_ms);
    WriteTags(x, u->tags);
    WriteStrings(x, u->groups);
    WritePolicies(x, u->policies);
  } else if (const auto* k = std::get_if<AccessKeyRecord>(&record)) {
    start(RecordKind::kAccessKey, k->account_id, k->access_key_id);
    x.Bytes(k->account_id);
    x.Bytes(k->user_name);
    x.Bytes(k->access_key_id);
    x.Bytes(secrets.Seal(k->secret, k->access_key_id));
    x.Bool(k->active);
    x.Signed(k->created_ms);
  } else if (const auto* ro = std::get_if<RoleRecord>(&record)) {
    start(RecordKind::kRole, ro->account_id, ro->name);
    x.Bytes(ro->account_id);
    x.Bytes(ro->name);
    x.Bytes(ro->path);
    x.Bytes(ro->id);
    x.Bytes(ro->arn);
    x.Signed(ro->created_ms);
    x.Bytes(ro->trust_policy);
    x.Bytes(ro->description);
    x.Signed(ro->max_session_duration);
    WriteTags(x, ro->tags);
    WritePolicies(x, ro->policies);
  } else if (const auto* g = std::get_if<GroupRecord>(&record)) {
    start(RecordKind::kGroup, g->account_id, g->name);
    x.Bytes(g->account_id);
    x.Bytes(g->name);
    x.Bytes(g->path);
    x.Bytes(g->id);
    x.Bytes(g->arn);
    x.Signed(g->created_ms);
    WritePolicies(x, g->policies);
  } else if (const auto* p = std::get_if<ManagedPolicyRecord>(&record)) {
    start(RecordKind::kManagedPolicy, p->account_id, p->arn);
    x.Bytes(p->account_id);
    x.Bytes(p->name);
    x.Bytes(p->path);
    x.Bytes(p->id);
    x.Bytes(p->arn);
    x.Bytes(p->description);
    x.Bytes(p->document);
    x.Signed(p->created_ms);
    x.Signed(p->updated_ms);
  }
  return e;
}

Result<IdentityRecord, std::string> Decode(std::string_view payload, const Sealer& secrets) {
  BinaryReader r(payload);
  if (r.U8() != kFormatVersion) return std::string("unknown record version");
  const auto kind = static_cast<RecordKind>(r.U8());
  IdentityRecord record;
  switch (kind) {
    case RecordKind::kUser: {
      UserRecord u;
      u.account_id = r.Bytes();
      u.name = r.Bytes();
      u.path = r.Bytes();
      u.id = r.Bytes();
      u.arn = r.Bytes();
      u.created_ms = r.Signed();
      u.tags = ReadTags(r);
      u.groups = ReadStrings(r);
      u.policies = ReadPolicies(r);
      record = std::move(u);
      break;
    }
    case RecordKind::kAccessKey: {
      AccessKeyRecord k;
      k.account_id = r.Bytes();
      k.user_name = r.Bytes();
      k.access_key_id = r.Bytes();
      const std::string sealed = r.Bytes();
      k.active = r.Bool();
      k.created_ms = r.Signed();
      if (!r.ok()) return std::string("truncated record");
      auto secret = secrets.Open(sealed, k.access_key_id);
      if (!secret.ok()) {
        return "the secret of access key " + k.access_key_id +
               " does not open: " + std::string(SealErrorName(secret.error())) +
               " (is this the root key the data was written with?)";
      }
      k.secret = std::move(secret).value();
      record = std::move(k);
      break;
    }
    case RecordKind::kRole: {
      RoleRecord ro;
      ro.account_id = r.Bytes();
      ro.name = r.Bytes();
      ro.path = r.Bytes();
      ro.id = r.Bytes();
      ro.arn = r.Bytes();
      ro.created_ms = r.Signed();
      ro.trust_policy = r.Bytes();
      ro.description = r.Bytes();
      ro.max_session_duration = r.Signed();
      ro.tags = ReadTags(r);
      ro.policies = ReadPolicies(r);
      record = std::move(ro);
      break;
    }
    case RecordKind::kGroup: {
      GroupRecord g;
      g.account_id = r.Bytes();
      g.name = r.Bytes();
      g.path = r.Bytes();
      g.id = r.Bytes();
      g.arn = r.Bytes();
      g.created_ms = r.Signed();
      g.policies = ReadPolicies(r);
      record = std::move(g);
      break;
    }
    case RecordKind::kManagedPolicy: {
      ManagedPolicyRecord p;
      p.account_id = r.Bytes();
      p.name = r.Bytes();
      p.path = r.Bytes();
      p.id = r.Bytes();
      p.arn = r.Bytes();
      p.description = r.Bytes();
      p.document = r.Bytes();
      p.created_ms = r.Signed();
      p.updated_ms = r.Signed();
      record = std::move(p);
      break;
    }
    default:
      return std::string("unknown record kind");
  }
  if (!r.ok()) return std::string("truncated record");
  return record;
}

}  // namespace

std::string ObjectKeyOf(RecordKind kind, const std::string& account_id, const std::string& name) {
  std::string key(kPrefix);
  key.append(KindName(kind));
  key.push_back('/');
  key.append(account_id);
  key.push_back('/');
  // IAM names are unique regardless of case: one key per entity however a request spells it.
  const bool fold =
      kind == RecordKind::kUser || kind == RecordKind::kRole || kind == RecordKind::kGroup;
  key.append(fold ? NameKey(name) : name);  // the identity store's own key for the name
  return key;
}

Status<std::string> StoreJournal::Put(const IdentityRecord& record) {
  Encoded e = Encode(record, secrets_);
  storage::Record put;
  put.type = storage::RecordType::kObjectPut;
  put.key = ObjectKeyOf(e.kind, e.account, e.name);
  put.payload = std::move(e.payload);
  std::vector<storage::Record> records;
  records.push_back(std::move(put));
  latest_.store(store_.Append(std::move(records)), std::memory_order_release);
  return {};
}

Status<std::string> StoreJournal::Erase(RecordKind kind, const std::string& account_id,
                                        const std::string& name) {
  storage::Record erase;
  erase.type = storage::RecordType::kObjectDelete;
  erase.key = ObjectKeyOf(kind, account_id, name);
  std::vector<storage::Record> records;
  records.push_back(std::move(erase));
  latest_.store(store_.Append(std::move(records)), std::memory_order_release);
  return {};
}

Result<std::vector<IdentityRecord>, std::string> StoreJournal::Load() {
  if (auto settled = storage::SettleAppended(store_); !settled.ok()) {
    return "cannot read the identity records: " + settled.error().detail;
  }
  std::vector<IdentityRecord> records;
  std::string error;
  auto scanned = store_.ScanObjects(kPrefix, [&](std::string_view key, std::string_view payload) {
    if (!error.empty()) return;
    auto record = Decode(payload, secrets_);
    if (!record.ok()) {
      error = "identity record " + std::string(key) + ": " + record.error();
      return;
    }
    records.push_back(std::move(record).value());
  });
  if (!scanned.ok()) return "cannot read the identity records: " + scanned.error().detail;
  if (!error.empty()) return error;
  return records;
}

}  // namespace wharf::iam
