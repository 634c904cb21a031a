// RunToCompletion: drives one coroutine on an io_context until it finishes and returns its value,
// so database tests can call the asynchronous layers as if they were blocking.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

namespace pgmcp::testing {

template <typename T>
T RunToCompletion(boost::asio::io_context& io, boost::asio::awaitable<T> work) {
  auto result = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
  io.restart();
  io.run();
  return result.get();
}

}  // namespace pgmcp::testing
