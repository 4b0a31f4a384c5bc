// A thread stack large enough for the recursion over parse trees. Everything that walks a
// SQL parse tree recurses once per nesting level: libpg_query's protobuf output, protobuf-c's
// unpacking and freeing, the deparser, the canonical form, the SQL loader. A default 8 MB stack
// overflows at about 4,500 nested operators (`SELECT 1+1+...`), which PostgreSQL itself accepts
// up to its max_stack_depth. parse_tree.h bounds the depth of every tree pgdrift reads
// (kMaxTreeDepth) so that any tree fits in kLargeStackBytes; the CLI runs each command on such
// a stack (cli::run_command), and sql::apply_sql runs itself on one when its caller is not.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>

namespace pgdrift::schema {

// Reserved address space; only the pages a deep tree actually touches are ever committed.
inline constexpr size_t kLargeStackBytes = size_t{256} << 20;

// True on a thread started by run_on_large_stack.
bool on_large_stack();

// Runs `fn` on a new thread with a kLargeStackBytes stack and waits for it, or calls it
// directly when the calling thread already has one. What `fn` throws is rethrown here. Throws
// std::runtime_error when the thread cannot be started.
void run_on_large_stack(const std::function<void()>& fn);

// run_on_large_stack for a function with a result.
template <typename Fn>
auto with_large_stack(Fn&& fn) -> std::invoke_result_t<Fn&> {
  using Result = std::invoke_result_t<Fn&>;
  if constexpr (std::is_void_v<Result>) {
    run_on_large_stack([&] { fn(); });
  } else {
    std::optional<Result> result;
    run_on_large_stack([&] { result.emplace(fn()); });
    return std::move(*result);
  }
}

}  // namespace pgdrift::schema
