#include "schema/large_stack.h"

#include <pthread.h>

#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

namespace pgdrift::schema {

namespace {

thread_local bool large_stack = false;

struct Call {
  const std::function<void()>* fn;
  std::exception_ptr error;
};

void* run_call(void* arg) {
  auto* call = static_cast<Call*>(arg);
  large_stack = true;
  try {
    (*call->fn)();
  } catch (...) {
    call->error = std::current_exception();
  }
  return nullptr;
}

}  // namespace

bool on_large_stack() { return large_stack; }

void run_on_large_stack(const std::function<void()>& fn) {
  if (large_stack) {
    fn();
    return;
  }
  Call call{&fn, nullptr};
  pthread_attr_t attr;
  int rc = pthread_attr_init(&attr);
  if (rc == 0) {
    rc = pthread_attr_setstacksize(&attr, kLargeStackBytes);
    pthread_t thread;
    if (rc == 0) rc = pthread_create(&thread, &attr, run_call, &call);
    pthread_attr_destroy(&attr);
    if (rc == 0) rc = pthread_join(thread, nullptr);
  }
  if (rc != 0)
    throw std::runtime_error("cannot start a thread with a " +
                             std::to_string(kLargeStackBytes >> 20) +
                             " MB stack for reading SQL: " + std::strerror(rc));
  if (call.error) std::rethrow_exception(call.error);
}

}  // namespace pgdrift::schema
