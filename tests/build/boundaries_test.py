#!/usr/bin/env python3
"""The architecture's boundaries, checked on the sources (label `unit`):

- the domain cores (everything under services/ and common/ but the gRPC service layers, the
  servers' mains and the server runner) include no gRPC header: not grpcpp/, not a generated
  *.grpc.pb.h stub, not common/status/grpc_status.h (field errors live in field_errors.h), and
  their CMake targets link newsdb::proto_messages, not newsdb::proto;
- a service includes no other service's code (they talk through the generated stubs only);
- only services/storage/rocks_db.cc includes RocksDB.

Usage: boundaries_test.py PROJECT_SOURCE_DIR
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()

# The service layers and entry points: they may use gRPC.
GRPC_ALLOWED = {
    "services/storage/storage_service.h", "services/storage/storage_service.cc",
    "services/storage/main.cc",
    "services/ingest/ingest_service.h", "services/ingest/ingest_service.cc",
    "services/ingest/publisher.h", "services/ingest/publisher.cc", "services/ingest/main.cc",
    "services/query/query_service.h", "services/query/query_service.cc", "services/query/main.cc",
    "services/query/grpc_shard_client.h", "services/query/grpc_shard_client.cc",
    "common/status/grpc_status.h", "common/status/grpc_status.cc",
    "common/testing/in_process_server.h",
}
GRPC_ALLOWED_DIRS = ("common/server/",)
GRPC_INCLUDE = re.compile(r'#include\s+[<"](grpcpp/|grpc/|[^">]*\.grpc\.pb\.h|common/status/grpc_status\.h)')
SERVICE_INCLUDE = re.compile(r'#include\s+"services/(\w+)/')
ROCKSDB_INCLUDE = re.compile(r'#include\s+[<"]rocksdb/')

# Core targets and the CMake file that defines each: none may link the stubs or gRPC.
CORE_TARGETS = {
    "services/storage/CMakeLists.txt": ["newsdb_storage_core", "newsdb_rocks_db"],
    "services/query/CMakeLists.txt": ["newsdb_query_core", "newsdb_query_parser"],
    "services/ingest/CMakeLists.txt": ["newsdb_ingest_core", "newsdb_feed_ingestion",
                                       "newsdb_spool"],
    "common/article/CMakeLists.txt": ["newsdb_article", "newsdb_request_fields"],
    "common/search/CMakeLists.txt": ["newsdb_search"],
    "common/status/CMakeLists.txt": ["newsdb_field_errors"],
}
FORBIDDEN_LINKS = re.compile(r"newsdb::proto\b(?!_)|newsdb_proto\b|gRPC::|newsdb::status\b|newsdb::server\b")


def sources():
    for top in ("services", "common"):
        for path in sorted((root / top).rglob("*")):
            if path.suffix in (".cc", ".h"):
                yield path.relative_to(root).as_posix(), path.read_text(encoding="utf-8")


def link_lists(cmake_text, target):
    """The arguments of every target_link_libraries(<target> ...) call."""
    pattern = re.compile(r"target_link_libraries\(\s*" + re.escape(target) + r"\s+([^)]*)\)", re.S)
    return [m.group(1) for m in pattern.finditer(cmake_text)]


def main():
    problems = []
    checked = 0
    for rel, text in sources():
        checked += 1
        service = rel.split("/")[1] if rel.startswith("services/") else None
        for number, line in enumerate(text.splitlines(), 1):
            if GRPC_INCLUDE.search(line) and rel not in GRPC_ALLOWED and not rel.startswith(
                    GRPC_ALLOWED_DIRS):
                problems.append(f"{rel}:{number}: a domain core includes gRPC: {line.strip()}")
            other = SERVICE_INCLUDE.search(line)
            if other and other.group(1) != service:
                problems.append(f"{rel}:{number}: includes another service's code: {line.strip()}")
            if ROCKSDB_INCLUDE.search(line) and rel != "services/storage/rocks_db.cc":
                problems.append(f"{rel}:{number}: RocksDB outside rocks_db.cc: {line.strip()}")
    for cmake_file, targets in CORE_TARGETS.items():
        text = (root / cmake_file).read_text(encoding="utf-8")
        for target in targets:
            lists = link_lists(text, target)
            if not lists:
                problems.append(f"{cmake_file}: no target_link_libraries for {target}")
            for args in lists:
                for bad in FORBIDDEN_LINKS.findall(args):
                    problems.append(f"{cmake_file}: core target {target} links {bad}")
    for problem in problems:
        print(problem)
    print(f"boundaries: {checked} sources and {sum(map(len, CORE_TARGETS.values()))} core "
          f"targets checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
