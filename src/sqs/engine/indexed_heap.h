#pragma once

// A binary min-heap of pointers whose elements know their own position, so removing or
// re-keying an arbitrary element is O(log n) (beanstalkd's heap.c does the same). The queue
// engine keeps its visible messages, its timers and its retention order in three of these.
//
// `Pos` names the size_t member of T holding the element's index in this heap (kNotInHeap when
// absent); an element may sit in several heaps through different members.

#include <cstddef>
#include <limits>
#include <utility>
#include <vector>

namespace wharf::sqs {

inline constexpr size_t kNotInHeap = std::numeric_limits<size_t>::max();

template <typename T, typename Less, size_t T::*Pos>
class IndexedHeap {
 public:
  bool empty() const { return heap_.empty(); }
  size_t size() const { return heap_.size(); }
  T* top() const { return heap_.front(); }
  static bool Contains(const T* x) { return x->*Pos != kNotInHeap; }

  void Push(T* x) {
    x->*Pos = heap_.size();
    heap_.push_back(x);
    SiftUp(heap_.size() - 1);
  }

  T* Pop() {
    T* x = heap_.front();
    Erase(x);
    return x;
  }

  void Erase(T* x) {
    size_t i = x->*Pos;
    size_t last = heap_.size() - 1;
    if (i != last) {
      Place(i, heap_[last]);
      heap_.pop_back();
      Fix(i);
    } else {
      heap_.pop_back();
    }
    x->*Pos = kNotInHeap;
  }

  // Call after the key of `x` changed.
  void Fix(T* x) { Fix(x->*Pos); }

  // Restores the heap order after the keys of many elements changed at once.
  void Rebuild() {
    for (size_t i = heap_.size() / 2; i-- > 0;) SiftDown(i);
  }

  void Clear() {
    for (T* x : heap_) x->*Pos = kNotInHeap;
    heap_.clear();
  }

  // Elements in heap order (unspecified); for iteration that does not care about order.
  const std::vector<T*>& items() const { return heap_; }

 private:
  void Place(size_t i, T* x) {
    heap_[i] = x;
    x->*Pos = i;
  }
  void Fix(size_t i) {
    if (i > 0 && less_(heap_[i], heap_[(i - 1) / 2])) {
      SiftUp(i);
    } else {
      SiftDown(i);
    }
  }
  void SiftUp(size_t i) {
    T* x = heap_[i];
    while (i > 0) {
      size_t parent = (i - 1) / 2;
      if (!less_(x, heap_[parent])) break;
      Place(i, heap_[parent]);
      i = parent;
    }
    Place(i, x);
  }
  void SiftDown(size_t i) {
    T* x = heap_[i];
    const size_t n = heap_.size();
    for (;;) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && less_(heap_[child + 1], heap_[child])) ++child;
      if (!less_(heap_[child], x)) break;
      Place(i, heap_[child]);
      i = child;
    }
    Place(i, x);
  }

  std::vector<T*> heap_;
  [[no_unique_address]] Less less_;
};

}  // namespace wharf::sqs
