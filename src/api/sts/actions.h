#pragma once

// Typed inputs and outputs of the STS actions Wharf serves (security.md §3.4).

#include <optional>
#include <string>
#include <vector>

#include "api/visitor.h"

namespace wharf::api::sts {

struct Empty {
  void Describe(Visitor&) {}
};

struct GetCallerIdentityOutput {
  std::string user_id;
  std::string account;
  std::string arn;
  void Describe(Visitor& v) {
    v.String("UserId", user_id);
    v.String("Account", account);
    v.String("Arn", arn);
  }
};

struct PolicyDescriptor {
  std::string arn;
  void Describe(Visitor& v) { v.String("arn", arn); }  // lower-case on the wire (§3.1)
};

struct Tag {
  std::string key;
  std::string value;
  void Describe(Visitor& v) {
    v.String("Key", key);
    v.String("Value", value);
  }
};

struct AssumeRoleInput {
  std::optional<std::string> role_arn;
  std::optional<std::string> role_session_name;
  std::optional<int64_t> duration_seconds;
  std::optional<std::string> policy;
  std::vector<PolicyDescriptor> policy_arns;
  std::optional<std::string> external_id;
  std::optional<std::string> source_identity;
  std::vector<Tag> tags;
  std::optional<std::string> serial_number;
  std::optional<std::string> token_code;
  void Describe(Visitor& v) {
    v.String("RoleArn", role_arn);
    v.String("RoleSessionName", role_session_name);
    v.Int("DurationSeconds", duration_seconds);
    v.String("Policy", policy);
    List(v, {"PolicyArns", "PolicyArns.member"}, policy_arns);
    v.String("ExternalId", external_id);
    v.String("SourceIdentity", source_identity);
    List(v, {"Tags", "Tags.member"}, tags);
    v.String("SerialNumber", serial_number);
    v.String("TokenCode", token_code);
  }
};

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  std::string expiration;  // ISO 8601
  void Describe(Visitor& v) {
    v.String("AccessKeyId", access_key_id);
    v.String("SecretAccessKey", secret_access_key);
    v.String("SessionToken", session_token);
    v.String("Expiration", expiration);
  }
};

struct AssumedRoleUser {
  std::string assumed_role_id;
  std::string arn;
  void Describe(Visitor& v) {
    v.String("AssumedRoleId", assumed_role_id);
    v.String("Arn", arn);
  }
};

struct AssumeRoleOutput {
  std::optional<Credentials> credentials;
  std::optional<AssumedRoleUser> assumed_role_user;
  std::optional<int64_t> packed_policy_size;
  std::optional<std::string> source_identity;
  void Describe(Visitor& v) {
    Object(v, "Credentials", credentials);
    Object(v, "AssumedRoleUser", assumed_role_user);
    v.Int("PackedPolicySize", packed_policy_size);
    v.String("SourceIdentity", source_identity);
  }
};

struct GetSessionTokenInput {
  std::optional<int64_t> duration_seconds;
  std::optional<std::string> serial_number;
  std::optional<std::string> token_code;
  void Describe(Visitor& v) {
    v.Int("DurationSeconds", duration_seconds);
    v.String("SerialNumber", serial_number);
    v.String("TokenCode", token_code);
  }
};
struct GetSessionTokenOutput {
  std::optional<Credentials> credentials;
  void Describe(Visitor& v) { Object(v, "Credentials", credentials); }
};

}  // namespace wharf::api::sts
