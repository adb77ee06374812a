#pragma once

// Random identifiers: request ids and message ids are RFC 4122 version-4 UUIDs.
// The generator is a per-thread xoshiro256** seeded from the OS, so making an id takes no
// lock and no system call (std::random_device per id would be a syscall on the hot path).

#include <array>
#include <cstdint>
#include <string>

namespace wharf {

// 64 random bits from this thread's generator.
uint64_t RandomU64();

// "5fea7756-0ea4-451a-a703-a558b933e274"
std::string NewUuid();

}  // namespace wharf
