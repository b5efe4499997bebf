#include "common/server/server_runner.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "common/log/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"

ABSL_FLAG(std::string, listen, "",
          "Address to serve on, HOST:PORT. Port 0 picks a free port (see --port_file).");
ABSL_FLAG(std::string, port_file, "",
          "If set, the bound port is written to this file once the server accepts calls.");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(20),
          "After SIGTERM/SIGINT, how long in-flight calls may run before they are cancelled.");
ABSL_FLAG(int, max_message_bytes, 64 << 20, "Largest request or response message, in bytes.");

namespace newsdb::server {
namespace {

std::string g_default_listen;  // set once by InitServerProcess, before any thread starts

absl::Status WritePortFile(const std::string& path, int port) {
  // Written to a temporary name and renamed, so a reader never sees a partial number.
  const std::string temporary = absl::StrCat(path, ".tmp");
  const std::string text = absl::StrCat(port, "\n");
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return absl::InternalError(
        absl::StrCat("cannot create ", temporary, ": ", std::strerror(errno)));
  }
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("cannot write ", path, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

sigset_t ShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  return signals;
}

}  // namespace

std::vector<char*> InitServerProcess(int argc, char** argv, absl::string_view usage,
                                     absl::string_view default_listen) {
  sigset_t signals = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Debian's Abseil checks every Mutex acquisition against a global lock-order graph (its debug
  // deadlock detector): 2.5% of a storage process's time under a search load. The unit tests
  // keep the detector; the servers do not pay for it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  g_default_listen = std::string(default_listen);
  absl::SetProgramUsageMessage(usage);
  return absl::ParseCommandLine(argc, argv);
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartServer(
    const ServerConfig& config, const std::vector<ServedService>& services, int* bound_port) {
  grpc::EnableDefaultHealthCheckService(true);
  // Registers grpc.reflection.v1alpha.ServerReflection. This call is also what keeps
  // libgrpc++_reflection linked: with --as-needed an unreferenced library would be dropped.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  grpc::ServerBuilder builder;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), bound_port);
  builder.SetMaxReceiveMessageSize(config.max_message_bytes);
  builder.SetMaxSendMessageSize(config.max_message_bytes);
  // gRPC sets SO_REUSEPORT by default, which would let a second server (say, a second storage
  // process on the same data) bind a port that is in use and receive half of the calls.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  // gRPC's sync server ends a worker thread once more than MAX_POLLERS (default 2) are idle, and
  // starts another for the next call. Under a few concurrent calls that churned threads, and with
  // them each thread's caches (storage's analyzer warms a stem cache): keep up to 8 idle workers.
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, 8);
  for (const ServedService& served : services) builder.RegisterService(served.service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || *bound_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", config.listen));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  for (const ServedService& served : services) health->SetServingStatus(served.name, true);
  return server;
}

absl::Status ServeUntilSignalled(const std::vector<ServedService>& services) {
  ServerConfig config;
  config.listen = absl::GetFlag(FLAGS_listen);
  if (config.listen.empty()) config.listen = g_default_listen;
  config.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  int bound_port = 0;
  absl::StatusOr<std::unique_ptr<grpc::Server>> server = StartServer(config, services, &bound_port);
  if (!server.ok()) return server.status();

  const std::string port_file = absl::GetFlag(FLAGS_port_file);
  if (!port_file.empty()) {
    absl::Status written = WritePortFile(port_file, bound_port);
    if (!written.ok()) {
      (*server)->Shutdown();
      (*server)->Wait();
      return written;
    }
  }
  const std::string host = config.listen.substr(0, config.listen.rfind(':'));
  LOG(INFO) << "Serving on " << host << ":" << bound_port;

  // sigwait on an ordinary thread: no async-signal-safety concerns, and the main thread stays in
  // Wait() until the drain is complete.
  const absl::Duration drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  grpc::Server* running = server->get();
  std::thread signal_waiter([running, drain_timeout] {
    sigset_t signals = ShutdownSignals();
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    LOG(INFO) << "Received " << strsignal(signal_number) << "; draining for at most "
              << drain_timeout;
    running->GetHealthCheckService()->SetServingStatus(false);
    running->Shutdown(absl::ToChronoTime(absl::Now() + drain_timeout));
  });
  running->Wait();
  signal_waiter.join();
  LOG(INFO) << "Server stopped";
  return absl::OkStatus();
}

}  // namespace newsdb::server
