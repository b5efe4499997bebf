#ifndef NEWSDB_COMMON_SERVER_SERVER_RUNNER_H_
#define NEWSDB_COMMON_SERVER_SERVER_RUNNER_H_

// Everything every newsdb server process does the same way: flags, logging, gRPC health checking
// (grpc.health.v1), server reflection, message-size limits, the port file, and graceful shutdown
// on SIGTERM/SIGINT.
//
// Shared flags: --listen (HOST:PORT; port 0 picks a free port), --port_file (the bound port is
// written there, atomically, once the server accepts calls), --drain_timeout (how long in-flight
// calls may finish after SIGTERM), --max_message_bytes (largest request or response message).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

namespace newsdb::server {

// A service to register and the full name under which health checking reports it.
struct ServedService {
  grpc::Service* service;
  std::string name;  // e.g. newsdb::v1::StorageService::service_full_name()
};

// Settings of one server; ServeUntilSignalled fills them from the shared flags.
struct ServerConfig {
  std::string listen = "127.0.0.1:0";
  int max_message_bytes = 64 << 20;
};

// Blocks SIGTERM and SIGINT in the calling thread, before gRPC starts threads that would inherit
// an unblocked mask, ignores SIGPIPE, and parses flags. `default_listen` is --listen's value when
// the flag is not given. Returns the positional arguments (argv[0] first).
std::vector<char*> InitServerProcess(int argc, char** argv, absl::string_view usage,
                                     absl::string_view default_listen);

// Builds and starts a server with health checking (every service SERVING) and reflection.
// Returns the server and stores the bound port in `*bound_port`.
// Errors: UNAVAILABLE if the address cannot be bound.
absl::StatusOr<std::unique_ptr<grpc::Server>> StartServer(
    const ServerConfig& config, const std::vector<ServedService>& services, int* bound_port);

// Starts a server from the shared flags and serves until SIGTERM or SIGINT; then reports
// NOT_SERVING, lets in-flight calls finish within --drain_timeout, cancels the rest, and returns.
// The caller's domain objects outlive the server, so a database closes after the last call ends.
// Errors: UNAVAILABLE (cannot bind), INTERNAL (cannot write --port_file).
absl::Status ServeUntilSignalled(const std::vector<ServedService>& services);

}  // namespace newsdb::server

#endif  // NEWSDB_COMMON_SERVER_SERVER_RUNNER_H_
