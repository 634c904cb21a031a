// Writes an HTTP response to its connection: the status line and header fields serialized into one
// buffer and sent with the body in one system call, bytes as Beast's serializer writes them.
// Used on the connection's own coroutine; no shared state.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>
#include <string>

#include "http/server_internal.h"

namespace pgmcp::http::internal {

// "HTTP/1.1 200 OK\r\n", every field as "Name: value\r\n" in the order it was set, and the blank line.
std::string SerializeHead(const Response& res);

// Writes `res` (to a HEAD request only its head, whose Content-Length still tells the size of the
// body a GET would get: RFC 9110 §9.3.2). What the socket takes at once is sent without a timer;
// the rest, if any, waits for the socket within kWriteTimeout.
boost::asio::awaitable<boost::system::error_code> WriteResponse(beast::tcp_stream& stream, const Response& res,
                                                                bool head);

}  // namespace pgmcp::http::internal
