#pragma once

// How a service's handlers are bound to actions without knowing any codec.
//
// The server layer implements Call for each request: it decodes the typed input with the
// request's codec and encodes the output (or error) in the same protocol. A service registers
// plain function pointers, one per action, in its register.cc:
//
//   table.Add<&GetQueueUrl>(Action::kGetQueueUrl);   // ApiResult<Out> F(Svc&, const Ctx&, In&)
//   table.Add<&SendMessage>(Action::kSendMessage);   // void F(Svc&, const Ctx&, In, Reply<Out>)
//
// The first form answers at once; the second answers later through Reply (long polls, and
// mutations that are acknowledged only once durable).

#include <array>
#include <memory>
#include <type_traits>
#include <utility>

#include "api/action.h"
#include "api/error.h"
#include "api/request_context.h"
#include "api/visitor.h"

namespace wharf::api {

// A pointer to a described struct, type-erased.
struct Shape {
  void* object;
  void (*describe)(void*, Visitor&);

  template <typename T>
  static Shape Of(T& t) {
    return Shape{&t, [](void* o, Visitor& v) { static_cast<T*>(o)->Describe(v); }};
  }
  void Describe(Visitor& v) const { describe(object, v); }
};

// One request in flight. Thread-safety: Succeed/Fail may be called from any thread, once;
// later calls are ignored. If the last reference goes without an answer, the implementation
// answers InternalFailure so a client never hangs on a bug.
class Call {
 public:
  virtual ~Call() = default;
  virtual const RequestContext& context() const = 0;
  virtual ApiStatus Decode(Shape input) = 0;
  virtual void Succeed(Shape output) = 0;
  virtual void Fail(ApiError error) = 0;
};

// The way a handler answers, possibly later and on another thread. Copyable (callbacks stored
// in std::function must be); only the first answer counts.
template <typename Out>
class Reply {
 public:
  explicit Reply(std::shared_ptr<Call> call) : call_(std::move(call)) {}

  void Ok(Out out) const { call_->Succeed(Shape::Of(out)); }
  void Fail(ApiError error) const { call_->Fail(std::move(error)); }
  void operator()(ApiResult<Out> result) const {
    if (result.ok()) {
      Ok(std::move(result).value());
    } else {
      Fail(std::move(result).error());
    }
  }
  const RequestContext& context() const { return call_->context(); }

 private:
  std::shared_ptr<Call> call_;
};

namespace detail {

template <typename F>
struct HandlerTraits;

template <typename Svc, typename In, typename Out>
struct HandlerTraits<ApiResult<Out> (*)(Svc&, const RequestContext&, In&)> {
  using Service = Svc;
  using Input = In;
  static constexpr bool kAsync = false;
};

template <typename Svc, typename In, typename Out>
struct HandlerTraits<void (*)(Svc&, const RequestContext&, In, Reply<Out>)> {
  using Service = Svc;
  using Input = In;
  using Output = Out;
  static constexpr bool kAsync = true;
};

}  // namespace detail

template <typename Svc>
class HandlerTable {
 public:
  using Thunk = void (*)(Svc&, std::shared_ptr<Call>);

  template <auto F>
  void Add(Action action) {
    using Traits = detail::HandlerTraits<decltype(F)>;
    static_assert(std::is_same_v<typename Traits::Service, Svc>);
    thunks_[static_cast<size_t>(action)] = &Invoke<F>;
  }

  Thunk Find(Action action) const { return thunks_[static_cast<size_t>(action)]; }

 private:
  template <auto F>
  static void Invoke(Svc& service, std::shared_ptr<Call> call) {
    using Traits = detail::HandlerTraits<decltype(F)>;
    typename Traits::Input input{};
    if (ApiStatus decoded = call->Decode(Shape::Of(input)); !decoded.ok()) {
      call->Fail(std::move(decoded).error());
      return;
    }
    if constexpr (Traits::kAsync) {
      using Out = typename Traits::Output;
      const RequestContext& ctx = call->context();
      F(service, ctx, std::move(input), Reply<Out>(std::move(call)));
    } else {
      auto result = F(service, call->context(), input);
      if (result.ok()) {
        call->Succeed(Shape::Of(result.value()));
      } else {
        call->Fail(std::move(result).error());
      }
    }
  }

  std::array<Thunk, kAllActionCount> thunks_{};
};

}  // namespace wharf::api
